"""The demo county: 阳城 (140522) 2024, shipped as a history file (data/yangcheng-2024.jsonl.gz,
made by tools/history, a test holds the two equal), imported, and its first quarter reported
twice — as published on 10 April and as known now — with the differences shown."""
from __future__ import annotations

from pathlib import Path

from services.entry.bootstrap import Settings, open_reader, open_writer
from services.entry.render import tables as render
from services.ingest.accept import Acceptor
from services.ingest.importer import import_file
from services.log import EventStore
from services.log.engine import data_dir
from services.query.figures import explain_for, make_query, report_for

HISTORY = Path(__file__).with_name("data") / "yangcheng-2024.jsonl.gz"
REGION, PERIOD, PUBLISHED_ON = "140522", "2024Q1", "2024-04-10"


def demo_store_url() -> str:
    base = data_dir()
    base.mkdir(parents=True, exist_ok=True)
    path = base / "demo.sqlite"
    for leftover in base.glob("demo.sqlite*"):
        leftover.unlink()
    return f"sqlite:///{path}"


def load_demo(acceptor: Acceptor) -> str:
    rejected: list[str] = []
    summary = import_file(HISTORY, acceptor, lambda n, e: rejected.append(f"line {n}: {e.describe()}"))
    if rejected:
        raise RuntimeError("the demo history has invalid lines:\n" + "\n".join(rejected[:10]))
    return summary.line()


def differences(store: EventStore, published: dict, now: dict, as_of_now: str) -> str:
    """Each figure that changed, and the facts recorded after publication that changed it."""
    rows = []
    for figure_id, before in published["figures"].items():
        after = now["figures"][figure_id]
        if (before["numerator"], before["denominator"]) == (after["numerator"], after["denominator"]):
            continue
        old = _events(explain_for(store, figure_id, make_query(REGION, PERIOD, PUBLISHED_ON)))
        new = _events(explain_for(store, figure_id, make_query(REGION, PERIOD, as_of_now)))
        changed = sorted(old ^ new)
        kinds = _kinds(store, changed)
        rows.append([render.LABELS[figure_id], figure_id,
                     f"{before['numerator']}/{before['denominator']}", f"{after['numerator']}/{after['denominator']}",
                     render.percent(before["value"], figure_id), render.percent(after["value"], figure_id), kinds])
    if not rows:
        return "no figure changed"
    headers = ["指标", "figure", "4月10日 published", "现在 now", "值 then", "值 now", "changed by (facts)"]
    return render.table(headers, rows)


def _events(explained: dict) -> set[str]:
    return {e for side in ("numerator", "denominator") for item in explained[side]["items"] for e in item["events"]}


def _kinds(store: EventStore, event_ids: list[str]) -> str:
    counts: dict[str, int] = {}
    for event_id in event_ids:
        stored = store.get(event_id)
        if stored is not None:
            counts[stored.event_type] = counts.get(stored.event_type, 0) + 1
    return ", ".join(f"{kind}×{n}" for kind, n in sorted(counts.items())) or "retractions"


def run_demo(db: str | None = None) -> str:
    settings = Settings(db or demo_store_url())
    loaded = load_demo(open_writer(settings).acceptor)
    store = open_reader(settings).events
    lines = [f"阳城县 (140522) 2024 demo history: {loaded}", ""]
    published = report_for(store, make_query(REGION, PERIOD, PUBLISHED_ON))
    now = report_for(store, make_query(REGION, PERIOD))
    lines += ["== 2024年一季度 as published on 2024-04-10 ==", render.report_table(published), ""]
    lines += ["== 2024年一季度 as known now ==", render.report_table(now), ""]
    lines += ["== revisions: what changed since publication ==", differences(store, published, now, now["as_of"])]
    return "\n".join(lines)

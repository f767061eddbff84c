"""`projfacts import FILE` end to end: the real console script, on SQLite and PostgreSQL."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest

from helpers import event, retraction, write_jsonl, writer_for
from services.ingest import importer
from services.ingest.importer import PARALLEL_FROM_BYTES, import_file
from services.log import EventStore

PROJFACTS = Path(sys.executable).with_name("projfacts")
KEPT = "2025-01-05T09:00:00+08:00"


def run_import(path: Path, url: str, via: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PROJFACTS_DB"}
    env["XDG_DATA_HOME"] = str(path.parent / "xdg")  # never the user's default store
    args = [str(PROJFACTS), "import", str(path)]
    if via == "env":
        env["PROJFACTS_DB"] = url
    else:
        args += ["--db", url]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def rejected_lines(stderr: str) -> list[int]:
    return [int(n) for n in re.findall(r"^line (\d+): ", stderr, flags=re.MULTILINE)]


@pytest.fixture(params=["--db", "env"])
def via(request):
    return request.param


@pytest.fixture
def opened(store_url):
    stores = []

    def open_store() -> EventStore:
        stores.append(EventStore(store_url))
        return stores[-1]

    yield open_store
    for store in stores:
        store.engine.dispose()


def mixed_file(path: Path):
    """Good lines, bad lines, a blank, an in-file duplicate and an id conflict."""
    registered = event("ProjectRegistered", recorded_at=KEPT)
    reported = event("InvestmentReported", amount="120.00")
    target = event("TargetSet", recorded_at="2025-01-02T08:00:00+08:00")
    approved = event("ProcedureApproved")
    withdrawn = retraction(reported, recorded_at="2025-04-09T16:30:00+08:00")
    rows = {
        1: registered,
        2: reported,
        3: dict(event("InvestmentReported"), payload={"year": 2025, "month": 4, "amount": 12.5}),
        4: b"",
        5: event("ConstructionStarted", occurred_on="2025-02-30"),
        6: dict(event("ProjectLanded"), event_type="ProjectTeleported"),
        7: b'{"event_id": "not json',
        8: event("ConstructionStarted", project_id=None),
        9: registered,
        10: dict(reported, payload={**reported["payload"], "amount": "121.00"}),
        11: target,
        12: approved,
        13: withdrawn,
    }
    write_jsonl(path, rows.values())
    bad = {3: "amount", 5: "occurred_on", 6: "event_type", 7: "JSON", 8: "project_id", 10: "event_id"}
    return [registered, reported, target, approved, withdrawn], bad


def test_mixed_file_imports_good_lines_and_reports_bad_ones(tmp_path, store_url, via, opened):
    path = tmp_path / "mixed.jsonl"
    good, bad = mixed_file(path)
    before = datetime.now(timezone.utc)
    first = run_import(path, store_url, via)
    after = datetime.now(timezone.utc)
    assert (first.returncode, first.stdout) == (1, "appended 5, duplicates 1, rejected 6\n"), first.stderr
    assert rejected_lines(first.stderr) == sorted(bad)
    for number, word in bad.items():
        message = re.search(rf"^line {number}: (.*)$", first.stderr, flags=re.MULTILINE).group(1)
        assert word in message, (number, message)

    store = opened()
    stored = list(store.read())
    assert [s.event_id for s in stored] == [e["event_id"] for e in good]
    for sent, back in zip(good, stored):
        back_json = back.to_json()
        if "recorded_at" in sent:  # a line's recorded_at is kept...
            assert back_json == sent
        else:  # ...and a line without one is stamped at append
            stamp = datetime.fromisoformat(back_json.pop("recorded_at"))
            assert stamp.utcoffset() is not None
            assert before - timedelta(seconds=1) <= stamp <= after + timedelta(seconds=1)
            assert back_json == sent

    again = run_import(path, store_url, via)
    assert (again.returncode, again.stdout) == (1, "appended 0, duplicates 6, rejected 6\n"), again.stderr
    assert rejected_lines(again.stderr) == sorted(bad)
    assert [s.to_json() for s in store.read()] == [s.to_json() for s in stored]


def test_all_good_file_exits_zero(tmp_path, store_url):
    path = write_jsonl(tmp_path / "good.jsonl", [event(), event("AnnualPlanAdopted"), event("TargetSet"), b"  "])
    done = run_import(path, store_url, "--db")
    assert (done.returncode, done.stdout, done.stderr) == (0, "appended 3, duplicates 0, rejected 0\n",
                                                           "note: 1 blank line skipped\n")


def test_a_line_that_is_not_utf8_is_said_so(tmp_path, sqlite_url):
    path = write_jsonl(tmp_path / "mixed.jsonl", [event(), b'{"event_id": "caf\xe9"}', event("TargetSet")])
    done = run_import(path, sqlite_url, "--db")
    assert done.returncode == 1 and done.stdout == "appended 2, duplicates 0, rejected 1\n"
    assert done.stderr.startswith("line 2: ") and "not UTF-8 text: byte 0xE9 at byte 18" in done.stderr, done.stderr


# ---- a large file: validated in worker processes ------------------------------------------------
def history(count: int):
    """`count` lines of realistic history, with a bad line, a late duplicate and a late conflict now and then."""
    project, n, month = 0, 0, 0
    seen: list[dict] = []
    while n < count:
        n += 1
        if n % 997 == 0:
            yield b'{"event_id": "broken'
            continue
        if n % 1499 == 0 and seen:
            yield seen[(n * 7) % len(seen)]  # duplicate, usually from an earlier chunk
            continue
        if n % 2003 == 0 and seen:
            earlier = seen[(n * 13) % len(seen)]
            yield dict(earlier, source={"department": "ndrc", "system": "other"})  # id conflict
            continue
        if n % 40 == 1:
            project += 1
            month = 0
            pid = f"2501-1405{project % 90 + 10:02d}-04-01-{project:06d}"
            obj = event("ProjectRegistered", project_id=pid, occurred_on="2024-11-20",
                        name=f"重点项目{project}号", region=f"1405{project % 90 + 10:02d}",
                        total_investment=f"{1000 + project}.50")
        elif n % 40 == 2:
            obj = event("AnnualPlanAdopted", project_id=pid, occurred_on="2025-01-10",
                        planned_investment=f"{300 + project % 700}.00")
        else:
            month = month % 12 + 1
            obj = event("InvestmentReported", project_id=pid, occurred_on=f"2025-{month:02d}-28",
                        month=month, amount=f"{n % 5000}.{n % 100:02d}")
        obj["recorded_at"] = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00+08:00"
        seen.append(obj)
        yield obj


def test_large_file_imports_in_worker_processes_like_in_one(tmp_path, monkeypatch):
    path = write_jsonl(tmp_path / "large.jsonl", history(30_000))
    assert path.stat().st_size > PARALLEL_FROM_BYTES
    pools = []

    class CountingPool(importer.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pools.append(kwargs.get("max_workers", args[0] if args else None))

    monkeypatch.setattr(importer, "ProcessPoolExecutor", CountingPool)
    outcomes = {}
    for workers in (1, 2):
        writer = writer_for(f"sqlite:///{tmp_path / f'w{workers}.sqlite'}")
        store = writer.events
        rejects: list[tuple[int, str]] = []
        summary = import_file(path, writer.acceptor, lambda n, e: rejects.append((n, e.describe())), workers=workers)
        outcomes[workers] = (summary, rejects, [s.to_json() for s in store.read()])
        store.engine.dispose()
    assert pools == [2]
    assert outcomes[1] == outcomes[2]
    summary, rejects, stored = outcomes[1]
    assert summary.appended == len(stored) > 25_000
    assert summary.duplicates == sum(1 for n in range(1, 30_001) if n % 1499 == 0 and n % 997)
    assert summary.rejected == len(rejects) == sum(1 for n in range(1, 30_001) if n % 997 == 0 or n % 2003 == 0)
    assert [n for n, _ in rejects] == sorted(n for n, _ in rejects)
    lines = path.read_bytes().splitlines()
    assert stored == [orjson.loads(lines[i]) for i in range(len(lines))
                      if (i + 1) % 997 and (i + 1) % 1499 and (i + 1) % 2003]


def test_large_file_through_the_cli_matches_one_worker(tmp_path, sqlite_url):
    path = write_jsonl(tmp_path / "large.jsonl", history(30_000))
    assert path.stat().st_size > PARALLEL_FROM_BYTES
    done = run_import(path, sqlite_url, "--db")
    reference = writer_for(f"sqlite:///{tmp_path / 'ref.sqlite'}")
    summary = import_file(path, reference.acceptor, lambda n, e: None, workers=1)
    reference.close()
    assert (done.returncode, done.stdout) == (1, summary.line() + "\n")

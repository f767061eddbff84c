"""The figures through the SQL read model equal the pure projections over the same history,
on SQLite and PostgreSQL; explain adds up to report; the CLI prints the contract's shapes."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import writer_for

from projections.facts import fact_from_json
from projections.figures import FIGURES
from projections.ledger import fold_all, visible
from projections.report import report
from tools.history.county import demo_county, write_jsonl
from services.ingest.importer import import_file
from services.query.figures import explain_for, make_query, report_for
from services.log import EventStore
from services.log.store import to_micros

CASES = [
    ("140522", "2024Q1", "2024-04-10", None),
    ("140522", "2024Q1", None, None),
    ("1405", "2024H1", "2024-07-15T08:00:00+08:00", None),
    ("14", "2024-05", None, "province"),
    ("140522", "2024", None, "county"),
    ("140522", "2024Q3", "2024-10-01", "city"),
]


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> tuple[Path, list[dict]]:
    events = list(demo_county())
    path = tmp_path_factory.mktemp("demo") / "demo.jsonl"
    write_jsonl(events, path)
    return path, events


@pytest.fixture
def store(store_url, history) -> EventStore:
    writer = writer_for(store_url)
    store = writer.events
    summary = import_file(history[0], writer.acceptor, lambda n, e: pytest.fail(f"line {n}: {e}"))
    assert summary.rejected == 0
    return store


def pure_report(events: list[dict], query) -> dict:
    facts = [fact_from_json(i, e, to_micros(datetime.fromisoformat(e["recorded_at"])))
             for i, e in enumerate(events, start=1)]
    return report(visible(fold_all(facts), to_micros(query.as_of)), query)


@pytest.mark.parametrize("region,period,as_of,level", CASES)
def test_read_model_report_equals_the_pure_fold(store, history, region, period, as_of, level):
    query = make_query(region, period, as_of or "2030-01-01", level)
    assert report_for(store, query) == pure_report(history[1], query)


def test_explain_items_add_up_to_the_report_and_name_stored_events(store):
    query = make_query("140522", "2024H1", "2024-08-01")
    figures = report_for(store, query)["figures"]
    for figure_id in FIGURES:
        explained = explain_for(store, figure_id, query)
        for side in ("numerator", "denominator"):
            items = explained[side]["items"]
            if figures[figure_id][side] is None:  # an amount's or a count's denominator
                assert explained[side] == {"value": None, "items": []}
                continue
            total = sum(Decimal(str(i["amount"])) for i in items)
            assert total == Decimal(str(figures[figure_id][side])), (figure_id, side)
            assert explained[side]["value"] == figures[figure_id][side]
            assert len({i["project_id"] for i in items}) == len(items)
        for event_id in {e for side in ("numerator", "denominator") for i in explained[side]["items"] for e in i["events"]}:
            assert store.get(event_id) is not None


def _cli(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("projfacts")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)


def test_cli_report_and_explain_print_the_contract_shapes(sqlite_url, history):
    assert _cli("--db", sqlite_url, "import", str(history[0])).returncode == 0
    report_args = ("report", "--db", sqlite_url, "--region", "140522", "--period", "2024Q1",
                   "--as-of", "2024-04-10", "--format", "json")
    out = _cli(*report_args)
    assert out.returncode == 0, out.stderr
    assert _cli(*report_args).stdout == out.stdout  # same events in, same bytes out
    result = json.loads(out.stdout)
    assert list(result) == ["region", "region_name", "period", "through", "as_of", "figures", "pace"]
    assert result["region_name"] == "阳城县"
    assert list(result["figures"]) == list(FIGURES)
    assert result["through"] == "2024-03-31" and result["pace"] == "0.2500"
    assert {"kind", "numerator", "denominator", "value"} <= set(result["figures"]["new_start_rate"])
    assert result["figures"]["investment_total"]["kind"] == "amount"
    assert result["figures"]["investment_total"]["denominator"] is None
    out = _cli("explain", "new_start_rate", "--db", sqlite_url, "--region", "140522", "--period", "2024Q1",
               "--format", "json")
    explained = json.loads(out.stdout)
    assert list(explained) == ["figure", "formula", "numerator", "denominator"]
    assert set(explained["numerator"]["items"][0]) == {"project_id", "amount", "events"}


def test_cli_rank_orders_best_first(sqlite_url, history):
    _cli("--db", sqlite_url, "import", str(history[0]))
    out = _cli("rank", "new_start_rate", "--db", sqlite_url, "--region", "140522", "--period", "2024H1",
               "--by", "township", "--format", "json")
    ranking = json.loads(out.stdout)
    assert list(ranking) == ["figure", "region", "period", "through", "as_of", "rows"]
    rows = ranking["rows"]
    values = [Decimal(r["value"]) for r in rows if r["value"] is not None]
    assert values == sorted(values, reverse=True) and len(rows) >= 3
    ranks = [r["rank"] for r in rows if r["value"] is not None]
    assert ranks[0] == 1 and all(  # competition ranking: equal values share a rank, the next skips
        b == (a if vb == va else i + 1) for i, (a, b, va, vb) in enumerate(zip(ranks, ranks[1:], values, values[1:]), 1))
    assert all(r["region_name"] == "阳城县" and r["township"] for r in rows)


def test_bad_query_options_are_refused_with_a_clear_error(sqlite_url):
    out = _cli("report", "--db", sqlite_url, "--region", "14x", "--period", "2024Q1", "--format", "json")
    assert out.returncode == 2 and "region" in out.stderr
    out = _cli("report", "--db", sqlite_url, "--region", "14", "--period", "2024Q5", "--format", "json")
    assert out.returncode == 2 and "period" in out.stderr

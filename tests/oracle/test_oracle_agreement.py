"""The product's figures (CONTRACT §3) agree with the independent oracle in `oracle.py`.

(a) the demo county history and (b) a small province history, imported into a fresh SQLite
store and reported through `services.query.figures`; (c) random small histories with every
irregularity, through the pure projections.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from helpers import writer_for

import oracle
from tools.history import demo_county, province, write_jsonl
from services.ingest.importer import import_file
from services.query.figures import make_query, report_for
from services.log import EventStore

FAR_FUTURE = "2030-01-01"


def as_of_instant(text: str) -> datetime:
    """The contract's as-of: an ISO timestamp, or a date meaning the end of that day (Shanghai)."""
    if "T" not in text:
        return oracle.end_of_day(date.fromisoformat(text))
    return oracle.parse_timestamp(text)


def shortly_after(period: str) -> str:
    """The 10th of the month after the period's end."""
    _, through = oracle.period_bounds(period)
    return (through + timedelta(days=10)).isoformat()


def product_figures(store: EventStore, region, period, as_of, level) -> dict[str, tuple]:
    figures = report_for(store, make_query(region, period, as_of, level))["figures"]
    return {fid: (figures[fid]["numerator"], figures[fid]["denominator"], figures[fid]["value"])
            for fid in oracle.FIGURES}


def disagreements(ours: dict, theirs: dict) -> dict:
    """The §3 figures that differ; the oracle's (kind, numerator, denominator, value) is compared
    without its kind."""
    return {fid: {"product": ours.get(fid), "oracle": theirs[fid][1:]}
            for fid in oracle.FIGURES if ours.get(fid) != theirs[fid][1:]}


def imported(tmp_path_factory, name: str, events: list[dict]) -> EventStore:
    directory = tmp_path_factory.mktemp(name)
    path = directory / f"{name}.jsonl"
    write_jsonl(events, path)
    writer = writer_for(f"sqlite:///{directory / 'store.sqlite'}")
    store = writer.events
    rejects = []
    summary = import_file(path, writer.acceptor, lambda n, e: rejects.append((n, str(e))))
    assert summary.rejected == 0, rejects[:5]
    return store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    events = list(demo_county())
    return events, imported(tmp_path_factory, "oracle_demo", events)


@pytest.fixture(scope="module")
def small_province(tmp_path_factory):
    events = list(province(projects=300, years=(2024, 2025)))
    return events, imported(tmp_path_factory, "oracle_province", events)


def _cases(regions, years, levels):
    """A diverse selection over regions × periods × as-of × level (deterministic rotation)."""
    shapes = ["{y}Q1", "{y}H1", "{y}-05", "{y}Q3", "{y}", "{y}-02", "{y}-11"]
    cases = []
    i = 0
    for year in years:
        for shape in shapes:
            period = shape.format(y=year)
            for when in ("soon", "far"):
                region = regions[i % len(regions)]
                level = levels[(i // 2 + i) % len(levels)]
                as_of = shortly_after(period) if when == "soon" else FAR_FUTURE
                cases.append((region, period, as_of, level))
                i += 1
    return cases


LEVELS = [None, "province", "city", "county"]
DEMO_CASES = _cases(["14", "1405", "140522"], [2024, 2025], LEVELS)
PROVINCE_CASES = _cases(["14", "1411", "141123"], [2024, 2025], LEVELS) + [
    ("14", "2025", FAR_FUTURE, None), ("14", "2024", FAR_FUTURE, None),
    ("14", "2025H1", "2025-07-10", None), ("1401", "2025Q3", "2025-10-10", "county"),
]


_EXPECTED: dict[tuple, dict] = {}


def expected(name: str, events: list[dict], case: tuple) -> dict:
    """The oracle's figures for a case (computed once per module run)."""
    if (name, case) not in _EXPECTED:
        region, period, as_of, level = case
        _EXPECTED[name, case] = oracle.figures(events, region, period, as_of_instant(as_of), level)
    return _EXPECTED[name, case]


@pytest.mark.parametrize("region,period,as_of,level", DEMO_CASES)
def test_demo_county_agrees_with_the_oracle(demo, region, period, as_of, level):
    events, store = demo
    theirs = expected("demo", events, (region, period, as_of, level))
    assert disagreements(product_figures(store, region, period, as_of, level), theirs) == {}


@pytest.mark.parametrize("region,period,as_of,level", PROVINCE_CASES)
def test_small_province_agrees_with_the_oracle(small_province, region, period, as_of, level):
    events, store = small_province
    theirs = expected("province", events, (region, period, as_of, level))
    assert disagreements(product_figures(store, region, period, as_of, level), theirs) == {}


def test_the_cases_are_not_all_empty(demo, small_province):
    """Guard against a vacuous comparison: every figure has a non-zero denominator in some case."""
    for name, events, cases in (("demo", demo[0], DEMO_CASES), ("province", small_province[0], PROVINCE_CASES)):
        nonzero = {fid for case in cases for fid, (_, _, den, _) in expected(name, events, case).items()
                   if fid in oracle.FIGURES and den not in (0, "0.00")}
        assert nonzero == set(oracle.FIGURES), name

"""Query side used by the CLI and the HTTP API: bring the read model up to date, load the
facts visible as of the asked time, and hand them to the pure projections."""
from __future__ import annotations

import os

from projections.periods import parse_as_of, parse_period
from projections.report import Query, explain, rank, report
from services.readmodel import catch_up, load_for_report
from services.store.event_store import EventStore, to_micros


def make_query(region: str, period: str, as_of: str | None = None, level: str | None = None) -> Query:
    if not region.isdigit() or len(region) not in (2, 4, 6):
        raise ValueError(f"region must be a 2-, 4- or 6-digit code prefix, got {region!r}")
    if level is not None and level not in {"province", "city", "county"}:
        raise ValueError(f"level must be province, city or county, got {level!r}")
    return Query(region=region, period=parse_period(period), as_of=parse_as_of(as_of), level=level)


def bus_mode() -> str:
    """`inprocess` (embedded default: the query projects what the log holds before reading) or
    `kafka` (the faust workers keep the read model; queries only read it)."""
    mode = os.environ.get("PROJFACTS_BUS", "inprocess")
    if mode not in {"inprocess", "kafka"}:
        raise ValueError(f"PROJFACTS_BUS must be inprocess or kafka, got {mode!r}")
    return mode


def facts_for(store: EventStore, query: Query, before: int | None = None, *, investment_sums: bool = False):
    """The visible facts a report, explain or rank for `query` can use (readmodel.load_for_report);
    `before`: only log positions before it (the log as it stood then); `investment_sums`: monthly
    investment pre-summed per project and year (figures only, not explain)."""
    if bus_mode() == "inprocess":
        catch_up(store)
    period = query.period
    return load_for_report(store.engine, query.region, period.year, period.through, to_micros(query.as_of),
                           before, investment_sums=investment_sums)


def report_for(store: EventStore, query: Query) -> dict:
    return report(facts_for(store, query, investment_sums=True), query)


def explain_for(store: EventStore, figure_id: str, query: Query) -> dict:
    return explain(facts_for(store, query), figure_id, query)


def rank_for(store: EventStore, figure_id: str, query: Query, by: str) -> list[dict]:
    return rank(facts_for(store, query, investment_sums=True), figure_id, query, by)

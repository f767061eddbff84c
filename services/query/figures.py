"""Query side used by the CLI and the HTTP API: bring the read model up to date, load the
facts visible as of the asked time, and hand them to the pure projections."""
from __future__ import annotations

import os

from projections.periods import parse_as_of, parse_period
from projections.figure_arrays import Evaluation, rank_totals, totals
from projections.report import Query, check_rank, explain, rank_rows, report_json
from services.readmodel import columns as figure_index
from services.readmodel.sql import catch_up, load_for_report, load_targets
from services.log.store import EventStore, to_micros


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


def facts_for(store: EventStore, query: Query, before: int | None = None):
    """The visible facts a report, explain or rank for `query` can use (readmodel.load_for_report);
    `before`: only log positions before it (the log as it stood then)."""
    if bus_mode() == "inprocess":
        catch_up(store)
    period = query.period
    return load_for_report(store.engine, query.region, period.year, period.through, to_micros(query.as_of), before)


def evaluate(store: EventStore, query: Query) -> Evaluation:
    """The figures of `query` over the figure columns (services/figure_index.py), every project at once."""
    if bus_mode() == "inprocess":
        catch_up(store)
    return Evaluation(figure_index.load(store.engine), query.period, query.region, query.level, to_micros(query.as_of))


def report_for(store: EventStore, query: Query) -> dict:
    evaluation = evaluate(store, query)
    targets = load_targets(store.engine, query.period.year, to_micros(query.as_of))
    return report_json(totals(evaluation), targets, query)


def explain_for(store: EventStore, figure_id: str, query: Query) -> dict:
    return explain(facts_for(store, query), figure_id, query)


def rank_for(store: EventStore, figure_id: str, query: Query, by: str) -> list[dict]:
    check_rank(figure_id, by)
    evaluation = evaluate(store, query)
    names = figure_index.township_names(store.engine, evaluation.s.township[evaluation.s.standing].tolist())
    return rank_rows(rank_totals(evaluation, figure_id, by, names.__getitem__), by)

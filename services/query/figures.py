"""Reports, explanations and rankings, read-only: the facts visible as of the asked time, handed to
the pure projections. Nothing here writes: the read model is kept by the bus (services/bus)."""
from __future__ import annotations

import re

from projections.figure_arrays import Evaluation, rank_totals, totals
from projections.periods import parse_as_of, parse_period
from projections.report import Query, check_rank, explain, rank_rows, report_json
from services.log.store import EventStore, to_micros
from services.readmodel import columns as figure_index
from services.readmodel.sql import load_for_report, load_targets

LEVELS = ("province", "city", "county")


def make_query(region: str, period: str, as_of: str | None = None, level: str | None = None) -> Query:
    if not isinstance(region, str) or not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", region):
        raise ValueError(f"region must be a 2-, 4- or 6-digit code prefix, got {region!r}")
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be province, city or county, got {level!r}")
    return Query(region=region, period=parse_period(period), as_of=parse_as_of(as_of), level=level)


def facts_for(store: EventStore, query: Query, before: int | None = None):
    """The visible facts a report, explain or rank for `query` can use (readmodel.load_for_report);
    `before`: only log positions before it (the log as it stood then)."""
    period = query.period
    return load_for_report(store.engine, query.region, period.year, period.through, to_micros(query.as_of), before)


def evaluate(store: EventStore, query: Query) -> Evaluation:
    """The figures of `query` over the figure columns (services/readmodel/columns.py), every project at once."""
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

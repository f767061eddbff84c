"""Reports, explanations and rankings, read-only: the read model's figure columns evaluated as of the
asked time (projections.figures), shaped as the contract's JSON (projections.report). Nothing here
writes: the read model is kept by the bus (services/bus)."""
from __future__ import annotations

import re

from events.types import Category
from projections.figures.vocabulary import Evaluation, years_read
from projections.periods import parse_as_of, parse_period, to_micros
from projections.report import Query, check_figure, check_rank, explain_json, rank_json, report_json
from services.log.store import EventStore
from services.readmodel import columns as figure_index
from services.readmodel.sql import event_ids_at, load_targets

LEVELS = ("province", "city", "county")
CATEGORIES = tuple(c.value for c in Category)


def make_query(region: str, period: str, as_of: str | None = None, level: str | None = None,
               category: str | None = None) -> Query:
    if not isinstance(region, str) or not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", region):
        raise ValueError(f"region must be a 2-, 4- or 6-digit code prefix, got {region!r}")
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be province, city or county, got {level!r}")
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(CATEGORIES)}, got {category!r}")
    return Query(region, parse_period(period), parse_as_of(as_of), level, category)


def evaluate(store: EventStore, query: Query, before: int | None = None) -> Evaluation:
    """`query` over the read model's figure columns, every project at once (`before`: only the log
    positions before it — the log as it stood then)."""
    columns = figure_index.load(store.engine, years_read(query.period))
    return Evaluation(columns, query.period, query.scope, to_micros(query.as_of), before)


def _targets(store: EventStore, query: Query, before: int | None = None):
    return load_targets(store.engine, query.period.year, to_micros(query.as_of), before, query.region)


def report_for(store: EventStore, query: Query, format: int = 2, before: int | None = None) -> dict:
    return report_json(evaluate(store, query, before), _targets(store, query, before), query, format)


def explain_for(store: EventStore, figure_id: str, query: Query, before: int | None = None) -> dict:
    check_figure(figure_id)
    labels = figure_index.Lookup(store.engine)
    return explain_json(evaluate(store, query, before), figure_id, labels.project_id,
                        lambda positions: event_ids_at(store.engine, positions))


def rank_for(store: EventStore, figure_id: str, query: Query, by: str) -> dict:
    check_rank(figure_id, by)
    labels = figure_index.Lookup(store.engine)
    return rank_json(evaluate(store, query), _targets(store, query), query, figure_id, by, labels.township)

"""Replay's step: one window of the log rebuilt into the shadows, mostly by the database itself.

A replay worker (`services.readmodel.replay.worker`) rebuilds its share of the log window by window (a range of
log positions, a range of project ids). The rows of `facts` and `project_regions` are computed by
the database from the log (`INSERT … SELECT`; the few derived columns read with its JSON
functions), so the payloads never travel to Python — for facts stored at their type's latest
schema version, and for those stored at an older one whose upcast only adds fixed fields (every
upcaster of the catalogue): the added fields are appended to the stored JSON text, as the upcast
dict dumps. The figure columns need Python: the facts a figure reads are fetched, decoded, and
turned into columns type by type (`projections.figures.columns.kind_columns`). Facts whose upcast
does more go the incremental projector's way (upcast in Python: `readmodel.fact_row_of`), and so
do their columns.
The rows are those of the incremental projector; tests/integration/test_replay.py holds them equal.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Callable

import orjson

from events.catalogue import CATALOGUE_V1, AddingFields
from events.registry import REGISTRY
from projections.figures.columns import KINDS, PROJECT, Columns, FactColumns, kind_columns, labels_of
from services.readmodel import columns as figure_index
from services.readmodel.columns import LABELLED
from services.readmodel.replay.late import LateRetractions, retractions_in
from services.readmodel.sql import payload_field
from services.readmodel.tables import facts, facts_shadow, project_regions_shadow

_FACT_COLUMNS = ", ".join(c.name for c in facts.columns)


def _with_field(name: str) -> tuple[str, ...]:
    return tuple(sorted(t for t, model in CATALOGUE_V1.items() if name in model.model_fields))


_YEAR, _MONTH = _with_field("year"), _with_field("month")


@dataclass(frozen=True)
class Window:
    """Log positions (after, upto] of one share of the projects: low <= project_id < high (None: open;
    the first share also holds the project-less facts)."""

    after: int
    upto: int
    low: str | None = None
    high: str | None = None

    def where(self, sqlite: bool) -> tuple[str, list]:
        mark = "?" if sqlite else "%s"
        sql, params = f"position > {mark} AND position <= {mark}", [self.after, self.upto]
        if self.low is not None:
            sql += f" AND project_id >= {mark}"
            params.append(self.low)
        if self.high is not None:
            sql += f" AND project_id < {mark}" if self.low is not None \
                else f" AND (project_id IS NULL OR project_id < {mark})"
            params.append(self.high)
        return sql, params


_COLUMN_FIELDS = {"year", "month", "retracted_event_id", "region"}  # payload fields the SQL reads for columns


def added_fields(event_type: str, version: int) -> dict | None:
    """What upcasting a `version` payload of `event_type` adds, in order, when every step only adds
    fields with fixed values (events.catalogue.AddingFields) that no column is computed from; else
    None (the row is upcast in Python)."""
    added: dict = {}
    for step in REGISTRY.upcasters_from(event_type, version):
        if not isinstance(step, AddingFields) or _COLUMN_FIELDS & step.fields.keys():
            return None
        added.update(step.fields)
    return added


def _older(adding: bool) -> list[tuple[str, int, dict | None]]:
    return [(t, v, f) for t, v in REGISTRY.older_versions() for f in [added_fields(t, v)] if (f is not None) == adding]


def stale() -> str:
    """SQL: the log row is stored at an older schema version than its type's latest, and its upcast
    does more than add fixed fields: it is upcast in Python."""
    older = [f"(event_type = '{t}' AND schema_version = {v})" for t, v, _ in _older(adding=False)]
    return f"({' OR '.join(older)})" if older else "(1 = 0)"


def latest_payload_sql(sqlite: bool) -> str:
    """SQL: the payload text at its type's latest version — as `readmodel.fact_row_of` writes it
    (`orjson.dumps` of the upcast dict: the stored keys, then the added ones) — for a row not `stale`."""
    cases = []
    for t, v, fields in _older(adding=True):
        if fields:
            added = ("," + orjson.dumps(fields).decode()[1:-1] + "}").replace("'", "''")
            cut = "substr(payload, 1, length(payload) - 1)" if sqlite else "left(payload, -1)"
            cases.append(f"WHEN event_type = '{t}' AND schema_version = {v} THEN {cut} || '{added}'")
    return f"CASE {' '.join(cases)} ELSE payload END" if cases else "payload"


def _in(types) -> str:
    return "(" + ", ".join(f"'{t}'" for t in sorted(types)) + ")"


def _when(types, value: str) -> str:
    return " ".join(f"WHEN '{t}' THEN {value}" for t in types)


@dataclass
class Figures:
    """The window's facts a figure reads, decoded and grouped by type, before their labels are known."""

    by_type: dict[str, FactColumns]

    def texts(self) -> set[str]:
        texts = {PROJECT + project for project in set().union(*(f.projects for f in self.by_type.values()))}
        for t in LABELLED:
            facts = self.by_type.get(t)
            if facts is not None:
                texts.update(text for project, payload in zip(facts.projects, facts.payloads)
                             for text in labels_of(t, project, payload))
        return texts

    def retracted(self) -> list[str]:
        return [named for *_, named in self.retractions()]

    def retractions(self) -> list[tuple]:
        """(position, project_id, recorded_us, the event_id named) of the window's retractions."""
        facts = self.by_type.get("EventRetracted")
        if facts is None:
            return []
        return [(position, project, recorded, payload["retracted_event_id"]) for position, project, recorded, payload
                in zip(facts.positions, facts.projects, facts.recorded, facts.payloads)]


def read_figures(conn, window: Window) -> Figures:
    """The window's facts at their latest version that a figure reads (read only: on SQLite another
    worker may write meanwhile). One query, sorted by type; the rows are cut into columns by the
    driver and C loops (`zip`, `map`), not row by row in Python."""
    sqlite = conn.engine.dialect.name == "sqlite"
    where, params = window.where(sqlite)
    cursor = conn.connection.driver_connection.cursor()
    cursor.execute(f"SELECT event_type, position, project_id, occurred_on, recorded_us, payload, schema_version "
                   f"FROM events WHERE {where} AND NOT {stale()} AND project_id IS NOT NULL "
                   f"AND event_type IN {_in(KINDS)} ORDER BY event_type, position", params)
    rows = cursor.fetchall()
    if not rows:
        return Figures({})
    types, positions, projects, occurred, recorded, payloads, versions = zip(*rows)
    payloads = list(map(orjson.loads, payloads))
    adding = {(t, v): f for t, v, f in _older(adding=True) if f}
    if adding:  # stored at an older version whose upcast only adds fields: add them here
        for i, key in enumerate(zip(types, versions)):
            if key in adding:
                payloads[i] = {**payloads[i], **adding[key]}
    by_type, start = {}, 0
    for event_type, group in groupby(types):
        end = start + sum(1 for _ in group)
        by_type[event_type] = FactColumns(positions[start:end], projects[start:end], occurred[start:end],
                                          recorded[start:end], payloads[start:end])
        start = end
    return Figures(by_type)


def window_columns(reader, figures: Figures, names: figure_index.Labels) -> Columns:
    """The figure columns of the window's facts, outside the write lock (another replay worker
    writes meanwhile): every label text `figures` needs must be known to `names` already
    (`Labels.ensure` in a short write of its own); the retracted events are looked up in the log."""
    key, retracted = figure_index.lookups(reader, names, (), figures.retracted())
    return Columns.concat([kind_columns(t, facts, key, retracted) for t, facts in sorted(figures.by_type.items())])


def write_window(conn, window: Window, columns: Columns, names: figure_index.Labels, chunks,
                 write_stale: Callable[[list], object], pending: LateRetractions, retractions: list[tuple]) -> int:
    """In the caller's (writing) transaction: the window's facts at their latest version into the
    shadows — facts and project regions by the database, the figure columns `columns` made from
    them (`window_columns`) — and its facts stored at an older version by `write_stale` (given their
    log rows), before the window's late retractions are looked up (`pending`, the worker's; given
    the window's `retractions` at their latest version, `Figures.retractions`), so that they are
    found for both. Returns how many facts."""
    sqlite = conn.engine.dialect.name == "sqlite"
    where, params = window.where(sqlite)
    fresh = f"{where} AND NOT {stale()}"
    cursor = conn.connection.driver_connection.cursor()
    retracts = payload_field(sqlite, "retracted_event_id")
    year, month = (f"CAST({payload_field(sqlite, name)} AS INTEGER)" for name in ("year", "month"))
    cursor.execute(  # readmodel.fact_row_of, in SQL
        f"INSERT INTO {facts_shadow.name} ({_FACT_COLUMNS}) SELECT position, event_id, event_type, project_id, "
        f"occurred_on, recorded_us, department, CASE event_type WHEN 'EventRetracted' THEN {retracts} END, "
        f"CASE event_type {_when(_YEAR, year)} END, CASE event_type {_when(_MONTH, month)} END, "
        f"{latest_payload_sql(sqlite)} FROM events WHERE {fresh}", params)
    added = cursor.rowcount
    cursor.execute(f"INSERT {'OR IGNORE ' if sqlite else ''}INTO {project_regions_shadow.name} (project_id, region) "
                   f"SELECT project_id, {payload_field(sqlite, 'region')} FROM events "
                   f"WHERE {fresh} AND event_type = 'ProjectRegistered'" + ("" if sqlite else " ON CONFLICT DO NOTHING"),
                   params)
    cursor.execute(f"SELECT position, event_id, event_type, schema_version, project_id, occurred_on, recorded_us, "
                   f"department, payload FROM events WHERE {where} AND {stale()} ORDER BY position", params)
    stale_rows = cursor.fetchall()
    if stale_rows:
        write_stale(stale_rows)
        upcast = [r[0] for r in stale_rows if r[2] == "EventRetracted"]
        for start in range(0, len(upcast), 500):
            retractions = retractions + retractions_in(conn, facts_shadow, facts_shadow.c.position.in_(upcast[start:start + 500]))
    late = pending.rows(conn, names, facts_shadow, window.after, window.upto, retractions)
    figure_index.store_chunk(conn, Columns.concat([columns, Columns.from_rows(late)]), chunks)
    return added + len(stale_rows)


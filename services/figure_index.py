"""The figure columns in SQL: written with the facts, read whole by a report.

Every writer of the `facts` read model (the embedded projector, the Kafka workers, replay) hands
the facts it has just inserted to `write`, in the same transaction: their figure columns
(`projections.columns.column_row`) go into one new chunk. Only facts the insert really added are
written (`INSERT … RETURNING`), so a redelivered batch or two projectors racing on one position
never put a fact in twice. Chunks are merged size-tiered (eight of a size make one of the next),
so a read finds a few dozen at most.

A report reads every chunk (`load`) — a province's columns are a few tens of MB, read in
milliseconds — and evaluates the figures over them (`projections.figure_arrays`).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from sqlalchemy import Engine, Table, delete, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from projections.columns import KINDS, TOWNSHIP, Columns, column_row, labels_of
from services.store.engine import is_sqlite
from services.store.tables import figure_chunks, labels

MERGE_AT = 8  # chunks of one size tier merged into one of the next
_LOCK = 74_417_001  # PostgreSQL advisory lock serialising merges


class Labels:
    """Text → key, from the `labels` table, remembered for the life of this object."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.known: dict[str, int] = {}

    def ensure(self, conn, texts: Iterable[str]) -> None:
        missing = sorted({t for t in texts if t not in self.known})
        for start in range(0, len(missing), 500):
            part = missing[start:start + 500]
            found = dict(conn.execute(select(labels.c.text, labels.c.key).where(labels.c.text.in_(part))).all())
            new = [t for t in part if t not in found]
            if new:
                dialect = sqlite if is_sqlite(self.engine) else postgresql
                conn.execute(dialect.insert(labels).on_conflict_do_nothing(), [{"text": t} for t in new])
                found.update(conn.execute(select(labels.c.text, labels.c.key).where(labels.c.text.in_(new))).all())
            self.known.update(found)

    def __call__(self, text: str) -> int:
        return self.known[text]


def wanted(event_type: str, project_id: str | None) -> bool:
    """Does a figure read facts of this type (so its payload must be decoded for the columns)?"""
    return project_id is not None and event_type in KINDS


def write(conn, engine: Engine, facts: list[tuple], names: Labels, table: Table = figure_chunks) -> int:
    """One chunk of the figure columns of `facts` — tuples (position, event_id, event_type,
    project_id, occurred_on, recorded_us, payload at its latest version) — then merge if due.
    Returns the rows written."""
    facts = [f for f in facts if wanted(f[2], f[3])]
    if not facts:
        return 0
    names.ensure(conn, (t for f in facts for t in labels_of(f[2], f[3], f[6])))
    rows = [r for r in (column_row(*f, names) for f in facts) if r is not None]
    if not rows:
        return 0
    columns = Columns.from_rows(rows)
    conn.execute(insert(table).values(first_position=int(columns.position.min()), rows=len(columns),
                                      data=columns.to_bytes()))
    merge(conn, engine, table)
    return len(rows)


def merge(conn, engine: Engine, table: Table = figure_chunks) -> None:
    """Size-tiered: when MERGE_AT chunks share a tier (rows' bit length ÷ 3), they become one."""
    if not is_sqlite(engine):
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    tiers: dict[int, list[int]] = defaultdict(list)
    for first, rows in conn.execute(select(table.c.first_position, table.c.rows)).all():
        tiers[rows.bit_length() // 3].append(first)
    for firsts in tiers.values():
        if len(firsts) < MERGE_AT:
            continue
        parts = [Columns.from_bytes(data) for data in
                 conn.execute(select(table.c.data).where(table.c.first_position.in_(firsts))).scalars()]
        merged = Columns.concat(parts)
        conn.execute(delete(table).where(table.c.first_position.in_(firsts)))
        conn.execute(insert(table).values(first_position=min(firsts), rows=len(merged), data=merged.to_bytes()))


def load(engine: Engine) -> Columns:
    """Every chunk, as one set of columns."""
    with engine.connect() as conn:
        return Columns.concat([Columns.from_bytes(data) for data in conn.execute(select(figure_chunks.c.data)).scalars()])


def township_names(engine: Engine, keys: Iterable[int]) -> dict[int, str]:
    keys = sorted(set(keys))
    with engine.connect() as conn:
        found = conn.execute(select(labels.c.key, labels.c.text).where(labels.c.key.in_(keys))).all() if keys else []
    return {key: name[len(TOWNSHIP):] for key, name in found}

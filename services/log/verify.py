"""`projfacts verify-log`: is the log what was appended? Every content hash recomputed from the row,
the positions gap-free from 1 to the head, each project's sequence 1, 2, 3 … — and what fails is
named (position, event id, what is wrong). Replay refuses a log that fails it.

The database keeps the log append-only (migration 0009); this finds what someone with the power to
switch that off did anyway.
"""
from __future__ import annotations

import hashlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Iterator

import orjson
from sqlalchemy import func, select

from services.children import pool_options
from services.log.engine import make_engine
from services.log.store import EventStore
from services.log.tables import events

STEP = 200_000  # log positions a worker checks at a time


@dataclass
class LogCheck:
    events: int = 0
    head: int = 0
    altered: list[tuple[int, str]] = field(default_factory=list)  # (position, event_id) whose content changed
    gaps: list[tuple[int, int]] = field(default_factory=list)  # missing positions, first..last
    sequences: list[str] = field(default_factory=list)  # projects whose project_seq is not 1..n

    @property
    def sound(self) -> bool:
        return not (self.altered or self.gaps or self.sequences)

    def lines(self) -> list[str]:
        if self.sound:
            return [f"the log is sound: {self.events} events, positions 1..{self.head}, every content hash as appended"]
        out = [f"THE LOG HAS BEEN TAMPERED WITH: {self.events} events, head {self.head}"]
        out += [f"position {p}: event {e}: content differs from its hash (changed after it was appended)"
                for p, e in self.altered[:50]]
        out += [f"positions {a}..{b}: missing (deleted)" if a != b else f"position {a}: missing (deleted)"
                for a, b in self.gaps[:50]]
        out += self.sequences[:50]
        return out


def content_hash_of_row(event_id, event_type, schema_version, project_id, occurred_on, department, system,
                        payload: str) -> str:
    """The content hash as the store computed it at append (events.envelope.content_hash)."""
    body = {"event_id": event_id, "event_type": event_type, "schema_version": schema_version,
            "project_id": project_id, "occurred_on": occurred_on,
            "source": {"department": department, "system": system}, "payload": orjson.loads(payload)}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


_RANGE_SQL = ("SELECT position, event_id, event_type, schema_version, project_id, occurred_on, department, system, "
              "payload, content_hash FROM events WHERE position > {mark} AND position <= {mark} ORDER BY position")
FETCH = 20_000


def _rows(conn, after: int, upto: int) -> Iterator[tuple]:
    """The log's rows (after, upto] through the driver's own cursor (a server-side one on PostgreSQL):
    a row object per event through SQLAlchemy cost as much as hashing it."""
    driver = conn.connection.driver_connection
    if conn.engine.dialect.name == "sqlite":
        cursor = driver.cursor()
        cursor.execute(_RANGE_SQL.format(mark="?"), (after, upto))
    else:
        cursor = driver.cursor(name=f"verify_{after}_{upto}")
        cursor.itersize = FETCH
        cursor.execute(_RANGE_SQL.format(mark="%s"), (after, upto))
    try:
        while rows := cursor.fetchmany(FETCH):
            yield from rows
    finally:
        cursor.close()


def _check_range(url: str | None, after: int, upto: int, engine=None) -> tuple[int, list, list]:
    """(rows, altered, gaps) for positions (after, upto]."""
    own = engine is None
    engine = engine or make_engine(url, read_only=True)
    altered, gaps, rows, expected = [], [], 0, after + 1
    try:
        with engine.connect() as conn:
            for position, *fields, stored in _rows(conn, after, upto):
                if position != expected:
                    gaps.append((expected, position - 1))
                expected = position + 1
                rows += 1
                if content_hash_of_row(*fields) != stored:
                    altered.append((position, fields[0]))
        if expected <= upto:
            gaps.append((expected, upto))
        return rows, altered, gaps
    finally:
        if own:
            engine.dispose()


def verify_log(store: EventStore, workers: int = 1) -> LogCheck:
    engine = store.engine
    with engine.connect() as conn:
        head = conn.execute(select(func.coalesce(func.max(events.c.position), 0))).scalar_one()
        broken = conn.execute(
            select(events.c.project_id, func.count(), func.min(events.c.project_seq), func.max(events.c.project_seq))
            .where(events.c.project_id.is_not(None)).group_by(events.c.project_id)
            .having((func.min(events.c.project_seq) != 1) | (func.max(events.c.project_seq) != func.count()))
            .order_by(events.c.project_id)).all()
    check = LogCheck(head=head, sequences=[f"project {p}: {n} events, sequence {lo}..{hi} (a project's events are "
                                           f"1..n: some were deleted or moved)" for p, n, lo, hi in broken])
    ranges = [(start, min(start + STEP, head)) for start in range(0, head, STEP)]
    if workers > 1 and len(ranges) > 1:
        url = engine.url.render_as_string(hide_password=False)
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                 **pool_options()) as pool:
            results = list(pool.map(_check_range, [url] * len(ranges), *zip(*ranges)))
    else:
        results = [_check_range(None, a, b, engine) for a, b in ranges]
    for rows, altered, gaps in results:
        check.events += rows
        check.altered += altered
        check.gaps += gaps
    return check


class TamperedLog(RuntimeError):
    """The log is not what was appended: `projfacts verify-log` names what."""

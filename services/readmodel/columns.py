"""The figure columns in SQL: written with the facts, read whole by a report.

Every writer of the `facts` read model (the embedded projector, the Kafka workers, replay) hands
the facts it has just inserted to `write`, in the same transaction: their figure columns
(`projections.figures.columns.column_row`) go into new chunks, one per payload year. Only facts the
insert really added are written (`INSERT … RETURNING`), so a redelivered batch or two projectors
racing on one position never put a fact in twice. Chunks are merged size-tiered within a year
(eight of a size make one of the next), so a read finds a few dozen at most.

A report reads the chunks of the years its period reads and those of rows that name no year
(`load`; `projections.figures.vocabulary.years_read`) — a province's columns are a few tens of MB,
read in milliseconds; a decade's investment reports of other years are not read at all — and
evaluates the figures over them (`projections.figures`).
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Callable, Iterable

import orjson
from sqlalchemy import Engine, Table, delete, insert, select, text

from projections.figures.columns import (
    KINDS, LABELLED, PROJECT, TOWNSHIP, Columns, Retracted, column_row, labels_of, retraction_row, valid_target,
)
from services.log.engine import is_sqlite
from services.log.tables import events
from services.readmodel.tables import facts as facts_table
from services.readmodel.tables import MIXED, figure_chunks, labels

MERGE_AT = 8  # chunks of one size tier merged into one of the next
_LOCK = 74_417_001  # PostgreSQL advisory lock serialising merges


class Labels:
    """Text → key, from the `labels` table, remembered for the life of this object."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.known: dict[str, int] = {}

    def unknown(self, texts: Iterable[str]) -> bool:
        """Is any of these texts without a key here yet?"""
        known = self.known
        return any(t not in known for t in texts)

    def recall(self, conn, texts: Iterable[str]) -> None:
        """Remember the keys the labels table already holds for any of these texts not known here:
        a read, no label is created (a replay's reader, while its writer holds the write lock)."""
        missing = sorted({t for t in texts if t not in self.known})
        if missing:
            select_keys = self._select_sqlite if is_sqlite(self.engine) else self._select_postgresql
            self.known.update(select_keys(conn, missing))

    def ensure(self, conn, texts: Iterable[str]) -> None:
        """Know the key of every text, creating the missing labels. On SQLite in the caller's
        transaction (one writer at a time anyway); on PostgreSQL new labels are committed at once in
        a transaction of their own, so that projectors writing side by side never wait on each
        other's labels (an unused label is harmless; a key never changes meaning)."""
        texts = set(texts)
        self.recall(conn, texts)
        new = sorted(t for t in texts if t not in self.known)
        if not new:
            return
        if is_sqlite(self.engine):
            conn.connection.driver_connection.cursor().executemany(
                "INSERT OR IGNORE INTO labels (text) VALUES (?)", [(t,) for t in new])
            self.known.update(self._select_sqlite(conn, new))
        else:
            with self.engine.connect() as own, own.begin():
                own.connection.driver_connection.execute(
                    "INSERT INTO labels (text) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING", (new,))
            self.known.update(self._select_postgresql(conn, new))

    @staticmethod
    def _select_sqlite(conn, texts: list[str]) -> dict[str, int]:
        """One query whatever the number of texts: the list as one JSON parameter."""
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute("SELECT text, key FROM labels WHERE text IN (SELECT value FROM json_each(?))",
                       (orjson.dumps(texts).decode(),))
        return dict(cursor.fetchall())

    @staticmethod
    def _select_postgresql(conn, texts: list[str]) -> dict[str, int]:
        cursor = conn.connection.driver_connection.execute(
            "SELECT text, key FROM labels WHERE text = ANY(%s)", (texts,))
        return dict(cursor.fetchall())

    def __call__(self, text: str) -> int:
        return self.known[text]


def wanted(event_type: str, project_id: str | None) -> bool:
    """Does a figure read facts of this type (so its payload must be decoded for the columns)?"""
    return project_id is not None and event_type in KINDS


def write(conn, engine: Engine, facts: list[tuple], names: Labels, table: Table = figure_chunks,
          merging: bool = True, held: Table = facts_table, late: bool = True) -> int:
    """One chunk of the figure columns of `facts` — tuples (position, event_type, project_id,
    occurred_on, recorded_us, payload at its latest version), each `wanted`, already in the facts table
    `held` — with the rows of earlier retractions that name them (unless `late` is False: the caller
    finds those), then merge if due. Returns the rows written."""
    if not facts:
        return 0
    key, retracted = lookups(conn, names, {PROJECT + f[2] for f in facts}
                             | {t for f in facts if f[1] in LABELLED for t in labels_of(f[1], f[2], f[5])},
                             [f[5]["retracted_event_id"] for f in facts if f[1] == "EventRetracted"])
    rows = [column_row(*f, key, retracted) for f in facts]
    if late:
        rows += late_retractions(conn, names, held, positions=[f[0] for f in facts if f[1] != "EventRetracted"])
    columns = Columns.from_rows(rows)
    store_chunk(conn, columns, table)
    if merging:
        merge(conn, engine, table)
    return len(columns)


def lookups(conn, names: Labels, texts: Iterable[str], retracted_ids: list[str]) -> tuple[Callable, Retracted]:
    """What `column_row` / `kind_columns` look up: the key of every label text (created where
    missing), and for a retraction the log position of what it validly withdraws — an earlier fact
    of its own project, not a retraction (-1 otherwise; a later target gets its row from
    `late_retractions` when it is projected)."""
    names.ensure(conn, texts)
    targets = _log_targets(conn, retracted_ids)

    def retracted(event_id: str, position: int, project: str | None) -> int:
        found = targets.get(event_id)
        if found is None or found[0] > position or not valid_target(project, found[1], found[2]):
            return -1
        return found[0]

    return names.known.__getitem__, retracted


def late_retractions(conn, names: Labels, held: Table, positions: list[int]) -> list[tuple]:
    """The rows of retractions recorded in the log *before* the facts they name — the facts at
    `positions`, already in the facts table `held` — emitted now that their targets are projected:
    the same rows whichever order the two came in (projections.figures.columns.retraction_row). A
    replay worker finds its windows' its own way (services/readmodel/replay/late.py)."""
    query, f = late_query(held)
    found = []
    for start in range(0, len(positions), 900):
        found += conn.execute(query.where(f.c.position.in_(positions[start:start + 900]))).all()
    return late_rows(conn, names, found)


def late_query(held: Table):
    """(the query of `late_retractions` before its positions, the alias `f` of the facts named): each
    fact of the table `held` with the retractions recorded before it that name it, probed through
    the retractions' index (a replay's shadow keeps it while it is loaded, for its tail)."""
    r, f = held.alias("r"), held.alias("f")
    query = select(r.c.position, r.c.project_id, r.c.recorded_us, f.c.position, f.c.event_type, f.c.project_id).join(
        r, r.c.retracts == f.c.event_id).where(r.c.event_type == "EventRetracted", r.c.position < f.c.position)
    return query, f


def late_rows(conn, names: Labels, found: list) -> list[tuple]:
    valid = [row for row in found if row[4] in KINDS and valid_target(row[1], row[4], row[5])]
    names.ensure(conn, {PROJECT + row[1] for row in valid})
    return [retraction_row(r_position, names(PROJECT + r_project), r_recorded, f_position)
            for r_position, r_project, r_recorded, f_position, _, _ in sorted(set(valid))]


def store_chunk(conn, columns: Columns, table: Table = figure_chunks, last: int | None = None) -> None:
    """New chunks, one per payload year of the rows (nothing if the columns are empty), each keyed by
    the batch's greatest log position (`last`, default the rows' greatest): one batch's chunks differ
    by year, two batches' by position."""
    if len(columns):
        last = int(columns.position.max()) if last is None else last
        conn.execute(insert(table), [{"year": year, "last_position": last, "rows": len(part), "token": uuid.uuid4().hex,
                                      "data": part.to_bytes()} for year, part in columns.by_year().items()])


def _log_targets(conn, event_ids: list[str]) -> dict[str, tuple[int, str, str | None]]:
    """event_id -> (log position, event_type, project_id) of retracted events the log holds."""
    found: dict[str, tuple] = {}
    if event_ids and conn.engine.dialect.name != "sqlite":
        cursor = conn.connection.driver_connection.execute(
            "SELECT event_id, position, event_type, project_id FROM events WHERE event_id = ANY(%s::varchar[])",
            (event_ids,))
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
    for start in range(0, len(event_ids), 500):
        part = event_ids[start:start + 500]
        query = select(events.c.event_id, events.c.position, events.c.event_type, events.c.project_id).where(
            events.c.event_id.in_(part))
        found.update({row[0]: tuple(row[1:]) for row in conn.execute(query)})
    return found


def merge(conn, engine: Engine, table: Table = figure_chunks, everything: bool = False) -> None:
    """Size-tiered, year by year: when MERGE_AT chunks of one year share a tier (rows' bit length ÷ 3),
    they become one (`everything`: all chunks of a year become one, as replay leaves them). Chunks
    written before chunks were kept by year (MIXED) are split by year when they merge."""
    if not is_sqlite(engine):
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    tiers: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for year, last, rows, token in conn.execute(
            select(table.c.year, table.c.last_position, table.c.rows, table.c.token)).all():
        tiers[year, 0 if everything else rows.bit_length() // 3].append((last, token))
    for (year, _), chunks in tiers.items():
        due = MERGE_AT if not everything else 1 if year == MIXED else 2  # a MIXED chunk alone is split
        if len(chunks) < due:
            continue
        tokens = [token for _, token in chunks]
        merged = Columns.concat([Columns.from_bytes(data) for _, data in _fetch(conn, engine, tokens, table)])
        conn.execute(delete(table).where(table.c.token.in_(tokens)))
        store_chunk(conn, merged, table, last=max(last for last, _ in chunks))


# Chunks never change: a token names one chunk's content for good (a merge or a replay writes new
# tokens). A long-lived process (`projfacts serve`) keeps what it has read and fetches only new chunks.
_READ: dict[str, dict[str, Columns]] = {}
_JOINED: dict[str, tuple[tuple[str, ...], Columns]] = {}


def forget() -> None:
    """Drop every chunk this process has read (the next `load` reads from the database again)."""
    _READ.clear()
    _JOINED.clear()


def load(engine: Engine, years: Iterable[int] | None = None) -> Columns:
    """The chunks of the payload `years` (with those of rows that name no year, and MIXED ones) as one
    set of columns; every chunk when `years` is None. Chunks already read by this process are not read
    again; the others are read a few at a time into columns allocated once, so that the process holds
    the columns once, not the chunks' bytes beside them."""
    url = engine.url.render_as_string(hide_password=True)
    query = select(figure_chunks.c.token, figure_chunks.c.rows)
    if years is not None:
        query = query.where(figure_chunks.c.year.in_(sorted({MIXED, 0, *years})))
    with engine.connect() as conn:
        chunks = sorted(conn.execute(query).all())
        tokens = tuple(token for token, _ in chunks)
        joined = _JOINED.get(url)
        if joined is not None and joined[0] == tokens:
            return joined[1]
        known = _READ.pop(url, {})
        _JOINED.pop(url, None)
        columns, read, at, offset = Columns.allocate(sum(rows for _, rows in chunks)), {}, {}, 0
        for token, rows in chunks:
            at[token] = offset
            offset += rows
            if token in known:
                read[token] = columns.fill(at[token], known[token])
        known = None  # the columns read before: free once copied
        missing = [(token, rows) for token, rows in chunks if token not in read]
        for group in _groups(missing):
            for token, data in _fetch(conn, engine, group):
                read[token] = columns.fill(at[token], Columns.from_bytes(data))
    _READ[url] = read
    _JOINED[url] = (tokens, columns)
    return columns


FETCH_ROWS = 500_000  # rows of chunks fetched at once by `load` (≈ 28 MB of bytes held beside the columns)
FETCH_TOKENS = 500  # and at most this many chunks (one bound parameter each on SQLite)


def _groups(chunks: list[tuple[str, int]], most: int = FETCH_ROWS) -> Iterable[list[str]]:
    """Tokens in groups of at most `most` rows and FETCH_TOKENS chunks (a larger chunk alone)."""
    group, rows = [], 0
    for token, count in chunks:
        if group and (rows + count > most or len(group) >= FETCH_TOKENS):
            yield group
            group, rows = [], 0
        group.append(token)
        rows += count
    if group:
        yield group


def _fetch(conn, engine: Engine, tokens: list[str], table: Table = figure_chunks) -> list[tuple[str, bytes]]:
    """The chunks' bytes; on PostgreSQL in binary (half the time of bytea as hex text)."""
    if not tokens:
        return []
    if is_sqlite(engine):
        return conn.execute(select(table.c.token, table.c.data).where(table.c.token.in_(tokens))).all()
    cursor = conn.connection.driver_connection.cursor(binary=True)
    try:
        cursor.execute(f"SELECT token, data FROM {table.name} WHERE token = ANY(%s)", (tokens,))
        return [(token, bytes(data)) for token, data in cursor.fetchall()]
    finally:
        cursor.close()


class Lookup:
    """Label keys back to their texts (project ids, townships), each read once by this object. A
    ranking or a bulletin names a few dozen of a province's hundreds of thousands of labels: those
    are read one by one; past `ONE_BY_ONE` misses (an explain listing every project) the whole
    table is read once instead."""

    ONE_BY_ONE = 64

    def __init__(self, engine: Engine):
        self.engine = engine
        self._texts: dict[int, str] = {}
        self._misses = 0

    def text(self, key: int) -> str:
        found = self._texts.get(key)
        if found is None:
            self._misses += 1
            with self.engine.connect() as conn:
                if self._misses > self.ONE_BY_ONE:
                    self._texts = dict(conn.execute(select(labels.c.key, labels.c.text)).all())
                    return self._texts[key]
                found = conn.execute(select(labels.c.text).where(labels.c.key == int(key))).scalar_one()
            self._texts[key] = found
        return found

    def project_id(self, key: int) -> str:
        return self.text(key).removeprefix(PROJECT)

    def township(self, key: int) -> str:
        return self.text(key).removeprefix(TOWNSHIP)

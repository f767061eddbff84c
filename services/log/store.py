"""The append-only event store.

- `position`: global, gap-free in commit order (appends are serialised by a write lock and
  take max(position) + 1 inside it);
- `project_seq`: 1, 2, 3 … per project;
- idempotent by `event_id`: the same content again is a duplicate (counted), other content
  under the same id is refused;
- `recorded_at` is stamped here unless the caller is the history import.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Iterator, NamedTuple, Sequence
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import ARRAY, Engine, String, bindparam, func, select, text

from events.envelope import Event, content_hash
from events.errors import EventError
from projections.periods import to_micros  # noqa: F401  (the log's ordering key of recorded_at)
from services.log import migrate
from services.log.engine import is_sqlite, make_engine
from services.log.memory import WriterMemory
from services.log.tables import events as events_table

LOCAL = ZoneInfo("Asia/Shanghai")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def now_local() -> datetime:
    return datetime.now(LOCAL)


class AppendOutcome(str, Enum):
    APPENDED = "appended"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass
class AppendResult:
    """One outcome per input event, in input order; `reasons[i]` set for refused ones."""

    outcomes: list[AppendOutcome] = field(default_factory=list)
    reasons: dict[int, EventError] = field(default_factory=dict)
    positions: dict[int, int] = field(default_factory=dict)
    recorded: dict[int, str] = field(default_factory=dict)  # recorded_at of the appended ones

    def count(self, outcome: AppendOutcome) -> int:
        return sum(1 for o in self.outcomes if o is outcome)

    @property
    def appended(self) -> int:
        return self.count(AppendOutcome.APPENDED)

    @property
    def duplicates(self) -> int:
        return self.count(AppendOutcome.DUPLICATE)

    @property
    def rejected(self) -> int:
        return self.count(AppendOutcome.REJECTED)


@dataclass(frozen=True)
class StoredEvent:
    """A row of the log: the event as appended, with its positions."""

    position: int
    project_seq: int | None
    event_id: str
    event_type: str
    schema_version: int
    project_id: str | None
    occurred_on: str
    recorded_at: str
    recorded_us: int
    department: str
    system: str
    payload: dict
    content_hash: str = ""  # of what the producer said (everything but recorded_at), as appended

    def to_json(self) -> dict:
        """The contract's JSON object of this event, as stored."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "schema_version": self.schema_version,
            "project_id": self.project_id,
            "occurred_on": self.occurred_on,
            "recorded_at": self.recorded_at,
            "source": {"department": self.department, "system": self.system},
            "payload": self.payload,
        }

    def to_event(self) -> Event:
        """The event at its latest schema version (upcast), as projections read it."""
        from events.codec import load_stored

        return load_stored(self.to_json())

    def as_appended(self) -> Event:
        """The event exactly as appended: its own schema version, its stamped recorded_at."""
        from events.codec import validate_object

        return validate_object(self.to_json())


_COLUMNS = [c.name for c in events_table.columns]
# The order of the row tuples handed to the driver by `_insert` (COPY / executemany).
_ROW = ("position", "event_id", "event_type", "schema_version", "project_id", "project_seq", "occurred_on",
        "recorded_at", "recorded_us", "department", "system", "payload", "content_hash")
if sorted(_ROW) != sorted(_COLUMNS):
    raise RuntimeError(f"event_store._ROW {_ROW} is out of step with tables.events {_COLUMNS}")
_ROW_NAMES = ", ".join(f'"{name}"' for name in _ROW)
_COPY_SQL = f"COPY events ({_ROW_NAMES}) FROM STDIN"
_INSERT_SQL = f"INSERT INTO events ({_ROW_NAMES}) VALUES ({', '.join('?' * len(_ROW))})"


_COPY_ROWS = 5000
_NULL, _BACKSLASH, _TWO = "\\N", "\\", "\\\\"


def copy_text(rows: Sequence[tuple]) -> str:
    """Log rows (`_ROW` order) in COPY's text format, built a row at a time by one f-string rather
    than psycopg's field-by-field `write_row`. Only `system` and `payload` may hold a backslash
    (no string of the log holds a control character; the payload's are JSON escapes); NULL is `\\N`.
    ValueError if a row breaks that (never, after validation): `_write_rows` then writes row by row."""
    lines = []
    for (position, event_id, event_type, version, project_id, seq, occurred_on, recorded_at, recorded_us,
         department, system, payload, content_hash) in rows:
        lines.append(f"{position}\t{event_id}\t{event_type}\t{version}\t"
                     f"{_NULL if project_id is None else project_id}\t{_NULL if seq is None else seq}\t"
                     f"{occurred_on}\t{recorded_at}\t{recorded_us}\t{department}\t{system.replace(_BACKSLASH, _TWO)}\t"
                     f"{payload.replace(_BACKSLASH, _TWO)}\t{content_hash}\n")
    text = "".join(lines)
    if "\r" in text or text.count("\n") != len(rows) or text.count("\t") != (len(_ROW) - 1) * len(rows):
        raise ValueError("a log row holds a tab or a line break outside its payload's JSON")
    return text


def _stored(row) -> StoredEvent:
    values = dict(zip(_COLUMNS, row))
    values["payload"] = orjson.loads(values["payload"])
    return StoredEvent(**values)


class Known(NamedTuple):
    """A logged event as authorisation sees it."""

    event_type: str
    department: str
    project_id: str | None
    region: str | None  # a project-less event's payload region (TargetSet, ReportPublished)


class Summary(NamedTuple):
    """A logged event as a table shows it beside its id."""

    event_type: str
    occurred_on: str
    department: str
    system: str
    recorded_at: str


class PreparedEvent(NamedTuple):
    """A validated event flattened for the log. The layout of a prepared row: `prepare_body` makes
    plain tuples in this order (a NamedTuple unpickles through its Python `__new__`: 4.7 µs an
    event in the importer's one writer, against 1.1 for a tuple), and the store reads them by
    position (`_ID`, `_HASH` …)."""

    event_id: str
    event_type: str
    schema_version: int
    project_id: str | None
    occurred_on: str
    recorded_at: str | None
    recorded_us: int | None
    department: str
    system: str
    payload: str
    content_hash: str
    retracts: str | None


PreparedRow = tuple  # a PreparedEvent's values, as a plain tuple
_ID, _TYPE, _PROJECT, _HASH, _RETRACTS = (PreparedEvent._fields.index(name) for name in
                                          ("event_id", "event_type", "project_id", "content_hash", "retracts"))


def prepare(event: Event) -> PreparedRow:
    return prepare_body(event.model_dump(mode="json"), event.recorded_at)


def prepare_body(body: dict, recorded_at: datetime | None) -> PreparedRow:
    """An event's JSON body (`model_dump(mode="json")`, or the quick path's same dict) for the log."""
    recorded = body.pop("recorded_at")
    payload = body["payload"]
    event_type = body["event_type"]
    return (
        body["event_id"], event_type, body["schema_version"], body["project_id"], body["occurred_on"],
        recorded, to_micros(recorded_at) if recorded_at else None,
        body["source"]["department"], body["source"]["system"], orjson.dumps(payload).decode(),
        content_hash(body),
        payload["retracted_event_id"] if event_type == "EventRetracted" else None,
    )


class EventStore:
    """The log on SQLite or PostgreSQL. `EventStore(url)` is a writer's: it creates and migrates the
    store on first use; `EventStore.reader(url)` opens an existing store read-only."""

    def __init__(self, url_or_engine: str | Engine | None = None, *, migrate_schema: bool = True):
        self.engine = url_or_engine if isinstance(url_or_engine, Engine) else make_engine(url_or_engine)
        self.migrated = migrate.upgrade(self.engine) if migrate_schema else False  # whether this opening did
        self._memory = WriterMemory()  # of its own appends, kept while the log's last row is its own

    @classmethod
    def reader(cls, url: str | None = None) -> "EventStore":
        """An existing store, read-only: never created, migrated or written (StoreError otherwise)."""
        engine = make_engine(url, read_only=True)
        try:
            migrate.check(engine)
        except Exception:
            engine.dispose()
            raise
        return cls(engine, migrate_schema=False)

    # ---- writing -------------------------------------------------------------------------
    def append(self, batch: Sequence[Event], *, keep_recorded_at: bool = False) -> AppendResult:
        """Append validated events in one transaction. `keep_recorded_at`: the history import only."""
        return self.append_prepared([prepare(e) for e in batch], keep_recorded_at=keep_recorded_at)

    def append_prepared(self, batch: Sequence[PreparedRow], *, keep_recorded_at: bool = False) -> AppendResult:
        """Append prepared rows in one transaction. The batch is worked on by index (`chosen`: the
        indexes still to append), with no object made per event: the importer's one writer runs this."""
        result = AppendResult(outcomes=[AppendOutcome.APPENDED] * len(batch))
        chosen = self._unique_in_batch(batch, result)
        with self._writer() as conn:
            self._lock(conn)
            last = conn.execute(select(events_table.c.position, events_table.c.event_id)
                                .order_by(events_table.c.position.desc()).limit(1)).first()
            self._memory.begin(None if last is None else tuple(last))
            chosen = self._new_to_the_log(conn, batch, chosen, result)
            chosen = self._valid_retractions(conn, batch, chosen, result)
            if chosen:
                self._insert(conn, batch, chosen, 0 if last is None else last[0], keep_recorded_at, result)
        return result

    @staticmethod
    def _unique_in_batch(batch, result) -> list[int]:
        ids = [row[_ID] for row in batch]
        if len(set(ids)) == len(ids):
            return list(range(len(batch)))
        seen: dict[str, int] = {}
        for index, event_id in enumerate(ids):
            first = seen.get(event_id)
            if first is None:
                seen[event_id] = index
            elif batch[first][_HASH] == batch[index][_HASH]:
                result.outcomes[index] = AppendOutcome.DUPLICATE
            else:
                result.outcomes[index] = AppendOutcome.REJECTED
                result.reasons[index] = EventError("already used with different content in the same batch",
                                                   field="event_id", event_id=event_id)
        return list(seen.values())

    def _new_to_the_log(self, conn, batch, chosen: list[int], result) -> list[int]:
        asked = self._memory.maybe_logged([batch[i][_ID] for i in chosen])
        known = self._hashes_of(conn, asked) if asked else {}
        if not known:
            return chosen
        fresh = []
        for i in chosen:
            event_id = batch[i][_ID]
            stored = known.get(event_id)
            if stored is None:
                fresh.append(i)
            elif stored == batch[i][_HASH]:
                result.outcomes[i] = AppendOutcome.DUPLICATE
            else:
                result.outcomes[i] = AppendOutcome.REJECTED
                result.reasons[i] = EventError("already in the log with different content",
                                               field="event_id", event_id=event_id)
        return fresh

    def _valid_retractions(self, conn, batch, chosen: list[int], result) -> list[int]:
        """A retraction must name an event of its own project, and never another retraction."""
        targets = [batch[i][_RETRACTS] for i in chosen if batch[i][_RETRACTS]]
        if not targets:
            return chosen
        wanted = set(targets)
        in_batch = {batch[i][_ID]: (batch[i][_TYPE], batch[i][_PROJECT]) for i in chosen if batch[i][_ID] in wanted}
        known = {**self._types_of(conn, targets), **in_batch}
        kept = []
        for i in chosen:
            row = batch[i]
            if row[_RETRACTS]:
                event_id, project_id = row[_ID], row[_PROJECT]
                target = known.get(row[_RETRACTS])
                reason = None
                if target and target[0] == "EventRetracted":
                    reason = EventError("names a retraction; a retraction cannot be retracted",
                                        field="payload.retracted_event_id", event_id=event_id)
                elif target and target[1] != project_id:
                    reason = EventError(f"must be that of the retracted event ({target[1]}), got {project_id}",
                                        field="project_id", event_id=event_id)
                if reason:
                    result.outcomes[i] = AppendOutcome.REJECTED
                    result.reasons[i] = reason
                    continue
            kept.append(i)
        return kept

    def _insert(self, conn, batch, chosen: list[int], position: int, keep_recorded_at, result) -> None:
        """Append the `chosen` rows of `batch` after the log's last `position`."""
        seqs, missing = self._memory.heads({batch[i][_PROJECT] for i in chosen} - {None})
        if missing:
            seqs.update(self._project_heads(conn, missing))
        stamp = now_local()
        stamp_text, stamp_us = stamp.isoformat(), to_micros(stamp)
        rows = []
        positions, recorded_ats = result.positions, result.recorded
        for index in chosen:
            (event_id, event_type, version, project_id, occurred_on, recorded, recorded_us, department,
             system, payload, content_hash, _retracts) = batch[index]
            if not (keep_recorded_at and recorded):
                recorded, recorded_us = stamp_text, stamp_us
            position += 1
            seq = None
            if project_id is not None:
                seq = seqs.get(project_id, 0) + 1
                seqs[project_id] = seq
            rows.append((position, event_id, event_type, version, project_id, seq, occurred_on, recorded, recorded_us,
                         department, system, payload, content_hash))
            positions[index] = position
            recorded_ats[index] = recorded
        self._write_rows(conn, rows)
        self._memory.wrote((position, rows[-1][1]), seqs, (row[1] for row in rows))

    def _write_rows(self, conn, rows: list[tuple]) -> None:
        """The bulk insert, on the driver, inside this transaction: executemany on SQLite,
        COPY on PostgreSQL."""
        if is_sqlite(self.engine):
            conn.exec_driver_sql(_INSERT_SQL, rows)
            return
        with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(_COPY_SQL) as copy:
            for start in range(0, len(rows), _COPY_ROWS):
                part = rows[start:start + _COPY_ROWS]
                try:
                    copy.write(copy_text(part))
                except ValueError:
                    for row in part:
                        copy.write_row(row)

    def _listed(self, values: list[str]):
        """`values` as a one-column table (`value`) from one bound parameter: a JSON array on
        SQLite, a text[] on PostgreSQL. One query per batch, whatever its size."""
        if is_sqlite(self.engine):
            return func.json_each(orjson.dumps(values).decode()).table_valued("value")
        joined = ",".join(values)
        if joined.count(",") + 1 == len(values):  # ids never hold a comma: one text, split by the server
            array = func.string_to_array(bindparam("values", joined, type_=String), ",")
        else:  # (an empty list, or a value with a comma) psycopg's array, element by element
            array = bindparam("values", values, type_=ARRAY(String))
        return func.unnest(array).table_valued("value").render_derived()

    def _among(self, column, values: list[str]):
        return column.in_(select(self._listed(values).c.value))

    def _hashes_of(self, conn, ids: list[str]) -> dict[str, str]:
        query = select(events_table.c.event_id, events_table.c.content_hash).where(
            self._among(events_table.c.event_id, ids))
        return dict(conn.execute(query).all())

    def _types_of(self, conn, ids: list[str]) -> dict[str, tuple[str, str | None]]:
        query = select(events_table.c.event_id, events_table.c.event_type, events_table.c.project_id).where(
            self._among(events_table.c.event_id, ids))
        return {row[0]: (row[1], row[2]) for row in conn.execute(query)}

    def _project_heads(self, conn, project_ids: set[str]) -> dict[str, int]:
        """The last project_seq of each project: one index seek per project (max over the
        (project_id, project_seq) index), not a scan of the project's events."""
        if not project_ids:
            return {}
        listed = self._listed(sorted(project_ids))
        head = (select(func.max(events_table.c.project_seq))
                .where(events_table.c.project_id == listed.c.value).scalar_subquery())
        return {project: seq for project, seq in conn.execute(select(listed.c.value, head)).all() if seq is not None}

    def _writer(self):
        return _WriterTransaction(self.engine)

    def _lock(self, conn) -> None:
        if not is_sqlite(self.engine):  # SQLite: BEGIN IMMEDIATE already holds the write lock
            conn.execute(text("LOCK TABLE events IN EXCLUSIVE MODE"))

    # ---- reading -------------------------------------------------------------------------
    def head(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.coalesce(func.max(events_table.c.position), 0))).scalar_one()

    def latest_recorded_us(self) -> int | None:
        """The greatest recorded time the log holds (µs; None when empty): by its index, one probe."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(events_table.c.recorded_us))).scalar_one()

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(events_table)).scalar_one()

    def read(self, after: int = 0, until: int | None = None, *, batch: int = 5000,
             limit: int | None = None) -> Iterator[StoredEvent]:
        """Events with `after` < position ≤ `until` (at most `limit` of them), in log order."""
        query = select(events_table).where(events_table.c.position > after)
        if until is not None:
            query = query.where(events_table.c.position <= until)
        query = query.order_by(events_table.c.position)
        if limit is not None:
            query = query.limit(limit)
        yield from self._stream(query, batch)

    def at_positions(self, positions: Sequence[int]) -> dict[int, StoredEvent]:
        """The events at these log positions (those the log holds)."""
        wanted = sorted(set(positions))
        found: dict[int, StoredEvent] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 900):
                part = wanted[start:start + 900]
                query = select(events_table).where(events_table.c.position.in_(part))
                found.update((row.position, _stored(row)) for row in conn.execute(query))
        return found

    def event_ids_at(self, positions: Sequence[int]) -> dict[int, str]:
        """position -> event_id, for the positions the log holds."""
        wanted = sorted(set(positions))
        found: dict[int, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 900):
                query = select(events_table.c.position, events_table.c.event_id).where(
                    events_table.c.position.in_(wanted[start:start + 900]))
                found.update(conn.execute(query).all())
        return found

    def known(self, event_ids: Sequence[str]) -> dict[str, "Known"]:
        """What authorisation needs of logged events: type, publishing department, project, and the
        region a project-less one names (a target's), by event id."""
        found: dict[str, Known] = {}
        ids = sorted(set(event_ids))
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                query = select(events_table.c.event_id, events_table.c.event_type, events_table.c.department,
                               events_table.c.project_id, events_table.c.payload).where(
                    events_table.c.event_id.in_(ids[start:start + 500]))
                for event_id, event_type, department, project_id, payload in conn.execute(query):
                    region = orjson.loads(payload).get("region") if project_id is None else None
                    found[event_id] = Known(event_type, department, project_id, region)
        return found

    def recorded(self, event_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """event_id -> (recorded_at as stamped, source system)."""
        found: dict[str, tuple[str, str]] = {}
        ids = sorted(set(event_ids))
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                query = select(events_table.c.event_id, events_table.c.recorded_at, events_table.c.system).where(
                    events_table.c.event_id.in_(ids[start:start + 500]))
                found.update({row[0]: (row[1], row[2]) for row in conn.execute(query)})
        return found

    def summaries(self, event_ids: Sequence[str]) -> dict[str, "Summary"]:
        """What a person needs beside an event id (explain's tables): its type, business date,
        publishing department and system, and when it was recorded — read-only, in batches."""
        found: dict[str, Summary] = {}
        ids = sorted(set(event_ids))
        t = events_table.c
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                query = select(t.event_id, t.event_type, t.occurred_on, t.department, t.system, t.recorded_at
                               ).where(t.event_id.in_(ids[start:start + 500]))
                found.update({row[0]: Summary(*row[1:]) for row in conn.execute(query)})
        return found

    def first_regions(self, project_ids: Sequence[str]) -> dict[str, str]:
        """The region of each project's first registration in the log (who it belongs to)."""
        found: dict[str, str] = {}
        ids = sorted(set(project_ids))
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                query = (select(events_table.c.project_id, events_table.c.payload)
                         .where(events_table.c.event_type == "ProjectRegistered",
                                events_table.c.project_id.in_(ids[start:start + 500]))
                         .order_by(events_table.c.position.desc()))
                for project_id, payload in conn.execute(query):  # the earliest is written last
                    found[project_id] = orjson.loads(payload)["region"]
        return found

    def read_project(self, project_id: str) -> Iterator[StoredEvent]:
        query = select(events_table).where(events_table.c.project_id == project_id)
        yield from self._stream(query.order_by(events_table.c.project_seq), 5000)

    def read_recorded_until(self, as_of: datetime) -> Iterator[StoredEvent]:
        """Events whose `recorded_at` ≤ `as_of`, in log order."""
        query = select(events_table).where(events_table.c.recorded_us <= to_micros(as_of))
        yield from self._stream(query.order_by(events_table.c.position), 5000)

    def get(self, event_id: str) -> StoredEvent | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(events_table).where(events_table.c.event_id == event_id)).first()
        return _stored(row) if row else None

    def _stream(self, query, batch: int) -> Iterator[StoredEvent]:
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=batch).execute(query)
            for row in result:
                yield _stored(row)


class _WriterTransaction:
    """A connection in a write transaction (SQLite: BEGIN IMMEDIATE), committed on success."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self):
        self.conn = self.engine.connect().execution_options(projfacts_writer=True)
        self.transaction = self.conn.begin()
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.transaction.commit()
            else:
                self.transaction.rollback()
        finally:
            self.conn.close()
        return False

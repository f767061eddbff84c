"""The SQL read model behind reports and views.

`facts` holds every event once (payload upcast to its type's latest version) with the time
it became known; retractions name what they withdraw. "As of T" is then a filtered query:
facts recorded by T, minus those whose retraction was recorded by T (projections.ledger).
Every write is insert-or-ignore keyed by log position, and the checkpoint moves in the same
transaction, so applying a batch twice changes nothing.
"""
from __future__ import annotations

import sys

from datetime import date
from functools import lru_cache
from itertools import chain, groupby
from operator import itemgetter
from typing import Iterable, Iterator, Sequence

import logging

import orjson
from sqlalchemy import Engine, and_, func, literal_column, or_, select, text
from sqlalchemy.exc import DataError
from sqlalchemy.dialects import postgresql, sqlite

from events.registry import REGISTRY
from services.readmodel import columns as figure_index
from projections.facts import Fact
from projections.ledger import RETRACTION, visible_once
from services.gcpause import gc_paused
from services.log.engine import is_sqlite
from services.log.store import StoredEvent, now_local
from services.readmodel.tables import checkpoints, facts, parked_facts, project_regions

EMBEDDED = "embedded"
log = logging.getLogger("projfacts.readmodel")
_EMBEDDED_LOCK = 74_417_002  # PostgreSQL advisory lock: one embedded projector batch at a time


def fact_row(stored: StoredEvent) -> dict:
    """Pure: the read-model row of one stored event."""
    return fact_row_of(stored.position, stored.event_id, stored.event_type, stored.schema_version,
                       stored.project_id, stored.occurred_on, stored.recorded_us, stored.department,
                       stored.payload)


def latest_payload(event_type: str, schema_version: int, payload: dict) -> dict:
    """Pure: the payload upcast to its type's latest schema version."""
    if schema_version != REGISTRY.latest.get(event_type, schema_version):
        return REGISTRY.upcast({"event_type": event_type, "schema_version": schema_version,
                                "payload": payload})["payload"]
    return payload


def fact_row_of(position: int, event_id: str, event_type: str, schema_version: int, project_id: str | None,
                occurred_on: str, recorded_us: int, department: str, payload: dict) -> dict:
    """Pure: the read-model row from a log row's columns (payload decoded); replay calls it directly."""
    payload = latest_payload(event_type, schema_version, payload)
    return {
        "position": position, "event_id": event_id, "event_type": event_type,
        "project_id": project_id, "occurred_on": occurred_on,
        "recorded_us": recorded_us, "department": department,
        "retracts": payload.get("retracted_event_id") if event_type == "EventRetracted" else None,
        "year": payload.get("year"), "month": payload.get("month"),
        "payload": orjson.dumps(payload).decode(),
    }


def region_row(stored: StoredEvent) -> dict | None:
    if stored.event_type != "ProjectRegistered":
        return None
    return {"project_id": stored.project_id, "region": stored.payload["region"]}


def _insert_ignore(engine: Engine, table):
    dialect = sqlite if is_sqlite(engine) else postgresql
    return dialect.insert(table).on_conflict_do_nothing()


_ARRAY_TYPES = {"BIGINT": "bigint", "INTEGER": "integer"}  # any other column: text
_UNNEST = (f"INSERT INTO facts ({', '.join(c.name for c in facts.columns)}) SELECT * FROM unnest("
           + ", ".join(f"%b::{_ARRAY_TYPES.get(str(c.type), 'text')}[]" for c in facts.columns)
           + ") ON CONFLICT DO NOTHING RETURNING position")


def _insert_facts(conn, engine: Engine, rows: list[dict]) -> set[int]:
    """Insert-or-ignore the rows; the positions added. On PostgreSQL one statement of column
    arrays (`unnest`): a multi-row VALUES of 11 parameters a row costs the driver more to parse
    than the server to run."""
    if is_sqlite(engine):
        return set(conn.execute(_insert_ignore(engine, facts).returning(facts.c.position), rows).scalars())
    arrays = [[row[c.name] for row in rows] for c in facts.columns]
    cursor = conn.connection.driver_connection.cursor()
    return {position for (position,) in cursor.execute(_UNNEST, arrays)}


# What a fact the log holds can still do to its projection — an upcaster or a column that cannot take
# it (a bug, or a value validation let through) — as opposed to the database or the network failing
# (OperationalError and the like: those propagate, and the batch is retried whole).
_POISON = (DataError, ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError)


def poison() -> tuple[type[BaseException], ...]:
    """The errors a fact's values can cause, psycopg's own included once it is loaded (the PostgreSQL
    bulk paths write on the driver's cursor; a SQLite process never imports it)."""
    driver = sys.modules.get("psycopg")
    return _POISON + (driver.DataError,) if driver is not None else _POISON


PARKED = "parked"  # the count:parked checkpoint: facts taken but not projected (listed in parked_facts)


def apply_batch(conn, engine: Engine, batch: Sequence[StoredEvent], checkpoint: str | None,
                position: int | None, names: figure_index.Labels | None = None) -> int:
    """Write a batch of events into the read model — facts, project regions, the figure columns of
    the facts the insert added — the checkpoint, and how many facts it added (`projected`), in the
    caller's transaction. Returns how many it added (a re-delivered fact adds nothing, also when both
    copies are in this batch). A fact that cannot be projected is parked (`parked_facts`, with its
    reason; found by halving the batch, each half in a savepoint): the rest of the batch is taken, and
    the worker, the in-process bus and every read go on."""
    unique: dict[int, StoredEvent] = {}
    for e in batch:
        unique.setdefault(e.position, e)
    batch = list(unique.values()) if len(unique) < len(batch) else batch
    names = names or figure_index.Labels(engine)
    added, parked = _write_guarded(conn, engine, batch, names)
    if checkpoint is not None and position is not None:
        save_checkpoint(conn, engine, checkpoint, position)
    if added:
        count_added(conn, engine, checkpoint or "anonymous", added)
    if parked:
        count_added(conn, engine, PARKED, parked)
    return added


def _write_guarded(conn, engine: Engine, batch: list[StoredEvent], names: figure_index.Labels) -> tuple[int, int]:
    """(facts added, facts newly parked): the batch in a savepoint; if a fact of it poisons the
    write, each half again, down to the fact, which is parked."""
    if not batch:
        return 0, 0
    try:
        with conn.begin_nested():
            return len(_write(conn, engine, batch, names)), 0
    except poison() as error:
        names.known.clear()  # labels made inside the rolled-back savepoint are gone again
        if len(batch) == 1:
            return 0, park(conn, engine, batch[0], error)
        middle = len(batch) // 2
        first, second = (_write_guarded(conn, engine, part, names) for part in (batch[:middle], batch[middle:]))
        return first[0] + second[0], first[1] + second[1]


def _write(conn, engine: Engine, batch: list[StoredEvent], names: figure_index.Labels) -> set[int]:
    """Facts, figure columns and project regions of a batch; the positions added."""
    rows = [fact_row(e) for e in batch]
    added: set[int] = set()
    if rows:
        added = _insert_facts(conn, engine, rows)
        figure_index.write(conn, engine, [
            (e.position, e.event_type, e.project_id, e.occurred_on, e.recorded_us,
             latest_payload(e.event_type, e.schema_version, e.payload))
            for e in batch if e.position in added and figure_index.wanted(e.event_type, e.project_id)], names)
    regions = [r for r in (region_row(e) for e in batch) if r]
    if regions:
        conn.execute(_insert_ignore(engine, project_regions), regions)
    return added


def park(conn, engine: Engine, stored: StoredEvent, error: Exception) -> int:
    """Record a fact that cannot be projected, with its reason (once: 1 if newly parked, else 0)."""
    reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:500]
    log.error("parked fact at position %d (event %s, %s): %s", stored.position, stored.event_id,
              stored.event_type, reason)
    done = conn.execute(_insert_ignore(engine, parked_facts).returning(parked_facts.c.position), [{
        "position": stored.position, "event_id": stored.event_id, "event_type": stored.event_type,
        "project_id": stored.project_id, "reason": reason, "parked_at": now_local().isoformat()}])
    return len(done.scalars().all())


def parked(engine: Engine) -> list[dict]:
    """The parked facts, in log order: position, event, type, project, reason, when."""
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(parked_facts).order_by(parked_facts.c.position))]


COUNT = "count:"  # checkpoints named count:<writer>: how many facts each writer of the model added


def count_added(conn, engine: Engine, writer: str, added: int) -> None:
    dialect = sqlite if is_sqlite(engine) else postgresql
    statement = dialect.insert(checkpoints).values(name=COUNT + writer, position=added)
    conn.execute(statement.on_conflict_do_update(index_elements=["name"],
                                                 set_={"position": checkpoints.c.position + added}))


def projected(engine: Engine) -> int:
    """How many facts the read model holds (the log's positions are 1..head, gap-free, so the log's
    head minus this is how far the model is behind)."""
    with engine.connect() as conn:
        return conn.execute(select(func.coalesce(func.sum(checkpoints.c.position), 0))
                            .where(checkpoints.c.name.like(COUNT + "%"))).scalar_one()


def save_checkpoint(conn, engine: Engine, name: str, position: int) -> None:
    dialect = sqlite if is_sqlite(engine) else postgresql
    statement = dialect.insert(checkpoints).values(name=name, position=position)
    conn.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"position": position}))


def checkpoint_of(engine: Engine, name: str = EMBEDDED) -> int:
    with engine.connect() as conn:
        return checkpoint_of_in(conn, name)


def checkpoint_of_in(conn, name: str) -> int:
    return conn.execute(select(checkpoints.c.position).where(checkpoints.c.name == name)).scalar() or 0


def lock_embedded(conn, engine: Engine) -> None:
    """One embedded projector batch at a time (SQLite: BEGIN IMMEDIATE already serialises writers)."""
    if not is_sqlite(engine):
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _EMBEDDED_LOCK})


def fact_of_row(row) -> Fact:
    """A `facts` row as the projections read it."""
    return Fact(row.position, row.event_id, row.event_type, row.project_id, _day(row.occurred_on), row.recorded_us,
                row.department, orjson.loads(row.payload))


# The columns a Fact is made of, in its order: selected as such, rows unpack by position (a third of
# the time of attribute access on a million-row region read).
FACT_COLUMNS = (facts.c.position, facts.c.event_id, facts.c.event_type, facts.c.project_id, facts.c.occurred_on,
                facts.c.recorded_us, facts.c.department, facts.c.payload)


def facts_of(rows) -> list[Fact]:
    """Rows of FACT_COLUMNS as the projections read them."""
    day, loads = _day, orjson.loads
    return [Fact(position, event_id, event_type, project_id, day(occurred_on), recorded_us, department, loads(payload))
            for position, event_id, event_type, project_id, occurred_on, recorded_us, department, payload in rows]


_day = lru_cache(maxsize=None)(date.fromisoformat)  # a history has a few thousand distinct days


def _retracted(f, as_of_us: int, before: int | None):
    """SQL: `f` is retracted as of `as_of_us` (by a retraction at a position before `before`)."""
    r = facts.alias("r")
    conditions = [r.c.retracts == f.c.event_id, r.c.event_type == "EventRetracted", r.c.recorded_us <= as_of_us,
                  r.c.project_id.is_(None)]  # a target is project-less: only a project-less retraction withdraws it
    if before is not None:
        conditions.append(r.c.position < before)
    return select(r.c.position).where(*conditions).exists()


def load_targets(engine: Engine, year: int, as_of_us: int, before: int | None = None,
                 region: str | None = None) -> list[Fact]:
    """The year's targets (TargetSet) visible as of `as_of_us`: recorded by then, not retracted by then
    (and at log positions before `before`, when given); with `region`, only those of the region and
    its sub-regions — the only ones a report or ranking of the region reads (a province's year holds
    ≈ 10,000 targets: a county's report spent 0.08 s reading them all)."""
    f = facts.alias("f")
    conditions = [f.c.event_type == "TargetSet", f.c.year == year, f.c.recorded_us <= as_of_us,
                  ~_retracted(f, as_of_us, before)]
    if before is not None:
        conditions.append(f.c.position < before)
    if region:
        conditions.append(literal_column(payload_field(is_sqlite(engine), "region", "f.payload")).like(f"{region}%"))
    with engine.connect() as conn:
        rows = conn.execute(select(f).where(*conditions).order_by(f.c.position)).all()
    return [fact_of_row(row) for row in rows]


def payload_field(sqlite: bool, name: str, column: str = "payload") -> str:
    """SQL text: a top-level field of a JSON payload column (SQLite keeps JSON numbers as numbers)."""
    return f"json_extract({column}, '$.{name}')" if sqlite else f"(CAST({column} AS json) ->> '{name}')"


def event_ids_at(engine: Engine, positions: Sequence[int]) -> dict[int, str]:
    """position -> event_id of the facts the read model holds there."""
    wanted, found = sorted(set(positions)), {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), 900):
            query = select(facts.c.position, facts.c.event_id).where(facts.c.position.in_(wanted[start:start + 900]))
            found.update(conn.execute(query).all())
    return found


def region_facts(engine: Engine, region: str, as_of_us: int, year: int, types: Iterable[str] | None = None,
                 visits_on: date | None = None) -> list[Fact]:
    """`region_projects`' facts in one list, in log order."""
    found = [f for group in region_projects(engine, region, as_of_us, year, types, visits_on) for f in group]
    return sorted(found, key=lambda f: f.position)


def region_projects(engine: Engine, region: str, as_of_us: int, year: int, types: Iterable[str] | None = None,
                    visits_on: date | None = None) -> Iterator[list[Fact]]:
    """Visible facts of every project ever registered in the region prefix (a superset: the views
    keep the projects whose registration in force lies in the region), one project at a time (its
    facts in log order), by project id — the ids' own order on every backend, so that a view holds
    one project's facts at a time. Of the facts that belong to a year (plans, designations,
    investment), only `year`'s; every resumption (a stage). Only facts of `types` when given (what a
    view reads, projections/views/reads.py), and retractions. With `visits_on`, of the site visits
    only those a 领导包联 view on that day reads (`shown_visits`). Read while it is iterated: the
    connection stays open until the last project (or until the iterator is closed)."""
    with engine.connect() as conn:
        of_region = _of_region(conn, region)
    conditions = [
        facts.c.recorded_us <= as_of_us,
        of_region,
        or_(facts.c.year.is_(None), facts.c.year == year, facts.c.event_type == "ConstructionResumed"),
    ]
    province = len(region) <= 2
    if types is not None:
        # A province holds most projects: the (event_type, year) index narrows best. A city or a
        # county holds few: its projects' index does, and `event_type || ''` keeps the planner on it
        # (SQLite took the type index for a county, 0.04 s → 1.1 s on the province history).
        typed = facts.c.event_type if province else facts.c.event_type + ""
        conditions.append(typed.in_(sorted({*types, RETRACTION})))
    query = select(*FACT_COLUMNS).where(*conditions).order_by(_project_order(engine, province), facts.c.position)
    with engine.connect().execution_options(stream_results=True) as conn:  # PostgreSQL: a server-side cursor
        rows = chain.from_iterable(conn.execute(query).partitions(_PART))  # fetchmany: the driver's tuples
        for _, project_rows in groupby(rows, key=itemgetter(3)):
            with gc_paused():
                found = _project_facts(list(project_rows), as_of_us, visits_on)
            if found:
                yield found


def _project_order(engine: Engine, province: bool):
    """ORDER BY the project id as Python orders it (code points): `COLLATE "C"` on PostgreSQL (a
    database's own collation may order `a-1` and `A_2` otherwise); SQLite's BINARY is that order,
    and for a province `project_id || ''` keeps its planner on the type index (the project index
    would fetch every fact of every project: 3.5 s → 6 s for 领导包联 on the province history)."""
    if not is_sqlite(engine):
        return facts.c.project_id.collate("C")
    return facts.c.project_id + "" if province else facts.c.project_id


def _project_facts(rows: list[tuple], as_of_us: int, visits_on: date | None) -> list[Fact]:
    """One project's rows (FACT_COLUMNS, in log order) as its visible facts."""
    if visits_on is None or not any(row[2] == VISIT for row in rows):
        return visible_once(facts_of(rows), as_of_us)
    found = facts_of([row for row in rows if row[2] != VISIT])
    visits = [row for row in rows if row[2] == VISIT]
    return visible_once(found + facts_of(shown_visits(visits, visits_on, withdrawn_by(found))), as_of_us)


VISIT = "SiteVisitRecorded"


def shown_visits(rows: list[tuple], on: date, withdrawn: set[tuple[str, str]]) -> list[tuple]:
    """Of site visits (rows of FACT_COLUMNS, in log order), those a 领导包联 view on `on` reads
    (projections/views/leaders.py `visits`: a leader's latest visit to a project by `on`, and their
    visits in the month of `on`): for each project and leader the latest visit on or before `on` that
    is not `withdrawn` (the last in the log of those on its day), and every such visit from the first
    of the month to `on`, in log order. A province's visits are a third of its facts; these few
    become facts."""
    day, month = on.isoformat(), on.replace(day=1).isoformat()
    latest: dict[tuple, tuple] = {}
    shown: dict[int, tuple] = {}
    for row in rows:
        position, event_id, _, project_id, occurred_on = row[:5]
        if occurred_on > day or (withdrawn and (project_id, event_id) in withdrawn):
            continue
        if occurred_on >= month:
            shown[position] = row
        key = (project_id, orjson.loads(row[7])["leader_id"])
        best = latest.get(key)
        if best is None or occurred_on >= best[4]:  # in log order: of a day's visits the last wins
            latest[key] = row
    for key, row in latest.items():
        shown[row[0]] = row
    return [shown[position] for position in sorted(shown)]


def withdrawn_by(found: Iterable[Fact]) -> set[tuple[str, str]]:
    """(project_id, event_id) of the facts the retractions among `found` withdraw (projections.ledger
    `retracts`: only a fact of the retraction's own project, and never a retraction)."""
    return {(f.project_id, f.data["retracted_event_id"]) for f in found if f.event_type == RETRACTION}


_PART = 20_000  # rows fetched at a time by the region reads


def project_facts(engine: Engine, project_id: str, as_of_us: int) -> list[Fact]:
    """Every fact of one project recorded by `as_of_us`, retracted ones included."""
    query = select(facts).where(facts.c.recorded_us <= as_of_us, facts.c.project_id == project_id
                                ).order_by(facts.c.position)
    with engine.connect() as conn:
        return [fact_of_row(r) for r in conn.execute(query)]


def _in_region(region: str):
    return select(project_regions.c.project_id).where(project_regions.c.region.like(f"{region}%"))


def _of_region(conn, region: str):
    """The facts of the projects ever registered in the region prefix. When every region the model
    knows lies in it (a province's own store), that is every project's facts: no semijoin with
    `project_regions` per row (a fifth of a province's read). A project the model holds facts of but
    no registration belongs nowhere either way (`projections.views.common.projects_in`)."""
    low, high = conn.execute(select(func.min(project_regions.c.region), func.max(project_regions.c.region))).one()
    if low is not None and low.startswith(region) and high.startswith(region):
        return facts.c.project_id.is_not(None)
    return facts.c.project_id.in_(_in_region(region))


def report_facts(engine: Engine, region: str, year: int, as_of_us: int, before: int | None = None) -> list[Fact]:
    """Every fact a report for `region` and `year` can read, recorded by `as_of_us` (and before log
    position `before`): the year's targets, and the facts of every project ever registered in the
    region, of the years the figures read (Y, Y−1), retractions included (visibility is the
    projections' to decide)."""
    conditions = [facts.c.recorded_us <= as_of_us,
                  or_(and_(facts.c.project_id.is_(None), facts.c.event_type == "TargetSet", facts.c.year == year),
                      and_(facts.c.project_id.in_(_in_region(region)),
                           or_(facts.c.year.is_(None), facts.c.year.in_((year, year - 1)))),
                      and_(facts.c.event_type == "EventRetracted", facts.c.project_id.is_(None)))]
    if before is not None:
        conditions.append(facts.c.position < before)
    with engine.connect() as conn:
        return facts_of(conn.execute(select(*FACT_COLUMNS).where(*conditions).order_by(facts.c.position)))


def facts_after(engine: Engine, projects: Sequence[str], old_us: int, old_before: int | None, new_us: int,
                new_before: int | None) -> list[Fact]:
    """Facts of these projects in a newer view (recorded by `new_us`, before `new_before`) but not in
    an older one (recorded by `old_us`, before `old_before`), in log order."""
    found: list[Fact] = []
    for start in range(0, len(projects), 500):
        query = select(facts).where(facts.c.project_id.in_(projects[start:start + 500]), facts.c.recorded_us <= new_us)
        if new_before is not None:
            query = query.where(facts.c.position < new_before)
        with engine.connect() as conn:
            for row in conn.execute(query.order_by(facts.c.position)):
                if not (row.recorded_us <= old_us and (old_before is None or row.position < old_before)):
                    found.append(fact_of_row(row))
    return sorted(found, key=lambda f: f.position)


def history_of(engine: Engine, projects: Sequence[str], types: Sequence[str]) -> dict[str, list[tuple]]:
    """(event_type, recorded_us, position, year, month) of every fact of these types of these projects."""
    history: dict[str, list[tuple]] = {}
    for start in range(0, len(projects), 500):
        query = select(facts.c.project_id, facts.c.event_type, facts.c.recorded_us, facts.c.position, facts.c.year,
                       facts.c.month).where(facts.c.project_id.in_(projects[start:start + 500]),
                                            facts.c.event_type.in_(tuple(types)))
        with engine.connect() as conn:
            for row in conn.execute(query):
                history.setdefault(row.project_id, []).append(tuple(row[1:]))
    return history

"""The SQL read model behind reports and views.

`facts` holds every event once (payload upcast to its type's latest version) with the time
it became known; retractions name what they withdraw. "As of T" is then a filtered query:
facts recorded by T, minus those whose retraction was recorded by T (projections.ledger).
Every write is insert-or-ignore keyed by log position, and the checkpoint moves in the same
transaction, so applying a batch twice changes nothing.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import orjson
from sqlalchemy import Engine, and_, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from events.registry import REGISTRY
from services.readmodel import columns as figure_index
from projections.facts import Fact
from projections.ledger import fold_all, visible
from services.log.engine import is_sqlite
from services.log.store import StoredEvent
from services.readmodel.tables import checkpoints, facts, project_regions

EMBEDDED = "embedded"
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


def apply_batch(conn, engine: Engine, batch: Sequence[StoredEvent], checkpoint: str | None,
                position: int | None, names: figure_index.Labels | None = None) -> int:
    """Write a batch of events into the read model — facts, project regions, the figure columns of
    the facts the insert added — the checkpoint, and how many facts it added (`projected`), in the
    caller's transaction. Returns how many it added (a re-delivered fact adds nothing)."""
    rows = [fact_row(e) for e in batch]
    added: set[int] = set()
    if rows:
        added = _insert_facts(conn, engine, rows)
        figure_index.write(conn, engine, [
            (e.position, e.event_type, e.project_id, e.occurred_on, e.recorded_us,
             latest_payload(e.event_type, e.schema_version, e.payload))
            for e in batch if e.position in added and figure_index.wanted(e.event_type, e.project_id)],
            names or figure_index.Labels(engine))
    regions = [r for r in (region_row(e) for e in batch) if r]
    if regions:
        conn.execute(_insert_ignore(engine, project_regions), regions)
    if checkpoint is not None and position is not None:
        save_checkpoint(conn, engine, checkpoint, position)
    if added:
        count_added(conn, engine, checkpoint or "anonymous", len(added))
    return len(added)


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


def _fact(row) -> Fact:
    return Fact(row.position, row.event_id, row.event_type, row.project_id,
                _date(row.occurred_on), row.recorded_us, row.department, orjson.loads(row.payload))


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)


def load_visible(engine: Engine, region: str, years: Iterable[int], as_of_us: int) -> list[Fact]:
    """Facts a report for `region` and `years` may use as of `as_of_us`: a superset by region
    (any region a project was ever registered in), filtered exactly by the projections."""
    years = sorted(set(years))
    in_region = select(project_regions.c.project_id).where(project_regions.c.region.like(f"{region}%"))
    query = select(facts).where(
        facts.c.recorded_us <= as_of_us,
        or_(facts.c.project_id.is_(None), facts.c.project_id.in_(in_region)),
        or_(facts.c.year.is_(None), facts.c.year.in_(years)),
    ).order_by(facts.c.position)
    with engine.connect() as conn:
        rows = [_fact(r) for r in conn.execute(query)]
    return list(visible(fold_all(rows), as_of_us))


# ---- the read path of explain and vintages: only the facts a figure can use --------------------------
# Each figure of projections/figures.py looks at a few event types within dates the period bounds;
# everything else (site visits, leaders, milestones, …) can never change a figure. Filtering them
# out in SQL is what keeps an explanation quick. The pure projections still decide everything:
# this returns a subset of `load_visible` that holds every fact they look at
# (tests/integration/test_report_read_path.py checks the two agree). Reports and rankings read the
# figure columns instead (services/figure_index.py).
def load_for_report(engine: Engine, region: str, year: int, through, as_of_us: int,
                    before: int | None = None) -> list[Fact]:
    """Visible facts (as of `as_of_us`, and only log positions < `before` when given) that a report,
    explain or rank for `region`, year `year` and period end `through` may use, in log order."""
    f, r = facts.alias("f"), facts.alias("r")
    recorded = [f.c.recorded_us <= as_of_us]
    retractions = [r.c.event_type == "EventRetracted", r.c.recorded_us <= as_of_us]
    if before is not None:
        recorded.append(f.c.position < before)
        retractions.append(r.c.position < before)
    with engine.connect() as conn:
        # Retracted by then: a small set, applied to the rows here (projections.ledger.counts_at).
        retracted = set(conn.execute(select(r.c.retracts).where(*retractions)).scalars())
        projects = _projects_in(conn, region)
        rows = conn.execute(select(*_fact_columns(f)).where(
            *recorded, f.c.event_type == "TargetSet", f.c.year == year)).all()
        chunks, by_id = _project_chunks(conn, region, projects, is_sqlite(engine))
        # By id lists the project index should lead: `event_type || ''` keeps the planners off the type index.
        kind = f.c.event_type.concat("") if by_id else f.c.event_type
        relevant = _relevant(f, kind, year, through)
        for chunk in chunks:
            rows += conn.execute(select(*_fact_columns(f)).where(*recorded, chunk(f.c.project_id), relevant)).all()
    rows.sort(key=lambda row: row[0])
    loads, day = orjson.loads, _dates()
    return [Fact(p, e, t, pid, day(o), us, d, loads(data)) for p, e, t, pid, o, us, d, data in rows
            if e not in retracted]


def load_targets(engine: Engine, year: int, as_of_us: int) -> list[Fact]:
    """The year's targets (TargetSet) visible as of `as_of_us`: recorded by then, not retracted by then."""
    f, r = facts.alias("f"), facts.alias("r")
    retracted = select(r.c.position).where(r.c.retracts == f.c.event_id, r.c.event_type == "EventRetracted",
                                           r.c.recorded_us <= as_of_us).exists()
    with engine.connect() as conn:
        rows = conn.execute(select(*_fact_columns(f)).where(
            f.c.event_type == "TargetSet", f.c.year == year, f.c.recorded_us <= as_of_us, ~retracted)
            .order_by(f.c.position)).all()
    loads, day = orjson.loads, _dates()
    return [Fact(p, e, t, pid, day(o), us, d, loads(data)) for p, e, t, pid, o, us, d, data in rows]


def _relevant(f, kind, year: int, through):
    """The facts some figure looks at (projections/figures.py), by type and date."""
    start, end = f"{year:04d}-01-01", through.isoformat()
    on = f.c.occurred_on
    cases = [
        and_(kind.in_(("ProjectRegistered", "ProcedureApproved", "ConstructionStarted", "StatsEntryApproved",
                       "ProblemFollowedUp")), on <= end),
        and_(kind.in_(("AnnualPlanAdopted", "KeyProjectDesignated")), f.c.year == year, on <= end),
        and_(kind == "ConstructionResumed", f.c.year == year, on >= start, on <= end),
        and_(kind == "AgreementSigned", on >= start, on <= end),
        kind == "ProblemAssigned",
        and_(kind == "InvestmentReported", f.c.year.in_((year, year - 1)), f.c.month <= through.month),
    ]
    return or_(*cases)


def _projects_in(conn, region: str) -> list[str]:
    """Every project ever registered in the region (a superset: the projections decide on through)."""
    return sorted(conn.execute(select(project_regions.c.project_id.distinct())
                               .where(project_regions.c.region.like(f"{region}%"))).scalars())


ID_LISTS_BELOW = 0.25  # share of all projects under which a region's facts are read by project id lists


def _project_chunks(conn, region: str, projects: list[str], sqlite: bool) -> tuple[list, bool]:
    """Conditions on a project_id column selecting the region's projects: id lists (the project
    index; then True) when the region holds a small share of all projects, else one `IN (subquery)`."""
    if not projects:
        return [], False
    total = conn.execute(select(func.count(project_regions.c.project_id.distinct()))).scalar_one()
    if len(projects) > total * ID_LISTS_BELOW:
        in_region = select(project_regions.c.project_id).where(project_regions.c.region.like(f"{region}%"))
        return [lambda column: column.in_(in_region)], False
    size = 900 if sqlite else 5000
    return [lambda column, part=projects[i:i + size]: column.in_(part) for i in range(0, len(projects), size)], True


def _fact_columns(f):
    return (f.c.position, f.c.event_id, f.c.event_type, f.c.project_id, f.c.occurred_on, f.c.recorded_us,
            f.c.department, f.c.payload)


def _dates():
    """date.fromisoformat, remembered: a history has a few thousand distinct days."""
    from datetime import date
    from functools import lru_cache

    return lru_cache(maxsize=None)(date.fromisoformat)

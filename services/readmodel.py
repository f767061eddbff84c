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
from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from events.registry import REGISTRY
from projections.facts import Fact, fact_from_json
from projections.ledger import fold_all, visible
from services.store.engine import is_sqlite
from services.store.event_store import EventStore, StoredEvent
from services.store.tables import checkpoints, facts, project_regions

EMBEDDED = "embedded"


def fact_row(stored: StoredEvent) -> dict:
    """Pure: the read-model row of one stored event."""
    obj = REGISTRY.upcast(stored.to_json())
    payload = obj["payload"]
    return {
        "position": stored.position, "event_id": stored.event_id, "event_type": stored.event_type,
        "project_id": stored.project_id, "occurred_on": stored.occurred_on,
        "recorded_us": stored.recorded_us, "department": stored.department,
        "retracts": payload.get("retracted_event_id") if stored.event_type == "EventRetracted" else None,
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


def apply_batch(conn, engine: Engine, batch: Sequence[StoredEvent], checkpoint: str | None,
                position: int | None) -> None:
    """Write a batch of events into the read model, and the checkpoint, in the caller's transaction."""
    rows = [fact_row(e) for e in batch]
    if rows:
        conn.execute(_insert_ignore(engine, facts), rows)
    regions = [r for r in (region_row(e) for e in batch) if r]
    if regions:
        conn.execute(_insert_ignore(engine, project_regions), regions)
    if checkpoint is not None and position is not None:
        save_checkpoint(conn, engine, checkpoint, position)


def save_checkpoint(conn, engine: Engine, name: str, position: int) -> None:
    dialect = sqlite if is_sqlite(engine) else postgresql
    statement = dialect.insert(checkpoints).values(name=name, position=position)
    conn.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"position": position}))


def checkpoint_of(engine: Engine, name: str = EMBEDDED) -> int:
    with engine.connect() as conn:
        value = conn.execute(select(checkpoints.c.position).where(checkpoints.c.name == name)).scalar()
    return value or 0


def catch_up(store: EventStore, name: str = EMBEDDED, batch: int = 5000) -> int:
    """The in-process projector: apply every event after the checkpoint. Returns how many."""
    engine = store.engine
    done = 0
    position = checkpoint_of(engine, name)
    while True:
        chunk = list(_take(store.read(after=position, batch=batch), batch))
        if not chunk:
            return done
        position = chunk[-1].position
        with engine.begin() as conn:
            apply_batch(conn, engine, chunk, name, position)
        done += len(chunk)


def _take(iterator: Iterable, n: int):
    for i, item in enumerate(iterator):
        yield item
        if i + 1 >= n:
            break


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

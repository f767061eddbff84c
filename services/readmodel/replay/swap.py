"""The end of a replay: the tail (what the log gained after the plan's target) applied to the
shadows, then, in one transaction, the shadows renamed over the live read models."""
from __future__ import annotations

from sqlalchemy import Engine, delete, func, select, text

from services.log.engine import is_sqlite, sorting_for_index_builds
from services.log.tables import events
from services.readmodel import columns as figure_index
from services.readmodel.replay.plan import PLAN, forget_plan, writer
from services.readmodel.replay.shadows import SHADOWS, index_sql, next_name
from services.readmodel.replay.worker import BATCH, rows_of, write_rows
from services.readmodel.sql import COUNT, EMBEDDED, save_checkpoint
from services.readmodel.tables import SHADOW_ONLY_INDEXES, checkpoints, facts, parked_facts, replays

TAIL = "replay:tail"
_COLUMNS = (events.c.position, events.c.event_id, events.c.event_type, events.c.schema_version,
            events.c.project_id, events.c.occurred_on, events.c.recorded_us, events.c.department,
            events.c.payload)


def apply_tail(conn, engine: Engine, after: int, batch: int, until: int | None = None) -> int:
    """Apply the events after `after` (up to `until`) to the shadows, checkpoint `replay:tail`."""
    position, names = after, figure_index.Labels(engine)
    while True:
        query = select(*_COLUMNS).where(events.c.position > position)
        if until is not None:
            query = query.where(events.c.position <= until)
        chunk = conn.execute(query.order_by(events.c.position).limit(batch)).all()
        if not chunk:
            return position
        write_rows(conn, engine, rows_of(chunk), names)
        position = chunk[-1][0]
        save_checkpoint(conn, engine, TAIL, position)


def tail_done(engine: Engine) -> int | None:
    """Where the tail stopped so far (None: not begun)."""
    with engine.connect() as conn:
        return conn.execute(select(checkpoints.c.position).where(checkpoints.c.name == TAIL)).scalar()


def swap(engine: Engine, batch: int = BATCH) -> int:
    """In one transaction: the last of the tail, then the shadows renamed over the live tables,
    fresh empty shadows, the embedded projector's checkpoint and the plan cleared. Returns the position."""
    sqlite = is_sqlite(engine)
    with writer(engine) as conn, conn.begin():
        if not sqlite:  # the live projector waits for the swap, then goes on from the new checkpoint
            conn.execute(text("LOCK TABLE facts, project_regions, replays IN ACCESS EXCLUSIVE MODE"))
        done = conn.execute(select(checkpoints.c.position).where(checkpoints.c.name == TAIL)).scalar()
        plan_target = conn.execute(select(replays.c.target).where(replays.c.name == PLAN)).scalar_one()
        position = apply_tail(conn, engine, max(done or 0, plan_target), batch)
        for name in SHADOW_ONLY_INDEXES:
            conn.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
        with sorting_for_index_builds(conn):
            for live, shadow in SHADOWS:
                conn.execute(text(f'DROP TABLE "{live.name}"'))
                conn.execute(text(f'ALTER TABLE "{shadow.name}" RENAME TO "{live.name}"'))
                if sqlite:
                    for index in live.indexes:
                        conn.execute(text(index_sql(index, live.name, index.name, "sqlite")))
                else:
                    conn.execute(text(f'ALTER INDEX "{shadow.name}_pkey" RENAME TO "{live.name}_pkey"'))
                    for index in live.indexes:
                        conn.execute(text(f'ALTER INDEX "{next_name(index.name)}" RENAME TO "{index.name}"'))
                shadow.create(conn)
        save_checkpoint(conn, engine, EMBEDDED, position)
        forget_plan(conn)
        conn.execute(delete(checkpoints).where(checkpoints.c.name.like(COUNT + "%")))  # the model is new
        conn.execute(delete(parked_facts))  # and holds every fact: nothing is parked in it
        save_checkpoint(conn, engine, COUNT + "replay", conn.execute(select(func.count()).select_from(facts)).scalar_one())
    return position

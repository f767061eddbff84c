"""A replay's plan: how many workers, up to which log position, each worker's share of the
projects, and their checkpoints (`replay:i/N`) — what lets a killed replay resume where each
worker stopped."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select, text

from services.log.engine import is_sqlite
from services.log.store import now_local
from services.log.tables import events
from services.readmodel.replay.shadows import SHADOWS, drop_next_indexes
from services.readmodel.sql import save_checkpoint
from services.readmodel.tables import checkpoints, replays

PLAN = "current"


@dataclass(frozen=True)
class Plan:
    workers: int
    target: int  # the log position the workers rebuild up to; the tail does the rest
    bounds: tuple[str, ...]  # worker i takes bounds[i-1] <= project_id < bounds[i]

    def checkpoint(self, index: int) -> str:
        return f"replay:{index}/{self.workers}"

    def share(self, index: int) -> tuple[str | None, str | None]:
        """Worker `index`'s projects: low <= project_id < high (None: open-ended)."""
        if self.workers <= 1:
            return None, None
        return (self.bounds[index - 1] if index > 0 else None,
                self.bounds[index] if index < self.workers - 1 else None)


def writer(engine: Engine):
    """A connection that writes (the store's write lock on SQLite)."""
    return engine.connect().execution_options(projfacts_writer=True)


def partition(conn, workers: int, target: int) -> tuple[str, ...]:
    """N-1 project ids cutting the log (up to target) into ranges of about equal event counts.
    The log is append-only, so the same (workers, target) always gives the same bounds."""
    if workers <= 1:
        return ()
    counts = conn.execute(
        select(events.c.project_id, func.count()).where(events.c.position <= target,
                                                           events.c.project_id.is_not(None))
        .group_by(events.c.project_id).order_by(events.c.project_id)).all()
    total = sum(n for _, n in counts)
    bounds, seen = [], 0
    for project_id, n in counts:
        if len(bounds) < workers - 1 and seen >= total * (len(bounds) + 1) / workers:
            bounds.append(project_id)
        seen += n
    return tuple(bounds)


def current_plan(engine: Engine) -> Plan | None:
    with engine.connect() as conn:
        row = conn.execute(select(replays).where(replays.c.name == PLAN)).first()
        if row is None:
            return None
        return Plan(row.workers, row.target, partition(conn, row.workers, row.target))


def start(engine: Engine, workers: int) -> Plan:
    """A fresh plan: empty shadows, the log's head as the target, zeroed checkpoints."""
    with writer(engine) as conn, conn.begin():
        if not is_sqlite(engine):
            conn.execute(text("LOCK TABLE replays IN EXCLUSIVE MODE"))
        drop_next_indexes(conn, engine)
        for _, shadow in SHADOWS:
            conn.execute(delete(shadow))
        forget_plan(conn)
        target = conn.execute(select(func.coalesce(func.max(events.c.position), 0))).scalar_one()
        conn.execute(insert(replays).values(name=PLAN, workers=workers, target=target,
                                            started_at=now_local().isoformat()))
        plan = Plan(workers, target, partition(conn, workers, target))
        for index in range(workers):
            save_checkpoint(conn, engine, plan.checkpoint(index), 0)
    return plan


def retarget(engine: Engine, plan: Plan, target: int) -> Plan:
    """The plan, rebuilding up to `target` now (a follower's: the log has grown)."""
    with writer(engine) as conn, conn.begin():
        conn.execute(replays.update().where(replays.c.name == PLAN).values(target=target))
    return Plan(plan.workers, target, plan.bounds)


def checkpoints_of(engine: Engine, names: list[str]) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(checkpoints.c.name, checkpoints.c.position)
                            .where(checkpoints.c.name.in_(names))).all()
    return dict(rows)


def forget_plan(conn) -> None:
    """In the caller's transaction: no replay plan, no replay checkpoints."""
    conn.execute(delete(checkpoints).where(checkpoints.c.name.like("replay:%")))
    conn.execute(delete(replays).where(replays.c.name == PLAN))

"""The projection step every worker engine shares: a batch of facts records → the SQL read model.

Each record is turned back into the event-store row it was published from (`records.stored_event`)
and handed to `services.readmodel.sql.apply_batch` — the same pure rows, insert-or-ignore by log
position, as the embedded projector. One SQL transaction per batch holds the rows *and* each
partition's next offset (checkpoint `kafka:<group>:<topic>:<partition>`): after a crash a worker
resumes exactly after the last committed batch, whatever offsets the broker remembers, and a
re-delivered record changes nothing. That is the exactly-once effect over an at-least-once bus.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Iterable

from sqlalchemy import Engine, delete, select

from events.errors import EventError
from services.bus.records import BadFact, Record, stored_event
from services.bus.wire import EventSerde
from services.readmodel.sql import apply_batch
from services.readmodel.tables import checkpoints

log = logging.getLogger("projfacts.worker")

TP = tuple[str, int]


def checkpoint_name(group: str, topic: str, partition: int) -> str:
    return f"kafka:{group}:{topic}:{partition}"


class Projector:
    def __init__(self, engine: Engine, group: str, serde: EventSerde | None = None, pause_ms: int = 0):
        self.engine = engine
        self.pause = pause_ms / 1000
        self.group = group
        self.serde = serde or EventSerde()
        self.next_offsets: dict[TP, int] = {}  # what this process knows is committed
        self.applied = 0
        self.skipped = 0

    def stored_offsets(self, tps: Iterable[TP]) -> dict[TP, int]:
        """The next offset to read for each partition, from the read model's checkpoints (0 if none)."""
        tps = list(tps)
        names = {checkpoint_name(self.group, t, p): (t, p) for t, p in tps}
        with self.engine.connect() as conn:
            rows = conn.execute(select(checkpoints.c.name, checkpoints.c.position)
                                .where(checkpoints.c.name.in_(list(names)))).all()
        found = {names[name]: position for name, position in rows}
        offsets = {tp: found.get(tp, 0) for tp in tps}
        self.next_offsets.update(offsets)
        return offsets

    def apply(self, records: list[Record]) -> int:
        """Project one batch in one transaction; returns how many facts it carried."""
        by_tp: dict[TP, list] = defaultdict(list)
        ends: dict[TP, int] = {}
        for record in records:
            tp = (record.topic, record.partition)
            if record.offset < self.next_offsets.get(tp, 0):
                continue  # already in the read model (a re-delivery before our seek took effect)
            ends[tp] = max(ends.get(tp, 0), record.offset + 1)
            try:
                by_tp[tp].append(stored_event(self.serde.decode(record.value), record.headers))
            except (EventError, BadFact) as error:  # only the ingest writes here: log, never block
                self.skipped += 1
                log.error("skipping unreadable fact %s/%d/%d: %s", record.topic, record.partition, record.offset, error)
        if not ends:
            return 0
        with self.engine.begin() as conn:
            for tp, end in ends.items():
                apply_batch(conn, self.engine, by_tp.get(tp, []), checkpoint_name(self.group, *tp), end)
        self.next_offsets.update(ends)
        if self.pause:
            time.sleep(self.pause)
        done = sum(len(batch) for batch in by_tp.values())
        self.applied += done
        return done

    def forget(self, tps: Iterable[TP]) -> None:
        for tp in tps:
            self.next_offsets.pop(tp, None)

    def reset(self) -> int:
        """Delete this group's checkpoints (after a rebuild, or when the topics were recreated)."""
        with self.engine.begin() as conn:
            return conn.execute(delete(checkpoints).where(checkpoints.c.name.like(f"kafka:{self.group}:%"))).rowcount


def rebuild(store, group: str) -> int:
    """Forget this group's topic offsets, then rebuild the read model from the event store (the
    system of record, in the same database): afterwards the facts topic is re-read from its start,
    harmlessly (insert-or-ignore). Stop the group's workers first. Returns the facts in the model."""
    from services.readmodel.replay import replay

    Projector(store.engine, group).reset()
    return replay(store, fresh=True).events

"""The projection step every worker engine shares: a batch of facts records → the SQL read model.

A record on the facts topic is only a notice that the log holds a fact at a position. The worker
projects the fact *as the log holds it*, and only when the record agrees with the log: same event
id and same content (the content hash of what the producer said) at that position. A record the
log does not back — forged onto the topic, or corrupted — is dead-lettered with the reason and
never projected; the genuine fact, when the relay publishes it, still is.

Each projected fact goes through `services.readmodel.sql.apply_batch` — the same rows,
insert-or-ignore by log position, as the embedded projector. One SQL transaction per batch holds
the rows *and* each partition's next offset (checkpoint `kafka:<group>:<topic>:<partition>`):
after a crash a worker resumes exactly after the last committed batch, whatever offsets the broker
remembers, and a re-delivered record changes nothing. That is the exactly-once effect over an
at-least-once bus.

The facts topic may be lost and published again from the log (relay.py): its records then carry a
newer epoch (header `projfacts.epoch`) and start again at offset 0, below the offsets the read model
stored. A worker keeps each partition's epoch beside its offset (`kafka-epoch:<group>:<topic>:<p>`);
a record with a newer epoch resets that partition to offset 0 (`seeks`, which the engine carries out)
and it is read again from its start. So that a worker resuming at offset N notices a topic that was
published again and has grown to exactly N records, it resumes at N - 1 (`resume_offset`): that
record, already projected, is skipped when its epoch is the stored one.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Callable, Iterable

from sqlalchemy import delete, select

from events.errors import EventError
from services.bus.records import EPOCH, BadFact, Record, header, stored_event
from services.bus.wire import EventSerde
from services.gcpause import without_gc
from services.log.store import EventStore, StoredEvent
from services.readmodel import columns as figure_index
from services.readmodel.sql import apply_batch, save_checkpoint
from services.readmodel.tables import checkpoints

log = logging.getLogger("projfacts.worker")

TP = tuple[str, int]
DeadLetter = Callable[[Record, str], None]


def checkpoint_name(group: str, topic: str, partition: int) -> str:
    return f"kafka:{group}:{topic}:{partition}"


def epoch_name(group: str, topic: str, partition: int) -> str:
    return f"kafka-epoch:{group}:{topic}:{partition}"


def epoch_of(record: Record) -> int | None:
    raw = header(record.headers, EPOCH)
    return int(raw) if raw and raw.isdigit() else None


def resume_offset(stored: int) -> int:
    """Where to seek a partition whose stored next offset is `stored`: one record back (see above)."""
    return max(stored - 1, 0)


def _logged(record: Record, reason: str) -> None:
    log.error("dead letter %s/%d/%d: %s", record.topic, record.partition, record.offset, reason)


class Projector:
    def __init__(self, events: EventStore, group: str, serde: EventSerde | None = None, pause_ms: int = 0,
                 dead_letter: DeadLetter = _logged):
        self.events = events
        self.engine = events.engine
        self.pause = pause_ms / 1000
        self.group = group
        self.serde = serde or EventSerde()
        self.dead_letter = dead_letter
        self.names = figure_index.Labels(self.engine)
        self.next_offsets: dict[TP, int] = {}  # what this process knows is committed
        self.epochs: dict[TP, int] = {}  # the facts topic's epoch each partition was read at
        self.seeks: dict[TP, int] = {}  # partitions to read again from an offset (a new epoch): for the engine
        self.applied = 0
        self.refused = 0
        self.resets = 0

    def stored_offsets(self, tps: Iterable[TP]) -> dict[TP, int]:
        """The next offset to read for each partition, from the read model's checkpoints (0 if none)."""
        tps = list(tps)
        names = {checkpoint_name(self.group, t, p): (t, p) for t, p in tps}
        epochs = {epoch_name(self.group, t, p): (t, p) for t, p in tps}
        with self.engine.connect() as conn:
            rows = conn.execute(select(checkpoints.c.name, checkpoints.c.position)
                                .where(checkpoints.c.name.in_([*names, *epochs]))).all()
        found = {names[name]: position for name, position in rows if name in names}
        offsets = {tp: found.get(tp, 0) for tp in tps}
        self.next_offsets.update(offsets)
        seen = {epochs[name]: position for name, position in rows if name in epochs}
        self.epochs.update({tp: seen.get(tp, 0) for tp in tps})
        return offsets

    def take_seeks(self) -> dict[TP, int]:
        seeks, self.seeks = self.seeks, {}
        return seeks

    def verified(self, records: list[Record]) -> list[tuple[Record, StoredEvent]]:
        """Each record with the log's fact it stands for; records the log does not back are dead-lettered."""
        claims: list[tuple[Record, StoredEvent]] = []
        for record in records:
            try:
                claims.append((record, stored_event(self.serde.decode(record.value), record.headers)))
            except (EventError, BadFact) as error:
                self._refuse(record, f"unreadable facts record: {error}")
        logged = self.events.at_positions([claim.position for _, claim in claims])
        out = []
        for record, claim in claims:
            genuine = logged.get(claim.position)
            if genuine is None:
                self._refuse(record, f"the log holds no fact at position {claim.position} (record says event "
                                     f"{claim.event_id}): not projected")
            elif genuine.event_id != claim.event_id:
                self._refuse(record, f"the log holds event {genuine.event_id} at position {claim.position}, "
                                     f"the record says {claim.event_id}: not projected")
            elif genuine.content_hash != claim.content_hash:
                self._refuse(record, f"event {claim.event_id} at position {claim.position}: the record's content "
                                     f"differs from the log's: not projected")
            else:
                out.append((record, genuine))
        return out

    def _refuse(self, record: Record, reason: str) -> None:
        self.refused += 1
        self.dead_letter(record, reason)

    @without_gc  # a batch's facts live until its transaction ends: see services/gcpause.py
    def apply(self, records: list[Record]) -> int:
        """Project one batch in one transaction; returns how many facts it carried."""
        fresh = []
        ends: dict[TP, int] = {}
        renewed: dict[TP, int] = {}
        for record in records:
            tp = (record.topic, record.partition)
            epoch = epoch_of(record)
            if tp in renewed or tp in self.seeks:
                continue  # this partition is read again from its start
            if epoch is not None and epoch > self.epochs.get(tp, 0):
                renewed[tp] = epoch  # the topic was lost and published again: start this partition over
                continue
            if record.offset < self.next_offsets.get(tp, 0):
                continue  # already in the read model (a re-delivery, or the record before the resume point)
            ends[tp] = max(ends.get(tp, 0), record.offset + 1)
            fresh.append(record)
        if renewed:
            fresh = [r for r in fresh if (r.topic, r.partition) not in renewed]
            for tp in renewed:
                ends.pop(tp, None)
            with self.engine.begin() as conn:
                for tp, epoch in renewed.items():
                    save_checkpoint(conn, self.engine, checkpoint_name(self.group, *tp), 0)
                    save_checkpoint(conn, self.engine, epoch_name(self.group, *tp), epoch)
            for tp, epoch in renewed.items():
                log.warning("partition %s/%d: the facts topic is a new incarnation (epoch %d, was %d): "
                            "reading it again from offset 0", tp[0], tp[1], epoch, self.epochs.get(tp, 0))
                self.epochs[tp] = epoch
                self.next_offsets[tp] = 0
                self.seeks[tp] = 0
                self.resets += 1
        if not ends:
            return 0
        by_tp: dict[TP, list[StoredEvent]] = defaultdict(list)
        for record, fact in self.verified(fresh):
            by_tp[(record.topic, record.partition)].append(fact)
        with self.engine.begin() as conn:
            for tp, end in ends.items():
                apply_batch(conn, self.engine, by_tp.get(tp, []), checkpoint_name(self.group, *tp), end, self.names)
        self.next_offsets.update(ends)
        if self.pause:
            time.sleep(self.pause)
        done = sum(len(batch) for batch in by_tp.values())
        self.applied += done
        return done

    def forget(self, tps: Iterable[TP]) -> None:
        for tp in tps:
            self.next_offsets.pop(tp, None)
            self.epochs.pop(tp, None)
            self.seeks.pop(tp, None)

    def reset(self) -> int:
        """Delete this group's checkpoints (after a rebuild, or when the topics were recreated)."""
        with self.engine.begin() as conn:
            conn.execute(delete(checkpoints).where(checkpoints.c.name.like(f"kafka-epoch:{self.group}:%")))
            return conn.execute(delete(checkpoints).where(checkpoints.c.name.like(f"kafka:{self.group}:%"))).rowcount


def rebuild(store: EventStore, group: str) -> int:
    """Forget this group's topic offsets, then rebuild the read model from the event store (the
    system of record, in the same database): afterwards the facts topic is re-read from its start,
    harmlessly (insert-or-ignore). Stop the group's workers first. Returns the facts in the model."""
    from services.readmodel.replay import replay

    Projector(store, group).reset()
    return replay(store, fresh=True).events


def kafka_dead_letter(config, producer) -> DeadLetter:
    """Dead letters of the facts topic onto the rejected topic: the record's bytes, the reason."""
    from services.bus.records import rejected_headers
    from services.log.store import now_local

    def send(record: Record, reason: str) -> None:
        _logged(record, reason)
        headers = rejected_headers(reason, None, None, record, now_local().isoformat())
        producer.send(config.rejected_topic, key=record.key, value=record.value, headers=headers)

    return send

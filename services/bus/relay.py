"""The relay (transactional outbox): every fact the log holds, delivered from a checkpoint, in log order.

    log ─ Relay ─▶ Sink:  InProcessSink (the embedded read model, services/bus/inprocess.py)
                          KafkaFactSink (the facts topic, for the projection workers)

Whichever door a fact came in by — history import, HTTP, the submissions topic, a report
publication — it is in the log, so the relay delivers it. A sink says where it resumes (its own
checkpoint) and takes a batch durably: the read model in one transaction with its checkpoint;
the facts topic by waiting for the broker's acknowledgements before the checkpoint moves. A relay
killed at any point resumes after the last batch it saw through, delivering that batch again at
worst; the workers insert by log position, so a repeat changes nothing.

The broker may lose the facts topic (tansu keeps nothing across a restart; on Kafka, a topic deleted
and created again). The checkpoint then says "delivered" about records the topic no longer holds, so
the facts sink checks, before each batch, which incarnation of the topic it is writing to (Kafka's
topic id, KIP-516): when it differs from the one its checkpoint was taken on, the topic's *epoch* (a
counter in `relay_checkpoints`, shared by every relay of the topic, bumped once per new incarnation)
goes up and the relay publishes the whole log again from position 0. Every facts record carries the
epoch in a header; a worker that sees a newer epoch on a partition reads that partition again from
its start (services/bus/worker.py), so nothing published before the loss is missed.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Protocol, Sequence

from sqlalchemy import select, update

from services.bus.config import BusConfig
from services.bus.records import EPOCH, fact_headers, key_of
from services.gcpause import without_gc
from services.log.store import EventStore, StoredEvent
from services.log.tables import relay_checkpoints

log = logging.getLogger("projfacts.relay")


class Sink(Protocol):
    def resume_after(self) -> int:
        """The last log position this sink has taken for good."""

    def take(self, batch: Sequence[StoredEvent]) -> None:
        """Take a batch (log order, positions after `resume_after`) and move the checkpoint past it."""


class Relay:
    def __init__(self, events: EventStore, sink: Sink, batch: int = 5000, pause_seconds: float = 0.0):
        self.events, self.sink, self.batch = events, sink, batch
        self.pause = pause_seconds  # after each batch: a test knob, to kill the relay mid-stream
        self.delivered = 0

    @without_gc  # a batch's facts live until it is delivered: see services/gcpause.py
    def run_once(self) -> int:
        """Deliver the next batch after the sink's checkpoint; how many facts it held (0: caught up)."""
        after = self.sink.resume_after()
        batch = list(self.events.read(after=after, limit=self.batch, batch=self.batch))
        if batch:
            self.sink.take(batch)
            self.delivered += len(batch)
        return len(batch)

    def catch_up(self) -> int:
        """Deliver everything the log holds now."""
        done = 0
        while True:
            step = self.run_once()
            if not step:
                return done
            done += step

    def run(self, stop: threading.Event, idle_seconds: float = 0.05) -> int:
        """Until `stop` is set: deliver, and poll the log every `idle_seconds` once caught up."""
        while not stop.is_set():
            if not self.run_once():
                stop.wait(idle_seconds)
            elif self.pause:
                stop.wait(self.pause)
        return self.delivered


# ---- the facts topic ---------------------------------------------------------------------------
class KafkaFactSink:
    """The facts topic: each fact keyed by its project, with its log position, project sequence and
    the topic's epoch in headers, Avro as appended (schema version as stored, recorded_at as stamped).
    The checkpoint (`relay_checkpoints`, in the log's database) moves only after every record is
    acknowledged, and holds for the topic incarnation (epoch) it was taken on."""

    def __init__(self, config: BusConfig, events: EventStore, producer=None, serde=None, name: str | None = None,
                 admin=None):
        from services.bus.producer import kafka_producer
        from services.bus.wire import EventSerde, open_registry

        self.config, self.events = config, events
        self.name = name or f"facts:{config.facts_topic}"
        self.producer = producer or kafka_producer(config)
        self.serde = serde or EventSerde(open_registry(config.schema_registry, register=config.schema_registry_register))
        self._admin = admin
        self._failures: list[BaseException] = []
        self.epoch = 0
        self.resets = 0  # how often this sink found a new incarnation of the topic and started again

    # ---- where to resume, on which incarnation of the topic -------------------------------------
    def resume_after(self) -> int:
        self.epoch = self._current_epoch()
        with self.events.engine.connect() as conn:
            rows = dict(conn.execute(select(relay_checkpoints.c.name, relay_checkpoints.c.position)
                                     .where(relay_checkpoints.c.name.in_([self.name, self.name + ":epoch"]))).all())
        position, taken_on = rows.get(self.name, 0), rows.get(self.name + ":epoch", 0)
        if position and taken_on != self.epoch:
            log.warning("the facts topic %s is a new incarnation (epoch %d, checkpoint taken on %d): "
                        "publishing the log again from its start (it was at %d)",
                        self.config.facts_topic, self.epoch, taken_on, position)
            self.resets += 1
            self._save(0)
            return 0
        return position

    def incarnation(self) -> int | None:
        """The facts topic's id as a 63-bit number (created first when missing); None when the
        broker gives no topic ids."""
        from services.bus.topics import ensure_topics

        for attempt in (1, 2):
            described = self.admin().describe_topics([self.config.facts_topic])[0]
            topic_id = described.get("topic_id")
            if described.get("error_code") == 3 or not topic_id:  # unknown topic: the broker lost it
                if attempt == 1 and described.get("error_code") == 3:
                    ensure_topics(self.config, names=[self.config.facts_topic])
                    continue
                return None
            number = int(str(topic_id).replace("-", ""), 16) & (2**63 - 1)
            return number or None
        return None

    def _current_epoch(self) -> int:
        """The topic's epoch: bumped (once, whichever relay sees it first) when the incarnation changed."""
        incarnation = self.incarnation()
        counter, topic = f"epoch:{self.config.facts_topic}", f"epoch:{self.config.facts_topic}:topic"
        query = select(relay_checkpoints.c.name, relay_checkpoints.c.position).where(
            relay_checkpoints.c.name.in_([counter, topic]))
        with self.events.engine.connect() as conn:  # the usual case: nothing to write
            rows = dict(conn.execute(query).all())
        if incarnation is None or rows.get(topic) == incarnation:
            return rows.get(counter, 0)
        with self.events.engine.connect().execution_options(projfacts_writer=True) as conn, conn.begin():
            rows = dict(conn.execute(query).all())  # again, under the write lock
            if counter not in rows:
                conn.execute(relay_checkpoints.insert(), [{"name": counter, "position": 0},
                                                          {"name": topic, "position": incarnation}])
                return 0
            if rows.get(topic) == incarnation:
                return rows[counter]
            bumped = conn.execute(update(relay_checkpoints).where(relay_checkpoints.c.name == topic,
                                                                  relay_checkpoints.c.position == rows.get(topic))
                                  .values(position=incarnation)).rowcount
            if bumped:
                conn.execute(update(relay_checkpoints).where(relay_checkpoints.c.name == counter)
                             .values(position=rows[counter] + 1))
                log.warning("facts topic %s: new incarnation, epoch %d", self.config.facts_topic, rows[counter] + 1)
                return rows[counter] + 1
        with self.events.engine.connect() as conn:  # another relay (on PostgreSQL) bumped it first
            return dict(conn.execute(query).all())[counter]

    def admin(self):
        if self._admin is None:
            from kafka.admin import KafkaAdminClient

            self._admin = KafkaAdminClient(client_id="projfacts-relay", **self.config.client_options())
        return self._admin

    # ---- delivery -------------------------------------------------------------------------------
    def take(self, batch: Sequence[StoredEvent]) -> None:
        epoch = [(EPOCH, str(self.epoch).encode())]
        for stored in batch:
            value = self.serde.encode(stored.as_appended())
            future = self.producer.send(self.config.facts_topic, key=key_of(stored), value=value,
                                        headers=fact_headers(stored.position, stored.project_seq) + epoch)
            future.add_errback(self._failures.append)
        self.producer.flush(timeout=120)
        if self._failures:
            failures, self._failures = self._failures, []
            raise RelayError(f"{len(failures)} facts not acknowledged by the broker: {failures[0]!r}")
        self._save(max(stored.position for stored in batch))

    def _save(self, position: int) -> None:
        from sqlalchemy.dialects import postgresql, sqlite

        dialect = sqlite if self.events.engine.dialect.name == "sqlite" else postgresql
        with self.events.engine.connect().execution_options(projfacts_writer=True) as conn, conn.begin():
            for name, value in ((self.name, position), (self.name + ":epoch", self.epoch)):
                statement = dialect.insert(relay_checkpoints).values(name=name, position=value)
                conn.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"position": value}))

    def close(self) -> None:
        self.producer.close()
        if self._admin is not None:
            self._admin.close()


class RelayError(RuntimeError):
    """The broker did not take a batch: the relay retries it from its checkpoint."""


def run_relay(config: BusConfig, events: EventStore, stop: threading.Event | None = None) -> int:
    """The `projfacts relay` process: the log to the facts topic until SIGTERM or SIGINT."""
    import signal

    from services.bus.topics import ensure_topics

    ensure_topics(config, names=[config.facts_topic])
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    relay = Relay(events, KafkaFactSink(config, events), batch=config.batch_size,
                  pause_seconds=config.batch_pause_ms / 1000)
    backoff = 0.5
    try:
        while not stop.is_set():
            try:
                relay.run(stop)
            except Exception as error:  # the broker or the database away: retry from the checkpoint
                log.warning("relay batch failed, retrying in %.1f s with a new producer: %r", backoff, error)
                _close(relay.sink)  # an idempotent producer whose broker lost its state stays broken
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                relay.sink = _new_sink(config, events, relay.sink)
            else:
                backoff = 0.5
    finally:
        _close(relay.sink)
    log.info("relay stopped: %d facts published", relay.delivered)
    return relay.delivered


def _close(sink) -> None:
    try:
        sink.close()
    except Exception as error:
        log.debug("closing the facts producer: %r", error)


def _new_sink(config: BusConfig, events: EventStore, old):
    while True:
        try:
            return KafkaFactSink(config, events, name=old.name)
        except Exception as error:  # no broker yet
            log.warning("cannot connect to the broker yet: %r", error)
            time.sleep(1.0)

"""The relay (transactional outbox): every fact the log holds, delivered from a checkpoint, in log order.

    log ─ Relay ─▶ Sink:  InProcessSink (the embedded read model, services/bus/inprocess.py)
                          KafkaFactSink (the facts topic, for the projection workers)

Whichever door a fact came in by — history import, HTTP, the submissions topic, a report
publication — it is in the log, so the relay delivers it. A sink says where it resumes (its own
checkpoint) and takes a batch durably: the read model in one transaction with its checkpoint;
the facts topic by waiting for the broker's acknowledgements before the checkpoint moves. A relay
killed at any point resumes after the last batch it saw through, delivering that batch again at
worst; the workers insert by log position, so a repeat changes nothing.
"""
from __future__ import annotations

import logging
import threading
from typing import Protocol, Sequence

from sqlalchemy import select

from services.bus.config import BusConfig
from services.bus.records import fact_headers, key_of
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
    """The facts topic: each fact keyed by its project, with its log position and project sequence
    in headers, Avro as appended (schema version as stored, recorded_at as stamped). The checkpoint
    (`relay_checkpoints`, in the log's database) moves only after every record is acknowledged."""

    def __init__(self, config: BusConfig, events: EventStore, producer=None, serde=None, name: str | None = None):
        from services.bus.producer import kafka_producer
        from services.bus.wire import EventSerde, open_registry

        self.config, self.events = config, events
        self.name = name or f"facts:{config.facts_topic}"
        self.producer = producer or kafka_producer(config)
        self.serde = serde or EventSerde(open_registry(config.schema_registry, register=config.schema_registry_register))
        self._failures: list[BaseException] = []

    def resume_after(self) -> int:
        with self.events.engine.connect() as conn:
            return conn.execute(select(relay_checkpoints.c.position)
                                .where(relay_checkpoints.c.name == self.name)).scalar() or 0

    def take(self, batch: Sequence[StoredEvent]) -> None:
        for stored in batch:
            value = self.serde.encode(stored.as_appended())
            future = self.producer.send(self.config.facts_topic, key=key_of(stored), value=value,
                                        headers=fact_headers(stored.position, stored.project_seq))
            future.add_errback(self._failures.append)
        self.producer.flush(timeout=120)
        if self._failures:
            failures, self._failures = self._failures, []
            raise RelayError(f"{len(failures)} facts not acknowledged by the broker: {failures[0]!r}")
        self._save(batch[-1].position)

    def _save(self, position: int) -> None:
        from sqlalchemy.dialects import postgresql, sqlite

        dialect = sqlite if self.events.engine.dialect.name == "sqlite" else postgresql
        statement = dialect.insert(relay_checkpoints).values(name=self.name, position=position)
        with self.events.engine.connect().execution_options(projfacts_writer=True) as conn, conn.begin():
            conn.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"position": position}))

    def close(self) -> None:
        self.producer.close()


class RelayError(RuntimeError):
    """The broker did not take a batch: the relay retries it from its checkpoint."""


def run_relay(config: BusConfig, events: EventStore, stop: threading.Event | None = None) -> int:
    """The `projfacts relay` process: the log to the facts topic until SIGTERM or SIGINT."""
    import signal

    from services.bus.topics import ensure_topics

    ensure_topics(config)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    sink = KafkaFactSink(config, events)
    relay = Relay(events, sink, batch=config.batch_size, pause_seconds=config.batch_pause_ms / 1000)
    backoff = 0.5
    try:
        while not stop.is_set():
            try:
                relay.run(stop)
            except Exception as error:  # the broker or the database away: retry from the checkpoint
                log.warning("relay batch failed, retrying in %.1f s: %r", backoff, error)
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
            else:
                backoff = 0.5
    finally:
        sink.close()
    log.info("relay stopped: %d facts published", relay.delivered)
    return relay.delivered

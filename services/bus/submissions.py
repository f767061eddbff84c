"""The ingest processor: submissions → (decode, validate, authorise, dedupe, append) → facts | rejected.

One poll batch at a time:
1. decode each record (Confluent wire format → Avro → validated event); unreadable or invalid → rejected;
2. authorise (policy.toml, `authz.authorise_submission`); refused → rejected;
3. append the rest to the event store in one transaction (it stamps `recorded_at`, dedupes by
   event_id and content, refuses an id reused with other content → rejected);
4. publish every accepted event — appended *or duplicate* — to the facts topic with its store
   position, then the dead letters; wait for the broker's acknowledgements;
5. only then commit the consumed offsets.

A crash anywhere before 5 re-delivers the batch: its events are then duplicates in the store and
are published again, so a fact appended just before a crash still reaches the facts topic; the
workers' insert-or-ignore by position makes the repeats harmless. A record that cannot be read
goes to the rejected topic and its offset is committed with the rest: it never blocks its
partition. An event the store fails on with an unexpected error is isolated by bisection and
rejected alone; a database or broker outage stops the batch, which is retried from its first offsets.
"""
from __future__ import annotations

import io
import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from events import avro
from events.envelope import Event
from events.errors import EventError
from services.ingest.authorise import BusPolicy, authorise_submission, load_policy, store_context
from services.bus.config import BusConfig
from services.bus.producer import kafka_producer
from services.bus.records import Record, fact_headers, fact_key, rejected_headers
from services.bus.wire import EventSerde, open_registry, unframe
from services.log.store import AppendOutcome, AppendResult, EventStore, now_local
from services.log.tables import events as log_table

log = logging.getLogger("projfacts.ingest")


class Transient(RuntimeError):
    """The database or the broker is unavailable: retry the whole batch later."""


@dataclass
class IngestStats:
    appended: int = 0
    duplicates: int = 0
    rejected: int = 0
    published: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, other: "IngestStats") -> None:
        self.appended += other.appended
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.published += other.published

    def line(self) -> str:
        return (f"appended {self.appended}, duplicates {self.duplicates}, rejected {self.rejected}, "
                f"facts published {self.published}")


class Ingest:
    def __init__(self, config: BusConfig, store: EventStore, *, policy: BusPolicy | None = None,
                 serde: EventSerde | None = None, producer=None):
        self.config = config
        self.store = store
        self.policy = policy or load_policy()
        self.serde = serde or EventSerde(open_registry(config.schema_registry, register=config.schema_registry_register))
        self.producer = producer or kafka_producer(config)
        self._failures: list[BaseException] = []

    # ---- one batch -------------------------------------------------------------------------
    def process(self, records: list[Record]) -> IngestStats:
        """Decode, authorise, append and publish one batch; raises Transient to have it retried."""
        stats = IngestStats()
        rejected_at = now_local().isoformat()

        def reject(record: Record, reason: str, department: str | None, event_id: str | None) -> None:
            stats.rejected += 1
            stats.reasons.append(reason)
            self._send(self.config.rejected_topic, record.key, record.value,
                       rejected_headers(reason, department, event_id, record, rejected_at))

        decoded: list[tuple[Record, Event]] = []
        for record in records:
            try:
                decoded.append((record, self.serde.decode(record.value)))
            except EventError as error:
                department, event_id = self.peek(record.value)
                reason = ("unreadable: " if error.event_id is None and department is None else "invalid: ") + error.describe()
                reject(record, reason, department, error.event_id or event_id)
            except Exception as error:  # a decoder bug must not block the partition either
                department, event_id = self.peek(record.value)
                reject(record, f"unreadable: {error!r}", department, event_id)
        context = self._context([event for _, event in decoded])
        allowed: list[tuple[Record, Event]] = []
        for record, event in decoded:
            reason = authorise_submission(event, self.policy, context)
            if reason:
                reject(record, f"unauthorised: event {event.id}: {reason}", event.source.department, event.id)
            else:
                allowed.append((record, event))
        result = self._append([event for _, event in allowed])
        accepted: dict[str, Event] = {}
        for index, (record, event) in enumerate(allowed):
            outcome = result.outcomes[index]
            if outcome is AppendOutcome.REJECTED:
                reject(record, f"refused by the event store: {result.reasons[index].describe()}",
                       event.source.department, event.id)
                continue
            if outcome is AppendOutcome.APPENDED:
                stats.appended += 1
            else:
                stats.duplicates += 1
            accepted.setdefault(event.id, event)
        for position, project_seq, recorded_at, event in self._stored(accepted):
            value = self.serde.encode(event.stamped(datetime.fromisoformat(recorded_at)))
            self._send(self.config.facts_topic, fact_key(event), value, fact_headers(position, project_seq))
            stats.published += 1
        self._flush()
        return stats

    def peek(self, value: bytes | None) -> tuple[str | None, str | None]:
        """(department, event_id) of a record that failed validation, when its Avro is readable."""
        try:
            import fastavro

            schema_id, body = unframe(value)
            key = self.serde.registry.subject_of(schema_id)
            raw = fastavro.schemaless_reader(io.BytesIO(body), avro.load_schemas()[key], None)
            return str(raw["source"]["department"]), str(raw["event_id"])
        except Exception:
            return None, None

    def _context(self, events: list[Event]):
        try:
            return store_context(self.store.engine, events, self.policy)
        except (OperationalError, DBAPIError) as error:
            raise Transient(f"event store unavailable: {error}") from error

    def _append(self, events: list[Event]) -> AppendResult:
        """Append; an unexpected failure is narrowed down to the event(s) causing it, which are refused."""
        if not events:
            return AppendResult()
        try:
            return self.store.append(events)
        except (OperationalError, IntegrityError) as error:
            raise Transient(f"event store unavailable: {error}") from error
        except DBAPIError as error:
            if error.connection_invalidated:
                raise Transient(f"event store unavailable: {error}") from error
            failure: BaseException = error
        except Exception as error:
            failure = error
        if len(events) == 1:
            log.warning("event %s refused by the store: %r", events[0].id, failure)
            error = EventError(f"could not be stored: {type(failure).__name__}: {str(failure).splitlines()[0][:300]}",
                               event_id=events[0].id)
            return AppendResult([AppendOutcome.REJECTED], {0: error})
        half = len(events) // 2
        first, second = self._append(events[:half]), self._append(events[half:])
        return AppendResult(
            first.outcomes + second.outcomes,
            {**first.reasons, **{i + half: r for i, r in second.reasons.items()}},
            {**first.positions, **{i + half: p for i, p in second.positions.items()}},
        )

    def _stored(self, accepted: dict[str, Event]) -> list[tuple[int, int | None, str, Event]]:
        """(position, project_seq, recorded_at, event) of accepted events, in log order."""
        ids = list(accepted)
        rows = []
        try:
            with self.store.engine.connect() as conn:
                for start in range(0, len(ids), 500):
                    query = select(log_table.c.event_id, log_table.c.position, log_table.c.project_seq,
                                   log_table.c.recorded_at).where(log_table.c.event_id.in_(ids[start:start + 500]))
                    rows += conn.execute(query).all()
        except (OperationalError, DBAPIError) as error:
            raise Transient(f"event store unavailable: {error}") from error
        return sorted((position, seq, recorded, accepted[event_id]) for event_id, position, seq, recorded in rows)

    def _send(self, topic: str, key: bytes | None, value: bytes | None, headers) -> None:
        future = self.producer.send(topic, key=key, value=value, headers=headers)
        future.add_errback(self._failures.append)

    def _flush(self) -> None:
        self.producer.flush(timeout=120)
        if self._failures:
            failures, self._failures = self._failures, []
            raise Transient(f"{len(failures)} records not acknowledged by the broker: {failures[0]!r}")

    # ---- the loop --------------------------------------------------------------------------
    def run(self, stop: threading.Event | None = None) -> IngestStats:
        from kafka import KafkaConsumer
        from kafka.structs import OffsetAndMetadata, TopicPartition

        stop = stop or threading.Event()
        total = IngestStats()
        consumer = KafkaConsumer(
            self.config.submissions_topic, group_id=self.config.ingest_group, client_id="projfacts-ingest",
            enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=self.config.batch_size,
            session_timeout_ms=self.config.session_timeout_ms, heartbeat_interval_ms=self.config.heartbeat_interval_ms,
            max_poll_interval_ms=600_000, max_partition_fetch_bytes=8 * 1024 * 1024,
            **self.config.client_options())
        backoff = 0.5
        last_report = time.monotonic()
        try:
            while not stop.is_set():
                polled = consumer.poll(timeout_ms=self.config.batch_wait_ms * 2 or 500)
                records = [Record(r.topic, r.partition, r.offset, r.key, r.value, list(r.headers or []))
                           for tp in sorted(polled) for r in polled[tp]]
                if not records:
                    continue
                try:
                    stats = self.process(records)
                except Transient as error:
                    log.warning("batch of %d will be retried in %.1f s: %s", len(records), backoff, error)
                    for tp, batch in polled.items():
                        consumer.seek(tp, batch[0].offset)
                    stop.wait(backoff)
                    backoff = min(backoff * 2, 10.0)
                    continue
                backoff = 0.5
                total.add(stats)
                if self.config.batch_pause_ms:
                    stop.wait(self.config.batch_pause_ms / 1000)
                offsets = {TopicPartition(tp.topic, tp.partition): OffsetAndMetadata(batch[-1].offset + 1, "", -1)
                           for tp, batch in polled.items()}
                try:
                    consumer.commit(offsets)
                except Exception as error:  # a rebalance: the new owner re-reads; duplicates are harmless
                    log.warning("offset commit failed (records will be re-read): %r", error)
                if time.monotonic() - last_report > 10:
                    log.info("ingest: %s", total.line())
                    last_report = time.monotonic()
        finally:
            consumer.close()
            self.producer.close()
        log.info("ingest stopped: %s", total.line())
        return total


def run_ingest(config: BusConfig, store: EventStore) -> IngestStats:
    """The `projfacts ingest` process: runs until SIGTERM or SIGINT."""
    from services.bus.topics import ensure_topics

    ensure_topics(config)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return Ingest(config, store).run(stop)

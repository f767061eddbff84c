"""The submissions consumer: departments' events off their submissions topics, through the accept path.

    submissions.<department> ─ decode (Confluent wire → Avro → validated event) ─ accept (authorise, append) ─▶ the log
                             └▶ rejected (dead letters: the original bytes, the reason, the department)

Identity comes from the channel, not from the message: each department writes to its own topic
(`<submissions_prefix>.<department>`; in production a Kafka ACL lets only that department's SASL
user write there: deploy/kafka/), and the ingest hands the accept path that topic's department as the
publisher. An event whose `source.department` is another department is refused (unauthorised,
field `source.department`), dead-lettered and written to the refusals audit (`projfacts refusals`);
it is never appended and never stops the ingest.

One poll batch at a time: decode each record (unreadable or invalid → rejected), hand the events to
`services.ingest.accept.Acceptor.submit` (the same authorisation and append as every other door;
refused → rejected), then commit the consumed offsets. It publishes nothing to the facts topic: the
relay (services/bus/relay.py) publishes every fact the log holds, whichever door it came in by.

A crash before the commit re-delivers the batch: its events are then duplicates in the log (no-ops).
A record that cannot be read goes to the rejected topic and its offset is committed with the rest:
it never blocks its partition. A database or broker outage stops the batch, which is retried from
its first offsets.
"""
from __future__ import annotations

import io
import logging
import signal
import threading
import time
from dataclasses import dataclass, field

from events import avro
from events.envelope import Event
from events.errors import EventError
from services.bus.config import BusConfig
from services.bus.producer import kafka_producer
from services.bus.records import CHANNEL, Record, rejected_headers
from services.bus.wire import EventSerde, open_registry, unframe
from services.gcpause import without_gc
from services.ingest.accept import Acceptor, Outcome, Unavailable
from services.ingest.authorise import Publisher
from services.ingest.tokens import record_refusals
from services.log.store import now_local

log = logging.getLogger("projfacts.ingest")


class Transient(RuntimeError):
    """The database or the broker is unavailable: retry the whole batch later."""


@dataclass
class IngestStats:
    appended: int = 0
    duplicates: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, other: "IngestStats") -> None:
        self.appended += other.appended
        self.duplicates += other.duplicates
        self.rejected += other.rejected

    def line(self) -> str:
        return f"appended {self.appended}, duplicates {self.duplicates}, rejected {self.rejected}"


class Ingest:
    def __init__(self, config: BusConfig, acceptor: Acceptor, *, serde: EventSerde | None = None, producer=None):
        self.config = config
        self.acceptor = acceptor
        self.serde = serde or EventSerde(open_registry(config.schema_registry, register=config.schema_registry_register))
        self.producer = producer or kafka_producer(config)
        self._failures: list[BaseException] = []

    # ---- one batch -------------------------------------------------------------------------
    @without_gc  # a batch's events live until it is appended: see services/gcpause.py
    def process(self, records: list[Record]) -> IngestStats:
        """Decode, accept and dead-letter one batch; raises Transient to have it retried."""
        stats = IngestStats()
        rejected_at = now_local().isoformat()

        audit: list[dict] = []

        def reject(record: Record, reason: str, department: str | None, event_id: str | None) -> None:
            stats.rejected += 1
            stats.reasons.append(reason)
            headers = rejected_headers(reason, department, event_id, record, rejected_at)
            channel = self.config.department_of(record.topic)
            if channel:
                headers.append((CHANNEL, channel.encode()))
            self._send(self.config.rejected_topic, record.key, record.value, headers)

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
        try:
            verdicts = self.acceptor.submit([e for _, e in decoded], [self.publisher(r, e) for r, e in decoded])
        except Unavailable as error:
            raise Transient(str(error)) from error
        for (record, event), verdict in zip(decoded, verdicts):
            if verdict.outcome is Outcome.APPENDED:
                stats.appended += 1
            elif verdict.outcome is Outcome.DUPLICATE:
                stats.duplicates += 1
            elif verdict.outcome is Outcome.UNAUTHORISED:
                reject(record, f"unauthorised: {verdict.describe()}", event.source.department, event.id)
                audit.append(dict(reason=verdict.reason or "", department=self.config.department_of(record.topic),
                                  event_id=event.id, event_type=event.event_type, project_id=event.project_id,
                                  field=verdict.field, client=f"kafka:{record.topic}/{record.partition}/{record.offset}"))
            else:
                reject(record, f"refused by the event store: {verdict.describe()}", event.source.department, event.id)
        if audit:
            try:
                record_refusals(self.acceptor.events, 403, audit)
            except Exception as error:  # the dead letters carry them too; a retried batch re-records them
                raise Transient(f"could not write the refusals audit: {error!r}") from error
        self._flush()
        return stats

    def publisher(self, record: Record, event: Event) -> Publisher:
        """Who is writing: the department whose channel (submissions topic) the record came in on —
        never the department the event declares. A topic that is no department's channel gives a
        publisher no event can match."""
        department = self.config.department_of(record.topic)
        return Publisher(department or f"(no department: topic {record.topic})",
                         identity=f"{record.topic}/{record.partition}", channel=record.topic)

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

    def _send(self, topic: str, key: bytes | None, value: bytes | None, headers) -> None:
        try:
            future = self.producer.send(topic, key=key, value=value, headers=headers)
        except Exception as error:  # a producer that cannot send now: the batch is retried
            raise Transient(f"dead letter not sent: {error!r}") from error
        future.add_errback(self._failures.append)

    @staticmethod
    def _renewed_topics(consumer, known: dict) -> set[str]:
        """Topics whose id (KIP-516) changed since the last look: lost by the broker and created again,
        so the positions this consumer holds on them mean nothing (the new incarnation may have grown
        past them). Brokers without topic ids: never."""
        cluster = getattr(getattr(consumer, "_client", None), "cluster", None)
        topic_id = getattr(cluster, "topic_id", None)
        if topic_id is None:
            return set()
        renewed = set()
        for topic in consumer.subscription() or ():
            now = topic_id(topic)
            if now is None:
                continue
            if known.get(topic) not in (None, now):
                renewed.add(topic)
            known[topic] = now
        return renewed

    def _renew_producer(self) -> None:
        try:
            self.producer.close(timeout=5)
        except Exception as error:
            log.debug("closing the dead-letter producer: %r", error)
        try:
            self.producer = kafka_producer(self.config)
        except Exception as error:  # no broker right now: the next batch's retry tries again
            log.warning("no dead-letter producer yet: %r", error)

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
            *self.config.submissions_topics().values(), group_id=self.config.ingest_group, client_id="projfacts-ingest",
            enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=self.config.batch_size,
            session_timeout_ms=self.config.session_timeout_ms, heartbeat_interval_ms=self.config.heartbeat_interval_ms,
            max_poll_interval_ms=600_000, max_partition_fetch_bytes=8 * 1024 * 1024,
            **self.config.client_options())
        backoff = 0.5
        last_report = time.monotonic()
        topic_ids: dict[str, object] = {}
        try:
            while not stop.is_set():
                polled = consumer.poll(timeout_ms=self.config.batch_wait_ms * 2 or 500)
                if polled:
                    _linger(consumer, polled, self.config)
                renewed = self._renewed_topics(consumer, topic_ids)
                if renewed:  # the broker lost these topics and they were made again: read them from the start
                    again = [tp for tp in consumer.assignment() if tp.topic in renewed]
                    log.warning("topics %s are new incarnations: reading them again from the start",
                                ", ".join(sorted(renewed)))
                    if again:
                        consumer.seek_to_beginning(*again)
                    polled = {tp: batch for tp, batch in polled.items() if tp.topic not in renewed}
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
                    self._renew_producer()  # an idempotent producer whose broker lost its state stays broken
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


def run_ingest(config: BusConfig, acceptor: Acceptor) -> IngestStats:
    """The `projfacts ingest` process: runs until SIGTERM or SIGINT."""
    from services.bus.topics import ensure_topics

    ensure_topics(config, names=[*config.submissions_topics().values(), config.rejected_topic])
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return Ingest(config, acceptor).run(stop)


def _linger(consumer, polled: dict, config: BusConfig) -> None:
    """Add to `polled` what arrives within `batch_linger_ms` of its first records, up to a batch."""
    deadline = time.monotonic() + config.batch_linger_ms / 1000
    count = sum(len(records) for records in polled.values())
    while count < config.batch_size and (left := deadline - time.monotonic()) > 0:
        more = consumer.poll(timeout_ms=max(1, int(left * 1000)), max_records=config.batch_size - count)
        for tp, records in more.items():
            polled.setdefault(tp, []).extend(records)
            count += len(records)

"""The departments' client: validate, then send to the department's own submissions topic (kafka-python).

Each department has one channel, `<submissions_prefix>.<department>` (services/bus/config.py); in
production a Kafka ACL lets only that department's SASL user write there (deploy/kafka/), and the
ingest takes the channel as the publisher's identity. A producer for one department refuses, before
sending, any event that declares another department. (`department=None` routes each event to the
channel of the department it declares: local runs, tests and benchmarks only — a real department's
credentials can write nowhere but its own channel.)

`acks='all'` and the idempotent producer (no duplicates from the client's own retries) where the
broker allows it. Nothing invalid is sent: `publish` raises `PublishError` naming the event, the
field and the reason; the ingest authorises and dedupes what arrives.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import orjson

from events.codec import validate_object
from events.envelope import Event
from events.errors import EventError
from services.bus.config import BusConfig
from services.bus.records import fact_key
from services.bus.wire import EventSerde, open_registry


class PublishError(EventError):
    """An event refused before sending (invalid, or not this producer's department)."""


class DeliveryError(RuntimeError):
    """The broker did not acknowledge some records."""


def kafka_producer(config: BusConfig, **extra):
    from kafka import KafkaProducer

    options = dict(acks="all", linger_ms=20, batch_size=256 * 1024, max_request_size=4 * 1024 * 1024,
                   enable_idempotence=config.idempotent, retries=2**31 - 1 if config.idempotent else 5,
                   compression_type=None if config.compression == "none" else config.compression)
    options.update(extra)
    return KafkaProducer(client_id="projfacts-producer", **config.client_options(), **options)


class DepartmentProducer:
    """`publish(event)` for one department's system (or, when `department` is None, every department's
    event onto its own channel: simulations only)."""

    def __init__(self, config: BusConfig | None = None, *, department: str | None = None,
                 serde: EventSerde | None = None, producer=None):
        self.config = config or BusConfig.load()
        self.department = department
        if department is not None:
            self.config.submissions_topic(department)  # raises for a department without a channel
        self.serde = serde or EventSerde(open_registry(self.config.schema_registry,
                                                       register=self.config.schema_registry_register))
        self.producer = producer or kafka_producer(self.config)
        self._pending: list = []
        self.failures: list[tuple[str, BaseException]] = []

    def validate(self, event: Event | dict) -> Event:
        if not isinstance(event, Event):
            try:
                event = validate_object(event)
            except EventError as error:
                raise PublishError(error.reason, field=error.field, event_id=error.event_id) from None
        if self.department and event.source.department != self.department:
            raise PublishError(f"this producer publishes for {self.department} (channel "
                               f"{self.config.submissions_topic(self.department)}), not for "
                               f"{event.source.department}: send it with that department's credentials",
                               field="source.department", event_id=event.id)
        return event

    def publish(self, event: Event | dict) -> Event:
        """Validate and send (asynchronously; `flush` waits for the acknowledgements)."""
        event = self.validate(event)
        try:
            value = self.serde.encode(event)
        except EventError as error:
            raise PublishError(error.reason, field=error.field, event_id=event.id) from None
        try:
            topic = self.config.submissions_topic(self.department or event.source.department)
        except ValueError as error:
            raise PublishError(str(error), field="source.department", event_id=event.id) from None
        future = self.producer.send(topic, key=fact_key(event), value=value)
        event_id = event.id
        future.add_errback(lambda exc: self.failures.append((event_id, exc)))
        return event

    def flush(self, timeout: float | None = 120) -> None:
        self.producer.flush(timeout)
        if self.failures:
            failed, self.failures = self.failures, []
            first = failed[0]
            raise DeliveryError(f"{len(failed)} events not acknowledged; first {first[0]}: {first[1]!r}")

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.producer.close()

    def __enter__(self) -> "DepartmentProducer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class PublishSummary:
    sent: int = 0
    refused: int = 0
    refusals: list[tuple[int, EventError]] = field(default_factory=list)

    def line(self) -> str:
        return f"sent {self.sent}, refused {self.refused}"


def publish_file(path: str | Path, producer: DepartmentProducer,
                 on_refuse: Callable[[int, EventError], None] | None = None, progress: bool = False) -> PublishSummary:
    """Send every valid line of a .jsonl file; a bad line is reported (line number, reason), not sent."""
    path = Path(path)
    summary = PublishSummary()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc=f"publish {path.name}")
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if bar:
                bar.update(len(line))
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                error: EventError = PublishError(f"not valid JSON: {exc}")
            else:
                try:
                    producer.publish(obj)
                    summary.sent += 1
                    continue
                except EventError as exc:
                    error = exc
            summary.refused += 1
            if on_refuse:
                on_refuse(number, error)
    producer.flush()
    if bar:
        bar.close()
    return summary

"""What the ingest writes to the facts and rejected topics, and how a worker reads a fact back.

facts topic, one record per accepted event, in event-store order per project:
    key     project_id (project-less facts: payload.region, else event_id), UTF-8 — so each project's facts keep their order
    value   the stamped event (recorded_at as appended), Avro in the Confluent wire format
    headers projfacts.position     the event's position in the event store (ASCII decimal)
            projfacts.project_seq  its per-project sequence (ASCII decimal; empty for TargetSet)

rejected topic (dead letters), one record per refused submission:
    key     the submission's key;  value  the submission's original bytes, untouched
    headers projfacts.reason, projfacts.department (the department the event declares, when
            readable), projfacts.channel (the department whose submissions topic it came in on),
            projfacts.event_id (when readable), projfacts.source (topic/partition/offset of the
            submission), projfacts.rejected_at (ISO time)
"""
from __future__ import annotations

from dataclasses import dataclass

from events.envelope import Event
from services.log.store import StoredEvent, to_micros

POSITION = "projfacts.position"
PROJECT_SEQ = "projfacts.project_seq"
REASON = "projfacts.reason"
DEPARTMENT = "projfacts.department"
EVENT_ID = "projfacts.event_id"
SOURCE = "projfacts.source"
REJECTED_AT = "projfacts.rejected_at"
CHANNEL = "projfacts.channel"  # the department whose submissions topic the record came in on
EPOCH = "projfacts.epoch"  # the facts topic's incarnation, as the relay counts them (relay.py)

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Record:
    """A consumed record, as either client library gives it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers


def fact_key(event: Event) -> bytes:
    """The project; a project-less fact (TargetSet, ReportPublished) its region, else its own id."""
    if event.project_id is not None:
        return event.project_id.encode()
    region = getattr(event.payload, "region", None)
    return (region or event.id).encode()


def key_of(stored: StoredEvent) -> bytes:
    """`fact_key` of a logged event."""
    return (stored.project_id or stored.payload.get("region") or stored.event_id).encode()


def fact_headers(position: int, project_seq: int | None) -> Headers:
    return [(POSITION, str(position).encode()), (PROJECT_SEQ, b"" if project_seq is None else str(project_seq).encode())]


def header(headers: Headers | None, name: str) -> bytes | None:
    for key, value in headers or ():
        if key == name:
            return value
    return None


class BadFact(ValueError):
    pass


def stored_event(event: Event, headers: Headers | None) -> StoredEvent:
    """A facts record (decoded value + headers) back to the event-store row it was published from."""
    raw_position = header(headers, POSITION)
    if not raw_position or not raw_position.isdigit():
        raise BadFact(f"no valid {POSITION} header (got {raw_position!r})")
    if event.recorded_at is None:
        raise BadFact("a fact without recorded_at")
    raw_seq = header(headers, PROJECT_SEQ)
    body = event.model_dump(mode="json")
    return StoredEvent(
        position=int(raw_position),
        project_seq=int(raw_seq) if raw_seq and raw_seq.isdigit() else None,
        event_id=body["event_id"], event_type=event.event_type, schema_version=event.schema_version,
        project_id=event.project_id, occurred_on=body["occurred_on"], recorded_at=body["recorded_at"],
        recorded_us=to_micros(event.recorded_at), department=event.source.department,
        system=event.source.system, payload=body["payload"], content_hash=event.content_hash(),
    )


def rejected_headers(reason: str, department: str | None, event_id: str | None, source: Record,
                     rejected_at: str) -> Headers:
    headers = [(REASON, reason.encode()), (SOURCE, f"{source.topic}/{source.partition}/{source.offset}".encode()),
               (REJECTED_AT, rejected_at.encode())]
    if department:
        headers.append((DEPARTMENT, department.encode()))
    if event_id:
        headers.append((EVENT_ID, event_id.encode()))
    return headers

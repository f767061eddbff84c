"""HTTP ingest for departments: authenticate → validate → authorise → append → project.

The same validation (`events.codec`) and authorisation as the Kafka ingest (the bus's policy.toml
through `services.ingest.authorise` and `services.ingest.rules`), narrowed to the token's department and
territory; the event store stamps `recorded_at` and dedupes by event id. Every refusal is recorded for audit and
raised as `Refused`, which names the event, the field and the reason.
"""
from __future__ import annotations

from dataclasses import dataclass

import orjson

from events.codec import validate_object
from events.envelope import Event
from events.errors import EventError
from projections.facts import fact_from_json
from projections.ledger import fold_all, visible
from projections.standing import in_force
from services.ingest.tokens import Publisher, record_refusal, verify
from services.ingest.authorise import BusPolicy, authorise_submission, load_policy, store_context
from services.ingest.rules import authorise, authorise_region, region_from_code
from services.query.figures import bus_mode
from services.readmodel.sql import catch_up
from services.log.store import AppendOutcome, EventStore, StoredEvent, now_local, to_micros


@dataclass
class Refused(Exception):
    status: int
    reason: str
    field: str | None = None
    event_id: str | None = None

    def body(self) -> dict:
        return {"event_id": self.event_id, "field": self.field, "reason": self.reason}


def _peek(body: bytes) -> dict:
    """Whatever identifies the event, read leniently, for the refusal record."""
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(obj, dict):
        return {}
    return {k: obj.get(k) if isinstance(obj.get(k), str) else None for k in ("event_id", "event_type", "project_id")}


def registered_region(store: EventStore, project_id: str) -> str | None:
    """The region of the project's registration in force today (else its latest), from the log."""
    stored = list(store.read_project(project_id))
    facts = [fact_from_json(e.position, e.to_json(), e.recorded_us) for e in stored]
    current = [f for f in visible(fold_all(facts), to_micros(now_local())) if f.event_type == "ProjectRegistered"]
    if not current:
        return None
    chosen = in_force(current, now_local().date()) or max(current, key=lambda f: f.version_order)
    return chosen.data["region"]


def _territory_refusal(store: EventStore, event: Event, publisher: Publisher,
                       retracted: StoredEvent | None) -> tuple[str, str] | None:
    """(field, reason) when the event is about a place outside the publisher's territory."""
    scope = publisher.territory
    if event.project_id is None:  # TargetSet, ReportPublished, or the retraction of one
        if hasattr(event.payload, "region"):
            reason = authorise_region(event.payload.region, scope)
            return ("payload.region", reason) if reason else None
        region = retracted.payload.get("region") if retracted else None
        reason = authorise_region(region, scope)
        return ("payload.retracted_event_id", reason) if reason else None
    known = registered_region(store, event.project_id)
    if event.event_type == "ProjectRegistered":
        reason = authorise_region(event.payload.region, scope)
        if reason:
            return "payload.region", reason
        if known is not None and (reason := authorise_region(known, scope)):
            return "project_id", f"project registered in {known}: {reason}"
        return None
    reason = authorise_region(known or region_from_code(event.project_id), scope)
    return ("project_id", reason) if reason else None


def _authorisation_refusal(store: EventStore, event: Event, publisher: Publisher,
                           policy: BusPolicy) -> tuple[str, str] | None:
    """(field, reason) when the publisher may not write this event: the token's department must be
    the event's; then the bus's rules (services.ingest.authorise, the same code the Kafka ingest runs);
    then the token's territory."""
    department = publisher.department
    if event.source.department != department:
        return "source.department", (f"source.department {event.source.department!r} "
                                     f"is not the token's department {department!r}")
    context = store_context(store.engine, [event], policy)
    target = None
    if event.event_type == "EventRetracted":
        target = store.get(str(event.payload.retracted_event_id))
        if reason := authorise(event, department, policy.rules,
                               retracted=context.retracted(str(event.payload.retracted_event_id))):
            return "payload.retracted_event_id", reason
    elif reason := authorise(event, department, policy.rules):
        return "event_type", reason
    if reason := authorise_submission(event, policy, context):
        return ("payload.region" if hasattr(event.payload, "region") else "project_id"), reason
    return _territory_refusal(store, event, publisher, target)


def ingest(store: EventStore, token: str | None, body: bytes, client: str | None = None,
           policy: BusPolicy | None = None) -> dict:
    """Append one event sent by a department; returns the outcome, or raises Refused (recorded).
    `policy`: the bus's (policy.toml, or $PROJFACTS_BUS_POLICY) unless given."""
    seen = _peek(body)

    def refuse(status: int, reason: str, field: str | None, publisher: Publisher | None = None,
               event_id: str | None = None) -> Refused:
        event_id = event_id or seen.get("event_id")
        record_refusal(store, status, reason, publisher=publisher, event_id=event_id,
                       event_type=seen.get("event_type"), project_id=seen.get("project_id"), field=field, client=client)
        return Refused(status, reason, field, event_id)

    publisher = verify(store, token)
    if publisher is None:
        raise refuse(401, "missing, unknown or revoked token" if token else "missing bearer token", "Authorization")
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise refuse(400, f"not valid JSON: {exc}", None, publisher) from None
    try:
        event = validate_object(obj)
    except EventError as error:
        raise refuse(422, error.reason, error.field, publisher, error.event_id) from None
    refusal = _authorisation_refusal(store, event, publisher, policy or load_policy())
    if refusal:
        raise refuse(403, refusal[1], refusal[0], publisher, event.id)
    result = store.append([event])
    outcome = result.outcomes[0]
    if outcome is AppendOutcome.REJECTED:
        error = result.reasons[0]
        raise refuse(409 if error.field == "event_id" else 422, error.reason, error.field, publisher, event.id)
    if bus_mode() == "inprocess":
        catch_up(store)
    stored = store.get(event.id)
    return {"event_id": event.id, "outcome": outcome.value, "position": stored.position,
            "recorded_at": stored.recorded_at}

"""The HTTP door for departments: authenticate (before the body is read) → read → validate → the
accept path.

The token names the publisher (department and territory, `services.ingest.tokens`); the event is
validated (`events.codec`) and handed to the same accept path as every other door
(`services.ingest.accept`: authorise → append → tell the bus). Every refusal is recorded for audit
and raised as `Refused`, which names the event, the field and the reason.
"""
from __future__ import annotations

from dataclasses import dataclass

import orjson

from events.codec import validate_object
from events.errors import EventError
from services.ingest.accept import Acceptor, Outcome, Unavailable
from services.ingest.authorise import Publisher
from services.ingest.tokens import record_refusal, verify

STATUS = {Outcome.UNAUTHORISED: 403, Outcome.CONFLICT: 409, Outcome.INVALID: 422}


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


def authenticate(acceptor: Acceptor, token: str | None, client: str | None = None,
                 request: str | None = None) -> Publisher:
    """The publisher a department token stands for, else Refused 401 (recorded) — decided before
    the body is read, so the refusal names no event."""
    publisher = verify(acceptor.events, token)
    if publisher is None:
        reason = "missing, unknown or revoked token" if token else "missing bearer token"
        record_refusal(acceptor.events, 401, reason, field="Authorization", client=client, request=request)
        raise Refused(401, reason, "Authorization")
    return publisher


def ingest(acceptor: Acceptor, token: str | None, body: bytes, client: str | None = None,
           publisher: Publisher | None = None) -> dict:
    """Append one event sent by a department (`publisher`: already authenticated, else by `token`);
    returns the outcome, or raises Refused (recorded)."""
    store = acceptor.events
    seen = _peek(body)

    def refuse(status: int, reason: str, field: str | None, publisher: Publisher | None = None,
               event_id: str | None = None) -> Refused:
        event_id = event_id or seen.get("event_id")
        record_refusal(store, status, reason, publisher=publisher, event_id=event_id,
                       event_type=seen.get("event_type"), project_id=seen.get("project_id"), field=field, client=client)
        return Refused(status, reason, field, event_id)

    publisher = publisher or verify(store, token)
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
    try:
        (verdict,) = acceptor.submit([event], [publisher])
    except Unavailable as error:
        raise Refused(503, f"the store is unavailable, nothing was appended; try again: {error}") from None
    if not verdict.accepted:
        raise refuse(STATUS[verdict.outcome], verdict.reason or "", verdict.field, publisher, event.id)
    stored = store.get(event.id)
    return {"event_id": event.id, "outcome": verdict.outcome.value, "position": stored.position,
            "recorded_at": stored.recorded_at}

"""One registry maps (event_type, schema_version) to its pydantic model and Avro schema.

Old events stay readable forever: an upcaster turns a vN payload into vN+1, and the chain
runs on read, so projections only ever see the latest version of each type.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

from pydantic import create_model

from events.catalogue import CATALOGUE_V1, CATALOGUE_V2, UPCASTERS_V1, Payload
from events.envelope import Event
from events.errors import EventError

Upcaster = Callable[[dict], dict]


@dataclass(frozen=True)
class EventSchema:
    event_type: str
    version: int
    payload_model: type[Payload]
    event_model: type[Event]


def _event_model(event_type: str, version: int, payload_model: type[Payload]) -> type[Event]:
    return create_model(
        f"{event_type}V{version}",
        __base__=Event,
        __doc__=payload_model.__doc__,
        event_type=(Literal[event_type], ...),  # type: ignore[valid-type]
        schema_version=(Literal[version], ...),  # type: ignore[valid-type]
        payload=(payload_model, ...),
    )


class Registry:
    def __init__(self) -> None:
        self._schemas: dict[tuple[str, int], EventSchema] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self.latest: dict[str, int] = {}

    def register(self, event_type: str, version: int, payload_model: type[Payload]) -> EventSchema:
        schema = EventSchema(event_type, version, payload_model, _event_model(event_type, version, payload_model))
        self._schemas[(event_type, version)] = schema
        self.latest[event_type] = max(version, self.latest.get(event_type, 0))
        return schema

    def add_upcaster(self, event_type: str, from_version: int, upcaster: Upcaster) -> None:
        """`upcaster(payload of from_version) -> payload of from_version + 1`."""
        if (event_type, from_version + 1) not in self._schemas:
            raise ValueError(f"{event_type} v{from_version + 1} is not registered")
        self._upcasters[(event_type, from_version)] = upcaster

    def schemas(self) -> list[EventSchema]:
        return [self._schemas[key] for key in sorted(self._schemas)]

    def get(self, event_type: object, version: object, event_id: str | None = None) -> EventSchema:
        if not isinstance(event_type, str) or event_type not in self.latest:
            raise EventError(f"unknown event type {event_type!r}", field="event_type", event_id=event_id)
        if isinstance(version, bool) or not isinstance(version, int):
            raise EventError(f"must be an integer ≥ 1, got {version!r}", field="schema_version", event_id=event_id)
        schema = self._schemas.get((event_type, version))
        if schema is None:
            known = sorted(v for t, v in self._schemas if t == event_type)
            raise EventError(
                f"unknown schema version {version} of {event_type} (known: {known})",
                field="schema_version",
                event_id=event_id,
            )
        return schema

    def older_versions(self) -> list[tuple[str, int]]:
        """(event_type, version) of every registered version older than its type's latest."""
        return sorted((t, v) for t, v in self._schemas if v < self.latest[t])

    def upcasters_from(self, event_type: str, version: int) -> list[Upcaster]:
        """The chain that raises a `version` payload of `event_type` to the latest version."""
        return [self._upcasters[(event_type, v)] for v in range(version, self.latest.get(event_type, version))]

    def upcast(self, obj: dict) -> dict:
        """Raise a raw event object to the latest version of its type (a new dict when changed)."""
        event_type, version = obj["event_type"], obj["schema_version"]
        latest = self.latest.get(event_type, version)
        if version == latest:
            return obj
        payload = obj["payload"]
        while version < latest:
            payload = self._upcasters[(event_type, version)](dict(payload))
            version += 1
        return {**obj, "schema_version": version, "payload": payload}


def default_registry() -> Registry:
    """The catalogue: every v1 model (CONTRACT §2, §5's new types) and §5's v2 models, each v2 read
    from v1 through its upcaster (a v1 event stays valid forever)."""
    registry = Registry()
    for event_type, payload_model in CATALOGUE_V1.items():
        registry.register(event_type, 1, payload_model)
    for event_type, payload_model in CATALOGUE_V2.items():
        registry.register(event_type, 2, payload_model)
        registry.add_upcaster(event_type, 1, UPCASTERS_V1[event_type])
    return registry


REGISTRY = default_registry()

"""The one error a bad event raises: it names the event, the field and the reason."""
from __future__ import annotations


class EventError(ValueError):
    """A refused event. `event_id` is None when it could not be read."""

    def __init__(self, reason: str, *, field: str | None = None, event_id: str | None = None):
        self.reason = reason
        self.field = field
        self.event_id = event_id
        super().__init__(self.describe())

    def describe(self) -> str:
        who = f"event {self.event_id}" if self.event_id else "event (id unreadable)"
        where = f" field {self.field}:" if self.field else ""
        return f"{who}:{where} {self.reason}"

"""Event models: the envelope, one payload model per event type, the registry and codecs.

The catalogue (CONTRACT.md §2) lives in `catalogue.py`; `registry.py` maps
(`event_type`, `schema_version`) to the pydantic model and the Avro schema; `codec.py`
turns JSON lines into validated events with errors that name the event, field and reason.
"""
from events.envelope import Event, Source
from events.errors import EventError

__all__ = ["Event", "EventError", "Source"]

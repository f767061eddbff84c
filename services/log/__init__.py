"""The event store: the system of record. Append-only, one global position, SQLAlchemy 2."""
from services.log.store import AppendOutcome, AppendResult, EventStore, PreparedEvent, StoredEvent, prepare
from services.log.engine import default_url, make_engine

__all__ = ["AppendOutcome", "AppendResult", "EventStore", "PreparedEvent", "StoredEvent", "prepare", "default_url", "make_engine"]

"""The in-process bus (the embedded default): the relay delivers the log to the SQL read model
in the writing process, right after each append.

`InProcessSink` is the read model as a relay sink: a batch and the `embedded` checkpoint in one
transaction, so a batch delivered twice (two writers racing, a crash between append and
projection) is taken once. When the read model is far behind — a history import into an empty
store — the bus rebuilds it with replay (set-based, several times faster than fact by fact).
"""
from __future__ import annotations

from typing import Sequence

from services.bus.relay import Relay
from services.log.store import EventStore, StoredEvent
from services.readmodel.sql import EMBEDDED
from services.readmodel.store import SqlReadModel

# Behind by at least this many facts, and by more than the model holds: rebuild instead.
BULK_FROM = 100_000


class InProcessSink:
    """The read model as the relay's sink: a batch and the `embedded` checkpoint in one transaction."""

    def __init__(self, events: EventStore, name: str = EMBEDDED):
        self.model, self.name = SqlReadModel(events.engine), name

    def resume_after(self) -> int:
        return self.model.checkpoint(self.name)

    def take(self, batch: Sequence[StoredEvent]) -> None:
        self.model.apply(batch, self.name)


class InProcessBus:
    """`appended()` after every append: the read model catches up with the log."""

    def __init__(self, events: EventStore, batch: int = 5000, bulk_from: int = BULK_FROM, progress: bool = False):
        self.events = events
        self.relay = Relay(events, InProcessSink(events), batch)
        self.bulk_from, self.progress = bulk_from, progress

    def appended(self) -> int:
        """Project what the log holds beyond the read model; how many facts that was."""
        behind = self.events.head() - self.relay.sink.resume_after()
        if behind >= self.bulk_from and behind > self.relay.sink.resume_after():
            from services.readmodel.replay import replay

            # the facts were appended by this very writer a moment ago: no need to re-check the log
            return replay(self.events, fresh=True, progress=self.progress, verify=False).events
        return self.relay.catch_up()


def catch_up(events: EventStore, batch: int = 5000) -> int:
    """Project, fact by fact, whatever the log holds beyond the embedded read model; how many facts."""
    return Relay(events, InProcessSink(events), batch).catch_up()

"""The in-process bus (the embedded default): the relay delivers the log to the SQL read model
in the writing process, right after each append.

`InProcessSink` is the read model as a relay sink: a batch and the `embedded` checkpoint in one
transaction, so a batch delivered twice (two writers racing, a crash between append and
projection) is taken once. When the read model is far behind — a history import into an empty
store — the bus rebuilds it with replay (set-based, several times faster than fact by fact).
"""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Callable, Iterator, Sequence

from services.bus.relay import Relay
from services.log.store import EventStore, StoredEvent
from services.readmodel.sql import EMBEDDED
from services.readmodel.store import SqlReadModel

log = logging.getLogger("projfacts.bus")

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

    def __init__(self, events: EventStore, batch: int = 5000, bulk_from: int = BULK_FROM, progress: bool = False,
                 replay_batch: int | None = None):
        self.events = events
        self.relay = Relay(events, InProcessSink(events), batch)
        self.bulk_from, self.progress = bulk_from, progress
        self.replay_batch = replay_batch  # None: replay's own
        self._followed = False  # a follower rebuilt the read model behind the last import: swap it in
        self._follower = None

    def appended(self) -> int:
        """Project what the log holds beyond the read model; how many facts that was."""
        from services.readmodel.replay import BATCH, replay

        batch = self.replay_batch or BATCH
        if self._followed:  # the shadows hold the log up to its head: replay only swaps them in
            self._followed = False
            return replay(self.events, fresh=False, progress=self.progress, verify=False, batch=batch).events
        behind = self.events.head() - self.relay.sink.resume_after()
        if behind >= self.bulk_from and behind > self.relay.sink.resume_after():
            # the facts were appended by this very writer a moment ago: no need to re-check the log
            return replay(self.events, fresh=True, progress=self.progress, verify=False, batch=batch).events
        return self.relay.catch_up()

    @contextmanager
    def following(self) -> Iterator[Callable[[], None] | None]:
        """Around a large history import: when the read model holds nothing yet, a replay follows
        the import in its own process (`services.readmodel.replay.follow`) and the next
        `appended()` only swaps its shadows in. Yields the tick to call after each committed
        transaction, or None (the read model holds facts: it is caught up after the import as
        usual). The follower failing never fails the import: the read model is then rebuilt after it."""
        if self.relay.sink.resume_after() != 0:
            yield None
            return
        from services.readmodel.replay import BATCH

        engine = self.events.engine
        # Forked, not spawned: the child has every module already (a spawned one spent ~0.8 s of the
        # importer's CPU importing them). It must inherit no open connection (SQLite's per-process
        # lock bookkeeping, a PostgreSQL socket): the pool is emptied first, and the parent reconnects.
        fork = engine.pool.checkedout() == 0
        if fork:
            engine.dispose()
        context = get_context("fork" if fork else "spawn")
        ticks, sender = context.Pipe(duplex=False)
        url = engine.url.render_as_string(hide_password=False)
        follower = context.Process(target=_follow, args=(url, ticks, sender if fork else None,
                                                         self.replay_batch or BATCH, os.getpid()),
                                   name="projfacts-follow", daemon=True)
        follower.start()
        ticks.close()
        self._follower = follower

        def tick(message: bool | None = True) -> None:
            try:
                sender.send(message)
            except OSError:  # the follower has stopped: the read model is rebuilt after the import
                pass

        try:
            yield tick
            tick(None)
            follower.join()
        finally:
            if follower.is_alive():  # the import failed: the follower's plan is discarded by the next replay
                follower.terminate()
                follower.join()
            sender.close()
        self._followed = follower.exitcode == 0
        if not self._followed:
            log.warning("the replay following the import stopped (exit code %s); the read model is rebuilt "
                        "after the import instead", follower.exitcode)


def _follow(url: str, ticks, sender, batch: int, parent: int) -> None:
    """The follower process: a forked one first closes its copy of the parent's end of the pipe, so
    that the parent's going is seen as the pipe's end."""
    from services.readmodel.replay import follow

    if sender is not None:
        sender.close()
    follow(url, ticks, batch, parent)


def catch_up(events: EventStore, batch: int = 5000) -> int:
    """Project, fact by fact, whatever the log holds beyond the embedded read model; how many facts."""
    return Relay(events, InProcessSink(events), batch).catch_up()

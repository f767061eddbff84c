"""The composition root: which store, which bus and which policy, from configuration, and the
objects each kind of process needs. The entry points (CLI, HTTP) get everything from here;
nothing below them reads the environment for these choices.

- `open_writer`: a process that appends (import, HTTP ingest, the submissions consumer, report
  publication, `projfacts project`): the store is created and migrated on first use; with the
  in-process bus the read model is projected right after each append.
- `open_reader`: a process that only reads (report, explain, rank, views, revisions, HTTP GETs): the
  store is opened read-only, never created, migrated or projected; a missing store is an error.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

from typing import TYPE_CHECKING

from services.log.engine import StoreError, default_url
from services.log.store import EventStore
from services.readmodel.sql import projected

if TYPE_CHECKING:  # a reader never loads the write side (the bus, the accept path)
    from services.bus.inprocess import InProcessBus
    from services.ingest.accept import Acceptor
    from services.ingest.authorise import Policy

BUSES = ("inprocess", "kafka")


@dataclass(frozen=True)
class Settings:
    db: str  # SQLAlchemy URL of the store (log and read models)
    bus: str = "inprocess"  # inprocess (embedded default) | kafka (relay, topics and workers keep the read model)
    policy: str | None = None  # publishing policy file (default: services/ingest/policy.toml)

    @classmethod
    def load(cls, db: str | None = None, environ: Mapping[str, str] = os.environ) -> "Settings":
        bus = environ.get("PROJFACTS_BUS", "inprocess")
        if bus not in BUSES:
            raise StoreError(f"PROJFACTS_BUS must be inprocess or kafka, got {bus!r}")
        return cls(db or environ.get("PROJFACTS_DB") or default_url(), bus, environ.get("PROJFACTS_BUS_POLICY"))

    def publishing_policy(self) -> "Policy":
        from services.ingest.authorise import load_policy

        return load_policy(self.policy)


@dataclass
class Writer:
    settings: Settings
    events: EventStore
    acceptor: "Acceptor"
    bus: "InProcessBus | None"  # None on Kafka: the relay process publishes from the log

    def project(self) -> int:
        """Bring the in-process read model up to the log (`projfacts project`); how many facts."""
        if self.bus is None:
            raise StoreError("PROJFACTS_BUS=kafka: the relay and the Kafka workers keep the read model "
                             "(projfacts relay, projfacts worker)")
        return self.bus.appended()

    def close(self) -> None:
        self.events.engine.dispose()


@dataclass
class Reader:
    settings: Settings
    events: EventStore  # read-only

    def held(self) -> int:
        """How many facts the read model holds (only ever grows; a rebuild holds the same ones)."""
        return projected(self.events.engine)

    def behind(self) -> int:
        """How many facts of the log the read model does not hold yet."""
        return max(0, self.events.head() - self.held())

    def behind_note(self) -> str | None:
        """One line for people when the read model is behind the log, else None."""
        behind = self.behind()
        if not behind:
            return None
        if self.settings.bus == "kafka":
            return (f"注意: 读模型比事件日志少 {behind} 条 — the Kafka workers have {behind} facts of the log "
                    f"still to project (projfacts relay and projfacts worker must be running)")
        return (f"注意: 读模型比事件日志少 {behind} 条 — the read model is {behind} facts behind the log: "
                f"run projfacts project")

    def close(self) -> None:
        self.events.engine.dispose()


def open_writer(settings: Settings, *, progress: bool = False) -> Writer:
    from services.bus.inprocess import InProcessBus
    from services.ingest.accept import Acceptor

    events = EventStore(settings.db)
    bus = InProcessBus(events, progress=progress) if settings.bus == "inprocess" else None
    acceptor = Acceptor(events, settings.publishing_policy(), bus.appended if bus else None)
    if events.migrated and bus is not None:  # a migration may have emptied the read model: rebuild it
        bus.appended()
    return Writer(settings, events, acceptor, bus)


def open_reader(settings: Settings) -> Reader:
    return Reader(settings, EventStore.reader(settings.db))

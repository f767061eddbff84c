"""The `eventsourcing` library (pyeventsourcing 9.5) projecting the same events into an equivalent
simple read model, for bench/bench_replay.py. A bench-only dependency (`pip install -e .[bench]`).

The events of a projfacts store are copied once into an eventsourcing application's PostgreSQL
recorder (one aggregate sequence per project, the contract JSON as the stored state). Then a
`ProjectionRunner` subscribes to the application and, per event, writes the same read-model row
as projfacts (`services.readmodel.sql.fact_row_of`) and the tracking record, in one transaction:

- `PostgresFactsView`: a `PostgresTrackingRecorder` with an `es_facts` table (durable);
- `MemoryFactsView`: a `POPOTrackingRecorder` holding the rows in a dict (in memory).
"""
from __future__ import annotations

import time
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent, Tracking
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from psycopg.sql import SQL, Identifier

from services.readmodel.sql import fact_row_of

TOPIC = "bench_es:ContractFact"


class ContractFact:
    """A contract event as eventsourcing's mapper rebuilds it (its JSON fields as attributes)."""

    originator_id: UUID
    originator_version: int


class ProjfactsLog(Application[UUID]):
    """The application whose recorder holds the copied events."""

    name = "ProjfactsLog"


def pg_env(dbname: str, schema: str, host: str = "127.0.0.1", port: int = 5432, user: str = "postgres",
           password: str = "") -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": dbname, "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(port), "POSTGRES_USER": user, "POSTGRES_PASSWORD": password,
        "POSTGRES_SCHEMA": schema, "POSTGRES_POOL_SIZE": "4",
    }


def copy_events(rows, env: dict[str, str], batch: int = 5000) -> int:
    """Copy (position, project_seq, event JSON) rows into the application's recorder, in log order."""
    app = ProjfactsLog(env=env)
    pending: list[StoredEvent] = []
    count = 0
    for project_seq, obj in rows:
        project = obj["project_id"]
        originator = uuid5(NAMESPACE_URL, f"projfacts:{project}" if project else f"projfacts:{obj['event_id']}")
        pending.append(StoredEvent(originator_id=originator, originator_version=project_seq or 1,
                                   topic=TOPIC, state=orjson.dumps(obj)))
        if len(pending) >= batch:
            app.recorder.insert_events(pending)
            count += len(pending)
            pending = []
    if pending:
        app.recorder.insert_events(pending)
        count += len(pending)
    app.close()
    return count


def _row(event: Any, tracking: Tracking) -> dict:
    state = event.__dict__
    return fact_row_of(tracking.notification_id, state["event_id"], state["event_type"], state["schema_version"],
                       state["project_id"], state["occurred_on"], 0, state["source"]["department"],
                       state["payload"])


class PostgresFactsView(PostgresTrackingRecorder):
    """The read model in PostgreSQL: one row per event, written with its tracking record."""

    COLUMNS = ("position", "event_id", "event_type", "project_id", "occurred_on", "recorded_us", "department",
               "retracts", "year", "month", "payload")

    def __init__(self, datastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        schema = Identifier(self.datastore.schema)
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {0}.es_facts (position bigint PRIMARY KEY, event_id text NOT NULL, "
            "event_type text NOT NULL, project_id text, occurred_on text NOT NULL, recorded_us bigint NOT NULL, "
            "department text NOT NULL, retracts text, year int, month int, payload text NOT NULL)").format(schema))
        self.insert_fact_statement = SQL("INSERT INTO {0}.es_facts VALUES ({1})").format(
            schema, SQL(", ").join(SQL("%s") for _ in self.COLUMNS))

    def insert_fact(self, row: dict, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.insert_fact_statement, [row[c] for c in self.COLUMNS], prepare=True)
            self._insert_tracking(curs, tracking)


class MemoryFactsView(POPOTrackingRecorder):
    """The read model in memory: rows in a dict, written with the tracking record under one lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: dict[int, dict] = {}

    def insert_fact(self, row: dict, tracking: Tracking) -> None:
        with self._database_lock:
            self._assert_tracking_uniqueness(tracking)
            self.rows[row["position"]] = row
            self._insert_tracking(tracking)


class FactsProjection(Projection[Any]):
    name = "es_facts"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        self.view.insert_fact(_row(domain_event, tracking), tracking)


def project(env: dict[str, str], view: str, expected: int, timeout: float = 7200) -> float:
    """Run a ProjectionRunner until the view has tracked `expected` notifications; returns seconds."""
    view_env = dict(env)
    if view == "memory":
        view_env["ES_FACTS_PERSISTENCE_MODULE"] = "eventsourcing.popo"
    view_class = MemoryFactsView if view == "memory" else PostgresFactsView
    started = time.perf_counter()
    with ProjectionRunner(application_class=ProjfactsLog, projection_class=FactsProjection,
                          view_class=view_class, env=view_env) as runner:
        runner.wait(expected, timeout=timeout)
        seconds = time.perf_counter() - started
        if view == "memory":
            assert len(runner.view.rows) == expected, (len(runner.view.rows), expected)
    return seconds

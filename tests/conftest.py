"""Fixtures every test may use: a fresh store URL per test, on SQLite or PostgreSQL.

`pg_url` gives each test its own schema in the database `test` (dropped afterwards); when the
server cannot be reached the test is skipped, or fails when `CI` is set. Event dicts for tests
come from `tests/helpers.py` (`from helpers import event`), also offered as `make_event`.
"""
from __future__ import annotations

import os
import uuid

import psycopg
import pytest

import helpers

PG_DSN = os.environ.get("PROJFACTS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL not reachable at {PG_DSN}: {exc}".strip()
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture
def pg_url():
    """An SQLAlchemy URL whose search_path is a fresh schema, dropped (CASCADE) after the test."""
    admin = _pg_admin()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    base = PG_DSN.split("://", 1)[1]
    # application_name tags the test's own sessions, so that leftovers can be ended before the drop.
    yield f"postgresql+psycopg://{base}?options=-csearch_path%3D{schema}&application_name={schema}"
    try:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name = %s AND pid <> pg_backend_pid()", (schema,))
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        admin.close()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"),
                        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)])
def store_url(request):
    """Each test using it runs once per backend: SQLite file, then a PostgreSQL schema."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def make_event():
    """`helpers.event`: a valid contract event dict with defaults and overrides."""
    return helpers.event


# ---- the Kafka broker (tansu, started once per session when a test asks for it) ------------------
@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory):
    from services.bus import broker as tansu

    log = tmp_path_factory.mktemp("tansu") / "broker.log"
    started = tansu.start(log_path=log, tied=True)  # gone even if the session is killed
    yield started
    tansu.stop_pid(started.pid)


@pytest.fixture
def bus(kafka_broker):
    """Fresh topics and groups for one test."""
    from services.bus.config import BusConfig
    from services.bus.topics import ensure_topics

    tag = uuid.uuid4().hex[:8]
    config = BusConfig(bootstrap=kafka_broker.bootstrap, submissions_prefix=f"{tag}.submissions",
                       facts_topic=f"{tag}.facts", rejected_topic=f"{tag}.rejected", partitions=6,
                       ingest_group=f"{tag}-ingest", worker_group=f"{tag}-projector", batch_wait_ms=100)
    ensure_topics(config)
    return config

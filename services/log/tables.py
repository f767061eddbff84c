"""The log's tables, and the one `metadata` every table of the database is declared on.

The migrations (services/log/migrations) create every table of the database — the log's, the read
models' (services/readmodel/tables.py) and the ingest's (services/ingest/tables.py); a test checks
that the migrated database and these definitions agree."""
from __future__ import annotations

from sqlalchemy import (
    DDL, BigInteger, Column, Index, Integer, LargeBinary, MetaData, String, Table, Text, UniqueConstraint, event, text,
)

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("project_id", String(64), nullable=True),
    Column("project_seq", Integer, nullable=True),
    Column("occurred_on", String(10), nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("recorded_us", BigInteger, nullable=False),
    Column("department", String(64), nullable=False),
    Column("system", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    UniqueConstraint("event_id", name="uq_events_event_id"),
    UniqueConstraint("project_id", "project_seq", name="uq_events_project_seq"),
    Index("ix_events_recorded_us", "recorded_us"),
)

# ---- the relay (services/bus/relay.py): how far each relay has published the log ---------------
relay_checkpoints = Table(
    "relay_checkpoints",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

"""Table definitions used by queries. The migrations in services/migrations create them;
a test checks that the migrated database and these definitions agree."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

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

# ---- read models (disposable: rebuilt from the log) ------------------------------------------
facts = Table(
    "facts",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("project_id", String(64), nullable=True),
    Column("occurred_on", String(10), nullable=False),
    Column("recorded_us", BigInteger, nullable=False),
    Column("department", String(64), nullable=False),
    Column("retracts", String(36), nullable=True),
    Column("year", Integer, nullable=True),
    Column("month", Integer, nullable=True),
    Column("payload", Text, nullable=False),
    Index("ix_facts_project", "project_id"),
    Index("ix_facts_type_year", "event_type", "year"),
    Index("ix_facts_retracts", "retracts"),
)

project_regions = Table(
    "project_regions",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("region", String(6), primary_key=True),
    Index("ix_project_regions_region", "region"),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

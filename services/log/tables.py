"""Table definitions used by queries. The migrations in services/migrations create them;
a test checks that the migrated database and these definitions agree."""
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
    # only retractions have a target: the index holds them alone (an equality implies NOT NULL)
    Index("ix_facts_retracts", "retracts", sqlite_where=text("retracts IS NOT NULL"),
          postgresql_where=text("retracts IS NOT NULL")),
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

# ---- replay (services/replay.py): the read models rebuilt beside the live ones, then swapped in --
# Same columns and primary keys as `facts` and `project_regions`; their secondary indexes are
# built just before the swap, so that the bulk load does not maintain them row by row.
facts_shadow = Table(
    "facts_shadow",
    metadata,
    *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, autoincrement=False)
      for c in facts.columns),
)

project_regions_shadow = Table(
    "project_regions_shadow",
    metadata,
    *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable) for c in project_regions.columns),
)

replays = Table(
    "replays",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("workers", Integer, nullable=False),
    Column("target", BigInteger, nullable=False),
    Column("started_at", String(40), nullable=False),
)

# ---- HTTP ingest: department tokens (hashed) and refused writes (audit) -----------------------
department_tokens = Table(
    "department_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("token_id", String(12), nullable=False),
    Column("department", String(64), nullable=False),
    Column("territory", String(6), nullable=False),
    Column("label", String(200), nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
    UniqueConstraint("token_id", name="uq_department_tokens_token_id"),
)

ingest_refusals = Table(
    "ingest_refusals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("status", Integer, nullable=False),
    Column("department", String(64), nullable=True),
    Column("token_id", String(12), nullable=True),
    Column("event_id", String(64), nullable=True),
    Column("event_type", String(64), nullable=True),
    Column("project_id", String(64), nullable=True),
    Column("field", String(200), nullable=True),
    Column("reason", Text, nullable=False),
    Column("client", String(64), nullable=True),
    Index("ix_ingest_refusals_at_us", "at_us"),
)

# ---- the figure columns (projections/columns.py): figures for a whole province at once ----------
# `labels` gives the texts the columns compare (project ids, townships, problem ids) stable integer
# keys; it only grows, and replay keeps it (a key never changes meaning). `figure_chunks` holds the
# columns in chunks (numpy arrays, `Columns.to_bytes`), keyed by their first log position.
labels = Table(
    "labels",
    metadata,
    Column("key", Integer, primary_key=True, autoincrement=True),
    Column("text", String(200), nullable=False),
    UniqueConstraint("text", name="uq_labels_text"),
)

figure_chunks = Table(
    "figure_chunks",
    metadata,
    Column("first_position", BigInteger, primary_key=True, autoincrement=False),
    Column("rows", Integer, nullable=False),
    Column("token", String(32), nullable=False),  # names this content for good (readers cache by it)
    Column("data", LargeBinary, nullable=False),
)

figure_chunks_shadow = Table(
    "figure_chunks_shadow",
    metadata,
    *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, autoincrement=False)
      for c in figure_chunks.columns),
)

# PostgreSQL: a chunk is dense numbers, which compression barely shrinks: stored out of line as is,
# it is written and read without pglz (a rebuild writes ~20 MB of them per million facts).
CHUNK_STORAGE = "ALTER TABLE {} ALTER COLUMN data SET STORAGE EXTERNAL"
for _chunks in (figure_chunks, figure_chunks_shadow):
    event.listen(_chunks, "after_create", DDL(CHUNK_STORAGE.format(_chunks.name)).execute_if(dialect="postgresql"))

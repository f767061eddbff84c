"""The read models' tables: disposable, rebuilt from the log (`projfacts replay`)."""
from __future__ import annotations

from sqlalchemy import (
    DDL, BigInteger, Column, Index, Integer, LargeBinary, String, Table, Text, UniqueConstraint, event, text,
)

from services.log.tables import metadata

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

# Facts the log holds that could not be projected (services/readmodel/sql.py `park`): listed with
# their reason (`projfacts parked`), counted as taken so that the model is not "behind" for ever.
parked_facts = Table(
    "parked_facts",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("project_id", String(64), nullable=True),
    Column("reason", Text, nullable=False),
    Column("parked_at", String(40), nullable=False),
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

# ---- replay (services/readmodel/replay/): the read models rebuilt beside the live ones, then swapped in --
# Same columns and primary keys as `facts` and `project_regions`; their secondary indexes are
# built just before the swap, so that the bulk load does not maintain them row by row — but for
# the retractions' (a few per thousand facts), which each window probes for its late retractions;
# the swap drops it (SHADOW_ONLY_INDEXES) before the shadow becomes `facts`.
facts_shadow = Table(
    "facts_shadow",
    metadata,
    *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, autoincrement=False)
      for c in facts.columns),
    Index("ix_facts_shadow_retracts", "retracts", sqlite_where=text("retracts IS NOT NULL"),
          postgresql_where=text("retracts IS NOT NULL")),
)
SHADOW_ONLY_INDEXES = tuple(sorted(index.name for index in facts_shadow.indexes))

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

# ---- the figure columns (projections/figures/columns.py): figures for a whole province at once ----------
# `labels` gives the texts the columns compare (project ids, townships, problem ids) stable integer
# keys; it only grows, and replay keeps it (a key never changes meaning). `figure_chunks` holds the
# columns in chunks (numpy arrays, `Columns.to_bytes`), keyed by their greatest log position.
labels = Table(
    "labels",
    metadata,
    Column("key", Integer, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),
    UniqueConstraint("text", name="uq_labels_text"),
)

MIXED = -1  # figure_chunks.year of a chunk of every year

figure_chunks = Table(
    "figure_chunks",
    metadata,
    # the payload year of every row (0: rows that name no year; MIXED: a chunk written before chunks
    # were kept by year — read by every report, split by year at its next merge)
    Column("year", Integer, primary_key=True, autoincrement=False, server_default=str(MIXED)),
    # the greatest log position of the batch (or merged chunks) that wrote it: a batch always holds
    # facts no other batch holds, and a retraction's row for a later target sits below them
    Column("last_position", BigInteger, primary_key=True, autoincrement=False),
    Column("rows", Integer, nullable=False),
    Column("token", String(32), nullable=False),  # names this content for good (readers cache by it)
    Column("data", LargeBinary, nullable=False),
)

figure_chunks_shadow = Table(
    "figure_chunks_shadow",
    metadata,
    *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, autoincrement=False,
             server_default=c.server_default.arg if c.server_default is not None else None)
      for c in figure_chunks.columns),
)

# PostgreSQL: a chunk is dense numbers, which compression barely shrinks: stored out of line as is,
# it is written and read without pglz (a rebuild writes ~20 MB of them per million facts).
CHUNK_STORAGE = "ALTER TABLE {} ALTER COLUMN data SET STORAGE EXTERNAL"
for _chunks in (figure_chunks, figure_chunks_shadow):
    event.listen(_chunks, "after_create", DDL(CHUNK_STORAGE.format(_chunks.name)).execute_if(dialect="postgresql"))

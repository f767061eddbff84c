"""The ingest's tables: department tokens, reader tokens and their sessions, and the one audit of
refused requests (writes and reads)."""
from __future__ import annotations

from sqlalchemy import (
    DDL, BigInteger, Column, Index, Integer, LargeBinary, String, Table, Text, UniqueConstraint, event, text,
)

from services.log.tables import metadata

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
    Column("request", String(400), nullable=True),  # a refused read: "GET /v1/report?region=1405" (0010)
    Column("role", String(16), nullable=True),  # a reader token's role (0010)
    Index("ix_ingest_refusals_at_us", "at_us"),
)

# ---- who may read (migration 0010): reader tokens (hashed) and the dashboard's sessions (hashed) -
reader_tokens = Table(
    "reader_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("token_id", String(12), nullable=False),
    Column("role", String(16), nullable=False),  # reader | statistician | admin
    Column("territory", String(6), nullable=False),  # region code prefix; "" everywhere (admin only)
    Column("township", String(100), nullable=True),  # a township of a 6-digit territory, by its name
    Column("label", String(200), nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
    UniqueConstraint("token_id", name="uq_reader_tokens_token_id"),
)

reader_sessions = Table(
    "reader_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("token_id", String(12), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_us", BigInteger, nullable=False),
    Column("ended_at", String(40), nullable=True),
    Index("ix_reader_sessions_token_id", "token_id"),
)

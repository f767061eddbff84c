"""The ingest's tables: department tokens and the audit of refused writes."""
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
    Index("ix_ingest_refusals_at_us", "at_us"),
)

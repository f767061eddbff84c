"""HTTP ingest: department tokens (stored hashed) and the audit of refused writes.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "department_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.String(12), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("territory", sa.String(6), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40), nullable=True),
        sa.UniqueConstraint("token_id", name="uq_department_tokens_token_id"),
    )
    op.create_table(
        "ingest_refusals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("department", sa.String(64), nullable=True),
        sa.Column("token_id", sa.String(12), nullable=True),
        sa.Column("event_id", sa.String(64), nullable=True),
        sa.Column("event_type", sa.String(64), nullable=True),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("field", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("client", sa.String(64), nullable=True),
    )
    op.create_index("ix_ingest_refusals_at_us", "ingest_refusals", ["at_us"])


def downgrade() -> None:
    op.drop_index("ix_ingest_refusals_at_us", table_name="ingest_refusals")
    op.drop_table("ingest_refusals")
    op.drop_table("department_tokens")

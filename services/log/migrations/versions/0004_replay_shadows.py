"""Replay: shadow read models (rebuilt beside the live ones, then swapped in) and the replay plan.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "facts_shadow",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("occurred_on", sa.String(10), nullable=False),
        sa.Column("recorded_us", sa.BigInteger, nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("retracts", sa.String(36), nullable=True),
        sa.Column("year", sa.Integer, nullable=True),
        sa.Column("month", sa.Integer, nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_table(
        "project_regions_shadow",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("region", sa.String(6), primary_key=True),
    )
    op.create_table(
        "replays",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("workers", sa.Integer, nullable=False),
        sa.Column("target", sa.BigInteger, nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("replays")
    op.drop_table("project_regions_shadow")
    op.drop_table("facts_shadow")

"""The event log.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("project_seq", sa.Integer, nullable=True),
        sa.Column("occurred_on", sa.String(10), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("recorded_us", sa.BigInteger, nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("system", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("event_id", name="uq_events_event_id"),
        sa.UniqueConstraint("project_id", "project_seq", name="uq_events_project_seq"),
    )
    op.create_index("ix_events_recorded_us", "events", ["recorded_us"])


def downgrade() -> None:
    op.drop_index("ix_events_recorded_us", table_name="events")
    op.drop_table("events")

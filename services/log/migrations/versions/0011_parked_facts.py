"""Parked facts (issue 15.1): facts the log holds that could not be projected, with their reason,
so that one of them never stops a worker, the in-process bus or a read (services/readmodel/sql.py).

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parked_facts",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("parked_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("parked_facts")

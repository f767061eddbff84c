"""Read model for figures and views: facts with their recorded time, project regions, checkpoints.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "facts",
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
    op.create_index("ix_facts_project", "facts", ["project_id"])
    op.create_index("ix_facts_type_year", "facts", ["event_type", "year"])
    op.create_index("ix_facts_retracts", "facts", ["retracts"])
    op.create_table(
        "project_regions",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("region", sa.String(6), primary_key=True),
    )
    op.create_index("ix_project_regions_region", "project_regions", ["region"])
    op.create_table(
        "checkpoints",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("checkpoints")
    op.drop_index("ix_project_regions_region", table_name="project_regions")
    op.drop_table("project_regions")
    op.drop_index("ix_facts_retracts", table_name="facts")
    op.drop_index("ix_facts_type_year", table_name="facts")
    op.drop_index("ix_facts_project", table_name="facts")
    op.drop_table("facts")

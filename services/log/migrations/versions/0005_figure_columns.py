"""The figure columns: `labels`, `figure_chunks` and its replay shadow.

The columns are a read model derived from `facts`; an existing read model is emptied (facts,
project_regions, every projector's checkpoint) so that the projectors rebuild it — columns
included — from the log on their next run (`projfacts report` does it in the embedded default;
Kafka workers start again from their topics' first offsets, or run `projfacts replay`).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _chunks(name: str) -> None:
    op.create_table(
        name,
        sa.Column("first_position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def upgrade() -> None:
    op.create_table(
        "labels",
        sa.Column("key", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("text", sa.String(200), nullable=False),
        sa.UniqueConstraint("text", name="uq_labels_text"),
    )
    _chunks("figure_chunks")
    _chunks("figure_chunks_shadow")
    for table in ("facts", "project_regions", "checkpoints", "facts_shadow", "project_regions_shadow", "replays"):
        op.execute(f"DELETE FROM {table}")


def downgrade() -> None:
    op.drop_table("figure_chunks_shadow")
    op.drop_table("figure_chunks")
    op.drop_table("labels")

"""Figure columns for Part two (CONTRACT §5–§6): a column of categories, wider procedure bits, four
more kinds (landed, in production, at design output, funding), amounts of agreements, planned
start dates. Chunks written before cannot be read as the new columns, so the read models are
emptied (facts, project_regions, the columns, every projector's checkpoint and count) and rebuilt
from the log: by the next writer on the embedded path (right after it migrates), by the Kafka
workers from their topics' first offsets, or by `projfacts replay`. A chunk is now keyed by its
greatest log position (`last_position`): a retraction recorded before the fact it names gets its
row when that fact is projected, in that fact's chunk, below the chunk's own positions.

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_READ_MODELS = ("facts", "project_regions", "figure_chunks", "checkpoints", "facts_shadow",
                "project_regions_shadow", "figure_chunks_shadow", "replays")


def upgrade() -> None:
    for table in _READ_MODELS:
        op.execute(f"DELETE FROM {table}")
    for table in ("figure_chunks", "figure_chunks_shadow"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("first_position", new_column_name="last_position")


def downgrade() -> None:
    for table in _READ_MODELS:
        op.execute(f"DELETE FROM {table}")
    for table in ("figure_chunks", "figure_chunks_shadow"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("last_position", new_column_name="first_position")

"""Leaner read models: the index of retraction targets holds retractions only; on PostgreSQL the
figure chunks are stored out of line without compression.

`ix_facts_retracts` indexed every fact, though only retractions have a target; a partial index
(`WHERE retracts IS NOT NULL`) serves the same lookups (an equality implies NOT NULL) and costs
a rebuild or an insert almost nothing. A figure chunk is dense numbers that pglz barely shrinks;
`STORAGE EXTERNAL` writes and reads it as is. Nothing is emptied: the data stays valid.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TARGETS = sa.text("retracts IS NOT NULL")
_CHUNKS = ("figure_chunks", "figure_chunks_shadow")


def upgrade() -> None:
    op.drop_index("ix_facts_retracts", table_name="facts")
    op.create_index("ix_facts_retracts", "facts", ["retracts"], sqlite_where=_TARGETS, postgresql_where=_TARGETS)
    if op.get_bind().dialect.name == "postgresql":
        for table in _CHUNKS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _CHUNKS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN data SET STORAGE EXTENDED")
    op.drop_index("ix_facts_retracts", table_name="facts")
    op.create_index("ix_facts_retracts", "facts", ["retracts"])

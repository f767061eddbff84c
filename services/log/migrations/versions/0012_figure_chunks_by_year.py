"""Figure chunks kept by payload year (issue 16.5): a report reads its period's year, the year before
and the rows that name no year, not a decade of investment reports. `year` joins the key; the
chunks already written keep their rows as `MIXED` (-1: read by every report) until their next
merge or a replay splits them. Nothing is rebuilt.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_CHUNKS = ("figure_chunks", "figure_chunks_shadow")
MIXED = -1


def _recreate(name: str, by_year: bool) -> None:
    """The table again with its new key, its rows kept (copied aside, since a key cannot be altered
    in place on SQLite and the key's index name must be free on PostgreSQL)."""
    keep = f"{name}_keep"
    op.execute(f"CREATE TABLE {keep} AS SELECT last_position, rows, token, data FROM {name}")
    op.drop_table(name)
    key = [sa.Column("year", sa.Integer, primary_key=True, autoincrement=False, server_default=str(MIXED))] \
        if by_year else []
    op.create_table(
        name,
        *key,
        sa.Column("last_position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {name} ALTER COLUMN data SET STORAGE EXTERNAL")
    op.execute(f"INSERT INTO {name} (last_position, rows, token, data) "
               f"SELECT last_position, rows, token, data FROM {keep}")
    op.drop_table(keep)


def upgrade() -> None:
    for name in _CHUNKS:
        _recreate(name, by_year=True)


def downgrade() -> None:
    # chunks of one batch split by year share its last_position: fold them back into MIXED chunks
    # is a rebuild's work; here the split ones are dropped and the read model rebuilt (as 0008 does)
    for table in ("facts", "project_regions", "figure_chunks", "checkpoints", "facts_shadow",
                  "project_regions_shadow", "figure_chunks_shadow", "replays"):
        op.execute(f"DELETE FROM {table}")
    for name in _CHUNKS:
        _recreate(name, by_year=False)

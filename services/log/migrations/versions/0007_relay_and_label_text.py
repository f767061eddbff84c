"""The relay's checkpoint (the log → facts-topic outbox), and label texts of any length.

`relay_checkpoints` holds, per relay, the last log position it has published and seen
acknowledged: a relay killed at any point resumes after it (re-publishing at most one batch,
which the projection workers ignore: they insert by log position). `labels.text` was
VARCHAR(200): a township of 192 characters, which validation allows, made the key
`township:<name>` too long for PostgreSQL and stopped every read of the store. And the read
model's size is counted (`count:*` checkpoints), so that a reader can say how far it is behind.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relay_checkpoints",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    with op.batch_alter_table("labels") as batch:
        batch.alter_column("text", type_=sa.Text, existing_type=sa.String(200), existing_nullable=False)
    # Readers now say how far the read model is behind the log: head − Σ checkpoints `count:*`.
    op.execute("INSERT INTO checkpoints (name, position) SELECT 'count:migrated', count(*) FROM facts")


def downgrade() -> None:
    op.execute("DELETE FROM checkpoints WHERE name LIKE 'count:%'")
    with op.batch_alter_table("labels") as batch:
        batch.alter_column("text", type_=sa.String(200), existing_type=sa.Text, existing_nullable=False)
    op.drop_table("relay_checkpoints")

"""Who may read (issue 17): reader tokens (stored hashed) with a role and a territory, the
dashboard's login sessions (stored hashed), and the one audit of refusals widened for refused
reads (`request`: the method, path and query refused; `role`: the reader token's role).

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reader_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.String(12), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("territory", sa.String(6), nullable=False),
        sa.Column("township", sa.String(100), nullable=True),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40), nullable=True),
        sa.UniqueConstraint("token_id", name="uq_reader_tokens_token_id"),
    )
    op.create_table(
        "reader_sessions",
        sa.Column("session_hash", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.String(12), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_us", sa.BigInteger, nullable=False),
        sa.Column("ended_at", sa.String(40), nullable=True),
    )
    op.create_index("ix_reader_sessions_token_id", "reader_sessions", ["token_id"])
    op.add_column("ingest_refusals", sa.Column("request", sa.String(400), nullable=True))
    op.add_column("ingest_refusals", sa.Column("role", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_refusals") as batch:
        batch.drop_column("role")
        batch.drop_column("request")
    op.drop_index("ix_reader_sessions_token_id", table_name="reader_sessions")
    op.drop_table("reader_sessions")
    op.drop_table("reader_tokens")

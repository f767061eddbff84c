"""The replay shadow of `facts` keeps the partial index of retractions while it is loaded (issue 16.2).

A replay window looks up the retractions recorded before the facts it names ("late retractions")
in the shadow, which had no secondary index until the swap: each window made SQLite build a
transient index over the whole shadow (PostgreSQL scanned it), so a rebuild grew with the square of
the log. The index holds the retractions alone (a few per thousand facts): loading it costs
nothing, and each window probes it. The swap drops it before the shadow becomes `facts`.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_facts_shadow_retracts", "facts_shadow", ["retracts"],
                    sqlite_where=sa.text("retracts IS NOT NULL"), postgresql_where=sa.text("retracts IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_facts_shadow_retracts", table_name="facts_shadow")

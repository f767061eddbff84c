"""The log is append-only by the database itself.

SQLite: triggers refuse UPDATE and DELETE on `events`. PostgreSQL: a trigger refuses UPDATE, DELETE
and TRUNCATE (a second guard), and those privileges are revoked from PUBLIC; in production the
application's role holds only SELECT and INSERT on `events`, a separate owner role migrates
(deploy/postgresql/roles.sql). `projfacts verify-log` re-checks what a superuser could still do.

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_REFUSED = "projfacts: the log is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER events_append_only_{action.lower()} BEFORE {action} ON events "
                       f"BEGIN SELECT RAISE(ABORT, '{_REFUSED} ({action} refused)'); END")
        return
    op.execute(f"""CREATE FUNCTION projfacts_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{_REFUSED} (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege'; END $$""")
    op.execute("CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
               "FOR EACH ROW EXECUTE FUNCTION projfacts_append_only()")
    op.execute("CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
               "FOR EACH STATEMENT EXECUTE FUNCTION projfacts_append_only()")
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON events FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER events_append_only_update")
        op.execute("DROP TRIGGER events_append_only_delete")
        return
    op.execute("DROP TRIGGER events_no_truncate ON events")
    op.execute("DROP TRIGGER events_append_only ON events")
    op.execute("DROP FUNCTION projfacts_append_only()")

"""Schema changes go through Alembic migrations (services/log/migrations), never create_all.

Writers bring a store to `HEAD` on first use (`upgrade`, under a lock, so that two processes
opening a brand-new store at once do not race); readers only check it (`check`) and say what to
run when it is behind. `projfacts migrate` runs them explicitly.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from services.log.engine import StoreError, describe, is_sqlite

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0013"  # the newest revision in migrations/versions (a test holds them equal)
_LOCK = 74_417_000  # PostgreSQL advisory lock: one migrating process at a time


def alembic_config() -> Config:
    from alembic.config import Config  # imported when used: a replay worker never migrates

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def revision(connection) -> str | None:
    """The store's schema revision; None when it has no projfacts schema at all."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check(engine: Engine) -> None:
    """A reader's check: the store holds the schema this program reads, else StoreError."""
    where = describe(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        found = revision(connection)
    if found == HEAD:
        return
    if found is None:
        raise StoreError(f"{where} holds no projfacts store: import events first (projfacts import FILE), "
                         f"or run projfacts migrate")
    if found < HEAD:
        raise StoreError(f"the store at {where} has schema {found}, this projfacts reads {HEAD}: "
                         f"run projfacts migrate --db …")
    raise StoreError(f"the store at {where} has schema {found}, newer than this projfacts ({HEAD}): upgrade projfacts")


def upgrade(engine: Engine, target: str = "head") -> bool:
    """Bring the database to `target`; a no-op when it is there already. Returns whether it migrated."""
    with engine.connect() as connection:
        if target == "head" and revision(connection) == HEAD:
            return False
    from alembic import command

    config = alembic_config()
    sqlite = is_sqlite(engine)
    # SQLite: the first statement opens BEGIN IMMEDIATE, the write lock for the whole migration;
    # PostgreSQL: a session lock. Either way the revision is read again once the lock is held.
    with engine.connect().execution_options(projfacts_writer=True) as connection:
        if not sqlite:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK})
        try:
            migrated = target != "head" or revision(connection) != HEAD
            if migrated:
                config.attributes["connection"] = connection
                command.upgrade(config, target)
            connection.commit()
        finally:
            if not sqlite:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK})
                connection.commit()
    return migrated

"""What every command shares: the --db option, the store opened for writing or read-only through
the composition root, and store errors as one line."""
from __future__ import annotations

import click
from sqlalchemy.exc import OperationalError

from events.types import Category
from services.entry.bootstrap import Reader, Settings, Writer, open_reader, open_writer
from services.log.engine import StoreError, describe
from services.query.known import NotFound

CATEGORIES = [c.value for c in Category]
CATEGORY_HELP = ("Keep projects whose registration lists this category: industrial 工业, private 民间, high_tech 高技术, "
                 "transformation 转型, six_new 六新, two_new_one_heavy 两新一重, industry 产业.")

DB_HELP = "SQLAlchemy URL of the store (default: $PROJFACTS_DB, else the embedded SQLite file)."


class Projfacts(click.Group):
    """Errors of the store (missing, unreachable, not migrated) and a region or project the store
    knows nothing of, as one line and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (StoreError, NotFound) as error:
            raise click.ClickException(str(error)) from None
        except OperationalError as error:
            db = (ctx.obj or {}).get("url") or ""
            first = str(error.orig or error).strip().splitlines()[0]
            raise click.ClickException(f"cannot reach the store {describe(db)}: {first}") from None


def db_option(command):
    return click.option("--db", "db", default=None, help=DB_HELP)(command)


def settings(ctx: click.Context, db: str | None) -> Settings:
    found = Settings.load(db or (ctx.find_root().obj or {}).get("db"))
    ctx.find_root().obj = {**(ctx.find_root().obj or {}), "url": found.db}
    return found


def writer(ctx: click.Context, db: str | None, progress: bool = False) -> Writer:
    return open_writer(settings(ctx, db), progress=progress)


def known_region(store, region: str):
    """The store read-only, after checking that it knows `region` (else NotFound: one line, exit 1)."""
    from services.query.known import require_region

    require_region(store, region)
    return store


def reader(ctx: click.Context, db: str | None) -> Reader:
    """The store read-only; a note on stderr when its read model is behind the log."""
    opened = open_reader(settings(ctx, db))
    note = opened.behind_note()
    if note:
        click.echo(note, err=True)
    return opened


def echo_json(obj) -> None:
    """`--format json`: the answer as projections.report.json_bytes gives it, written as it is."""
    from projections.report import json_bytes

    echo(json_bytes(obj))


def echo(out: str | bytes) -> None:
    """What a command prints: text with a newline, or JSON's bytes as they are (newline included)."""
    if isinstance(out, bytes):
        click.echo(out, nl=False)
    else:
        click.echo(out)

"""`projfacts`: the command line every installation has (CONTRACT.md §4).

click is used for the command line: option parsing, help and errors that name the option.
"""
from __future__ import annotations

import sys

import click

from services.store import EventStore, default_url

DB_HELP = "SQLAlchemy URL of the store (default: $PROJFACTS_DB, else the embedded SQLite file)."


def db_option(command):
    return click.option("--db", "db", default=None, help=DB_HELP)(command)


def open_store(ctx: click.Context, db: str | None) -> EventStore:
    url = db or (ctx.obj or {}).get("db") or default_url()
    return EventStore(url)


@click.group()
@click.option("--db", "db", default=None, help=DB_HELP)
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """projfacts: major-project facts (重大项目建设), figures and their explanation."""
    ctx.obj = {"db": db}


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@db_option
@click.option("--workers", type=int, default=None, help="Validation processes (default: by file size).")
@click.pass_context
def import_command(ctx: click.Context, file: str, db: str | None, workers: int | None) -> None:
    """Append the events of a .jsonl FILE, keeping their recorded_at (history import)."""
    from services.importer import import_file

    store = open_store(ctx, db)

    def report_rejected(number: int, error) -> None:
        click.echo(f"line {number}: {error.describe()}", err=True)

    summary = import_file(file, store, report_rejected, workers=workers, progress=sys.stderr.isatty())
    click.echo(summary.line())
    ctx.exit(1 if summary.rejected else 0)


if __name__ == "__main__":
    main()

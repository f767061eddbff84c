"""`projfacts`: the command line every installation has (CONTRACT.md §4).

click is used for the command line: option parsing, help and errors that name the option.
"""
from __future__ import annotations

import sys

import click

from services.log import EventStore, default_url

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
    from services.ingest.importer import import_file

    store = open_store(ctx, db)

    def report_rejected(number: int, error) -> None:
        click.echo(f"line {number}: {error.describe()}", err=True)

    summary = import_file(file, store, report_rejected, workers=workers, progress=sys.stderr.isatty())
    click.echo(summary.line())
    ctx.exit(1 if summary.rejected else 0)


@main.command("demo")
@db_option
def demo_command(db: str | None) -> None:
    """Generate the demo county (阳城 2024), import it, and report Q1 as published and as known now."""
    from services.entry.demo import run_demo

    click.echo(run_demo(db))


def query_options(command):
    command = click.option("--level", type=click.Choice(["province", "city", "county"]), default=None,
                           help="Keep key projects of this level (重点工程 级别).")(command)
    command = click.option("--as-of", "as_of", default=None,
                           help="Recorded time: ISO timestamp, or a date (its end, Asia/Shanghai). Default: now.")(command)
    command = click.option("--period", required=True, help="2025, 2025H1, 2025Q3 or 2025-05.")(command)
    command = click.option("--region", required=True, help="Region code prefix: 14, 1405, 140522.")(command)
    return db_option(command)


FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")


def _query(region, period, as_of, level):
    from services.query.figures import make_query

    try:
        return make_query(region, period, as_of, level)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@main.command("report")
@query_options
@FORMAT
@click.pass_context
def report_command(ctx, region, period, as_of, level, db, fmt):
    """Every figure for a region and period, as of a recorded time."""
    from services.entry.render import tables as render
    from services.query.figures import report_for

    result = report_for(open_store(ctx, db), _query(region, period, as_of, level))
    click.echo(render.dumps(result) if fmt == "json" else render.report_table(result))


@main.command("explain")
@click.argument("figure")
@query_options
@FORMAT
@click.pass_context
def explain_command(ctx, figure, region, period, as_of, level, db, fmt):
    """One figure down to the projects and events behind its numerator and denominator."""
    from projections.figures import FIGURES
    from services.entry.render import tables as render
    from services.query.figures import explain_for

    if figure not in FIGURES:
        raise click.BadParameter(f"unknown figure {figure!r}; known: {', '.join(FIGURES)}", param_hint="FIGURE")
    result = explain_for(open_store(ctx, db), figure, _query(region, period, as_of, level))
    click.echo(render.dumps(result) if fmt == "json" else render.explain_table(result))


@main.command("rank")
@click.argument("figure")
@query_options
@click.option("--by", type=click.Choice(["county", "township"]), default="county")
@FORMAT
@click.pass_context
def rank_command(ctx, figure, region, period, as_of, level, db, by, fmt):
    """比学赶超: sub-regions ordered best first on one figure."""
    from projections.figures import FIGURES
    from services.entry.render import tables as render
    from services.query.figures import rank_for

    if figure not in FIGURES:
        raise click.BadParameter(f"unknown figure {figure!r}; known: {', '.join(FIGURES)}", param_hint="FIGURE")
    rows = rank_for(open_store(ctx, db), figure, _query(region, period, as_of, level), by)
    click.echo(render.dumps(rows) if fmt == "json" else render.rank_table(figure, rows))


# ---- vintages, revisions, replay (services/vintages.py, services/replay.py) -----------------------
def _vintage_call(call):
    from services.query.vintages import VintageError

    try:
        return call()
    except VintageError as error:
        raise click.ClickException(str(error)) from None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def publish_report(ctx, region, period, as_of, level, db, publisher, fmt) -> None:
    """`projfacts publish --region R --period P`: record the report as published (a vintage)."""
    from services.entry.render import tables as render
    from services.query.vintages import publish

    if not region or not period:
        raise click.UsageError("publish takes a FILE (send events to Kafka) or --region and --period "
                               "(record a report as published)")
    pub = _vintage_call(lambda: publish(open_store(ctx, db), region, period, as_of, level, publisher))
    if fmt == "json":
        click.echo(render.dumps(pub.to_json()))
    else:
        click.echo(f"published {pub.event_id}: region {pub.region} period {pub.period} as of {pub.as_of} "
                   f"sha256 {pub.content_sha256}")


@main.command("verify")
@click.argument("publication")
@db_option
@FORMAT
@click.pass_context
def verify_command(ctx, publication, db, fmt):
    """Recompute a published report (ReportPublished event id) as of its time; exit 1 when it differs."""
    from services.entry.render import tables as render
    from services.query.vintages import verification_text, verify

    result = _vintage_call(lambda: verify(open_store(ctx, db), publication))
    click.echo(render.dumps(result.to_json()) if fmt == "json" else verification_text(result))
    ctx.exit(0 if result.identical else 1)


@main.command("revisions")
@click.option("--region", required=True, help="Region code prefix: 14, 1405, 140522.")
@click.option("--period", required=True, help="2025, 2025H1, 2025Q3 or 2025-05.")
@click.option("--from", "t_from", required=True, help="The earlier vintage: a recorded time or date.")
@click.option("--to", "t_to", default=None, help="The later vintage (default: now).")
@click.option("--level", type=click.Choice(["province", "city", "county"]), default=None)
@click.option("--vintages", type=click.Choice(["monthly"]), default=None,
              help="monthly: the revision triangle, one row per monthly vintage from --from to --to.")
@click.option("--figure", "figures", multiple=True, help="Triangle: only these figures (repeatable).")
@db_option
@FORMAT
@click.pass_context
def revisions_command(ctx, region, period, t_from, t_to, level, vintages, figures, db, fmt):
    """Figures whose numerator or denominator changed between two vintages, and the facts that changed them."""
    from services.entry.render import tables as render
    from services.query.vintages import revisions, revisions_text, triangle, triangle_text

    store = open_store(ctx, db)
    if vintages == "monthly":
        result = _vintage_call(lambda: triangle(store, region, period, t_from, t_to, level, list(figures) or None))
        click.echo(render.dumps(result) if fmt == "json" else triangle_text(result))
        return
    result = _vintage_call(lambda: revisions(store, region, period, t_from, t_to, level))
    click.echo(render.dumps(result) if fmt == "json" else revisions_text(result))


@main.command("replay")
@db_option
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes, each rebuilding a share of the projects (default: 1 on SQLite, 2 otherwise).")
@click.option("--batch", type=click.IntRange(1), default=20000, help="Events per transaction and checkpoint.")
@click.option("--fresh", is_flag=True, help="Start over instead of resuming an interrupted replay.")
@click.pass_context
def replay_command(ctx, db, workers, batch, fresh):
    """Rebuild every read model from the log into shadows, then swap them in (resumes after a kill)."""
    from services.readmodel.replay import replay

    result = replay(open_store(ctx, db), workers=workers, batch=batch, fresh=fresh, progress=sys.stderr.isatty())
    click.echo(result.line())


def _register_view_commands() -> None:
    """stage, stats-entry, leaders, problems, dossier, token, audit, serve (services/cli_views.py)."""
    from services.entry.cli.views import register

    register(main)


_register_view_commands()


def _register_bus_commands() -> None:
    """publish, ingest, worker, topics, stack: the Kafka path (services/bus/cli.py)."""
    from services.entry.cli.bus import register

    register(main)


_register_bus_commands()

if __name__ == "__main__":
    main()

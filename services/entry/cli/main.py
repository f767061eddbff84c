"""`projfacts`: the command line every installation has (CONTRACT.md §4, §7).

click is used for the command line: option parsing, help and errors that name the option. Every
command gets its store, bus and policy from the composition root (services/entry/bootstrap.py):
writers (`import`, `publish`, `project`, `migrate`, `replay`) open the store for writing; every
other command opens it read-only and says when the read model is behind the log.
"""
from __future__ import annotations

import sys

import click

from services.entry.cli import bus, desk, views
from services.entry.cli import bulletin, exports  # 通报 (bulletin); --format csv for report, rank, explain, revisions
from services.entry.cli.common import (CATEGORIES, CATEGORY_HELP, DB_HELP, Projfacts, db_option, echo_json,
                                      known_region, reader, writer)
from services.log.engine import describe

@click.group(cls=Projfacts)
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

    progress = sys.stderr.isatty()
    opened = writer(ctx, db, progress=progress)

    def report_rejected(number: int, error) -> None:
        click.echo(f"line {number}: {error.describe()}", err=True)

    summary = import_file(file, opened.acceptor, report_rejected, workers=workers, progress=progress,
                          follower=opened.bus.following if opened.bus else None)
    click.echo(summary.line())
    if summary.blank:
        click.echo(f"note: {summary.blank} blank line{'s' if summary.blank > 1 else ''} skipped", err=True)
    ctx.exit(1 if summary.rejected else 0)


@main.command("project")
@db_option
@click.pass_context
def project_command(ctx: click.Context, db: str | None) -> None:
    """Bring the embedded read model up to date with the log (after an interrupted write)."""
    opened = writer(ctx, db, progress=sys.stderr.isatty())
    click.echo(f"projected {opened.project()} facts; the read model holds the log up to position "
               f"{opened.events.head()}")


@main.command("migrate")
@db_option
@click.pass_context
def migrate_command(ctx: click.Context, db: str | None) -> None:
    """Create the store, or bring its schema up to date (writers also do this on first use)."""
    from services.log import migrate

    opened = writer(ctx, db)
    click.echo(f"the store {describe(opened.settings.db)} is at schema {migrate.HEAD}")


@main.command("demo")
@db_option
def demo_command(db: str | None) -> None:
    """Import the demo county (阳城 2024) into its own store, and report Q1 as published and as known now."""
    from services.entry.demo import run_demo

    click.echo(run_demo(db))


def query_options(command):
    command = click.option("--category", type=click.Choice(CATEGORIES), default=None, help=CATEGORY_HELP)(command)
    command = click.option("--level", type=click.Choice(["province", "city", "county"]), default=None,
                           help="Keep key projects of this level (重点工程 级别).")(command)
    command = click.option("--as-of", "as_of", default=None,
                           help="Recorded time: ISO timestamp, or a date (its end, Asia/Shanghai). Default: now.")(command)
    command = click.option("--period", required=True, help="2025, 2025H1, 2025Q3 or 2025-05.")(command)
    command = click.option("--region", required=True, help="Region code prefix: 14, 1405, 140522.")(command)
    return db_option(command)


FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")


def _query(region, period, as_of, level, category=None):
    from services.query.figures import make_query

    try:
        return make_query(region, period, as_of, level, category)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _figure(figure: str) -> str:
    from projections.figures import FIGURES

    if figure not in FIGURES:
        raise click.BadParameter(f"unknown figure {figure!r}; known: {', '.join(FIGURES)}", param_hint="FIGURE")
    return figure


@main.command("report")
@query_options
@exports.FORMAT
@click.pass_context
def report_command(ctx, region, period, as_of, level, category, db, fmt):
    """Every figure for a region and period, as of a recorded time."""
    from services.entry.render import tables as render
    from services.query.figures import report_for

    query = _query(region, period, as_of, level, category)
    result = report_for(known_region(reader(ctx, db).events, query.region), query)
    exports.show(fmt, result, lambda: render.report_table(result), lambda: exports.csvs.report_csv(result))


@main.command("explain")
@click.argument("figure")
@query_options
@exports.FORMAT
@click.pass_context
def explain_command(ctx, figure, region, period, as_of, level, category, db, fmt):
    """One figure down to the projects and events behind its numerator and denominator."""
    from services.query.figures import explain_for

    figure, query = _figure(figure), _query(region, period, as_of, level, category)
    store = known_region(reader(ctx, db).events, query.region)
    exports.show_explain(store, fmt, explain_for(store, figure, query))


@main.command("rank")
@click.argument("figure")
@query_options
@click.option("--by", type=click.Choice(["county", "township"]), default="county")
@exports.FORMAT
@click.pass_context
def rank_command(ctx, figure, region, period, as_of, level, category, db, by, fmt):
    """比学赶超: sub-regions ordered best first on one figure."""
    from services.entry.render import tables as render
    from services.query.figures import rank_for

    figure, query = _figure(figure), _query(region, period, as_of, level, category)
    ranking = rank_for(known_region(reader(ctx, db).events, query.region), figure, query, by)
    exports.show(fmt, ranking, lambda: render.rank_table(figure, ranking), lambda: exports.csvs.rank_csv(ranking))


# ---- vintages, revisions, replay (services/query/vintages.py, services/readmodel/replay/) -------
def _vintage_call(call):
    from services.query.vintages import VintageError

    try:
        return call()
    except VintageError as error:
        raise click.ClickException(str(error)) from None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@main.command("publish")
@click.option("--region", required=True, help="Region code prefix of the report: 14, 1405, 140522.")
@click.option("--period", required=True, help="2025, 2025H1, 2025Q3 or 2025-05.")
@click.option("--as-of", "as_of", default=None, help="The published report's recorded time (default: now).")
@click.option("--level", type=click.Choice(["province", "city", "county"]), default=None)
@click.option("--category", type=click.Choice(CATEGORIES), default=None, help=CATEGORY_HELP)
@click.option("--publisher", default=None, help="Who publishes (default: $PROJFACTS_PUBLISHER, else the user).")
@FORMAT
@db_option
@click.pass_context
def publish_command(ctx, region, period, as_of, level, category, publisher, fmt, db):
    """Record a report as published (a vintage): its as-of time and the SHA-256 of its JSON, in the log.
    (A department's events go onto the bus with `projfacts submit FILE`.)"""
    from services.query.vintages import publish

    opened = writer(ctx, db)
    pub = _vintage_call(lambda: publish(opened.events, opened.acceptor, region, period, as_of, level, publisher,
                                        category=category))
    if fmt == "json":
        echo_json(pub.to_json())
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
    from services.entry.render.vintages import verification_text
    from services.query.vintages import verify

    result = _vintage_call(lambda: verify(reader(ctx, db).events, publication))
    if fmt == "json":
        echo_json(result.to_json())
    else:
        click.echo(verification_text(result))
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
@exports.FORMAT
@click.pass_context
def revisions_command(ctx, region, period, t_from, t_to, level, vintages, figures, db, fmt):
    """Figures whose numerator or denominator changed between two vintages, and the facts that changed them."""
    from services.entry.render.vintages import revisions_text, triangle_text
    from services.query.vintages import revisions, triangle

    store = reader(ctx, db).events
    if vintages == "monthly":
        result = _vintage_call(lambda: triangle(store, region, period, t_from, t_to, level, list(figures) or None))
        exports.show(fmt, result, lambda: triangle_text(result), lambda: exports.csvs.triangle_csv(result))
        return
    result = _vintage_call(lambda: revisions(store, region, period, t_from, t_to, level))
    exports.show(fmt, result, lambda: revisions_text(result), lambda: exports.csvs.revisions_csv(result))


@main.command("replay")
@db_option
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes, each rebuilding a share of the projects (default: 1 on SQLite; on PostgreSQL one per two cores, up to 2).")
@click.option("--batch", type=click.IntRange(1), default=20000, help="Events per transaction and checkpoint.")
@click.option("--fresh", is_flag=True, help="Start over instead of resuming an interrupted replay.")
@click.option("--no-verify", "no_verify", is_flag=True,
              help="Skip re-checking the log first (when projfacts verify-log has just run).")
@click.pass_context
def replay_command(ctx, db, workers, batch, fresh, no_verify):
    """Check the log, then rebuild every read model from it into shadows and swap them in (resumes after a kill)."""
    from services.log.verify import TamperedLog
    from services.readmodel.replay import replay

    opened = writer(ctx, db)
    try:
        result = replay(opened.events, workers=workers, batch=batch, fresh=fresh, progress=sys.stderr.isatty(),
                        verify=not no_verify)
    except TamperedLog as tampered:
        click.echo(str(tampered), err=True)
        ctx.exit(1)
    click.echo(result.line())


@main.command("verify-log")
@db_option
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Processes hashing.")
@click.pass_context
def verify_log_command(ctx, db, workers):
    """Re-check the log: every content hash, positions 1..head without gaps, each project's sequence.
    Exit 1 and name what was changed or deleted when it is not what was appended."""
    from services.log.verify import verify_log

    check = verify_log(reader(ctx, db).events, workers=workers)
    for line in check.lines():
        click.echo(line, err=not check.sound)
    ctx.exit(0 if check.sound else 1)


views.register(main)  # stage, stats-entry, leaders, problems, dossier, token, audit, serve
bulletin.register(main)  # bulletin (通报: .xlsx, .md, .html)
bus.register(main)  # submit, ingest, relay, worker, topics, schemas, stack
desk.register(main)  # starts, procedures, procedures-weekly, lagging, coverage, funding, lights, ledger

if __name__ == "__main__":
    main()

"""CLI commands of the command office's desk (registered on `projfacts` by main.py):

    projfacts starts | procedures | procedures-weekly | lagging | coverage | funding | lights
        --region R [--on D | --period P] [--as-of T] [--format table|json|csv]
        (procedures, procedures-weekly: [--year Y], the plan year; lights: [--by county|township])
    projfacts ledger KIND --region R --period P [--as-of T] --out FILE      (CONTRACT §7)
        KIND: starts, procedures, stats-entry, problems, leaders, funding; FILE: .csv or .xlsx

`--on` is the business date; `--period` stands for its last day, but never later than the as-of day.
The lights' thresholds come from services/query/lights.toml or $PROJFACTS_LIGHTS.
"""
from __future__ import annotations

from pathlib import Path

import click

from services.entry.cli.common import echo, known_region, reader

FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                      help="table (people), json (the HTTP answer), csv (UTF-8 with BOM, Chinese, for Excel/WPS).")
REGION = click.option("--region", required=True, help="Region code prefix: 14, 1405, 140522.")
ON = click.option("--on", "on", default=None, help="Business date YYYY-MM-DD (default: the as-of day, i.e. today).")
PERIOD = click.option("--period", default=None,
                      help="Instead of --on: 2025, 2025H1, 2025Q3 or 2025-05 (its last day, at most the as-of day).")
AS_OF = click.option("--as-of", "as_of", default=None,
                     help="Recorded time: ISO timestamp, or a date (its end, Asia/Shanghai). Default: now.")
DB = click.option("--db", "db", default=None, help="SQLAlchemy URL of the store (default: $PROJFACTS_DB).")
YEAR = click.option("--year", type=int, default=None, help="Plan year of the list (default: the year of the date).")


def _query(region, on=None, period=None, as_of=None, year=None):
    from services.query.desk import DeskError, make_desk_query

    try:
        return make_desk_query(region, on, period, as_of, year)
    except DeskError as error:
        raise click.BadParameter(error.reason, param_hint=f"--{error.field.replace('_', '-')}") from None


def _lights():
    from services.query.lights import load_lights

    try:
        return load_lights()
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _desk_command(name: str, help_text: str, with_year: bool = False, with_by: bool = False):
    def decorate(run):
        @click.command(name, help=help_text)
        @REGION
        @ON
        @PERIOD
        @AS_OF
        @DB
        @FORMAT
        @click.pass_context
        def command(ctx, region, on, period, as_of, db, fmt, year=None, by=None):
            from services.entry.render.desk import render

            query = _query(region, on, period, as_of, year)
            extra = {"by": by} if with_by else {}
            store = known_region(reader(ctx, db).events, query.region)
            echo(render(name, run(store, query, _lights(), **extra), fmt))

        if with_year:
            command = YEAR(command)
        if with_by:
            command = click.option("--by", type=click.Choice(["county", "township"]), default=None,
                                   help="Rows per county or per township (default: township for a county).")(command)
        return command
    return decorate


@_desk_command("starts", "开复工台账: the year's plan with planned month/旬, actual start or resumption, status, light.")
def starts_command(store, query, lights):
    from services.query.desk import starts_for

    return starts_for(store, query, lights)


@_desk_command("procedures", "前期手续清单: each procedure with level, deadline, unit, leader, officer, status, light; "
                             "the overdue list.", with_year=True)
def procedures_command(store, query, lights):
    from services.query.desk import procedures_for

    return procedures_for(store, query, lights)


@_desk_command("procedures-weekly", "前期手续办理情况表 for the Friday on or before the date: counts per procedure "
                                    "and level, and what changed that week.", with_year=True)
def weekly_command(store, query, lights):
    from services.query.desk import weekly_for

    return weekly_for(store, query, lights)


@_desk_command("lagging", "滞后项目: projects to chase with their reasons, light, 包联领导 and 包联部门.")
def lagging_command(store, query, lights):
    from services.query.desk import lagging_for

    return lagging_for(store, query, lights)


@_desk_command("coverage", "双包联: key projects of the year missing a 包联领导, a 包联部门, or both.")
def coverage_command(store, query, lights):
    from services.query.desk import coverage_for

    return coverage_for(store, query)


@_desk_command("funding", "争取资金台账: funding secured this year up to the date, by channel, project, document.")
def funding_command(store, query, lights):
    from services.query.desk import funding_for

    return funding_for(store, query)


@_desk_command("lights", "红黄绿灯: how many 开复工, 前期手续 and 入库纳统 lines have each light, per county or township.",
               with_by=True)
def lights_command(store, query, lights, by=None):
    from services.query.desk import board_for

    return board_for(store, query, by, lights)


@click.command("ledger")
@click.argument("kind", type=click.Choice(["starts", "procedures", "stats-entry", "problems", "leaders", "funding"]))
@REGION
@click.option("--period", required=True, help="2025, 2025H1, 2025Q3 or 2025-05 (its last day, at most the as-of day).")
@AS_OF
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The file to write: .csv (UTF-8 with BOM) or .xlsx.")
@DB
@click.pass_context
def ledger_command(ctx, kind, region, period, as_of, out, db):
    """台账 KIND as of a recorded time, written to OUT (.csv or .xlsx): Chinese headers and values,
    regions by name, amounts in 万元, a light column where the ledger has one."""
    from services.entry.render.ledgers import ledger_table, write
    from services.query.desk import ledger_view

    path = Path(out)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise click.BadParameter(f"write .csv or .xlsx, not {path.suffix or 'a file without suffix'}",
                                 param_hint="--out")
    query = _query(region, period=period, as_of=as_of)
    view = ledger_view(known_region(reader(ctx, db).events, query.region), kind, query, _lights())
    ledger = ledger_table(kind, view)
    write(ledger, path)
    click.echo(f"{ledger.title}: {len(ledger.rows)} 行 rows → {path}", err=True)


COMMANDS = (starts_command, procedures_command, weekly_command, lagging_command, coverage_command, funding_command,
            lights_command, ledger_command)


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)

"""`projfacts bulletin`: the period's 通报 as .xlsx, .md or .html (CONTRACT §7), read-only."""
from __future__ import annotations

from pathlib import Path

import click

from services.entry.cli.common import CATEGORIES, CATEGORY_HELP, db_option, known_region, reader


def register(main: click.Group) -> None:
    @main.command("bulletin")
    @click.option("--region", required=True, help="Region code prefix: 14, 1405, 140522.")
    @click.option("--period", required=True, help="2025, 2025H1, 2025Q3 or 2025-05.")
    @click.option("--as-of", "as_of", default=None,
                  help="Recorded time: ISO timestamp, or a date (its end, Asia/Shanghai). Default: now. "
                       "Give it to make the bulletin reproducible.")
    @click.option("--level", type=click.Choice(["province", "city", "county"]), default=None,
                  help="Keep key projects of this level (重点工程 级别).")
    @click.option("--category", type=click.Choice(CATEGORIES), default=None, help=CATEGORY_HELP)
    @click.option("--bottom", type=click.IntRange(0, 50), default=3, show_default=True,
                  help="How many of each ranking to single out as 排名靠后 (ties included).")
    @click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="The file to write: .xlsx, .md or .html (by its suffix).")
    @db_option
    @click.pass_context
    def bulletin_command(ctx, region, period, as_of, level, category, bottom, out, db):
        """通报: the lead paragraph, every figure with its target and 预警, tables by county or township with
        合计 and 小计, rankings with 较上期, 红黄绿, and the lagging projects with their 包联领导."""
        from services.entry.render.bulletin import render, suffix_of
        from services.query.bulletin import build
        from services.query.figures import make_query

        try:
            suffix = suffix_of(out)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--out") from None
        try:
            query = make_query(region, period, as_of, level, category)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
        data = build(known_region(reader(ctx, db).events, query.region), query, bottom)
        path = Path(out)
        path.write_bytes(render(data, suffix))
        click.echo(f"wrote {path} ({data.region_name} {query.period.label}, as of {query.as_of.isoformat()})")

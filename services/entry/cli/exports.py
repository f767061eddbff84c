"""How `report`, `rank`, `explain` and `revisions` print: JSON (the contract's), a table for people,
or CSV for Excel/WPS (services/entry/render/csvs.py: UTF-8 with BOM, Chinese headers and values).

The CSV goes to stdout as bytes — the BOM written once, at the start — whatever the terminal's
encoding, so that `projfacts report … --format csv > 通报.csv` opens cleanly in Excel.
"""
from __future__ import annotations

from typing import Callable

import click

from services.entry.cli.common import echo_json
from services.entry.render import csvs

FORMATS = ["table", "json", "csv"]
FORMAT = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                      help="table (for people), json (the contract's), csv (UTF-8 with BOM, for Excel/WPS).")


def show(fmt: str, result, text: Callable[[], str], csv: Callable[[], bytes]) -> None:
    if fmt == "json":
        echo_json(result)
    elif fmt == "csv":
        click.echo(csv(), nl=False)
    else:
        click.echo(text())


def show_explain(store, fmt: str, result: dict) -> None:
    """explain: the table and the CSV show each event's type, date and department beside its id
    (looked up read-only in the log)."""
    if fmt == "json":
        echo_json(result)
        return
    summaries = store.summaries(csvs.event_ids_of(result))
    if fmt == "csv":
        click.echo(csvs.explain_csv(result, summaries), nl=False)
    else:
        click.echo(csvs.explain_table(result, summaries))

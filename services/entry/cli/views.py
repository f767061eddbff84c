"""CLI commands for the views, department tokens, the refusal audit and the HTTP server.

`services/cli.py` registers them on `projfacts` (`register(main)`):

    projfacts stage --region R [--on D] [--as-of T] [--format table|json|csv]
    projfacts stats-entry | leaders | problems  (same options; problems/leaders: --policy, --remind-days)
    projfacts dossier PROJECT_ID [--on D] [--as-of T]
    projfacts token create DEPARTMENT --territory R | token list | token revoke TOKEN_ID
    projfacts reader create --role reader|statistician|admin --territory R [--township T] | reader list |
                     reader revoke TOKEN_ID          (who may read over HTTP)
    projfacts audit            refused requests (writes and reads), newest first
    projfacts serve [--host 127.0.0.1] [--port 8000]
"""
from __future__ import annotations

import click

from services.entry.cli.common import echo, echo_json, known_region, reader, writer
from services.log.engine import describe

VIEW_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
ON = click.option("--on", "on", default=None, help="Business date YYYY-MM-DD (default: today, Asia/Shanghai).")
AS_OF = click.option("--as-of", "as_of", default=None,
                     help="Recorded time: ISO timestamp, or a date (its end, Asia/Shanghai). Default: now.")
REGION = click.option("--region", required=True, help="Region code prefix: 14, 1405, 140522.")
DB = click.option("--db", "db", default=None, help="SQLAlchemy URL of the store (default: $PROJFACTS_DB).")
POLICY = click.option("--policy", type=click.Choice(["default", "13710"]), default="default",
                      help="Deadline policy: default (remind 3 days ahead, 帮办/督办 steps after the due date) or "
                           "13710 (Shanxi's handling deadlines from the assignment: 1, 3, 7 days, 1 month).")
REMIND = click.option("--remind-days", type=click.IntRange(0, 365), default=None,
                      help="Override the reminder window (提醒): open problems due within N days.")


def _view_query(region: str, on: str | None, as_of: str | None):
    from services.query.views import make_view_query

    try:
        return make_view_query(region, on, as_of)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _echo(kind: str, result: dict, fmt: str) -> None:
    from services.entry.render.views import render

    echo(render(kind, result, fmt))


def _view_command(name: str, help_text: str, with_policy: bool = False):
    def decorate(run):
        @click.command(name, help=help_text)
        @REGION
        @ON
        @AS_OF
        @DB
        @VIEW_FORMAT
        @click.pass_context
        def command(ctx, region, on, as_of, db, fmt, policy="default", remind_days=None):
            from services.query.views import deadline_policy

            query = _view_query(region, on, as_of)
            extra = (deadline_policy(policy, remind_days),) if with_policy else ()
            _echo(name, run(known_region(reader(ctx, db).events, query.region), query, *extra), fmt)

        if with_policy:
            command = REMIND(POLICY(command))
        return command
    return decorate


@_view_command("stage", "项目阶段: each project's lifecycle stage on a date (谋划 … 达效), flags such as 续建未复工.")
def stage_command(store, query):
    from services.query.views import stage_for

    return stage_for(store, query)


@_view_command("stats-entry", "入库纳统: eligibility and why, status, the 应统未统 list, counts per township.")
def stats_entry_command(store, query):
    from services.query.views import stats_entry_for

    return stats_entry_for(store, query)


@_view_command("leaders", "领导包联: each leader's projects, progress, problems and visits within the interval "
                          "(lights.toml [leaders]); 包联部门 listed apart.", True)
def leaders_command(store, query, policy):
    from services.query.views import leaders_for

    return leaders_for(store, query, policy)


@_view_command("problems", "问题闭环: open problems, near deadline (提醒), overdue (帮办/督办), closure.", True)
def problems_command(store, query, policy):
    from services.query.views import problems_for

    return problems_for(store, query, policy)


@click.command("dossier")
@click.argument("project_id")
@ON
@AS_OF
@DB
@VIEW_FORMAT
@click.pass_context
def dossier_command(ctx, project_id, on, as_of, db, fmt):
    """一项一档: every fact of PROJECT_ID with retractions and supersessions, and its stage timeline."""
    from projections.periods import parse_as_of
    from services.query.known import require_project
    from services.query.views import dossier_for, parse_on

    try:
        day, stamp = parse_on(on), parse_as_of(as_of)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    store = reader(ctx, db).events
    _echo("dossier", dossier_for(store, require_project(store, project_id), day, stamp), fmt)


# ---- tokens, audit, server -------------------------------------------------------------------
@click.group("token")
def token_group():
    """Department tokens for the HTTP ingest (stored hashed; shown once)."""


@token_group.command("create")
@click.argument("department")
@click.option("--territory", required=True, help="Region code prefix the department may write about (140522).")
@click.option("--label", default=None, help="A note: which system uses the token.")
@DB
@click.pass_context
def token_create(ctx, department, territory, label, db):
    """A new token for DEPARTMENT; printed once, only its hash is kept."""
    from services.ingest.tokens import create_token

    try:
        token_id, token = create_token(writer(ctx, db).events, department, territory, label)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    click.echo(f"token {token_id} for {department} in {territory} (shown once, store it now):", err=True)
    click.echo(token)


def _show_tokens(rows: list[dict], fmt: str, keys: list[str]) -> None:
    """Tokens as JSON or a table of `keys` (never the token itself: only its hash is stored)."""
    from services.entry.render.tables import table

    if fmt == "json":
        echo_json(rows)
        return
    click.echo(table(keys, [[r[k] or "" for k in keys] for r in rows]))


@token_group.command("list")
@DB
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def token_list(ctx, db, fmt):
    """Tokens: id, department, territory, created, revoked (never the token)."""
    from services.ingest.tokens import list_tokens

    _show_tokens(list_tokens(reader(ctx, db).events), fmt,
                 ["token_id", "department", "territory", "label", "created_at", "revoked_at"])


@token_group.command("revoke")
@click.argument("token_id")
@DB
@click.pass_context
def token_revoke(ctx, token_id, db):
    """Revoke a token by its id (from `token list`)."""
    from services.ingest.tokens import revoke_token

    if not revoke_token(writer(ctx, db).events, token_id):
        raise click.ClickException(f"no active token {token_id}")
    click.echo(f"revoked {token_id}")


@click.group("reader")
def reader_group():
    """Reader tokens for the HTTP reads and the dashboard (stored hashed; shown once). The command
    line on this machine is the administrator's and needs none."""


@reader_group.command("create")
@click.option("--role", type=click.Choice(["reader", "statistician", "admin"]), required=True,
              help="reader: figures, views, dossiers, desk, ledgers, bulletins, dashboard; statistician: also explain "
                   "items and revisions; admin: as a statistician, and may cover every region.")
@click.option("--territory", default=None,
              help="Region code prefix it may read (14, 1405, 140522); required but for an admin (none: every region).")
@click.option("--township", default=None, help="Only this township (its registered name) of a 6-digit territory.")
@click.option("--label", default=None, help="A note: who holds the token.")
@DB
@click.pass_context
def reader_create(ctx, role, territory, township, label, db):
    """A new reader token; printed once, only its hash is kept."""
    from services.ingest.readers import create_reader

    try:
        token_id, token = create_reader(writer(ctx, db).events, role, territory, township, label)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    where = (territory or "every region") + (f" township {township}" if township else "")
    click.echo(f"reader token {token_id}: {role} of {where} (shown once, store it now):", err=True)
    click.echo(token)


@reader_group.command("list")
@DB
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def reader_list(ctx, db, fmt):
    """Reader tokens: id, role, territory, township, label, created, revoked (never the token)."""
    from services.ingest.readers import list_readers

    _show_tokens(list_readers(reader(ctx, db).events), fmt,
                 ["token_id", "role", "territory", "township", "label", "created_at", "revoked_at"])


@reader_group.command("revoke")
@click.argument("token_id")
@DB
@click.pass_context
def reader_revoke(ctx, token_id, db):
    """Revoke a reader token by its id (from `reader list`); its login sessions end with it."""
    from services.ingest.readers import revoke_reader

    if not revoke_reader(writer(ctx, db).events, token_id):
        raise click.ClickException(f"no active reader token {token_id}")
    click.echo(f"revoked {token_id}")


@click.command("audit")
@DB
@click.option("--limit", type=click.IntRange(1, 100000), default=100)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def audit_command(ctx, db, limit, fmt):
    """Refused requests over HTTP, newest first: who, what, why — writes (department tokens) and reads
    (reader tokens, `request` the refused method, path and query)."""
    from services.ingest.tokens import refusals
    from services.entry.render.tables import table

    rows = refusals(reader(ctx, db).events, limit)
    if fmt == "json":
        echo_json(rows)
        return
    keys = ["at", "status", "department", "role", "token_id", "request", "event_id", "event_type", "project_id",
            "field", "reason"]
    click.echo(table(keys, [[str(r[k] if r[k] is not None else "") for k in keys] for r in rows]))


@click.command("parked")
@DB
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def parked_command(ctx, db, fmt):
    """Facts the log holds that could not be projected, with why (the read model goes on without
    them; fix the cause, then `projfacts replay`). Exit 1 when there are any."""
    from services.entry.render.tables import table
    from services.readmodel.sql import parked

    rows = parked(reader(ctx, db).events.engine)
    if fmt == "json":
        echo_json(rows)
    else:
        keys = ["position", "event_id", "event_type", "project_id", "parked_at", "reason"]
        click.echo(table(keys, [[str(r[k] if r[k] is not None else "") for k in keys] for r in rows])
                   if rows else "no parked facts: every fact of the log is projected")
    ctx.exit(1 if rows else 0)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@DB
@click.pass_context
def serve_command(ctx, host, port, db):
    """Run the HTTP API (OpenAPI at /openapi.json, docs at /docs)."""
    import uvicorn

    from services.entry.http import create_app

    from services.entry.cli.common import settings

    found = settings(ctx, db)
    app = create_app(found)
    click.echo(f"projfacts serving {describe(found.db)} at http://{host}:{port}/ "
               f"(API /v1, OpenAPI /docs); Ctrl-C stops", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=True)


COMMANDS = (stage_command, stats_entry_command, leaders_command, problems_command, dossier_command,
            token_group, reader_group, audit_command, parked_command, serve_command)


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)

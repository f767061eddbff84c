"""HTTP for the command office's desk: the views as JSON (`/v1/desk/...`, the same bytes as the CLI's
`--format json`) and the 台账 as files (`/v1/ledgers/{kind}.csv|.xlsx`, CONTRACT §7), read-only over
`request.app.state.reader.events`.

Every view takes `region`, a business date `on` or a `period` (its last day, at most the as-of day;
neither: the as-of day), and `as_of` (a recorded time, default now). A bad parameter answers 400
with `{event_id: null, field, reason}`, as the other reads do.
"""
from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from services.entry.http import schemas
from services.entry.http.paging import CURSOR, LIMIT, check_cursor, page
from services.entry.http.schemas import ErrorBody
from services.query.known import require_region
from services.entry.render.tables import json_bytes
from services.query import desk

router = APIRouter()

# The parameters as the server checks them, and the refusals of a read (services/entry/http/schemas.py).
REGION, ON, PERIOD, PERIOD_REQUIRED, AS_OF, YEAR, KIND = (
    schemas.REGION, schemas.DESK_ON, schemas.DESK_PERIOD, schemas.LEDGER_PERIOD, schemas.AS_OF, schemas.YEAR,
    schemas.KIND)
BAD = schemas.READ_ERRORS
MEDIA = {".csv": "text/csv; charset=utf-8",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class DeskOut(BaseModel):
    """A desk view for a region on a business date, as of a recorded time."""

    region: str
    region_name: str | None
    on: str
    as_of: str
    period: str | None = Field(description="the period asked for, when `on` came from one")
    through: str | None = Field(description="that period's last day")
    page: schemas.PageOut | None = None

    model_config = {"extra": "allow"}


class StartsOut(DeskOut):
    """开复工台账: counts per status, lights, due_start (agrees with due_start_rate), the overdue list,
    every project of the year's plan."""

    year: int
    counts: dict[str, int]
    lights: dict[str, int]
    due_start: dict[str, Any]
    overdue: list[dict[str, Any]]
    projects: list[dict[str, Any]]


class ProceduresOut(DeskOut):
    """前期手续清单: totals, lights, completion (agrees with procedure_completion_rate), counts per
    procedure and level, the overdue list, every line."""

    year: int
    total: int
    approved: int
    pending: int
    overdue: int
    completion: dict[str, Any]
    by_procedure: list[dict[str, Any]]
    by_level: list[dict[str, Any]]
    overdue_list: list[dict[str, Any]]
    procedures: list[dict[str, Any]]


class WeeklyOut(DeskOut):
    """前期手续办理情况表 for the Friday on or before `on`: counts and the week's changes."""

    friday: str
    week: dict[str, str]
    by_procedure: list[dict[str, Any]]
    by_level: list[dict[str, Any]]
    changes: dict[str, list[dict[str, Any]]]


class LaggingOut(DeskOut):
    """滞后项目: one line per project with its reasons, worst light, 包联领导 and 包联部门."""

    count: int
    lights: dict[str, int]
    by_reason: dict[str, int]
    projects: list[dict[str, Any]]


class CoverageOut(DeskOut):
    """双包联: key projects with their leader and lead unit; those missing either."""

    key_projects: int
    complete: int
    by_level: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    projects: list[dict[str, Any]]


class FundingOut(DeskOut):
    """争取资金台账: items by channel, project and document; totals per channel (万元)."""

    total: str
    by_channel: list[dict[str, Any]]
    items: list[dict[str, Any]]


class LightsOut(DeskOut):
    """红黄绿灯 counts for 开复工, 前期手续 and 入库纳统, per county or township, and the totals."""

    by: str
    totals: dict[str, dict[str, int]]
    rows: list[dict[str, Any]]


def _bad(error: desk.DeskError) -> JSONResponse:
    return JSONResponse({"event_id": None, "field": error.field, "reason": error.reason}, status_code=400)


def _json(result: dict) -> Response:
    return Response(json_bytes(result), media_type="application/json")


def _view(request: Request, run, region: str, on: str | None, period: str | None, as_of: str | None,
          year: int | None = None, lists: str | tuple[str, ...] = (), limit: int | None = None,
          cursor: str | None = None, **extra) -> Response:
    try:
        try:
            check_cursor(cursor)
        except ValueError as error:
            raise desk.DeskError("cursor", str(error)) from None
        query = desk.make_desk_query(region, on, period, as_of, year)
        store = request.app.state.reader.events
        require_region(store, query.region)
        found = request.app.state.answers.answer(run.__name__, as_of, (query, extra), lambda: run(store, query, **extra))
        return _json(page(found, lists, limit, cursor) if lists else found)
    except desk.DeskError as error:
        return _bad(error)


@router.get("/v1/desk/starts", tags=["desk"], summary="开复工台账: the plan's starts and resumptions, status, light",
            response_model=StartsOut, responses=BAD)
def starts(request: Request, region: str = REGION, on: str | None = ON, period: str | None = PERIOD,
           as_of: str | None = AS_OF, limit: int | None = LIMIT, cursor: str | None = CURSOR):
    return _view(request, desk.starts_for, region, on, period, as_of, lists=("projects", "overdue"), limit=limit,
                 cursor=cursor)


@router.get("/v1/desk/procedures", tags=["desk"], summary="前期手续清单: each procedure, status, light; overdue list",
            response_model=ProceduresOut, responses=BAD)
def procedures(request: Request, region: str = REGION, on: str | None = ON, period: str | None = PERIOD,
               as_of: str | None = AS_OF, year: int | None = YEAR, limit: int | None = LIMIT,
               cursor: str | None = CURSOR):
    return _view(request, desk.procedures_for, region, on, period, as_of, year, lists=("procedures", "overdue_list"),
                 limit=limit, cursor=cursor)


@router.get("/v1/desk/procedures/weekly", tags=["desk"], summary="前期手续办理情况表 for the Friday on or before `on`",
            response_model=WeeklyOut, responses=BAD)
def procedures_weekly(request: Request, region: str = REGION, on: str | None = ON, period: str | None = PERIOD,
                      as_of: str | None = AS_OF, year: int | None = YEAR):
    return _view(request, desk.weekly_for, region, on, period, as_of, year)


@router.get("/v1/desk/lagging", tags=["desk"], summary="滞后项目 with reasons, light, 包联领导 and 包联部门",
            response_model=LaggingOut, responses=BAD)
def lagging(request: Request, region: str = REGION, on: str | None = ON, period: str | None = PERIOD,
            as_of: str | None = AS_OF, limit: int | None = LIMIT, cursor: str | None = CURSOR):
    return _view(request, desk.lagging_for, region, on, period, as_of, lists="projects", limit=limit, cursor=cursor)


@router.get("/v1/desk/coverage", tags=["desk"], summary="双包联: key projects missing a leader or a lead unit",
            response_model=CoverageOut, responses=BAD)
def coverage(request: Request, region: str = REGION, on: str | None = ON, period: str | None = PERIOD,
             as_of: str | None = AS_OF, limit: int | None = LIMIT, cursor: str | None = CURSOR):
    return _view(request, desk.coverage_for, region, on, period, as_of, lists=("projects", "missing"), limit=limit,
                 cursor=cursor)


@router.get("/v1/desk/funding", tags=["desk"], summary="争取资金台账: by channel, project and document",
            response_model=FundingOut, responses=BAD)
def funding(request: Request, region: str = REGION, on: str | None = ON, period: str | None = PERIOD,
            as_of: str | None = AS_OF, limit: int | None = LIMIT, cursor: str | None = CURSOR):
    return _view(request, desk.funding_for, region, on, period, as_of, lists="items", limit=limit, cursor=cursor)


@router.get("/v1/desk/lights", tags=["desk"], summary="红黄绿灯 counts per county or township (the dashboard)",
            response_model=LightsOut, responses=BAD)
def lights(request: Request, region: str = REGION, on: str | None = ON, period: str | None = PERIOD,
           as_of: str | None = AS_OF,
           by: Literal["county", "township"] | None = Query(None, description="Default: township for a county, "
                                                                             "else county."),
           limit: int | None = LIMIT, cursor: str | None = CURSOR):
    return _view(request, desk.board_for, region, on, period, as_of, by=by, lists="rows", limit=limit, cursor=cursor)


def _ledger(request: Request, kind: str, suffix: str, region: str, period: str, as_of: str | None) -> Response:
    from services.entry.render.ledgers import csv_bytes, file_name, ledger_table, xlsx_bytes

    try:
        if kind not in desk.LEDGER_KINDS:
            raise desk.DeskError("kind", f"kind must be one of {', '.join(desk.LEDGER_KINDS)}, got {kind!r}")
        query = desk.make_desk_query(region, period=period, as_of=as_of)
        store = request.app.state.reader.events
        require_region(store, query.region)
        # kept as the views' answers are (answers.py): the CSV and the workbook of one 台账 as of now
        # fold the region once, and the next downloads until a new fact take the rendering only
        view = request.app.state.answers.answer(f"ledger-{kind}", as_of, (query,),
                                                lambda: desk.ledger_view(store, kind, query))
    except desk.DeskError as error:
        return _bad(error)
    table = ledger_table(kind, view)
    body = csv_bytes(table) if suffix == ".csv" else xlsx_bytes(table)
    name = file_name(table, view, suffix)
    fallback = f"ledger-{kind}-{view['region']}-{view.get('period') or view['on']}{suffix}"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=MEDIA[suffix], headers={"Content-Disposition": disposition})


FILE = {"description": "The 台账 file (Content-Disposition names it, in Chinese, RFC 6266/5987)."}


@router.get("/v1/ledgers/{kind}.csv", tags=["ledgers"], summary="台账 as CSV (UTF-8 with BOM, Chinese)",
            response_class=Response,
            responses={200: {**FILE, "content": {"text/csv": {"schema": {"type": "string"}}}}, **BAD})
def ledger_csv(request: Request, kind: str = KIND, region: str = REGION, period: str = PERIOD_REQUIRED,
               as_of: str | None = AS_OF):
    return _ledger(request, kind, ".csv", region, period, as_of)


@router.get("/v1/ledgers/{kind}.xlsx", tags=["ledgers"], summary="台账 as an Excel workbook",
            response_class=Response,
            responses={200: {**FILE, "content": {MEDIA[".xlsx"]: {"schema": {"type": "string", "format": "binary"}}}},
                       **BAD, 501: {"model": ErrorBody, "description": "The xlsx writer is not in this build"}})
def ledger_xlsx(request: Request, kind: str = KIND, region: str = REGION, period: str = PERIOD_REQUIRED,
                as_of: str | None = AS_OF):
    return _ledger(request, kind, ".xlsx", region, period, as_of)

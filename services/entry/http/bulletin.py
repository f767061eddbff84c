"""GET /v1/bulletin.xlsx | .md | .html: the period's 通报 as a file (the bytes `projfacts bulletin`
writes for the same query), with a Content-Disposition that names it in Chinese
(阳城县2025年5月重大项目建设通报.xlsx, RFC 5987 `filename*`, an ASCII `filename` beside it)."""
from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from events.types import Category
from services.entry.http import schemas
from services.entry.http.errors import BadParameter

router = APIRouter(tags=["bulletin"])

Level = Literal["province", "city", "county"]
CategoryName = Literal[tuple(c.value for c in Category)]  # type: ignore[valid-type]
REGION, PERIOD = schemas.REGION, schemas.PERIOD  # the parameters as the server checks them
AS_OF = Query(None, description=schemas.AS_OF.description + " Give it for a reproducible bulletin.",
              json_schema_extra=schemas.AS_OF.json_schema_extra)
BOTTOM = Query(3, ge=0, le=50, description="How many of each ranking to single out as 排名靠后 (ties included).")


def _bad(field: str, reason: str) -> BadParameter:
    return BadParameter(field, reason)


def disposition(name: str, suffix: str, region: str, period: str) -> str:
    ascii_name = f"bulletin-{region}-{period}.{suffix}"
    return f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(name)}'


def _bulletin(request: Request, suffix: str, region: str, period: str, as_of: str | None, level: str | None,
              category: str | None, bottom: int) -> Response:
    from projections.periods import parse_as_of, parse_period
    from services.entry.render.bulletin import MEDIA_TYPES, filename, render
    from services.query.bulletin import build
    from services.query.figures import make_query
    from services.query.views import check_region

    for field, parse, value in (("region", check_region, region), ("period", parse_period, period),
                                ("as_of", parse_as_of, as_of)):
        try:
            parse(value)
        except ValueError as error:
            raise _bad(field, str(error)) from None
    from services.query.known import require_region

    query = make_query(region, period, as_of, level, category)
    require_region(request.app.state.store, region)
    # kept as the views' answers are (answers.py): its three files as of now fold the region once
    data = request.app.state.answers.answer("bulletin", as_of, (query, bottom),
                                            lambda: build(request.app.state.store, query, bottom))
    return Response(render(data, suffix), media_type=MEDIA_TYPES[suffix],
                    headers={"Content-Disposition": disposition(filename(data, suffix), suffix, region,
                                                                query.period.label)})


def _route(suffix: str, media_type: str, summary: str):
    async def endpoint(request: Request, region: str = REGION, period: str = PERIOD, as_of: str | None = AS_OF,
                       level: Level | None = Query(None, description="Keep key projects of this level (重点工程级别)."),
                       category: CategoryName | None = Query(None, description="Keep projects of this category."),
                       bottom: int = BOTTOM):
        return await run_in_threadpool(_bulletin, request, suffix, region, period, as_of, level, category, bottom)

    endpoint.__name__ = f"bulletin_{suffix}"
    router.add_api_route(f"/v1/bulletin.{suffix}", endpoint, methods=["GET"], summary=summary,
                         response_class=Response,
                         responses={200: {"content": {media_type: {}}, "description": "The bulletin file"},
                                    **schemas.READ_ERRORS})


_route("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
       "通报 as an Excel workbook: figures, tables by sub-region, rankings with 较上期, lagging projects")
_route("md", "text/markdown", "通报 as Markdown")
_route("html", "text/html", "通报 as one self-contained HTML page (inline SVG charts, print CSS)")

"""The HTTP API (FastAPI): report, explain, rank, the views, and the departments' ingest.

Every read takes `as_of` (a recorded time; default now) and returns exactly the JSON that the
matching CLI command prints with `--format json`; the views also take `on` (a business date;
default today, Asia/Shanghai). `POST /v1/events` is the departments' write path.

Every read needs a reader token or the dashboard's login session, and answers only inside its
territory (`services/entry/http/access.py`: the gate in front of every route, the login, the one
error body `{event_id, field, reason}` of every error).
"""
from __future__ import annotations

from enum import Enum
from typing import Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from events.types import Category
from projections.figures import FIGURES
from projections.periods import parse_as_of, parse_period
from services.query import figures as queries
from services.entry.render import tables as render
from services.query import views
from services.query.known import NotFound, require_project, require_region
from services.entry.http import access, schemas
from services.entry.http.answers import Answers
from services.entry.http import dashboard
from services.entry.http.errors import BadParameter, checked
from services.entry.http.paging import CURSOR, LIMIT, check_cursor, page
from services.entry.http import desk
from services.entry.http.bulletin import router as bulletin_router
from services.entry.http.ingest import Refused, authenticate, ingest
from services.ingest.authorise import region_from_code
from services.entry.bootstrap import Settings, open_reader, open_writer
from services.ingest.authorise import Policy
from services.log import EventStore

FigureId = Enum("FigureId", {name: name for name in FIGURES}, type=str)  # type: ignore[misc]
Level = Literal["province", "city", "county"]
PolicyName = Literal["default", "13710"]

CategoryName = Enum("CategoryName", {c.value: c.value for c in Category}, type=str)  # type: ignore[misc]
# The parameters as the server checks them, and the refusals of a read (services/entry/http/schemas.py).
REGION, PERIOD, AS_OF, ON, LEVEL, CATEGORY, POLICY, REMIND, PROJECT_ID = (
    schemas.REGION, schemas.PERIOD, schemas.AS_OF, schemas.ON, schemas.LEVEL, schemas.CATEGORY, schemas.POLICY,
    schemas.REMIND, schemas.PROJECT_ID)
BAD = schemas.READ_ERRORS




def _cursor(cursor: str | None) -> str | None:
    return checked("cursor", check_cursor, cursor)


def _json(result) -> Response:
    """The bytes `--format json` prints (render.json_bytes)."""
    return Response(render.json_bytes(result), media_type="application/json")


def create_app(where: Settings | EventStore | str | None = None, publish_policy: Policy | None = None) -> FastAPI:
    """The app over one store: departments' POSTs through the accept path (a writer, which creates
    and migrates the store); every GET through a read-only view of the same store.
    `where`: settings (the composition root's), or a store / URL (tests); `publish_policy`: who may
    publish what (default: the settings' policy.toml, as the Kafka ingest)."""
    if isinstance(where, EventStore):
        settings = Settings.load(where.engine.url.render_as_string(hide_password=False))
    else:
        settings = where if isinstance(where, Settings) else Settings.load(where)
    writer = open_writer(settings)
    if publish_policy is not None:
        writer.acceptor.policy = publish_policy
    reader = open_reader(settings)
    store = reader.events
    app = FastAPI(title="projfacts", version="0.1.0", docs_url=None, redoc_url=None,  # dashboard.py serves them offline
                  description="Major-project facts (重大项目建设): figures, views and departmental ingest, "
                              "each as of any recorded time.")
    app.state.store, app.state.writer, app.state.reader = store, writer, reader
    # whole answers kept, while the read model holds the same facts: for paging through one as-of
    # time, and one for every time after the log's latest (now, the dashboard's default): answers.py
    app.state.answers = answers = Answers(reader.held, store.latest_recorded_us)
    access.install(app, writer.events)  # one error body for every error; in-route refusals audited
    app.include_router(access.router)  # /login, /logout: the dashboard's session
    app.include_router(dashboard.router)  # 驾驶舱 at /, vendored static files, /docs and /redoc
    app.include_router(desk.router)  # /v1/desk/* views and /v1/ledgers/{kind}.csv|.xlsx (services/entry/http/desk.py)
    app.include_router(bulletin_router)  # 通报: GET /v1/bulletin.xlsx|.md|.html (services/entry/http/bulletin.py)
    bearer = HTTPBearer(auto_error=False, description="A department token (`projfacts token create`).")
    schemas.document(app)  # the strict OpenAPI description: parameter patterns, one schema per event type

    @app.exception_handler(BadParameter)
    async def _bad_parameter(_request: Request, error: BadParameter):
        return JSONResponse(access.error_body(error.reason, error.field), status_code=400)

    @app.exception_handler(NotFound)
    async def _not_found(_request: Request, error: NotFound):
        """A region or project the store knows nothing of (services/query/known.py)."""
        return JSONResponse(access.error_body(error.reason, error.field), status_code=404)

    def query(region: str, period: str, as_of: str | None, level: str | None, category=None):
        checked("region", views.check_region, region)
        checked("period", parse_period, period)
        checked("as_of", parse_as_of, as_of)
        require_region(store, region)
        return queries.make_query(region, period, as_of, level, category.value if category else None)

    def view_query(region: str, on: str | None, as_of: str | None) -> views.ViewQuery:
        found = views.ViewQuery(checked("region", views.check_region, region), checked("on", views.parse_on, on),
                                checked("as_of", parse_as_of, as_of))
        require_region(store, region)
        return found

    @app.get("/healthz", tags=["service"], summary="Liveness, the log's head position and the read model's lag")
    def healthz() -> dict:
        return {"status": "ok", "head": store.head(), "behind": reader.behind()}

    @app.get("/v1/report", tags=["figures"], summary="Every figure for a region and period",
             response_model=schemas.ReportOut, responses=BAD)
    def report(region: str = REGION, period: str = PERIOD, as_of: str | None = AS_OF, level: Level | None = LEVEL,
               category: CategoryName | None = CATEGORY):
        return _json(queries.report_for(store, query(region, period, as_of, level, category)))

    @app.get("/v1/explain/{figure}", tags=["figures"], summary="One figure down to projects and events",
             response_model=schemas.ExplainOut, responses=BAD)
    def explain(figure: FigureId, region: str = REGION, period: str = PERIOD, as_of: str | None = AS_OF,
                level: Level | None = LEVEL, category: CategoryName | None = CATEGORY, limit: int | None = LIMIT,
                cursor: str | None = CURSOR):
        q = query(region, period, as_of, level, category)
        found = answers.answer("explain", as_of, (figure.value, q), lambda: queries.explain_for(store, figure.value, q))
        return _json(page(found, ("numerator.items", "denominator.items"), limit, _cursor(cursor)))

    @app.get("/v1/rank/{figure}", tags=["figures"], summary="比学赶超: sub-regions best first on one figure",
             response_model=schemas.RankOut, responses=BAD)
    def rank(request: Request, figure: FigureId, region: str = REGION, period: str = PERIOD,
             as_of: str | None = AS_OF, level: Level | None = LEVEL, category: CategoryName | None = CATEGORY,
             by: Literal["county", "township"] = Query("county"), limit: int | None = LIMIT,
             cursor: str | None = CURSOR):
        ranking = queries.rank_for(store, figure.value, query(region, period, as_of, level, category), by)
        viewer = access.viewer_of(request)
        if viewer is not None and viewer.township:  # a township token: its own row (the gate allows by=township)
            ranking["rows"] = [row for row in ranking["rows"]
                               if row.get("township") == viewer.township and row["region"] == viewer.territory]
        return _json(page(ranking, "rows", limit, _cursor(cursor)))

    @app.get("/v1/stages", tags=["views"], summary="项目阶段: each project's lifecycle stage on a date",
             response_model=schemas.StagesOut, responses=BAD)
    def stages(region: str = REGION, on: str | None = ON, as_of: str | None = AS_OF, limit: int | None = LIMIT,
               cursor: str | None = CURSOR):
        vq = view_query(region, on, as_of)
        found = answers.answer("stages", as_of, (vq,), lambda: views.stage_for(store, vq))
        return _json(page(found, "projects", limit, _cursor(cursor)))

    @app.get("/v1/stats-entry", tags=["views"], summary="入库纳统: eligibility, status, 应统未统",
             response_model=schemas.StatsEntryOut, responses=BAD)
    def stats_entry(region: str = REGION, on: str | None = ON, as_of: str | None = AS_OF, limit: int | None = LIMIT,
                    cursor: str | None = CURSOR):
        vq = view_query(region, on, as_of)
        found = answers.answer("stats-entry", as_of, (vq,), lambda: views.stats_entry_for(store, vq))
        return _json(page(found, ("projects", "not_entered"), limit, _cursor(cursor)))

    @app.get("/v1/leaders", tags=["views"], summary="领导包联: each leader's projects and visits",
             response_model=schemas.LeadersOut, responses=BAD)
    def leaders(region: str = REGION, on: str | None = ON, as_of: str | None = AS_OF,
                policy: PolicyName = POLICY, remind_days: int | None = REMIND, limit: int | None = LIMIT,
                cursor: str | None = CURSOR):
        deadlines = views.deadline_policy(policy, remind_days)
        vq = view_query(region, on, as_of)
        found = answers.answer("leaders", as_of, (vq, deadlines), lambda: views.leaders_for(store, vq, deadlines))
        return _json(page(found, ("leaders", "units"), limit, _cursor(cursor)))

    @app.get("/v1/problems", tags=["views"], summary="问题闭环: open, near deadline, overdue, closure",
             response_model=schemas.ProblemsOut, responses=BAD)
    def problems(region: str = REGION, on: str | None = ON, as_of: str | None = AS_OF,
                 policy: PolicyName = POLICY, remind_days: int | None = REMIND, limit: int | None = LIMIT,
                 cursor: str | None = CURSOR):
        deadlines = views.deadline_policy(policy, remind_days)
        vq = view_query(region, on, as_of)
        found = answers.answer("problems", as_of, (vq, deadlines), lambda: views.problems_for(store, vq, deadlines))
        return _json(page(found, ("problems", "near_deadline", "overdue"), limit, _cursor(cursor)))

    @app.get("/v1/projects/{project_id}/dossier", tags=["views"], summary="一项一档: every fact of one project",
             response_model=schemas.DossierOut, responses=BAD)
    def dossier(request: Request, project_id: str = PROJECT_ID, on: str | None = ON, as_of: str | None = AS_OF,
                limit: int | None = LIMIT, cursor: str | None = CURSOR):
        on_day, stamp = checked("on", views.parse_on, on), checked("as_of", parse_as_of, as_of)
        checked("project_id", views.check_project_id, project_id)
        viewer = access.viewer_of(request)
        try:
            require_project(store, project_id)
        except NotFound:
            _may_see_project(viewer, project_id, None)  # outside the territory: 403, known or not
            raise
        result = views.dossier_for(store, project_id, on_day, stamp)
        _may_see_project(viewer, project_id, result.get("project"))
        return _json(page(result, "facts", limit, _cursor(cursor)))

    @app.get("/v1/revisions", tags=["figures"], summary="Figures that moved between two vintages, and the facts "
                                                          "that moved them (statisticians and admins)",
             responses=BAD)
    def revisions(region: str = REGION, period: str = PERIOD,
                  t_from: str = schemas.VINTAGE_FROM, t_to: str | None = schemas.VINTAGE_TO,
                  level: Level | None = LEVEL, category: CategoryName | None = CATEGORY):
        from services.query.vintages import revisions as revisions_of

        checked("from", parse_as_of, t_from)
        checked("to", parse_as_of, t_to)
        query(region, period, t_from, level, category)
        require_region(store, region)
        try:
            result = revisions_of(store, region, period, t_from, t_to, level, category.value if category else None)
        except ValueError as error:
            raise BadParameter("to", str(error)) from None
        return _json(result)

    @app.post("/v1/events", tags=["ingest"], summary="A department publishes one event",
              status_code=201, response_model=schemas.Accepted,
              openapi_extra={"requestBody": {"required": True,
                                             "content": {"application/json": {"schema": schemas.EVENT_SCHEMA}}}},
              responses={200: {"model": schemas.Accepted, "description": "Duplicate: already in the log (no-op)"},
                         **{code: {"model": schemas.ErrorBody, "description": text} for code, text in (
                             (400, "Not JSON"), (401, "Missing, unknown or revoked token"),
                             (403, "Not this department's fact, or outside its territory"),
                             (409, "Event id already used with different content"),
                             (422, "Invalid event"))}})
    async def publish(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)):
        token = credentials.credentials if credentials else None
        client = request.client.host if request.client else None
        try:  # who sends it first: an unknown sender's body is never read
            publisher = await run_in_threadpool(authenticate, writer.acceptor, token, client,
                                                access.request_line(request.scope))
            body = await request.body()
            result = await run_in_threadpool(ingest, writer.acceptor, token, body, client, publisher)
        except Refused as refused:
            headers = {"WWW-Authenticate": "Bearer"} if refused.status == 401 else None
            return JSONResponse(refused.body(), status_code=refused.status, headers=headers)
        return JSONResponse(result, status_code=201 if result["outcome"] == "appended" else 200)

    access.document(app)  # reader security schemes, 401/403, the one error body in the OpenAPI description
    app.add_middleware(Behind, reader=reader)
    app.add_middleware(access.Gate, reader=store, writer=writer.events)  # outermost: before any route
    return app


class Behind:
    """Reads say when the read model is behind the log (X-Projfacts-Behind: how many facts). Pure
    ASGI, so that an exception raised while a route reads its body reaches the app's handlers as is."""

    def __init__(self, app, reader):
        self.app, self.reader = app, reader

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or not scope.get("path", "").startswith("/v1/"):
            return await self.app(scope, receive, send)

        async def send_with_lag(message):
            if message["type"] == "http.response.start":
                behind = await run_in_threadpool(self.reader.behind)
                if behind:
                    message = {**message, "headers": [*message.get("headers", []),
                                                      (b"x-projfacts-behind", str(behind).encode())]}
            await send(message)
        await self.app(scope, receive, send_with_lag)


def _may_see_project(viewer, project_id: str, project: dict | None) -> None:
    """A dossier only inside the token's territory (the project's registration in force on the
    day asked, else the region in its code) and, for a township token, its township."""
    if viewer is None or (not viewer.territory and not viewer.township):
        return
    region = (project or {}).get("region") or region_from_code(project_id)
    if region is None or not viewer.covers(region):
        raise access.Denied(403, "project_id", f"project {project_id} is outside this token's territory "
                                               f"({viewer.territory})" if region else
                            f"project {project_id} has no known region; this token sees {viewer.territory} only")
    if viewer.township and (project or {}).get("township") != viewer.township:
        raise access.Denied(403, "project_id", f"project {project_id} is not in township {viewer.township}, "
                                               f"which is all this token sees")


def app_from_env() -> FastAPI:
    """For `uvicorn --factory services.entry.http.app:app_from_env`: the store from $PROJFACTS_DB."""
    return create_app()

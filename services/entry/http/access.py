"""Who may read, and what reaches a handler at all (issue 17; issue 15 item 5): one ASGI gate in
front of every route, the dashboard's login, and one error body for every error the API answers.

The gate, in this order, before any handler runs and before any body is read:
1. a path or query holding a control character (a NUL …) or bytes that are not UTF-8 → 400;
2. a body declared (Content-Length) larger than the limit → 413; a body that grows past it while
   read (chunked) → 413 as well (`BodyTooLarge`);
3. open paths: `/healthz`, `/openapi.json`, `/docs`, `/redoc`, the vendored `/static/` files, the
   login page; `POST /v1/events` is the departments' (their own token, checked by the route
   before it reads the body);
4. every other request needs a reader token (`Authorization: Bearer pfr_…`) or the dashboard's
   session cookie: none, unknown, revoked or expired → 401 (the dashboard page `/` redirects to
   `/login` instead);
5. the token's role and territory: `explain` and `revisions` only for statisticians and admins;
   every `region` asked for must lie inside the territory (a county token asking for its city,
   the province or another county → 403, never a partial figure); a township token may read its
   township's dossiers and its own row of a township ranking, nothing that is a whole county's.

Every 400/401/403/413 here, and the handlers' own refusals (a dossier outside the territory), are
recorded in the one audit (`ingest_refusals`, `projfacts audit`) with the request line.

Error body, for every status the API answers with an error (400, 401, 403, 404, 405, 409, 413,
422, 500, 501, 503): `{"event_id": str|null, "field": str|null, "reason": str}` — `event_id` names the
event of a refused write (else null), `field` the parameter, header or event field at fault.
"""
from __future__ import annotations

import html
import logging
import os
import re
from urllib.parse import parse_qsl, quote, unquote_to_bytes

import orjson
from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import cookie_parser

from services.ingest.readers import Viewer, end_session, start_session, verify_reader, verify_session
from services.ingest.tokens import record_refusal
from services.log import EventStore

log = logging.getLogger("projfacts.http")

COOKIE = "projfacts_session"
MAX_BODY = int(os.environ.get("PROJFACTS_MAX_BODY") or 1 << 20)  # 1 MiB
OPEN_PATHS = frozenset({"/healthz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/login",
                        "/logout"})
OPEN_PREFIXES = ("/static/",)
DEPARTMENTS_PATH = "/v1/events"  # the departments' door: their own tokens (services/entry/http/ingest.py)
ITEMS_PREFIXES = ("/v1/explain/", "/v1/revisions")  # statisticians and admins only
TOWNSHIP_PATHS = ("/", "/v1/rank/")  # and dossiers: what a township token may read (filtered by the route)


def error_body(reason: str, field: str | None = None, event_id: str | None = None) -> dict:
    """The one error body of the API."""
    return {"event_id": event_id, "field": field, "reason": reason}


class Denied(Exception):
    """A refusal decided inside a route (a dossier outside the territory): answered and audited."""

    def __init__(self, status: int, field: str | None, reason: str):
        super().__init__(reason)
        self.status, self.field, self.reason = status, field, reason


class BodyTooLarge(Exception):
    pass


def request_line(scope) -> str:
    query = scope.get("query_string") or b""
    line = f"{scope.get('method', '?')} {scope.get('path', '')}"
    return f"{line}?{query.decode('latin-1')}" if query else line


def _client(scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


def audit(store: EventStore, scope, status: int, field: str | None, reason: str, viewer: Viewer | None = None,
          event_id: str | None = None) -> None:
    """Record a refused request; the audit must never turn a refusal into a 500."""
    try:
        record_refusal(store, status, reason, field=field, client=_client(scope), event_id=event_id,
                       token_id=viewer.token_id if viewer else None, role=viewer.role if viewer else None,
                       request=request_line(scope))
    except Exception:  # noqa: BLE001 - logged; the refusal is answered all the same
        log.exception("could not record a refusal")


# ---- poison ------------------------------------------------------------------------------------
def _bad_character(text: str) -> str | None:
    for ch in text:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code < 0xA0 or ch in "\ufffe\uffff":
            return f"\\x{code:02x}" if code < 0x100 else f"U+{code:04X}"
    return None


def poison(scope) -> tuple[str, str] | None:
    """(field, reason) when the path or query holds what no parameter may: bytes that are not
    UTF-8 once percent-decoded, or a control character (a NUL, a newline …)."""
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
    for field, raw in (("path", raw_path), ("query", scope.get("query_string") or b"")):
        try:
            text = unquote_to_bytes(raw.replace(b"+", b" ") if field == "query" else raw).decode("utf-8")
        except UnicodeDecodeError:
            return field, f"the {field} is not UTF-8 once percent-decoded"
        bad = _bad_character(text)
        if bad:
            return field, f"the {field} holds a control character ({bad}), which no parameter may"
    return None


# ---- the gate ----------------------------------------------------------------------------------
def _is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def _bearer(headers: dict[bytes, bytes]) -> tuple[bool, str | None]:
    """(an Authorization header was sent, the bearer token in it)."""
    value = headers.get(b"authorization")
    if value is None:
        return False, None
    scheme, _, token = value.decode("latin-1").partition(" ")
    return True, token.strip() if scheme.lower() == "bearer" and token.strip() else None


def session_cookie(headers: dict[bytes, bytes]) -> str | None:
    raw = headers.get(b"cookie")
    return cookie_parser(raw.decode("latin-1")).get(COOKIE) if raw else None


def authorise(viewer: Viewer, path: str, params: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(field, reason) when this viewer may not make this read; None when it may."""
    if path.startswith(ITEMS_PREFIXES) and not viewer.sees_items:
        return "Authorization", (f"explain items and revisions are for statisticians and admins; this token is a "
                                 f"{viewer.role}")
    for name, value in params:
        if path == "/":  # the page holds no figure; its pickers are in its URL, its reads are judged one by one
            break
        if name == "region" and re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", value) and not viewer.covers(value):
            return "region", (f"region {value} is outside this token's territory ({viewer.territory}); "
                              f"a token sees its own region and what lies inside it, never a wider one")
    if viewer.township:
        by = [v for k, v in params if k == "by"]
        dossier = path.startswith("/v1/projects/") and path.endswith("/dossier")
        ranking = path.startswith("/v1/rank/") and by and all(v == "township" for v in by)
        if not (path == "/" or dossier or ranking):
            return "Authorization", (f"this token sees township {viewer.township} of {viewer.territory} only; "
                                     f"{path} answers for the whole region and cannot be restricted to one "
                                     f"township (a township may read its projects' dossiers and its row of "
                                     f"/v1/rank/{{figure}}?by=township)")
    return None


class Gate:
    """Pure ASGI middleware (the body limit must wrap `receive`, before any route reads it)."""

    def __init__(self, app, reader: EventStore, writer: EventStore, max_body: int = MAX_BODY):
        self.app, self.reader, self.writer, self.max_body = app, reader, writer, max_body

    async def _refuse(self, scope, send, status: int, field: str | None, reason: str,
                      viewer: Viewer | None = None, headers: dict | None = None) -> None:
        await run_in_threadpool(audit, self.writer, scope, status, field, reason, viewer)
        response = JSONResponse(error_body(reason, field), status_code=status, headers=headers)
        await response(scope, _drain, send)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        found = poison(scope)
        if found:
            return await self._refuse(scope, send, 400, found[0], found[1])
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                return await self._refuse(scope, send, 400, "Content-Length", "Content-Length is not a number")
            if int(declared) > self.max_body:
                return await self._refuse(scope, send, 413, "body", f"the body is {int(declared)} bytes; at most "
                                                                    f"{self.max_body} are accepted")
        receive = self._limited(receive)
        path = scope.get("path", "")
        if _is_open(path) or path == DEPARTMENTS_PATH:
            return await self.app(scope, receive, send)
        sent, token = _bearer(headers)
        if sent:
            viewer = await run_in_threadpool(verify_reader, self.reader, token)
            why = "unknown or revoked reader token" if token else "Authorization must be 'Bearer <reader token>'"
        else:
            viewer = await run_in_threadpool(verify_session, self.reader, session_cookie(headers))
            why = "missing reader token (Authorization: Bearer …) or login session (expired or ended?)"
        if viewer is None:
            if path == "/" and not sent and scope.get("method") in ("GET", "HEAD"):
                return await self._to_login(scope, receive, send)
            return await self._refuse(scope, send, 401, "Authorization", why, headers={"WWW-Authenticate": "Bearer"})
        params = parse_qsl((scope.get("query_string") or b"").decode("utf-8"), keep_blank_values=True)
        refusal = authorise(viewer, path, params)
        if refusal:
            return await self._refuse(scope, send, 403, refusal[0], refusal[1], viewer)
        scope.setdefault("state", {})["viewer"] = viewer
        return await self.app(scope, receive, send)

    async def _to_login(self, scope, receive, send) -> None:
        root = scope.get("root_path", "").rstrip("/")
        target = request_line(scope).split(" ", 1)[1]
        response = RedirectResponse(f"{root}/login?next={quote(target, safe='')}", status_code=303)
        await response(scope, receive, send)

    def _limited(self, receive):
        seen = 0
        limit = self.max_body

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(f"the body is over {limit} bytes; at most {limit} are accepted")
            return message
        return limited


async def _drain():  # a refusal never reads the body
    return {"type": "http.disconnect"}


def viewer_of(request: Request) -> Viewer | None:
    return getattr(request.state, "viewer", None)


# ---- error bodies --------------------------------------------------------------------------------
def install(app: FastAPI, writer: EventStore) -> None:
    """The one error body for FastAPI's own errors (validation 422, unknown path 404, 405, 500),
    the gate's in-route refusals, and an over-long body read by a route."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError):
        problems = error.errors()
        first = problems[0] if problems else {}
        loc = [str(part) for part in first.get("loc", ())]
        field = ".".join(loc[1:]) if len(loc) > 1 else (loc[0] if loc else None)
        reasons = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
                            for e in problems)
        return JSONResponse(error_body(reasons or "invalid request", field), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException):
        reason = error.detail if isinstance(error.detail, str) else orjson.dumps(error.detail).decode()
        return JSONResponse(error_body(reason), status_code=error.status_code, headers=error.headers)

    @app.exception_handler(Denied)
    async def _denied(request: Request, error: Denied):
        await run_in_threadpool(audit, writer, request.scope, error.status, error.field, error.reason,
                                viewer_of(request))
        return JSONResponse(error_body(error.reason, error.field), status_code=error.status)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, error: BodyTooLarge):
        await run_in_threadpool(audit, writer, request.scope, 413, "body", str(error), viewer_of(request))
        return JSONResponse(error_body(str(error), "body"), status_code=413, headers={"Connection": "close"})

    @app.exception_handler(Exception)
    async def _internal(_request: Request, error: Exception):
        log.error("internal error: %r", error)
        return JSONResponse(error_body("internal error: the request could not be answered; it has been logged"),
                            status_code=500)


# ---- the dashboard's login -------------------------------------------------------------------------
router = APIRouter(include_in_schema=False)

LOGIN_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · 重大项目建设驾驶舱</title>
<style>
body {{ margin: 0; background: #f2f5f9; color: #1f2d3d;
       font: 14px/1.5 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }}
header {{ background: #0b3d75; color: #fff; padding: 12px 24px; }} header h1 {{ margin: 0; font-size: 22px; }}
form {{ max-width: 460px; margin: 48px auto; background: #fff; border: 1px solid #dde3ea; border-radius: 6px;
        padding: 20px 24px; display: grid; gap: 12px; }}
input {{ font: inherit; padding: 6px 8px; border: 1px solid #c5cfda; border-radius: 4px; }}
button {{ font: inherit; padding: 6px 12px; background: #0b3d75; color: #fff; border: 0; border-radius: 4px; }}
.error {{ color: #c62828; font-weight: 600; }} .hint {{ color: #6b7a8c; font-size: 12px; }}
</style></head>
<body data-page="login">
<header><h1>重大项目建设驾驶舱</h1></header>
<form method="post" action="login" id="login">
  <label for="token">访问令牌(reader token)</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
  <input type="hidden" name="next" value="{next}">
  {error}
  <button type="submit">登录</button>
  <p class="hint">令牌由管理员在服务器上用 <code>projfacts reader create</code> 签发;按其角色和辖区显示数据。</p>
</form>
</body></html>
"""


def _safe_next(value: str | None) -> str:
    """Only a path of this site (never //host or a scheme): no open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def login_page(next_path: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    shown = f'<p class="error" id="login-error" role="alert">{html.escape(error)}</p>' if error else ""
    return HTMLResponse(LOGIN_PAGE.format(next=html.escape(_safe_next(next_path)), error=shown), status_code=status,
                        headers={"Cache-Control": "no-store"})


@router.get("/login", response_class=HTMLResponse)
def login_form(next: str | None = None) -> HTMLResponse:  # noqa: A002 - the form's field
    return login_page(next or "/")


@router.post("/login")
async def login(request: Request) -> Response:
    body = await request.body()
    fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    token, next_path = fields.get("token", "").strip(), _safe_next(fields.get("next"))
    reader, writer = request.app.state.reader.events, request.app.state.writer.events
    viewer = await run_in_threadpool(verify_reader, reader, token)
    if viewer is None:
        reason = "unknown or revoked reader token" if token else "missing reader token"
        await run_in_threadpool(audit, writer, request.scope, 401, "token", reason)
        return login_page(next_path, "令牌无效或已撤销,请核对后重试。" if token else "请输入访问令牌。", status=401)
    session = await run_in_threadpool(start_session, writer, viewer)
    root = request.scope.get("root_path", "").rstrip("/")
    response = RedirectResponse(root + next_path, status_code=303)
    response.set_cookie(COOKIE, session, httponly=True, samesite="strict", path=(root or "/"),
                        secure=request.url.scheme == "https", max_age=12 * 3600)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    session = request.cookies.get(COOKIE)
    await run_in_threadpool(end_session, request.app.state.writer.events, session)
    root = request.scope.get("root_path", "").rstrip("/")
    response = RedirectResponse(f"{root}/login", status_code=303)
    response.delete_cookie(COOKIE, path=(root or "/"), httponly=True, samesite="strict")
    return response


# ---- the OpenAPI description ------------------------------------------------------------------------
READER_SCHEMES = {
    "ReaderToken": {"type": "http", "scheme": "bearer",
                    "description": "A reader token (`projfacts reader create --role reader|statistician|admin "
                                   "--territory R`): its role and territory decide what it may read."},
    "ReaderSession": {"type": "apiKey", "in": "cookie", "name": COOKIE,
                      "description": "The dashboard's login session (POST /login with a reader token)."},
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


def document(app: FastAPI) -> None:
    """Reads declare the reader schemes and their 401/403; every 4xx/5xx the one error body."""
    plain = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        spec = plain()
        components = spec.setdefault("components", {})
        components.setdefault("securitySchemes", {}).update(READER_SCHEMES)
        for path, item in spec.get("paths", {}).items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                if method == "get" and path.startswith("/v1/"):
                    operation["security"] = [{"ReaderToken": []}, {"ReaderSession": []}]
                    responses.setdefault("401", {"description": "Missing, unknown or revoked reader token"})
                    forbidden = "Outside the token's territory" + (
                        ", or a reader's token (statisticians and admins only)" if path.startswith(ITEMS_PREFIXES)
                        else "")
                    responses.setdefault("403", {"description": forbidden})
                responses.setdefault("400", {"description": "A control character or non-UTF-8 bytes in the path "
                                                            "or query, or a parameter is invalid"})
                if method == "post":
                    responses.setdefault("413", {"description": f"Body over {MAX_BODY} bytes"})
                for code, response in responses.items():
                    if code[0] in "45":
                        response["content"] = {"application/json": {"schema": ERROR_REF}}
        schemas = components.get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]

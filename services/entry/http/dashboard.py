"""The command office's desk: the dashboard page (驾驶舱) at `/`, the vendored front-end files at
`/static/...`, and Swagger UI (`/docs`) and ReDoc (`/redoc`) built on those local files, so that
every page renders on a network with no internet.

The page reads only the JSON API (`/v1/report`, `/v1/rank/{figure}`); nothing here computes a
figure. None of these routes is part of the API, so none appears in the OpenAPI document.
The app must be created with `docs_url=None, redoc_url=None` so that these `/docs` and `/redoc`
replace FastAPI's CDN-backed ones.
"""
from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse

STATIC = Path(__file__).resolve().parent / "static"
VENDOR = "/static/vendor"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
# The vendored files never change under a given name within a release; the page and its script may.
CACHE = {"vendor": "public, max-age=86400", "page": "no-cache"}

router = APIRouter(include_in_schema=False)


def _root(request: Request) -> str:
    """The path prefix the app is served under (a reverse proxy's root_path), '' at the top."""
    return request.scope.get("root_path", "").rstrip("/")


def _openapi_url(request: Request) -> str:
    return _root(request) + (request.app.openapi_url or "/openapi.json")


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    """驾驶舱: KPI cards, 开复工, plan vs actual by month, ranking (static/index.html + dashboard.js).
    Only with a login session or reader token (the gate, access.py); the page is told the viewer's
    role and territory (`<body data-territory data-township data-role>`) to start from its region."""
    viewer = getattr(request.state, "viewer", None)
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    if viewer is not None:
        attributes = " ".join(f'data-{name}="{html.escape(value or "")}"' for name, value in (
            ("territory", viewer.territory), ("township", viewer.township), ("role", viewer.role),
            ("token", viewer.token_id)))
        page = page.replace('<body data-state="loading">', f'<body data-state="loading" {attributes}>', 1)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.get("/static/{path:path}")
def static(path: str) -> FileResponse:
    """A file under static/ (never outside it)."""
    file = (STATIC / path).resolve()
    if not file.is_relative_to(STATIC) or not file.is_file() or file.name.startswith("."):
        raise HTTPException(status_code=404)
    media_type = None
    if file.suffix in {".js", ".css", ".html"}:
        media_type = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}[file.suffix] + \
            "; charset=utf-8"
    cache = CACHE["vendor"] if path.startswith("vendor/") else CACHE["page"]
    return FileResponse(file, media_type=media_type, headers={"Cache-Control": cache})


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    root = _root(request)
    return get_swagger_ui_html(
        openapi_url=_openapi_url(request), title=f"{request.app.title} — Swagger UI",
        swagger_js_url=f"{root}{VENDOR}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{VENDOR}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{root}{VENDOR}/swagger-ui/favicon-32x32.png",
        oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT}",
        # no online validator badge: it would fetch an image from the internet
        swagger_ui_parameters={"validatorUrl": None, **(request.app.swagger_ui_parameters or {})})


@router.get(OAUTH2_REDIRECT, response_class=HTMLResponse)
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    root = _root(request)
    page = get_redoc_html(
        openapi_url=_openapi_url(request), title=f"{request.app.title} — ReDoc",
        redoc_js_url=f"{root}{VENDOR}/redoc/redoc.standalone.js",
        redoc_favicon_url=f"{root}{VENDOR}/swagger-ui/favicon-32x32.png",
        with_google_fonts=False)
    # ReDoc 2 draws its logo from its CDN (and hides it when that fails): images from here only,
    # so that the browser never tries the internet for it.
    page.headers["Content-Security-Policy"] = "img-src 'self' data:"
    return page

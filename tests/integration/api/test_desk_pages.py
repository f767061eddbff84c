"""The desk's pages without a browser: `/`, the vendored files byte for byte, and /docs and
/redoc pointing at those local files only (no CDN), none of them in the OpenAPI document."""
from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path

import pytest

from helpers import reader_headers
from services.entry.http import create_app
from services.entry.http.dashboard import STATIC

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: "install httpx2 instead"
    from fastapi.testclient import TestClient

VENDOR = STATIC / "vendor"
ASSET = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.fixture(scope="module")
def http(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('desk') / 'store.sqlite'}"
    with TestClient(create_app(url)) as client:
        client.headers.update(reader_headers(url))  # the page needs a reader (issue 17); its assets do not
        yield client


def vendored() -> list[tuple[str, str]]:
    lines = (VENDOR / "SHA256SUMS").read_text().splitlines()
    return [(name, digest) for digest, name in (line.split(maxsplit=1) for line in lines)]


def assets(html: str) -> list[str]:
    return ASSET.findall(html) + re.findall(r"url: '([^']+)'", html) + re.findall(r'spec-url="([^"]+)"', html)


def test_the_desk_page_is_served_with_local_assets_only(http):
    response = http.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "重大项目建设驾驶舱" in response.text
    urls = assets(response.text)
    assert "static/vendor/echarts/echarts.min.js" in urls and "static/dashboard.js" in urls
    assert not [url for url in urls if "//" in url]
    for url in urls:
        assert http.get("/" + url).status_code == 200, url


@pytest.mark.parametrize("name,digest", vendored())
def test_every_vendored_file_is_served_as_published(http, name, digest):
    response = http.get(f"/static/vendor/{name}")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == digest


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/%2e%2e/app.py", "/static/vendor", "/static/nope.js",
                                  "/static/vendor/..%2f..%2fapp.py"])
def test_nothing_outside_static_is_served(http, path):
    assert http.get(path).status_code == 404


def test_docs_and_redoc_use_the_vendored_files(http):
    docs = http.get("/docs")
    assert docs.status_code == 200
    assert set(assets(docs.text)) == {"/static/vendor/swagger-ui/swagger-ui.css",
                                      "/static/vendor/swagger-ui/favicon-32x32.png",
                                      "/static/vendor/swagger-ui/swagger-ui-bundle.js", "/openapi.json"}
    assert '"validatorUrl": null' in docs.text  # no badge fetched from the validator's site
    assert http.get("/docs/oauth2-redirect").status_code == 200
    redoc = http.get("/redoc")
    assert redoc.status_code == 200
    assert set(assets(redoc.text)) == {"/static/vendor/swagger-ui/favicon-32x32.png",
                                       "/static/vendor/redoc/redoc.standalone.js", "/openapi.json"}
    assert "fonts.googleapis" not in redoc.text
    assert redoc.headers["content-security-policy"] == "img-src 'self' data:"


def test_the_desk_routes_are_not_in_the_api_document(http):
    paths = http.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if not (p.startswith("/v1/") or p == "/healthz")]


def test_the_vendored_files_are_package_data():
    pyproject = (Path(__file__).resolve().parents[3] / "pyproject.toml").read_text()
    for pattern in ('"entry/http/static/*.html"', '"entry/http/static/*.js"', '"entry/http/static/vendor/**/*"'):
        assert pattern in pyproject

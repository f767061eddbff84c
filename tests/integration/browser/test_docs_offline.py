"""/docs (Swagger UI) and /redoc (ReDoc) render from the vendored files with every request that
is not to loopback aborted: the way they must work on an intranet with no internet."""
from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.browser


def operations(base: str) -> list[tuple[str, str, str]]:
    spec = httpx.get(f"{base}/openapi.json", timeout=30).json()
    return [(method.upper(), path, op["summary"]) for path, item in spec["paths"].items() for method, op in item.items()]


def test_swagger_ui_lists_every_operation_offline(page, demo_server):
    expected = operations(demo_server)
    page.goto(f"{demo_server}/docs")
    page.wait_for_function(f"document.querySelectorAll('.opblock').length >= {len(expected)}", timeout=30_000)
    shown = {(block.locator(".opblock-summary-method").inner_text().strip(),
              block.locator(".opblock-summary-path").get_attribute("data-path"))
             for block in page.locator(".opblock").all()}
    assert shown == {(method, path) for method, path, _ in expected}
    assert page.locator(".info .title").inner_text().startswith("projfacts")
    assert page.blocked == [] and page.errors == []


def test_redoc_renders_every_operation_offline(page, demo_server):
    expected = operations(demo_server)
    page.goto(f"{demo_server}/redoc")
    page.wait_for_selector("[data-section-id^='operation/']", state="attached", timeout=30_000)
    page.wait_for_function(
        f"document.querySelectorAll(\"[data-section-id^='operation/']\").length >= {len(expected)}", timeout=30_000)
    body = page.locator("body").inner_text()
    for _method, _path, summary in expected:
        assert summary in body, summary
    assert page.blocked == []
    # ReDoc 2 asks for its logo at its CDN; the page's Content-Security-Policy stops that in the browser
    assert all("Content Security Policy" in error and "cdn.redoc.ly/redoc/logo-mini.svg" in error
               for error in page.errors), page.errors

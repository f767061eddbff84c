"""/docs and /redoc work offline: their HTML loads scripts, styles and images from the app itself
(the vendored Swagger UI and ReDoc, services/entry/http/static/vendor/README.md), never from a URL
on another host; each file they name is served. (The browser tests load both pages with every
non-loopback request blocked.)"""
from __future__ import annotations

import re

import pytest

from services.entry.http.dashboard import VENDOR


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_name_no_external_url(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    assert not re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}", html), re.findall(r"https?://\S+", html)
    local = re.findall(r"""(?:src|href)\s*=\s*["'](/[^"']+)["']|url:\s*["'](/[^"']+)["']""", html)
    files = [a or b for a, b in local]
    assert any(f.startswith(VENDOR) for f in files), files
    for file in files:
        assert client.get(file).status_code == 200, file

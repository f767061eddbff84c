"""The dashboard behind its login (issue 17), in headless Chromium against the demo county: no
session → the login page; a wrong token → the error shown, still no session; a county reader's
token → the dashboard of its county with the charts drawn; asking for the city above it → the
refusal shown, no figure; logging out → the login page again."""
from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.browser

REGION, PERIOD = "140522", "2024-06"


def log_in(page, token: str) -> None:
    page.fill("#token", token)
    page.click("#login button[type=submit]")


def test_without_a_session_the_dashboard_is_the_login_page(anonymous_page, demo_server):
    page = anonymous_page
    page.goto(f"{demo_server}/?region={REGION}&period={PERIOD}")
    assert page.url.startswith(f"{demo_server}/login?next=")
    assert page.locator("body").get_attribute("data-page") == "login"
    assert page.locator("#token").get_attribute("type") == "password"
    # the data is not there either, without a token
    assert httpx.get(f"{demo_server}/v1/report", params={"region": REGION, "period": PERIOD}).status_code == 401
    assert page.blocked == [] and page.errors == []


def test_a_wrong_token_is_shown_as_an_error(anonymous_page, demo_server):
    page = anonymous_page
    page.goto(f"{demo_server}/")
    log_in(page, "pfr_this-is-not-a-token")
    page.wait_for_selector("#login-error")
    assert "令牌无效或已撤销" in page.locator("#login-error").inner_text()
    assert page.context.cookies() == []
    page.goto(f"{demo_server}/")
    assert "/login" in page.url


def test_logging_in_shows_the_county_and_its_charts(anonymous_page, demo_server):
    page = anonymous_page
    page.goto(f"{demo_server}/?region={REGION}&period={PERIOD}")
    log_in(page, demo_server.tokens["county"])
    page.wait_for_function("""() => document.body.dataset.state === 'ready' && document.body.dataset.region === '140522'""",
                           timeout=30_000, polling=100)
    assert page.url.startswith(f"{demo_server}/?region={REGION}")
    (cookie,) = page.context.cookies()
    assert cookie["name"] == "projfacts_session" and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # HttpOnly: no script reads it
    for chart in ("chart-starts", "chart-monthly", "chart-rank"):
        assert page.locator(f"#{chart} svg").count() == 1, chart
    report = httpx.get(f"{demo_server}/v1/report", params={"region": REGION, "period": PERIOD},
                       headers={"Authorization": f"Bearer {demo_server.tokens['county']}"}, timeout=30).json()
    shown = page.locator('.kpi[data-kpi="projects"] .num').inner_text().strip()
    assert int(shown) == report["figures"]["start_or_resume_rate"]["denominator"]
    assert page.locator("#who").inner_text().startswith("查阅 · 140522")
    # the region list offers nothing above the county
    offered = page.locator("#regions option").evaluate_all("(options) => options.map((o) => o.value)")
    assert offered and all(code.startswith(REGION) for code in offered), offered
    # the city above it: refused, and the page says so instead of showing a figure
    page.goto(f"{demo_server}/?region=1405&period={PERIOD}")
    page.wait_for_function("document.body.dataset.state === 'error'", timeout=30_000, polling=100)
    status = page.locator("#status").inner_text()
    assert "403" in status and "outside this token's territory" in status
    assert page.blocked == []


def test_logging_out_ends_the_session(page, demo_server):
    page.goto(f"{demo_server}/?region={REGION}&period={PERIOD}")
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=30_000, polling=100)
    page.click("form.account button[type=submit]")
    page.wait_for_selector("#login")
    assert "/login" in page.url
    page.goto(f"{demo_server}/")
    assert "/login" in page.url

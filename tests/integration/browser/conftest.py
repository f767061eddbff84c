"""Browser tests: a real `projfacts serve` on loopback over the demo county (阳城 140522, 2024) and
Debian's headless Chromium driven by Playwright.

- `demo_server` (session): the demo history (`tools.history.county.demo_county`) written as JSON
  lines, imported with `projfacts import FILE --db URL` into a fresh SQLite store, then
  `projfacts serve` on a free 127.0.0.1 port; readiness polled; the process group ended at the end.
- `browser` (session): /usr/bin/chromium (or $PROJFACTS_CHROMIUM) launched by Playwright with the
  flags this closed network needs; Playwright gives it a fresh temporary profile (its own
  --user-data-dir) and downloads nothing. Missing Chromium: skipped, or failed when $CI is set
  (scripts/setup.sh installs it as root).
- `page`: a new zh-CN context, Asia/Shanghai, 1440×900, in which every request not to loopback is
  aborted and recorded (`page.blocked`), as are page errors and console errors (`page.errors`);
  logged in as the demo server's admin (a session cookie from POST /login). `anonymous_page`: the
  same, logged in as nobody.
- Reader tokens (issue 17) are made with `projfacts reader create` against the demo store:
  `demo_server.auth` is the admin's Authorization header, `demo_server.tokens` every token by name.

Every test here is marked `browser` (`-m "not browser"` leaves them out).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

PROJFACTS = Path(sys.executable).with_name("projfacts")
CHROMIUM = os.environ.get("PROJFACTS_CHROMIUM", "/usr/bin/chromium")
# python-svc machine notes: without the background-networking flags Chromium keeps dialling out and
# the closed network makes it hang. --headless is Playwright's own (headless=True).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
READY_WITHIN_S = 60.0
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives headless Chromium against a real `projfacts serve`")


def _missing(what: str):
    if os.environ.get("CI"):
        pytest.fail(what, pytrace=False)
    pytest.skip(what)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PROJFACTS_DB", "PROJFACTS_BUS")}
    env["XDG_DATA_HOME"] = str(home / "xdg")  # never the user's default store
    return env


class DemoServer(str):
    """The base URL, with the reader tokens made for it (`tokens`) and the admin's header (`auth`)."""

    tokens: dict[str, str]

    @property
    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.tokens['admin']}"}


READERS = {"admin": ["--role", "admin"], "county": ["--role", "reader", "--territory", "140522"]}


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """Base URL of `projfacts serve` over a fresh SQLite store holding the demo county's history."""
    from tools.history.county import demo_county, write_jsonl

    home = tmp_path_factory.mktemp("demo-server")
    history = home / "demo-county.jsonl"
    write_jsonl(demo_county(), history)
    url = f"sqlite:///{home / 'store.sqlite'}"
    imported = subprocess.run([str(PROJFACTS), "import", str(history), "--db", url], env=_env(home),
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
    assert imported.returncode == 0, imported.stderr
    tokens = {}
    for name, args in READERS.items():
        made = subprocess.run([str(PROJFACTS), "reader", "create", *args, "--label", name, "--db", url], env=_env(home),
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
        assert made.returncode == 0, made.stderr
        tokens[name] = made.stdout.strip()
    port = _free_port()
    log_path = home / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([str(PROJFACTS), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", url],
                                   env=_env(home), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    base = DemoServer(f"http://127.0.0.1:{port}")
    base.tokens = tokens
    try:
        deadline = time.monotonic() + READY_WITHIN_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited {process.returncode}: {log_path.read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server not ready within {READY_WITHIN_S}s: {log_path.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        _missing(f"no Chromium at {CHROMIUM}: as root, apt-get install chromium fonts-noto-cjk (scripts/setup.sh)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                              timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()


def login_cookie(base: str, token: str) -> dict:
    """The session cookie POST /login sets for a reader token, as Playwright takes it."""
    answer = httpx.post(f"{base}/login", data={"token": token, "next": "/"}, timeout=30, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return {"name": "projfacts_session", "value": answer.cookies["projfacts_session"], "url": base,
            "httpOnly": True, "sameSite": "Strict"}


@pytest.fixture
def page(browser, demo_server):
    """A page that may reach loopback only (what it tried beyond is in `page.blocked`), logged in as
    the demo server's admin."""
    tab = _new_page(browser)
    tab.context.add_cookies([login_cookie(demo_server, demo_server.tokens["admin"])])
    try:
        yield tab
    finally:
        tab.context.close()


@pytest.fixture
def anonymous_page(browser):
    tab = _new_page(browser)
    try:
        yield tab
    finally:
        tab.context.close()


def _new_page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1440, "height": 900}, device_scale_factor=1)
    context.set_default_timeout(30_000)
    blocked: list[str] = []
    errors: list[str] = []

    def only_loopback(route):
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", only_loopback)
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    tab.on("console", lambda message: errors.append(f"console.{message.type}: {message.text}")
           if message.type == "error" else None)
    tab.blocked, tab.errors = blocked, errors
    return tab

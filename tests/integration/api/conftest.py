"""Fixtures for the HTTP API: a store holding a scenario, an in-process client, and a real
server process on loopback (`projfacts serve` on a free port, readiness polled, killed at the end)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import httpx
import pytest

from events.codec import validate_object
from services.entry.http import create_app
from services.ingest.tokens import create_token
from helpers import append_history, reader_headers, writer_for
from services.log import EventStore

PROJFACTS = Path(sys.executable).with_name("projfacts")
READY_WITHIN_S = 30.0


def load(store: EventStore, events: list[dict]) -> None:
    """A history with its recorded times, as the history import would append it (then projected)."""
    result = append_history(writer_for(store.engine.url.render_as_string(hide_password=False)), events)
    assert result.rejected == 0, result.reasons


@pytest.fixture
def api_store(store_url):
    store = EventStore(store_url)
    yield store
    store.engine.dispose()


@pytest.fixture
def client(api_store):
    """An in-process client that reads as an admin of every region (its default Authorization);
    a request that must go without it deletes the header (`anonymous`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette: "install httpx2 instead"
        from fastapi.testclient import TestClient
    with TestClient(create_app(api_store)) as test_client:
        test_client.headers.update(reader_headers(api_store))
        yield test_client


def anonymous(client, method: str, path: str, **kwargs):
    """A request through `client` without its default Authorization header."""
    follow = kwargs.pop("follow_redirects", False)
    request = client.build_request(method, path, **kwargs)
    request.headers.pop("Authorization", None)
    return client.send(request, follow_redirects=follow)


@pytest.fixture
def token_for(api_store):
    """token_for(department, territory="140522") -> a fresh bearer token."""
    def make(department: str, territory: str = "140522") -> str:
        return create_token(api_store, department, territory, "test")[1]
    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PROJFACTS_DB", "PROJFACTS_BUS")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")  # never the user's default store
    return env


@pytest.fixture
def server(tmp_path):
    """start(url) -> base URL of a `projfacts serve` process for that store; stopped at the end."""
    started: list[subprocess.Popen] = []

    def start(url: str) -> str:
        port = free_port()
        log = open(tmp_path / f"server-{port}.log", "wb")
        process = subprocess.Popen([str(PROJFACTS), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", url],
                                   env=cli_env(tmp_path), stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + READY_WITHIN_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"server exited {process.returncode}: {(tmp_path / f'server-{port}.log').read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                    return base
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"server not ready within {READY_WITHIN_S}s")

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

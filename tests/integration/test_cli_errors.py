"""Errors people understand (issue 15, item 6): one clear line and a non-zero exit — no traceback —
for a bad --db URL, a store that does not exist, an unknown region or project, a period out of
range, a broker that does not answer (within seconds); 404 and 400 for the same over HTTP;
`serve` says where it listens and logs each request; worker processes die with their parent."""
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

from helpers import assert_spawned_die_with, event, reader_headers, write_jsonl

PROJFACTS = Path(sys.executable).with_name("projfacts")
DEMO = Path(__file__).resolve().parents[2] / "services" / "entry" / "data" / "yangcheng-2024.jsonl.gz"
P1 = "2501-140522-04-01-000001"


def run(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(PROJFACTS), *args], capture_output=True, text=True, timeout=timeout,
                          env=env or clean_env(), stdin=subprocess.DEVNULL)


def clean_env(tmp: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PROJFACTS_DB", "PROJFACTS_BUS", "PROJFACTS_BOOTSTRAP")}
    if tmp is not None:
        env["XDG_DATA_HOME"] = str(tmp / "xdg")
    return env


def one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    """The last stderr line is the error; no traceback anywhere; exit status non-zero."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: "), result.stderr
    for word in words:
        assert word in last, (word, last)
    return last


@pytest.fixture
def county(tmp_path, store_url):
    """A store with one registered project of 140522 (through the CLI's import)."""
    history = [event("ProjectRegistered", project_id=P1, occurred_on="2025-01-02",
                     recorded_at="2025-01-02T10:00:00+08:00"),
               event("AnnualPlanAdopted", project_id=P1, occurred_on="2025-01-05",
                     recorded_at="2025-01-05T10:00:00+08:00")]
    result = run("import", str(write_jsonl(tmp_path / "h.jsonl", history)), "--db", store_url)
    assert result.returncode == 0, result.stderr
    return store_url


# ---- the store ---------------------------------------------------------------------------------
@pytest.mark.parametrize("url, words", [
    ("notaurl", ["is not a database URL"]),
    ("foo://x", ["only SQLite"]),
    ("postgresql://nobody@127.0.0.1:1/none", ["cannot reach the store"]),
])
def test_a_bad_db_url_is_one_line(tmp_path, url, words):
    one_line_error(run("report", "--region", "140522", "--period", "2025Q1", "--db", url, env=clean_env(tmp_path)),
                   *words)


def test_a_store_that_does_not_exist_is_one_line(tmp_path):
    missing = tmp_path / "missing.sqlite"
    one_line_error(run("report", "--region", "140522", "--period", "2025Q1", "--db", f"sqlite:///{missing}"),
                   "no store")
    assert not missing.exists()  # a reader never creates it


# ---- unknown region, unknown project, period out of range: CLI -------------------------------------
@pytest.mark.parametrize("args", [
    ["report", "--period", "2025Q1"],
    ["explain", "new_start_rate", "--period", "2025Q1"],
    ["rank", "new_start_rate", "--period", "2025Q1"],
    ["stage"],
    ["starts"],
    ["ledger", "starts", "--period", "2025Q1", "--out", "x.csv"],
    ["bulletin", "--period", "2025Q1", "--out", "x.md"],
])
def test_an_unknown_region_is_one_line_and_exit_1(county, tmp_path, args):
    for region in ("140599", "15", "1406"):
        result = run(*args, "--region", region, "--db", county)
        assert result.returncode == 1, result.stderr
        one_line_error(result, f"unknown region {region}")
    known = run(*[a if a not in ("x.csv", "x.md") else str(tmp_path / a) for a in args],
                "--region", "1405", "--as-of", "2024-01-01", "--db", county)
    assert known.returncode == 0, known.stderr  # known region as of before its first fact: zeros, not an error


def test_an_unknown_project_is_one_line_and_exit_1(county):
    result = run("dossier", "2501-140522-04-01-999999", "--db", county)
    assert result.returncode == 1
    one_line_error(result, "unknown project 2501-140522-04-01-999999")
    assert run("dossier", P1, "--db", county).returncode == 0


@pytest.mark.parametrize("args, words", [
    (["report", "--region", "140522", "--period", "9999"], ["1990–2199"]),
    (["report", "--region", "140522", "--period", "2025Q1", "--as-of", "9999-12-31"], ["1990–2199"]),
    (["stage", "--region", "140522", "--on", "0001-01-01"], ["1990–2199"]),
    (["starts", "--region", "140522", "--period", "1989"], ["1990–2199"]),
    (["procedures", "--region", "140522", "--year", "99999"], ["1990–2199"]),
])
def test_a_period_or_date_out_of_range_is_one_line(county, args, words):
    one_line_error(run(*args, "--db", county), *words)


# ---- the same over HTTP ------------------------------------------------------------------------
@pytest.fixture
def client(county):
    from services.entry.http import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    with TestClient(create_app(county)) as test_client:
        test_client.headers.update(reader_headers(county))
        yield test_client


@pytest.mark.parametrize("path, params", [
    ("/v1/report", {"period": "2025Q1"}),
    ("/v1/explain/new_start_rate", {"period": "2025Q1"}),
    ("/v1/rank/new_start_rate", {"period": "2025Q1"}),
    ("/v1/stages", {}),
    ("/v1/desk/starts", {}),
    ("/v1/ledgers/starts.csv", {"period": "2025Q1"}),
    ("/v1/bulletin.md", {"period": "2025Q1"}),
])
def test_http_unknown_region_is_404_and_period_out_of_range_400(client, path, params):
    unknown = client.get(path, params={**params, "region": "140599"})
    assert unknown.status_code == 404, unknown.text
    assert unknown.json() == {"event_id": None, "field": "region",
                              "reason": "unknown region 140599: no project of the store is registered in it "
                                        "(库中没有在该地区登记的项目)"}
    assert client.get(path, params={**params, "region": "140522"}).status_code == 200
    if "period" in params:
        for period in ("9999", "1989Q4", "2025-13", " 2025"):
            bad = client.get(path, params={**params, "region": "140522", "period": period})
            assert bad.status_code == 400 and bad.json()["field"] == "period", (period, bad.text)


def test_http_unknown_project_is_404(client):
    assert client.get("/v1/projects/2501-140522-04-01-999999/dossier").status_code == 404
    assert client.get(f"/v1/projects/{P1}/dossier").status_code == 200
    bad = client.get("/v1/projects/-x/dossier")
    assert bad.status_code == 400 and bad.json()["field"] == "project_id"


# ---- a broker that does not answer -------------------------------------------------------------
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_submit_without_a_broker_says_so_within_seconds(tmp_path):
    path = write_jsonl(tmp_path / "one.jsonl", [event("ProjectRegistered")])
    started = time.monotonic()
    result = run("submit", str(path), "--department", "ndrc", "--bootstrap", f"127.0.0.1:{closed_port()}",
                 timeout=60)
    elapsed = time.monotonic() - started
    one_line_error(result, "cannot reach the Kafka broker")
    assert result.returncode == 1 and elapsed < 10, elapsed


def test_topics_create_without_a_broker_says_so_within_seconds(tmp_path):
    started = time.monotonic()
    result = run("topics", "create", "--bootstrap", f"127.0.0.1:{closed_port()}", timeout=60)
    elapsed = time.monotonic() - started
    one_line_error(result, "cannot reach the Kafka broker")
    assert result.returncode == 1 and elapsed < 15, elapsed


# ---- serve ---------------------------------------------------------------------------------------
def test_serve_says_where_it_listens_and_logs_requests(county, tmp_path):
    port, headers = closed_port(), reader_headers(county)
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([str(PROJFACTS), "serve", "--port", str(port), "--db", county], env=clean_env(tmp_path),
                                  stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  start_new_session=True)
    try:
        deadline, answered = time.monotonic() + 30, None
        while answered is None and time.monotonic() < deadline and server.poll() is None:
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/v1/report", headers=headers,
                                     params={"region": "140599", "period": "2025Q1"}, timeout=1.0)
            except httpx.TransportError:
                time.sleep(0.1)  # polling readiness, not synchronising on a guess
        assert answered is not None and answered.status_code == 404, log.read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    text = log.read_text()
    assert f"http://127.0.0.1:{port}/" in text
    assert '"GET /v1/report?region=140599&period=2025Q1 HTTP/1.1" 404' in text, text


# ---- worker processes die with their parent ------------------------------------------------------
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_replay_workers_die_when_the_replay_is_killed(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert run("import", str(DEMO), "--db", url).returncode == 0
    replay = subprocess.Popen([str(PROJFACTS), "replay", "--workers", "2", "--fresh", "--no-verify", "--db", url],
                              env=clean_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert_spawned_die_with(replay, 2, "replay's worker processes")

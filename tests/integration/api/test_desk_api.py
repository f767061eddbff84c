"""The desk over HTTP (in process, SQLite and PostgreSQL): each /v1/desk view answers exactly what
the CLI prints with `--format json`; bad parameters are 400 {event_id, field, reason}; the 台账 are
downloads with a Chinese file name."""
from __future__ import annotations

import subprocess
from urllib.parse import unquote

import orjson
import pytest

from conftest import PROJFACTS, cli_env, load
from desk_scenario import AS_OF, ON, REGION, build, pid


@pytest.fixture
def scenario(api_store):
    s = build()
    load(api_store, s.events)
    return s


def get(client, path: str, **params) -> dict:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("command, path, params", [
    (["starts", "--on", ON], "/v1/desk/starts", {"on": ON}),
    (["procedures", "--period", "2025Q2"], "/v1/desk/procedures", {"period": "2025Q2"}),
    (["procedures-weekly", "--on", ON, "--year", "2025"], "/v1/desk/procedures/weekly", {"on": ON, "year": 2025}),
    (["lagging", "--on", ON], "/v1/desk/lagging", {"on": ON}),
    (["coverage", "--on", ON], "/v1/desk/coverage", {"on": ON}),
    (["funding", "--period", "2025-04"], "/v1/desk/funding", {"period": "2025-04"}),
    (["lights", "--on", ON, "--by", "county"], "/v1/desk/lights", {"on": ON, "by": "county"}),
], ids=lambda v: v if isinstance(v, str) else None)
def test_http_returns_exactly_what_the_cli_prints(client, scenario, store_url, tmp_path, command, path, params):
    args = [str(PROJFACTS), *command, "--region", REGION, "--as-of", AS_OF, "--format", "json", "--db", store_url]
    cli = subprocess.run(args, env=cli_env(tmp_path), capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert cli.returncode == 0, cli.stderr.decode()
    http = client.get(path, params={**params, "region": REGION, "as_of": AS_OF})
    assert http.status_code == 200, http.text
    assert http.content == cli.stdout
    assert orjson.loads(http.content)["region_name"] == "阳城县"


def test_views_answer_for_the_date_and_as_of(client, scenario):
    starts = get(client, "/v1/desk/starts", region=REGION, on=ON)
    assert {p["project_id"]: p["status"] for p in starts["projects"]} == {
        pid(1): "on_time", pid(2): "due_not_started", pid(3): "late", pid(4): "unscheduled"}
    march = get(client, "/v1/desk/starts", region=REGION, on="2025-03-01")
    assert {p["project_id"]: p["light"] for p in march["projects"]}[pid(1)] == "green"     # not yet due
    lights = get(client, "/v1/desk/lights", region=REGION, period="2025-05", as_of="2025-05-20")
    assert [r["township"] for r in lights["rows"]] == ["凤城镇", "北留镇"]
    assert lights["totals"]["stats_entry"] == {"red": 2, "yellow": 0, "green": 1, "none": 0}
    funding = get(client, "/v1/desk/funding", region=REGION, on=ON, as_of="2025-05-09")
    assert funding["total"] == "8800.00"
    assert get(client, "/v1/desk/funding", region=REGION, on=ON)["total"] == "8300.00"


@pytest.mark.parametrize("path, params, field", [
    ("/v1/desk/starts", {"region": "14x"}, "region"),
    ("/v1/desk/procedures", {"region": REGION, "on": "2025-02-30"}, "on"),
    ("/v1/desk/lagging", {"region": REGION, "on": ON, "period": "2025Q2"}, "period"),
    ("/v1/desk/coverage", {"region": REGION, "period": "2025Q5"}, "period"),
    ("/v1/desk/funding", {"region": REGION, "as_of": "yesterday"}, "as_of"),
    ("/v1/desk/procedures/weekly", {"region": REGION, "year": 1800}, "year"),
    ("/v1/ledgers/roads.csv", {"region": REGION, "period": "2025"}, "kind"),
    ("/v1/ledgers/starts.csv", {"region": "1", "period": "2025"}, "region"),
])
def test_bad_parameters_are_named(client, scenario, path, params, field):
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["event_id"], body["field"]) == (None, field) and body["reason"]


def test_ledger_csv_download(client, scenario):
    response = client.get("/v1/ledgers/starts.csv", params={"region": REGION, "period": "2025Q2", "as_of": ON})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="ledger-starts-140522-2025Q2.csv"')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "阳城县_开复工台账_2025Q2.csv"
    assert response.content.startswith("\ufeff序号,项目代码,项目名称".encode())
    text = response.content.decode("utf-8")
    assert "逾期未开工" in text and "\r\n" in text
    funding = client.get("/v1/ledgers/funding.csv", params={"region": REGION, "period": "2025"}).content.decode()
    assert funding.rstrip().splitlines()[-1].endswith(",8300.00")


def test_ledger_xlsx_download(client, scenario):
    response = client.get("/v1/ledgers/leaders.xlsx", params={"region": REGION, "period": "2025Q2"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "领导包联台账" in unquote(response.headers["content-disposition"])

"""The OpenAPI document validates, and every operation in it is exercised — in process and
against a real `projfacts serve` process on loopback."""
from __future__ import annotations

import httpx
from openapi_spec_validator import validate

from api_scenario import ON, REGION, build, pid
from conftest import load
from helpers import event, reader_headers
from services.entry.http import create_app
from services.ingest.tokens import create_token, refusals

AS_OF = "2025-06-01T12:00:00+08:00"



DESK = {"region": REGION, "on": ON, "as_of": AS_OF}

# (method, path template, concrete path, params, expected status): one or more per operation
CALLS = [
    ("get", "/healthz", "/healthz", {}, 200),
    ("get", "/v1/report", "/v1/report", {"region": REGION, "period": "2025Q1", "as_of": AS_OF}, 200),
    ("get", "/v1/report", "/v1/report", {"region": "14x", "period": "2025Q1"}, 400),
    ("get", "/v1/explain/{figure}", "/v1/explain/stats_entry_rate",
     {"region": REGION, "period": "2025-05", "as_of": AS_OF}, 200),
    ("get", "/v1/rank/{figure}", "/v1/rank/new_start_rate",
     {"region": "1405", "period": "2025", "as_of": AS_OF, "by": "county"}, 200),
    ("get", "/v1/stages", "/v1/stages", {"region": REGION, "on": ON, "as_of": AS_OF}, 200),
    ("get", "/v1/stages", "/v1/stages", {"region": REGION, "on": "2025-02-30"}, 400),
    ("get", "/v1/stats-entry", "/v1/stats-entry", {"region": REGION, "on": ON, "as_of": AS_OF}, 200),
    ("get", "/v1/leaders", "/v1/leaders", {"region": REGION, "on": ON, "as_of": AS_OF}, 200),
    ("get", "/v1/problems", "/v1/problems", {"region": REGION, "on": ON, "as_of": AS_OF, "policy": "13710"}, 200),
    ("get", "/v1/projects/{project_id}/dossier", f"/v1/projects/{pid(2)}/dossier", {"on": ON, "as_of": AS_OF}, 200),
    ("get", "/v1/desk/starts", "/v1/desk/starts", DESK, 200),
    ("get", "/v1/desk/starts", "/v1/desk/starts", {**DESK, "period": "2025Q2"}, 400),
    ("get", "/v1/desk/procedures", "/v1/desk/procedures", {"region": REGION, "period": "2025Q2", "as_of": AS_OF}, 200),
    ("get", "/v1/desk/procedures/weekly", "/v1/desk/procedures/weekly", DESK, 200),
    ("get", "/v1/desk/lagging", "/v1/desk/lagging", DESK, 200),
    ("get", "/v1/desk/coverage", "/v1/desk/coverage", DESK, 200),
    ("get", "/v1/desk/funding", "/v1/desk/funding", DESK, 200),
    ("get", "/v1/desk/lights", "/v1/desk/lights", {"region": "1405", "period": "2025-05", "as_of": AS_OF,
                                                   "by": "county"}, 200),
    ("get", "/v1/ledgers/{kind}.csv", "/v1/ledgers/starts.csv", {"region": REGION, "period": "2025Q2", "as_of": AS_OF},
     200),
    ("get", "/v1/ledgers/{kind}.csv", "/v1/ledgers/roads.csv", {"region": REGION, "period": "2025Q2"}, 400),
    ("get", "/v1/ledgers/{kind}.xlsx", "/v1/ledgers/funding.xlsx",
     {"region": REGION, "period": "2025Q2", "as_of": AS_OF}, 200),
    # 通报 (services/entry/http/bulletin.py)
    ("get", "/v1/bulletin.xlsx", "/v1/bulletin.xlsx", {"region": REGION, "period": "2025-05", "as_of": AS_OF}, 200),
    ("get", "/v1/bulletin.md", "/v1/bulletin.md", {"region": REGION, "period": "2025Q1", "as_of": AS_OF}, 200),
    ("get", "/v1/bulletin.html", "/v1/bulletin.html", {"region": "1405", "period": "2025-05", "as_of": AS_OF}, 200),
    ("get", "/v1/bulletin.xlsx", "/v1/bulletin.xlsx", {"region": REGION, "period": "2025-13"}, 400),
    ("get", "/v1/revisions", "/v1/revisions", {"region": REGION, "period": "2025Q1", "from": "2025-04-01",
                                               "to": AS_OF}, 200),
    ("get", "/v1/revisions", "/v1/revisions", {"region": REGION, "period": "2025Q1", "from": AS_OF,
                                               "to": "2025-04-01"}, 400),
]


def test_the_openapi_document_validates(sqlite_url):
    spec = create_app(sqlite_url).openapi()
    validate(spec)
    schemes = spec["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer" and schemes["ReaderToken"]["scheme"] == "bearer"
    assert schemes["ReaderSession"] == {**schemes["ReaderSession"], "in": "cookie", "name": "projfacts_session"}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "get" and path.startswith("/v1/"):  # every read needs a reader token or session
                assert operation["security"] == [{"ReaderToken": []}, {"ReaderSession": []}], path
                assert {"401", "403"} <= set(operation["responses"]), path
            for code, response in operation["responses"].items():  # one error body
                if code[0] in "45":
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorBody"}, (path, code)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_every_operation_in_the_document_is_exercised(sqlite_url):
    spec = create_app(sqlite_url).openapi()
    documented = {(method, path) for path, item in spec["paths"].items() for method in item}
    exercised = {(method, template) for method, template, *_ in CALLS} | {("post", "/v1/events")}
    assert documented == exercised


def test_the_openapi_document_is_served(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200 and "/v1/events" in response.json()["paths"]


def exercise(http, token: str) -> dict:
    """Every operation; returns the bodies of the reads, by concrete path and params."""
    bodies = {}
    for _method, _template, path, params, status in CALLS:
        response = http.get(path, params=params)
        assert response.status_code == status, (path, response.text)
        bodies[(path, tuple(sorted(params.items())))] = response.content if status == 200 else None
    started = event("ConstructionResumed", project_id=pid(1), occurred_on="2025-05-21", year=2025)
    created = http.post("/v1/events", json=started, headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201, created.text
    refused = http.post("/v1/events", json=started, headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401 and refused.json() == {
        "event_id": None, "field": "Authorization", "reason": "missing, unknown or revoked token"}
    return bodies


def test_in_process(client, api_store):
    load(api_store, build().events)
    exercise(client, create_token(api_store, "project_center", REGION)[1])


def test_real_server_on_loopback(server, store_url, client, api_store):
    load(api_store, build().events)
    token = create_token(api_store, "project_center", REGION)[1]
    base = server(store_url)
    with httpx.Client(base_url=base, timeout=30, headers=reader_headers(api_store)) as http:
        assert http.get("/openapi.json").json() == client.get("/openapi.json").json()
        served = exercise(http, token)
    # what the server answered for fixed as-of times is what the in-process app answers
    for (path, params), body in served.items():
        if body is not None and path != "/healthz" and not path.endswith(".xlsx"):  # a workbook may stamp its time
            assert client.get(path, params=dict(params)).content == body, path
    assert refusals(api_store, 1)[0]["status"] == 401

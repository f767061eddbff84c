"""Departments' ingest over HTTP: tokens, validation, authorisation by department and territory,
idempotence by event id, 4xx bodies naming the event, field and reason, and the audit of refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from api_scenario import OTHER, REGION, build, pid
from conftest import anonymous, load
from helpers import event, new_id
from services.ingest.tokens import list_tokens, refusals, revoke_token
from services.ingest.tables import department_tokens


@pytest.fixture
def scenario(api_store):
    s = build()
    load(api_store, s.events)
    return s


def post(client, obj, token: str | None):
    if token:
        return client.post("/v1/events", json=obj, headers={"Authorization": f"Bearer {token}"})
    return anonymous(client, "POST", "/v1/events", json=obj)


def assert_refused(api_store, response, status: int, obj: dict, field: str | None, reason_part: str):
    """A refusal naming the event, field and reason, and its audit row. A 401 is decided before the
    body is read (issue 15): it names no event, and its audit row holds the request line instead."""
    assert response.status_code == status, response.text
    body = response.json()
    named = None if status == 401 else obj["event_id"]
    assert body["event_id"] == named and body["field"] == field and reason_part in body["reason"]
    logged = refusals(api_store, 1)[0]
    assert (logged["status"], logged["event_id"], logged["field"], logged["reason"]) == (
        status, named, field, body["reason"])
    if status == 401:
        assert logged["event_type"] is None and logged["request"] == "POST /v1/events"
    else:
        assert logged["event_type"] == obj["event_type"] and logged["project_id"] == obj["project_id"]
    return logged


def test_accepted_once_then_a_duplicate_and_the_views_see_it(client, api_store, scenario, token_for):
    token = token_for("project_center")
    resumed = event("ConstructionResumed", project_id=pid(1), occurred_on="2025-05-21", year=2025,
                    recorded_at="2020-01-01T00:00:00+08:00")  # a sent recorded_at is not honoured
    first = post(client, resumed, token)
    assert first.status_code == 201 and first.json()["outcome"] == "appended"
    assert not first.json()["recorded_at"].startswith("2020")
    again = post(client, resumed, token)
    assert again.status_code == 200 and again.json() == {**first.json(), "outcome": "duplicate"}
    stages = client.get("/v1/stages", params={"region": REGION, "on": "2025-05-31"}).json()
    assert {p["project_id"]: p["flags"] for p in stages["projects"]}[pid(1)] == []  # projected at once


def test_same_id_different_content_is_a_conflict(client, api_store, scenario, token_for):
    token = token_for("project_center")
    visit = event("SiteVisitRecorded", project_id=pid(1), occurred_on="2025-05-21", leader_id="L-LI")
    assert post(client, visit, token).status_code == 201
    changed = {**visit, "payload": {"leader_id": "L-WANG"}}
    assert_refused(api_store, post(client, changed, token), 409, visit, "event_id", "different content")


def test_an_invalid_event_names_its_field(client, api_store, scenario, token_for):
    bad = event("InvestmentReported", project_id=pid(3), year=2025, month=5, amount=12.5)
    logged = assert_refused(api_store, post(client, bad, token_for("project_center")), 422, bad,
                            "payload.amount", "decimal string")
    assert logged["department"] == "project_center"


def test_a_wrong_token_is_refused_with_401_and_logged(client, api_store, scenario, token_for):
    token_for("project_center")
    started = event("ConstructionStarted", project_id=pid(2), occurred_on="2025-05-21")
    response = post(client, started, "pf_not-a-token")
    logged = assert_refused(api_store, response, 401, started, "Authorization", "unknown or revoked token")
    assert response.headers["www-authenticate"] == "Bearer"
    assert logged["department"] is None and logged["token_id"] is None
    assert_refused(api_store, post(client, started, None), 401, started, "Authorization", "missing bearer token")


def test_a_revoked_token_is_refused(client, api_store, scenario, token_for):
    token = token_for("project_center")
    (row,) = list_tokens(api_store)
    assert revoke_token(api_store, row["token_id"])
    started = event("ConstructionStarted", project_id=pid(2), occurred_on="2025-05-21")
    assert_refused(api_store, post(client, started, token), 401, started, "Authorization", "revoked")


def test_another_departments_event_type_is_refused_with_403_and_logged(client, api_store, scenario, token_for):
    token = token_for("stats")
    started = event("ConstructionStarted", project_id=pid(2), occurred_on="2025-05-21",
                    source={"department": "stats", "system": "统计联网直报"})
    logged = assert_refused(api_store, post(client, started, token), 403, started, "event_type",
                            "stats may not publish ConstructionStarted")
    assert logged["department"] == "stats" and logged["token_id"]
    posing = event("ConstructionStarted", project_id=pid(2), occurred_on="2025-05-21")  # says project_center
    assert_refused(api_store, post(client, posing, token), 403, posing, "source.department",
                   "is not the publishing department")


def test_another_countys_project_is_refused_with_403_and_logged(client, api_store, scenario, token_for):
    token = token_for("project_center", territory=REGION)
    theirs = event("ConstructionStarted", project_id=pid(9, OTHER), occurred_on="2025-05-21")
    assert_refused(api_store, post(client, theirs, token), 403, theirs, "project_id",
                   "outside this publisher's territory")
    # a project not registered yet is placed by the region in its code
    unknown = event("ConstructionStarted", project_id=pid(77, OTHER), occurred_on="2025-05-21")
    assert_refused(api_store, post(client, unknown, token), 403, unknown, "project_id", "140521")
    ndrc = token_for("ndrc", territory=REGION)
    moved = event("ProjectRegistered", project_id=pid(9, OTHER), occurred_on="2025-05-21", region=REGION,
                  source={"department": "ndrc", "system": "t"})
    assert_refused(api_store, post(client, moved, ndrc), 403, moved, "project_id", "project registered in 140521")
    target = event("TargetSet", region="14", source={"department": "ndrc", "system": "t"})
    assert_refused(api_store, post(client, target, ndrc), 403, target, "payload.region", "outside")
    city = token_for("project_center", territory="1405")
    assert post(client, theirs, city).status_code == 201


def test_only_the_owner_may_retract(client, api_store, scenario, token_for):
    returned = scenario.events[[e["event_type"] for e in scenario.events].index("StatsEntryReturned")]
    withdraw = event("EventRetracted", project_id=returned["project_id"], retracted_event_id=returned["event_id"],
                     reason="误退回", source={"department": "project_center", "system": "t"})
    assert_refused(api_store, post(client, withdraw, token_for("project_center")), 403, withdraw,
                   "payload.retracted_event_id", "may not retract a StatsEntryReturned")
    ghost = event("EventRetracted", project_id=pid(1), retracted_event_id=new_id(), reason="x",
                  source={"department": "stats", "system": "t"})
    assert_refused(api_store, post(client, ghost, token_for("stats")), 403, ghost, "payload.retracted_event_id",
                   "not in the log")
    by_owner = {**withdraw, "event_id": new_id(), "source": {"department": "stats", "system": "t"}}
    assert post(client, by_owner, token_for("stats")).status_code == 201
    row = {p["project_id"]: p for p in client.get("/v1/stats-entry", params={"region": REGION, "on": "2025-05-20"})
           .json()["projects"]}[pid(3)]
    assert row["status"] == "submitted"


def test_anyone_may_report_a_resolution_and_bad_json_is_400(client, api_store, scenario, token_for):
    resolved = event("ProblemResolved", project_id=pid(3), occurred_on="2025-05-21", problem_id="P-ESC",
                     source={"department": "natural_resources", "system": "t"})
    assert post(client, resolved, token_for("natural_resources")).status_code == 201
    response = client.post("/v1/events", content=b"{not json", headers={
        "Authorization": f"Bearer {token_for('ndrc')}", "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["field"] is None
    assert refusals(api_store, 1)[0]["status"] == 400


def test_tokens_are_stored_hashed(api_store, token_for):
    token = token_for("ecology")
    with api_store.engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(select(department_tokens))]
    assert stored and all(token not in str(value) for row in stored for value in row)


def test_project_less_facts_and_their_retraction_within_the_territory(client, api_store, scenario, token_for):
    ndrc = token_for("ndrc", territory=REGION)
    ours = event("TargetSet", region=REGION, source={"department": "ndrc", "system": "t"})
    assert post(client, ours, ndrc).status_code == 201
    withdraw = event("EventRetracted", project_id=None, retracted_event_id=ours["event_id"], reason="目标调整",
                     source={"department": "ndrc", "system": "t"})
    assert post(client, withdraw, ndrc).status_code == 201
    citywide = event("TargetSet", region="1405", source={"department": "ndrc", "system": "t"})
    load(api_store, [citywide])
    theirs = {**withdraw, "event_id": new_id(), "payload": {**withdraw["payload"],
                                                            "retracted_event_id": citywide["event_id"]}}
    assert_refused(api_store, post(client, theirs, ndrc), 403, theirs, "payload.retracted_event_id",
                   "region 1405 is outside")


def test_the_bus_policy_file_governs_http_too(api_store, scenario, token_for, tmp_path):
    """The same policy as the Kafka path: a policy.toml that narrows project_center to the other
    county and takes InvestmentReported away from stats refuses those writes over HTTP too."""
    import warnings

    from services.entry.http import create_app
    from services.ingest.authorise import load_policy

    path = tmp_path / "policy.toml"
    path.write_text('[departments.project_center]\ntypes = ["ConstructionStarted"]\nregions = ["140521"]\n'
                    '[departments.stats]\ntypes = ["StatsEntrySubmitted"]\nregions = [""]\n')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    with TestClient(create_app(api_store, load_policy(path))) as narrow:
        started = event("ConstructionStarted", project_id=pid(2), occurred_on="2025-05-21")
        assert_refused(api_store, post(narrow, started, token_for("project_center")), 403, started, "project_id",
                       "140522")
        report = event("InvestmentReported", project_id=pid(3), year=2025, month=5,
                       source={"department": "stats", "system": "t"})
        assert_refused(api_store, post(narrow, report, token_for("stats")), 403, report, "event_type",
                       "stats may not publish InvestmentReported")


def test_a_nul_in_the_event_id_is_refused_and_audited_on_every_backend(client, api_store, scenario, token_for):
    """Wave one: PostgreSQL answered 500 and recorded nothing (a NUL cannot be stored as text)."""
    poisoned = event("ConstructionStarted", project_id=pid(2), occurred_on="2025-05-21")
    poisoned["event_id"] = "00000000-0000-4000-8000-\x00000000000001"
    unauthenticated = post(client, poisoned, None)
    assert unauthenticated.status_code == 401, unauthenticated.text
    logged = refusals(api_store, 1)[0]  # refused before the body was read: no event named
    assert logged["status"] == 401 and logged["event_id"] is None and logged["request"] == "POST /v1/events"
    authenticated = post(client, poisoned, token_for("project_center"))
    assert authenticated.status_code == 422 and authenticated.json()["field"] == "event_id"
    logged = refusals(api_store, 1)[0]
    assert logged["status"] == 422 and logged["event_id"] == "00000000-0000-4000-8000-\\x00000000000001"
    assert refusals(api_store, 1)[0]["status"] == 422

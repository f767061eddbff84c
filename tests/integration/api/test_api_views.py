"""The views over HTTP (in process) with known answers, through the store, read model and as-of,
and the same JSON as the CLI prints with `--format json`."""
from __future__ import annotations

import subprocess

import orjson
import pytest

from api_scenario import BEFORE_RETRACTION, ON, OTHER, REGION, build, pid
from conftest import PROJFACTS, cli_env, load


@pytest.fixture
def scenario(api_store):
    s = build()
    load(api_store, s.events)
    return s


def get(client, path: str, **params) -> dict:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_stages_continuing_never_resumed_and_retracted_start(client, scenario):
    now = {p["project_id"]: p for p in get(client, "/v1/stages", region=REGION, on=ON)["projects"]}
    assert list(now) == [pid(1), pid(2), pid(3)]  # the neighbouring county's project is not here
    assert (now[pid(1)]["stage"], now[pid(1)]["flags"]) == ("under_construction", ["not_resumed"])
    assert (now[pid(2)]["stage"], now[pid(2)]["flags"]) == ("reserve", ["not_started"])
    then = {p["project_id"]: p for p in get(client, "/v1/stages", region=REGION, on=ON,
                                            as_of=BEFORE_RETRACTION)["projects"]}
    assert (then[pid(2)]["stage"], then[pid(2)]["since"]) == ("under_construction", "2025-03-12")


def test_stats_entry_returned_submission(client, scenario):
    view = get(client, "/v1/stats-entry", region=REGION, on=ON)
    row = {p["project_id"]: p for p in view["projects"]}[pid(3)]
    assert (row["status"], row["return_reason"], row["returned_on"], row["days_waiting"]) == (
        "returned", "缺少施工合同", "2025-03-10", 71)
    assert [r["project_id"] for r in view["not_entered"]] == [pid(1), pid(3)]
    # as of before the retraction, project 2 had (wrongly) started and was eligible
    then = get(client, "/v1/stats-entry", region=REGION, on=ON, as_of=BEFORE_RETRACTION)
    assert [r["project_id"] for r in then["not_entered"]] == [pid(1), pid(3), pid(2)]


def test_leader_with_a_missed_visit(client, scenario):
    view = get(client, "/v1/leaders", region=REGION, on=ON)
    (li,) = view["leaders"]
    assert (li["leader_id"], li["flagged"], li["unvisited"]) == ("L-LI", True, [pid(1)])  # last seen 18 April
    third = {p["project_id"]: p for p in li["projects"]}[pid(3)]
    assert (third["completed_investment"], third["completion_rate"], third["ahead_of_pace"]) == (
        "300.00", "0.2500", False)
    assert third["missing_procedures"] == ["approval_filing", "eia"]
    assert third["open_problems"][0]["problem_id"] == "P-ESC" and third["open_problems"][0]["overdue"] is True
    assert [x["leader_id"] for x in view["by_project"][pid(1)]] == ["L-LI"]
    # in April it was project 3 that had no visit
    assert get(client, "/v1/leaders", region=REGION, on="2025-04-30")["leaders"][0]["unvisited"] == [pid(3)]


def test_escalated_overdue_problem(client, scenario):
    view = get(client, "/v1/problems", region=REGION, on=ON)
    (row,) = view["overdue"]
    assert (row["problem_id"], row["days_overdue"], row["escalation_level"], row["due_level"]) == (
        "P-ESC", 20, "city", "city")
    assert view["escalation_candidates"] == []
    strict = get(client, "/v1/problems", region=REGION, on=ON, policy="13710")
    assert strict["policy"]["ladder"] == [] and strict["policy"]["handling"]["major_days"] == 30
    (esc,) = strict["overdue"]   # assigned 1 April, due 30 April: major; 1个月内办结 by 1 May, missed
    assert [m["status"] for m in esc["handling"]["milestones"]] == ["unrecorded", "unrecorded", "missed"]
    assert (esc["due_level"], esc["escalation_candidate"]) == ("county", False)   # already at 市级督办
    before = get(client, "/v1/problems", region=REGION, on=ON, as_of="2025-05-07")
    assert before["overdue"][0]["escalation_level"] is None and before["escalation_candidates"] == ["P-ESC"]
    near = get(client, "/v1/problems", region=REGION, on="2025-04-25", remind_days=5)
    assert [r["problem_id"] for r in near["near_deadline"]] == ["P-ESC"]


def test_dossier_shows_the_retraction_beside_the_start(client, scenario):
    view = get(client, f"/v1/projects/{pid(2)}/dossier", on=ON)
    facts = {f["event_id"]: f for f in view["facts"]}
    wrong, retraction = scenario.named["wrong_start"]["event_id"], scenario.named["retraction"]["event_id"]
    assert facts[wrong]["status"] == "retracted"
    assert facts[wrong]["retracted_by"]["event_id"] == retraction
    assert facts[wrong]["retracted_by"]["reason"] == "开工日期误报"
    assert facts[wrong]["recorded_at"] == "2025-03-13T09:00:00+08:00" and facts[wrong]["department"] == "project_center"
    assert [s["stage"] for s in view["stage"]["timeline"]] == ["conceived", "reserve"]
    then = get(client, f"/v1/projects/{pid(2)}/dossier", on=ON, as_of=BEFORE_RETRACTION)
    assert retraction not in {f["event_id"] for f in then["facts"]}


def test_a_region_prefix_reaches_both_counties(client, scenario):
    view = get(client, "/v1/stages", region="1405", on=ON)
    assert pid(9, OTHER) in {p["project_id"] for p in view["projects"]}


@pytest.mark.parametrize("command, path, params", [
    (["report", "--period", "2025Q1"], "/v1/report", {"period": "2025Q1"}),
    (["explain", "new_start_rate", "--period", "2025-05"], "/v1/explain/new_start_rate", {"period": "2025-05"}),
    (["rank", "stats_entry_rate", "--period", "2025", "--by", "township"], "/v1/rank/stats_entry_rate",
     {"period": "2025", "by": "township"}),
    (["stage", "--on", ON], "/v1/stages", {"on": ON}),
    (["stats-entry", "--on", ON], "/v1/stats-entry", {"on": ON}),
    (["leaders", "--on", ON], "/v1/leaders", {"on": ON}),
    (["problems", "--on", ON, "--policy", "13710", "--remind-days", "2"], "/v1/problems",
     {"on": ON, "policy": "13710", "remind_days": 2}),
], ids=lambda v: v if isinstance(v, str) else None)
def test_http_returns_exactly_what_the_cli_prints(client, scenario, store_url, tmp_path, command, path, params):
    as_of = "2025-06-01T12:00:00+08:00"
    region = "1405" if command[0] == "rank" else REGION
    args = [str(PROJFACTS), *command, "--region", region, "--as-of", as_of, "--format", "json", "--db", store_url]
    cli = subprocess.run(args, env=cli_env(tmp_path), capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert cli.returncode == 0, cli.stderr.decode()
    http = client.get(path, params={**params, "region": region, "as_of": as_of})
    assert http.status_code == 200, http.text
    assert http.content == cli.stdout
    assert orjson.loads(http.content)  # and it is JSON


def test_dossier_http_equals_cli(client, scenario, store_url, tmp_path):
    as_of = "2025-06-01T12:00:00+08:00"
    args = [str(PROJFACTS), "dossier", pid(2), "--on", ON, "--as-of", as_of, "--format", "json", "--db", store_url]
    cli = subprocess.run(args, env=cli_env(tmp_path), capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert cli.returncode == 0, cli.stderr.decode()
    assert client.get(f"/v1/projects/{pid(2)}/dossier", params={"on": ON, "as_of": as_of}).content == cli.stdout

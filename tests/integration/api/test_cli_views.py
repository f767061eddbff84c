"""CLI equivalents: readable tables, `--format json|csv`, token management and the refusal audit."""
from __future__ import annotations

import csv
import io

import orjson
import pytest
from click.testing import CliRunner

from api_scenario import ON, REGION, build, pid
from conftest import load
from services.entry.cli.main import main


@pytest.fixture
def run(api_store, store_url):
    load(api_store, build().events)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(main, [*args, "--db", store_url], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output
    return invoke


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_stage_table_json_and_csv(run):
    table = run("stage", "--region", REGION, "--on", ON)
    assert "项目阶段" in table and "续建未复工" in table and "在建" in table
    data = orjson.loads(run("stage", "--region", REGION, "--on", ON, "--format", "json"))
    assert data["flagged"] == {"not_resumed": 1, "not_started": 1}
    found = {r["project_id"]: r for r in rows(run("stage", "--region", REGION, "--on", ON, "--format", "csv"))}
    assert found[pid(2)]["stage"] == "reserve" and found[pid(1)]["flags"] == "续建未复工"


def test_stats_entry_lists_the_returned_submission(run):
    table = run("stats-entry", "--region", REGION, "--on", ON)
    assert "应统未统" in table and "缺少施工合同" in table
    found = {r["project_id"]: r for r in rows(run("stats-entry", "--region", REGION, "--on", ON, "--format", "csv"))}
    assert (found[pid(3)]["status"], found[pid(3)]["days_waiting"]) == ("returned", "71")


def test_leaders_table_flags_the_missed_visit(run):
    table = run("leaders", "--region", REGION, "--on", ON)
    assert "李明" in table and f"not visited: {pid(1)}" in table
    found = rows(run("leaders", "--region", REGION, "--on", ON, "--format", "csv"))
    assert {(r["project_id"], r["visited_this_month"]) for r in found} == {(pid(1), "False"), (pid(3), "True")}


def test_problems_table_and_policy_options(run):
    table = run("problems", "--region", REGION, "--on", ON, "--policy", "13710")
    assert "P-ESC" in table and "市级督办" in table and "policy 13710" in table
    data = orjson.loads(run("problems", "--region", REGION, "--on", "2025-04-27", "--remind-days", "3",
                            "--format", "json"))
    assert [r["problem_id"] for r in data["near_deadline"]] == ["P-ESC"]
    run("problems", "--region", REGION, "--remind-days", "-1", code=2)


def test_dossier_table_shows_the_retraction_beside_the_start(run):
    table = run("dossier", pid(2), "--on", ON)
    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if "开工" in line and "retracted" in line)
    assert "已撤回 retracted" in lines[start + 1] and "开工日期误报" in lines[start + 1]
    assert "阶段历程 timeline: 谋划 2024-11-01 → 储备 2025-01-20" in table
    found = rows(run("dossier", pid(2), "--format", "csv"))
    assert [r["status"] for r in found].count("retracted") == 1


def test_bad_dates_are_refused(run):
    run("stage", "--region", REGION, "--on", "2025-02-30", code=2)
    run("dossier", pid(2), "--as-of", "yesterday", code=2)


def test_tokens_create_list_revoke_and_the_audit(run, client):
    token = run("token", "create", "stats", "--territory", REGION).strip().splitlines()[-1]
    assert token.startswith("pf_")
    listed = orjson.loads(run("token", "list", "--format", "json"))
    assert [(t["department"], t["territory"]) for t in listed] == [("stats", REGION)]
    assert token not in run("token", "list")
    run("token", "create", "nobody", "--territory", REGION, code=2)
    refused = client.post("/v1/events", json={"event_id": "x"}, headers={"Authorization": "Bearer nope"})
    assert refused.status_code == 401
    assert "missing, unknown or revoked token" in run("audit")
    assert run("token", "revoke", listed[0]["token_id"]).startswith("revoked")
    run("token", "revoke", listed[0]["token_id"], code=1)

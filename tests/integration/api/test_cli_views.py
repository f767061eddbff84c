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
    """A view's CSV: it starts with a BOM (Excel and WPS then read the Chinese right)."""
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


ENGLISH = ("under_construction", "reserve", "True", "False", "not_submitted", "returned", "continuing",
           "counts", "retracted")


def no_codes(text: str) -> None:
    """Chinese values: none of the codes JSON carries appears in a CSV cell."""
    cells = {cell for row in csv.reader(io.StringIO(text[1:])) for cell in row}
    assert not cells & set(ENGLISH), cells & set(ENGLISH)


def test_stage_table_json_and_csv(run):
    table = run("stage", "--region", REGION, "--on", ON)
    assert "项目阶段" in table and "续建未复工" in table and "在建" in table
    data = orjson.loads(run("stage", "--region", REGION, "--on", ON, "--format", "json"))
    assert data["flagged"] == {"not_resumed": 1, "not_started": 1}
    text = run("stage", "--region", REGION, "--on", ON, "--format", "csv")
    found = {r["项目代码"]: r for r in rows(text)}
    assert found[pid(2)]["项目阶段"] == "储备" and found[pid(1)]["提示"] == "续建未复工"
    assert found[pid(1)]["县(市、区)"] == "阳城县" and found[pid(1)]["建设性质"] == "续建"
    no_codes(text)


def test_stats_entry_lists_the_returned_submission(run):
    table = run("stats-entry", "--region", REGION, "--on", ON)
    assert "应统未统" in table and "缺少施工合同" in table
    text = run("stats-entry", "--region", REGION, "--on", ON, "--format", "csv")
    found = {r["项目代码"]: r for r in rows(text)}
    assert (found[pid(3)]["入库状态"], found[pid(3)]["等待天数"], found[pid(3)]["是否应统"]) == ("已退回", "71", "是")
    assert found[pid(3)]["预警"] == "红灯"   # started 10 February: more than two months without entry
    no_codes(text)


def test_leaders_table_flags_the_missed_visit(run):
    table = run("leaders", "--region", REGION, "--on", ON)
    assert "李明" in table and f"not visited within 30 days: {pid(1)}" in table
    text = run("leaders", "--region", REGION, "--on", ON, "--format", "csv")
    found = rows(text)
    assert {(r["项目代码"], r["30天内到现场"], r["预警"]) for r in found} == {(pid(1), "否", "黄灯"),
                                                                         (pid(3), "是", "绿灯")}
    assert {r["包联领导"] for r in found} == {"李明"}
    no_codes(text)


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
    text = run("dossier", pid(2), "--format", "csv")
    found = rows(text)
    assert [r["状态"] for r in found].count("已撤回") == 1
    assert {r["报送部门"] for r in found} >= {"发改局", "项目推进中心"}
    no_codes(text)


def test_problems_table_lists_every_open_problem_and_csv_is_chinese(run):
    table = run("problems", "--region", REGION, "--on", ON)
    assert "未销号 open 1 = 超期 1 + 临近期限 0 + 其他办理中 0" in table
    text = run("problems", "--region", REGION, "--on", ON, "--format", "csv", "--policy", "13710")
    (row,) = rows(text)
    assert (row["问题编号"], row["状态"], row["超期天数"], row["已督办"], row["问题性质"]) == (
        "P-ESC", "办理中", "20", "市级督办", "重大问题")
    assert "1个月内办结逾期未完成" in row["13710办理情况"]
    no_codes(text)


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

"""The desk on the command line, over a store (SQLite and PostgreSQL): the views as table, JSON and
CSV (UTF-8 with BOM, Chinese headers and values), and `projfacts ledger KIND --out FILE` for the six
台账 of CONTRACT §7."""
from __future__ import annotations

import csv
import io

import orjson
import pytest
from click.testing import CliRunner

from conftest import load
from desk_scenario import AS_OF, BEFORE_RETRACTION, ON, OTHER, REGION, build, pid
from services.entry.cli.main import main

CODES = {"under_construction", "True", "False", "true", "false", "new", "continuing", "on_time", "late",
         "due_not_started", "overdue", "pending", "approved", "red", "yellow", "green", "None", "special_bond",
         "central_budget", "leader", "lead_unit", "city", "county", "province"}


@pytest.fixture
def run(api_store, store_url):
    load(api_store, build().events)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(main, [*args, "--db", store_url], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output
    return invoke


def table_of(text: str) -> list[dict]:
    """CSV text that starts with a BOM and holds Chinese values only (no JSON codes in any cell)."""
    assert text.startswith("\ufeff"), text[:20]
    rows = list(csv.reader(io.StringIO(text[1:])))
    cells = {cell for row in rows for cell in row}
    assert not cells & CODES, cells & CODES
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in header) for header in rows[0]), rows[0]
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def view(run, command: str, *args: str) -> dict:
    return orjson.loads(run(command, "--region", REGION, *args, "--as-of", AS_OF, "--format", "json"))


def test_starts_table_json_and_csv(run):
    text = run("starts", "--region", REGION, "--on", ON)
    assert "阳城县2025年开复工台账" in text and "逾期未开工" in text and "按计划开复工: 到期 3 个, 已开复工 2 个" in text
    data = view(run, "starts", "--on", ON)
    assert data["counts"] == {"on_time": 1, "late": 1, "due_not_started": 1, "not_yet_due": 0, "unscheduled": 1,
                              "done_unscheduled": 0}
    assert data["due_start"] == {"due": 3, "done": 2, "rate": "0.6667"}
    assert (data["region_name"], data["on"], data["period"]) == ("阳城县", ON, None)
    rows = {r["项目代码"]: r for r in table_of(run("starts", "--region", REGION, "--on", ON, "--format", "csv"))}
    assert list(rows) == [pid(1), pid(2), pid(3), pid(4)]      # not the neighbouring county's
    second = rows[pid(2)]
    assert (second["县(市、区)"], second["建设性质"], second["重点工程"], second["计划开复工时间"], second["状态"],
            second["逾期天数"], second["预警"], second["包联领导"], second["年度计划投资(万元)"]) == (
        "阳城县", "新建", "市级重点工程", "2月", "逾期未开工", "81", "黄灯", "王强", "1200.00")
    assert (rows[pid(3)]["状态"], rows[pid(3)]["逾期天数"]) == ("逾期复工", "10")
    assert (rows[pid(4)]["状态"], rows[pid(4)]["预警"]) == ("未定复工时间", "")


def test_a_period_stands_for_its_last_day_but_never_after_the_as_of_day(run):
    q1 = view(run, "starts", "--period", "2025Q1")
    assert (q1["on"], q1["period"], q1["through"]) == ("2025-03-31", "2025Q1", "2025-03-31")
    running = orjson.loads(run("starts", "--region", REGION, "--period", "2025Q2", "--as-of", "2025-05-20",
                               "--format", "json"))
    assert (running["on"], running["through"]) == ("2025-05-20", "2025-06-30")
    run("starts", "--region", REGION, "--on", ON, "--period", "2025Q2", code=2)
    run("starts", "--region", "14x", code=2)


def test_procedures_list_weekly_and_overdue(run):
    data = view(run, "procedures", "--on", ON)
    assert (data["total"], data["approved"], data["pending"], data["overdue"]) == (3, 2, 0, 1)
    assert data["completion"] == {"required": 3, "approved": 2, "rate": "0.6667"}
    (late,) = data["overdue_list"]
    assert (late["project_id"], late["procedure"], late["days_overdue"], late["level"], late["leader"]) == (
        pid(1), "eia", 20, "city", "王建军")
    rows = table_of(run("procedures", "--region", REGION, "--on", ON, "--format", "csv"))
    eia = next(r for r in rows if r["手续名称"] == "环评批复")
    assert (eia["办理层级"], eia["办结时限"], eia["承办单位"], eia["责任领导"], eia["承办人"], eia["办理状态"], eia["预警"],
            eia["计入办结率"]) == ("市级", "2025-04-30", "晋城市生态环境局阳城分局", "王建军", "李晓燕", "超期未办结",
                                "黄灯", "是")
    weekly = view(run, "procedures-weekly", "--on", ON)
    assert (weekly["friday"], weekly["week"]["from"]) == ("2025-05-16", "2025-05-10")
    assert [(r["project_id"], r["document_no"]) for r in weekly["changes"]["approved"]] == [(pid(2), "阳审批〔2025〕31号")]
    text = run("procedures-weekly", "--region", REGION, "--on", ON)
    assert "前期手续办理情况表(2025-05-10至2025-05-16)" in text and "本周办结 (1)" in text
    weekly_rows = table_of(run("procedures-weekly", "--region", REGION, "--on", ON, "--format", "csv"))
    assert weekly_rows[-1] == {"分类": "合计", "名称": "", "应办": "3", "已办结": "2", "办理中": "0", "超期未办结": "1",
                               "本周办结": "1", "本周新增超期": "0"}


def test_lagging_coverage_funding_and_lights(run):
    lagging = view(run, "lagging", "--on", ON)
    assert [(p["project_id"], p["light"]) for p in lagging["projects"]] == [
        (pid(1), "red"), (pid(2), "red"), (pid(4), "red")]
    assert lagging["projects"][0]["reason_kinds"] == ["behind_pace", "not_entered", "overdue_procedures"]
    assert (lagging["projects"][0]["leaders"], lagging["projects"][0]["lead_units"]) == (["李明"], ["阳城县发展和改革局"])
    rows = table_of(run("lagging", "--region", REGION, "--on", ON, "--format", "csv"))
    assert rows[0]["滞后原因"] == "落后序时、开工未入库、前期手续超期" and rows[0]["包联部门"] == "阳城县发展和改革局"
    assert "落后33.33个百分点" in rows[0]["具体情况"]

    coverage = view(run, "coverage", "--on", ON)
    assert [(p["project_id"], p["missing"]) for p in coverage["missing"]] == [(pid(2), "lead_unit"), (pid(3), "both")]
    assert "缺包联领导和包联部门" in run("coverage", "--region", REGION, "--on", ON)

    funding = view(run, "funding", "--on", ON)
    assert (funding["total"], funding["count"]) == ("8300.00", 2)
    before = orjson.loads(run("funding", "--region", REGION, "--on", ON, "--as-of", BEFORE_RETRACTION,
                              "--format", "json"))
    assert before["total"] == "8800.00"   # the 省级资金 was retracted on 10 May

    lights = view(run, "lights", "--on", ON)
    assert lights["by"] == "township" and lights["totals"]["starts"] == {"red": 0, "yellow": 1, "green": 2, "none": 1}
    city = orjson.loads(run("lights", "--region", "1405", "--on", ON, "--as-of", AS_OF, "--format", "json"))
    assert [r["region_name"] for r in city["rows"]] == ["沁水县", "阳城县"] and city["by"] == "county"
    assert city["rows"][0]["region"] == OTHER and city["rows"][0]["starts"]["red"] == 1
    rows = table_of(run("lights", "--region", "1405", "--on", ON, "--format", "csv"))
    assert rows[-1]["县(市、区)"] == "合计" and rows[-1]["开复工红灯"] == "1"


@pytest.mark.parametrize("kind, first_header, check", [
    ("starts", "序号", lambda rows: rows[1]["状态"] == "逾期未开工"),
    ("procedures", "序号", lambda rows: [r["办理状态"] for r in rows] == ["已办结", "超期未办结", "已办结"]),
    ("stats-entry", "序号", lambda rows: {r["项目代码"]: r["预警"] for r in rows if r["是否应统"] == "是"} == {
        pid(1): "红灯", pid(3): "绿灯", pid(4): "红灯"}),
    ("problems", "序号", lambda rows: [(r["问题编号"], r["超期天数"], r["预警"]) for r in rows] == [
        ("P-LAND", "20", "黄灯")]),
    ("leaders", "序号", lambda rows: [(r["包联领导"], r["30天内到现场"], r["包联部门"]) for r in rows] == [
        ("李明", "是", "阳城县发展和改革局"), ("王强", "否", "")]),
    ("funding", "序号", lambda rows: [(r["资金渠道"], r["金额(万元)"]) for r in rows] == [
        ("中央预算内投资", "300.00"), ("中央预算内投资 小计", "300.00"), ("地方政府专项债券", "8000.00"),
        ("地方政府专项债券 小计", "8000.00"), ("合计", "8300.00")]),
])
def test_ledger_csv_files(run, tmp_path, kind, first_header, check):
    out = tmp_path / f"{kind}.csv"
    run("ledger", kind, "--region", REGION, "--period", "2025-05", "--as-of", "2025-05-20T18:00:00+08:00",
        "--out", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = table_of(data.decode("utf-8").replace("\r\n", "\n"))
    assert next(iter(rows[0])) == first_header
    assert check(rows), rows


def test_ledger_refuses_what_it_cannot_write(run, tmp_path):
    run("ledger", "starts", "--region", REGION, "--period", "2025-05", "--out", str(tmp_path / "a.txt"), code=2)
    run("ledger", "roads", "--region", REGION, "--period", "2025-05", "--out", str(tmp_path / "a.csv"), code=2)
    run("ledger", "starts", "--region", REGION, "--out", str(tmp_path / "a.csv"), code=2)   # --period is required
    run("ledger", "starts", "--region", REGION, "--period", "2025-05", "--out", str(tmp_path / "a.xlsx"))
    assert (tmp_path / "a.xlsx").read_bytes()[:2] == b"PK"

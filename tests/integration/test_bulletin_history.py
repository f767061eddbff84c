"""较上期 on a history where the ranking turns over, and the lagging annex on plans with a start
month/旬 and 双包联 — the bulletin built through the store, re-opened with openpyxl, and over HTTP."""
from __future__ import annotations

import io
import warnings
from urllib.parse import unquote

import openpyxl
import pytest

from helpers import append_history, event, writer_for
from services.entry.render.bulletin import render
from services.log import EventStore
from services.query.bulletin import build
from services.query.figures import make_query, rank_for

REGION, RECORDED, AS_OF = "140522", "2025-05-01T09:00:00+08:00", "2025-05-10"


def project(code: str, township: str, construction: str, planned: str, month: int | None = None,
            dekad: int | None = None) -> list[dict]:
    pid = f"2501-140522-04-01-{code}"
    plan = {"year": 2025, "construction": construction, "planned_investment": planned}
    if month:
        plan["planned_start_month"] = month
    if dekad:
        plan["planned_start_dekad"] = dekad
    return [event("ProjectRegistered", project_id=pid, occurred_on="2024-12-01", recorded_at=RECORDED,
                  name=f"{township}项目{code}", township=township),
            event("AnnualPlanAdopted", project_id=pid, occurred_on="2025-01-05", recorded_at=RECORDED,
                  schema_version=2, payload=plan)]


def invested(code: str, month: int, amount: str) -> dict:
    return event("InvestmentReported", project_id=f"2501-140522-04-01-{code}", occurred_on=f"2025-{month:02d}-28",
                 recorded_at=RECORDED, year=2025, month=month, amount=amount)


HISTORY = [
    # 凤城镇: one new project, started, 300 of 1000 by March, nothing in April
    *project("000001", "凤城镇", "new", "1000.00", month=2),
    event("ConstructionStarted", project_id="2501-140522-04-01-000001", occurred_on="2025-02-10", recorded_at=RECORDED),
    invested("000001", 3, "300.00"),
    # 北留镇: 100 of 1200 by March, 600 by April — it overtakes 凤城镇
    *project("000002", "北留镇", "new", "1000.00", month=1),
    event("ConstructionStarted", project_id="2501-140522-04-01-000002", occurred_on="2025-01-15", recorded_at=RECORDED),
    invested("000002", 3, "100.00"), invested("000002", 4, "500.00"),
    # 北留镇: a new project planned for 3月上旬, not started (1 month overdue at the end of April: 黄)
    *project("000003", "北留镇", "new", "100.00", month=3, dekad=1),
    # 北留镇: a continuing project planned to resume in January, not resumed (3 months: 红), 双包联
    *project("000004", "北留镇", "continuing", "100.00", month=1),
    event("LeaderAssigned", project_id="2501-140522-04-01-000004", occurred_on="2025-01-06", recorded_at=RECORDED,
          schema_version=2, leader_id="L-9", leader_name="李明", title="副县长", role="leader"),
    event("LeaderAssigned", project_id="2501-140522-04-01-000004", occurred_on="2025-01-06", recorded_at=RECORDED,
          schema_version=2, leader_id="U-1", leader_name="县住建局", title="牵头部门", role="lead_unit"),
    # 凤城镇: a new project planned for November: not due, so not lagging
    *project("000005", "凤城镇", "new", "100.00", month=11),
]


@pytest.fixture
def store(sqlite_url):
    result = append_history(writer_for(sqlite_url), HISTORY)
    assert result.rejected == 0, result.reasons
    store = EventStore(sqlite_url)
    yield store
    store.engine.dispose()


def rows_after(sheet, caption: str) -> list[tuple]:
    values = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(values) if row[0] == caption) + 2
    out = []
    for row in values[start:]:
        if row[1] is None:
            break
        out.append(row)
    return out


def test_the_change_since_last_month_when_the_ranking_turns_over(store):
    query = make_query(REGION, "2025-04", AS_OF)
    assert [r["township"] for r in rank_for(store, "investment_completion_rate", make_query(REGION, "2025-03", AS_OF),
                                            "township")["rows"]] == ["凤城镇", "北留镇"]
    book = openpyxl.load_workbook(io.BytesIO(render(build(store, query), "xlsx")))
    rows = rows_after(book["比学赶超"], "四、年度投资完成率")
    # 名次, 乡镇, 分子, 分母, 本期值, 目标, 预警, 上期名次, 上期值, 名次变化, 较上期增减, 亮灯, 备注
    assert [(r[0], r[1], r[7], r[9]) for r in rows] == [(1, "北留镇", 2, 1), (2, "凤城镇", 1, -1)]
    assert rows[0][4] == pytest.approx(0.5) and rows[0][8] == pytest.approx(0.0833)
    assert rows[0][10] == pytest.approx(41.67)  # points
    # 序时 33.33%: 北留镇 ahead, 凤城镇 (300 of 1100, 6.06 points behind) under the desk's 10-point yellow
    assert rows[1][10] == 0 and rows[0][11] == "绿" and rows[1][11] == "绿"
    sheet = book["比学赶超"]
    change = next(c for row in sheet.iter_rows() for c in row if c.value == 1 and c.column == 10)
    assert change.number_format == '"↑"0;"↓"0;"—"'


def test_the_lagging_annex_is_the_desks_lagging_list_with_the_leaders(store):
    """The annex is `projfacts lagging` as of the period's end: 000001 and 000002 started without
    entering the statistics (red two months on), 000003 and 000004 not started or resumed when due
    and behind 序时; each with every reason, the worst light, its 包联领导 and 包联部门."""
    data = build(store, make_query(REGION, "2025-04", AS_OF))
    assert [(p["project_id"][-6:], p["light"]) for p in data.lagging] == \
        [("000001", "red"), ("000002", "red"), ("000003", "red"), ("000004", "red")]
    book = openpyxl.load_workbook(io.BytesIO(render(data, "xlsx")))
    sheet = book["滞后项目"]
    values = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(values) if row[0] == "序号")
    third, fourth = values[header + 3], values[header + 4]
    assert third[1] == "2501-140522-04-01-000003" and "逾期未开工（计划3月上旬" in third[6] and "落后序时" in third[6]
    assert third[7] == "红" and third[8] == "未明确"
    assert fourth[1] == "2501-140522-04-01-000004" and fourth[4] == "续建" and "逾期未复工（计划1月" in fourth[6]
    assert fourth[8] == "李明" and fourth[9] == "县住建局"
    lead = render(data, "md").decode()
    assert "应开复工4项，已开复工2项" in lead  # due_start_rate: 000001..000004 due, two started


def test_the_bulletin_over_http_names_the_file_in_chinese(store):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from services.entry.http import create_app

    from helpers import reader_headers

    with TestClient(create_app(store)) as client:
        client.headers.update(reader_headers(store, "reader", REGION))
        response = client.get("/v1/bulletin.xlsx", params={"region": REGION, "period": "2025-05", "as_of": AS_OF})
        assert response.status_code == 200
        disposition = response.headers["content-disposition"]
        assert unquote(disposition.split("filename*=UTF-8''")[1]) == "阳城县2025年5月重大项目建设通报.xlsx"
        assert response.content == render(build(store, make_query(REGION, "2025-05", AS_OF)), "xlsx")
        page = client.get("/v1/bulletin.html", params={"region": REGION, "period": "2025Q1", "as_of": AS_OF})
        assert page.headers["content-type"].startswith("text/html") and "一季度" in page.text
        bad = client.get("/v1/bulletin.md", params={"region": REGION, "period": "2025Q5"})
        assert bad.status_code == 400 and bad.json()["field"] == "period"

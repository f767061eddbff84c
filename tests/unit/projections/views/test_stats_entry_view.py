"""入库纳统: eligibility and why, status (returned with its reason), 应统未统 oldest first, counts."""
from __future__ import annotations

from projections.report import Query, report
from projections.periods import parse_as_of, parse_period
from projections.views.stats_entry import stats_entry_view
from views_history import REGION, History, day, pid

ON = day("2025-04-30")


def scenario() -> History:
    h = History()
    h.planned(1, "continuing")                                     # eligible, never submitted
    h.add("ConstructionStarted", 1, on="2024-04-01")
    h.planned(2, "new", township="北留镇")                          # returned, with its reason
    h.add("ConstructionStarted", 2, on="2025-02-10")
    h.add("StatsEntrySubmitted", 2, on="2025-03-01")
    h.add("StatsEntryReturned", 2, on="2025-03-10", reason="缺少施工合同")
    h.planned(3, "new")                                            # entered
    h.add("ConstructionStarted", 3, on="2025-01-20")
    h.add("StatsEntrySubmitted", 3, on="2025-02-01")
    h.add("StatsEntryApproved", 3, on="2025-02-15")
    h.planned(4, "new")                                            # submitted, waiting
    h.add("ConstructionStarted", 4, on="2025-03-05")
    h.add("StatsEntrySubmitted", 4, on="2025-04-20")
    h.planned(5, "new")                                            # not started
    h.planned(6, "continuing", total="499.99")                    # too small
    h.planned(7, "continuing", legal_entity=False)                # not a legal entity
    h.registered(8)                                                # not in the plan
    h.add("ConstructionStarted", 8, on="2025-01-02")
    return h


def rows(view: dict) -> dict:
    return {r["project_id"]: r for r in view["projects"]}


def test_status_and_reasons():
    view = stats_entry_view(scenario().visible(), REGION, ON)
    r = rows(view)
    assert {k[-1]: (v["eligible"], v["status"]) for k, v in r.items()} == {
        "1": (True, "not_submitted"), "2": (True, "returned"), "3": (True, "entered"), "4": (True, "submitted"),
        "5": (False, "not_eligible"), "6": (False, "not_eligible"), "7": (False, "not_eligible"),
        "8": (False, "not_eligible")}
    returned = r[pid(2)]
    assert returned["return_reason"] == "缺少施工合同" and returned["status_label"] == "已退回"
    assert (returned["submitted_on"], returned["returned_on"], returned["days_waiting"]) == (
        "2025-03-01", "2025-03-10", 51)
    assert r[pid(4)]["days_waiting"] == 10 and r[pid(3)]["entered_on"] == "2025-02-15"
    assert r[pid(3)]["days_waiting"] is None
    assert "2025年度计划新建项目,尚未开工" in r[pid(5)]["reasons"]
    assert "总投资499.99万元 < 500万元" in r[pid(6)]["reasons"]
    assert "项目单位非法人单位" in r[pid(7)]["reasons"]
    assert "未列入2025年度计划" in r[pid(8)]["reasons"]
    assert r[pid(1)]["reasons"][0] == "2025年度计划续建项目"


def test_not_entered_list_is_oldest_first_with_days_since_start():
    view = stats_entry_view(scenario().visible(), REGION, ON)
    assert [(r["project_id"][-1], r["days_since_start"]) for r in view["not_entered"]] == [
        ("1", 394), ("2", 79), ("4", 56)]


def test_counts_per_region_and_township():
    view = stats_entry_view(scenario().visible(), REGION, ON)
    assert view["by_region"] == [{"region": REGION, "eligible": 4, "entered": 1, "not_entered": 3,
                                  "submitted": 1, "returned": 1}]
    townships = {g["township"]: (g["eligible"], g["entered"], g["returned"]) for g in view["by_township"]}
    assert townships == {"凤城镇": (3, 1, 0), "北留镇": (1, 0, 1)}


def test_agrees_with_the_stats_entry_rate_figure():
    h = scenario()
    view = stats_entry_view(h.visible(), REGION, day("2025-04-30"))
    query = Query(REGION, parse_period("2025-04"), parse_as_of("2030-01-01"))
    figure = report(h.visible(), query)["figures"]["stats_entry_rate"]
    eligible = [r for r in view["projects"] if r["eligible"]]
    assert (figure["numerator"], figure["denominator"]) == (
        sum(r["status"] == "entered" for r in eligible), len(eligible))


def test_a_later_approval_is_not_seen_before_it_is_recorded():
    h = scenario()
    h.add("StatsEntrySubmitted", 2, on="2025-04-02", at="2025-04-02T09:00:00+08:00")
    h.add("StatsEntryApproved", 2, on="2025-04-25", at="2025-05-06T09:00:00+08:00")
    assert rows(stats_entry_view(h.visible("2025-05-01"), REGION, ON))[pid(2)]["status"] == "submitted"
    assert rows(stats_entry_view(h.visible("2025-05-07"), REGION, ON))[pid(2)]["status"] == "entered"

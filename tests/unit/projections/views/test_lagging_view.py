"""滞后项目: one line per project with each reason (not started when due, behind 序时, not entered a
month after starting, overdue problems, overdue procedures), the worst light, its 包联领导 and 包联部门;
and 双包联 coverage of the key projects."""
from __future__ import annotations

from desk_history import assign, listed, plan
from projections.views.coverage import coverage_view
from projections.views.lagging import lagging_view
from projections.views.lights import Lights
from views_history import REGION, History, day, pid

ON = day("2025-05-20")   # 序时 5/12 = 41.67%


def scenario() -> History:
    h = History()
    plan(h, 1, "new", 2, total="2000.00")             # due 28 Feb, not started (yellow)
    plan(h, 2, "new", 1, 1, planned="1000.00", total="2000.00")   # started, 25% done: 16.67 points behind (yellow)
    h.add("ConstructionStarted", 2, on="2025-01-08")
    h.add("StatsEntrySubmitted", 2, on="2025-01-20")
    h.add("StatsEntryApproved", 2, on="2025-01-30")
    h.add("InvestmentReported", 2, on="2025-04-30", year=2025, month=4, amount="250.00")
    plan(h, 3, "continuing", 2, planned="1000.00", total="3000.00")   # resumed, 5% done (red), not entered
    h.add("ConstructionResumed", 3, on="2025-02-20", year=2025)
    h.add("InvestmentReported", 3, on="2025-03-31", year=2025, month=3, amount="50.00")
    plan(h, 4, "new", 3, planned="600.00")              # on pace, entered, no problem
    h.add("ConstructionStarted", 4, on="2025-03-01")
    h.add("StatsEntryApproved", 4, on="2025-03-15")
    h.add("InvestmentReported", 4, on="2025-04-30", year=2025, month=4, amount="300.00")
    h.add("ProblemRaised", 4, on="2025-04-01", problem_id="P1", category="用地", description="临时用地")
    h.add("ProblemAssigned", 4, on="2025-04-01", problem_id="P1", unit="县自然资源局", due_on="2025-05-01")
    listed(h, 4, "eia", "2025-05-10")
    plan(h, 5, "new", 9)                                # not yet due: not judged on pace
    assign(h, 3, "L-LI", "李明")
    assign(h, 3, "U-ZJ", "县住建局", "lead_unit")
    assign(h, 3, "U-SW", "县水务局", "support_unit")
    return h


def by_id(view: dict) -> dict:
    return {r["project_id"][-1]: r for r in view["projects"]}


def test_each_reason_with_its_light():
    view = lagging_view(scenario().visible(), REGION, ON)
    r = by_id(view)
    assert set(r) == {"1", "2", "3", "4"}
    assert [(x["kind"], x["light"]) for x in r["1"]["reasons"]] == [("not_started", "yellow"),
                                                                    ("behind_pace", "red")]
    assert [(x["kind"], x["light"]) for x in r["2"]["reasons"]] == [("behind_pace", "yellow")]
    assert "落后16.67个百分点" in r["2"]["reasons"][0]["detail"]
    assert [(x["kind"], x["light"]) for x in r["3"]["reasons"]] == [("behind_pace", "red"), ("not_entered", "red")]
    assert [(x["kind"], x["light"]) for x in r["4"]["reasons"]] == [("overdue_problems", "yellow"),
                                                                    ("overdue_procedures", "yellow")]
    assert "P1(用地)超期19天" in r["4"]["reasons"][0]["detail"]
    assert "环评批复超期10天" in r["4"]["reasons"][1]["detail"]


def test_worst_light_order_and_contacts():
    view = lagging_view(scenario().visible(), REGION, ON)
    assert [(r["project_id"], r["light"]) for r in view["projects"]] == [
        (pid(1), "red"), (pid(3), "red"), (pid(2), "yellow"), (pid(4), "yellow")]
    third = by_id(view)["3"]
    assert (third["leaders"], third["lead_units"], third["support_units"]) == (["李明"], ["县住建局"], ["县水务局"])
    assert view["by_reason"] == {"not_started": 1, "behind_pace": 3, "not_entered": 1, "overdue_problems": 1,
                                 "overdue_procedures": 1}
    assert view["lights"] == {"red": 2, "yellow": 2, "green": 0, "none": 0}


def test_thresholds_move_projects_in_and_out():
    relaxed = Lights(pace_yellow_points=20, pace_red_points=50, entry_yellow_after_months=4, entry_red_after_months=5)
    r = by_id(lagging_view(scenario().visible(), REGION, ON, relaxed))
    assert "2" not in r
    assert [x["kind"] for x in r["3"]["reasons"]] == ["behind_pace"]
    # a month (configurable) after the start: 3 resumed on 20 February
    assert "not_entered" in by_id(lagging_view(scenario().visible(), REGION, day("2025-03-20")))["3"]["reason_kinds"]
    assert "not_entered" not in by_id(lagging_view(scenario().visible(), REGION, day("2025-03-19")))["3"][
        "reason_kinds"]


def test_coverage_of_key_projects():
    h = scenario()
    for n, level in ((1, "province"), (2, "city"), (3, "county"), (4, "county")):
        h.add("KeyProjectDesignated", n, on="2025-01-05", year=2025, level=level)
    assign(h, 1, "L-WANG", "王强")
    assign(h, 2, "U-FG", "县发改局", "lead_unit")
    assign(h, 4, "U-SW", "县水务局", "support_unit")   # a 帮办部门 does not stand in for the lead unit
    view = coverage_view(h.visible(), REGION, ON)
    got = {r["project_id"][-1]: (r["key_level"], r["missing"], r["missing_label"]) for r in view["projects"]}
    assert got == {"1": ("province", "lead_unit", "缺包联部门"), "2": ("city", "leader", "缺包联领导"),
                   "3": ("county", None, None), "4": ("county", "both", "缺包联领导和包联部门")}
    assert [r["project_id"] for r in view["missing"]] == [pid(1), pid(2), pid(4)]
    assert (view["key_projects"], view["complete"], view["missing_leader"], view["missing_lead_unit"],
            view["missing_both"]) == (4, 1, 1, 1, 1)
    assert [(g["key_level"], g["key_projects"], g["complete"]) for g in view["by_level"]] == [
        ("province", 1, 0), ("city", 1, 0), ("county", 2, 1)]
    # released: the leader no longer counts
    h.add("LeaderReleased", 3, on="2025-05-01", leader_id="L-LI")
    assert {r["project_id"][-1]: r["missing"] for r in coverage_view(h.visible(), REGION, ON)["projects"]}["3"] == \
        "leader"

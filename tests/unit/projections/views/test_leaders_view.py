"""领导包联: a leader not seen on a project within the visit interval is flagged (configurable; the
first interval counts from the assignment); units (包联部门, 帮办部门) are listed apart and never
flagged; progress against plan and pace, missing procedures and open problems per assigned project;
per project, its leaders and units."""
from __future__ import annotations

from projections.views.leaders import leaders_view
from projections.views.lights import Lights
from views_history import REGION, History, day, pid

ON = day("2025-05-20")


def scenario() -> History:
    h = History()
    h.planned(1, "new", planned="1200.00", required=["approval_filing", "eia", "land_approval"])
    h.add("ProcedureApproved", 1, on="2025-02-01", procedure="approval_filing")
    h.add("ConstructionStarted", 1, on="2025-03-01")
    for month, amount in ((3, "200.00"), (4, "300.00"), (5, "100.00")):
        h.add("InvestmentReported", 1, on=f"2025-{month:02d}-28", year=2025, month=month, amount=amount)
    h.planned(2, "continuing", planned="600.00", required=[])
    h.add("ConstructionResumed", 2, on="2025-02-15", year=2025)
    h.add("InvestmentReported", 2, on="2025-04-30", year=2025, month=4, amount="240.00")
    h.add("ProblemRaised", 2, on="2025-04-01", problem_id="P1", category="用地", description="临时用地未批")
    h.add("ProblemAssigned", 2, on="2025-04-02", problem_id="P1", unit="县自然资源局", due_on="2025-05-10")
    # 李明 leads both; visited project 1 this month, project 2 only in April
    h.add("LeaderAssigned", 1, on="2025-01-10", leader_id="L-LI", leader_name="李明", title="副县长")
    h.add("LeaderAssigned", 2, on="2025-01-10", leader_id="L-LI", leader_name="李明", title="副县长")
    h.add("SiteVisitRecorded", 1, on="2025-05-06", leader_id="L-LI")
    h.add("SiteVisitRecorded", 2, on="2025-04-18", leader_id="L-LI")
    # 王强 leads project 2 too and visited it this month
    h.add("LeaderAssigned", 2, on="2025-02-01", leader_id="L-WANG", leader_name="王强", title="县委常委")
    h.add("SiteVisitRecorded", 2, on="2025-05-12", leader_id="L-WANG")
    # 赵刚 was released from project 1 in April: no longer listed
    h.add("LeaderAssigned", 1, on="2025-01-10", leader_id="L-ZHAO", leader_name="赵刚", title="副县长")
    h.add("LeaderReleased", 1, on="2025-04-01", leader_id="L-ZHAO")
    return h


def leader(view: dict, leader_id: str) -> dict:
    return next(r for r in view["leaders"] if r["leader_id"] == leader_id)


def test_leader_with_a_missed_visit_is_flagged():
    view = leaders_view(scenario().visible(), REGION, ON)
    assert [r["leader_id"] for r in view["leaders"]] == ["L-LI", "L-WANG"]
    li = leader(view, "L-LI")
    # project 2 last seen on 18 April: 32 days before 20 May, more than the 30-day default
    assert li["unvisited"] == [pid(2)] and li["flagged"] is True
    second = {p["project_id"]: p for p in li["projects"]}[pid(2)]
    assert (second["last_visit_on"], second["days_since_visit"], second["visit_light"]) == ("2025-04-18", 32, "yellow")
    assert leader(view, "L-WANG")["flagged"] is False
    assert view["flagged"] == ["L-LI"]
    visits = {p["project_id"]: p["visits_this_month"] for p in li["projects"]}
    assert visits == {pid(1): ["2025-05-06"], pid(2): []}


def test_progress_against_plan_and_pace():
    li = leader(leaders_view(scenario().visible(), REGION, ON), "L-LI")
    first, second = li["projects"]
    assert (first["completed_investment"], first["planned_investment"], first["completion_rate"]) == (
        "600.00", "1200.00", "0.5000")
    assert (first["pace"], first["pace_investment"], first["ahead_of_pace"]) == ("0.4167", "500.00", True)
    assert (second["completion_rate"], second["ahead_of_pace"]) == ("0.4000", False)
    assert first["stage"] == "under_construction"


def test_missing_procedures_and_open_problems():
    li = leader(leaders_view(scenario().visible(), REGION, ON), "L-LI")
    first, second = li["projects"]
    assert first["missing_procedures"] == ["eia", "land_approval"] and second["missing_procedures"] == []
    assert second["open_problems"] == [{"problem_id": "P1", "category": "用地", "unit": "县自然资源局",
                                        "due_on": "2025-05-10", "overdue": True, "days_overdue": 10,
                                        "near_deadline": False, "escalation_level": None}]


def test_each_project_with_its_leaders_and_assignments_on_the_date():
    view = leaders_view(scenario().visible(), REGION, ON)
    assert [lead["leader_id"] for lead in view["by_project"][pid(2)]] == ["L-LI", "L-WANG"]
    march = leaders_view(scenario().visible(), REGION, day("2025-03-15"))
    assert [lead["leader_id"] for lead in march["by_project"][pid(1)]] == ["L-LI", "L-ZHAO"]
    # in March nobody has visited anything yet, and every assignment is more than 30 days old
    assert march["flagged"] == ["L-LI", "L-WANG", "L-ZHAO"]
    # on 20 February 王强 (assigned 1 February) is within his first interval
    february = leaders_view(scenario().visible(), REGION, day("2025-02-20"))
    assert february["flagged"] == ["L-LI", "L-ZHAO"]


def test_a_retracted_visit_no_longer_counts():
    h = scenario()
    visit = h.add("SiteVisitRecorded", 2, on="2025-05-15", leader_id="L-LI")
    h.retract(visit, at="2025-05-18T09:00:00+08:00", reason="误报")
    assert leader(leaders_view(h.visible("2025-05-17"), REGION, ON), "L-LI")["flagged"] is False
    assert leader(leaders_view(h.visible("2025-05-19"), REGION, ON), "L-LI")["flagged"] is True


def test_the_visit_interval_is_configurable_and_rolling():
    h = scenario()
    wide = leaders_view(h.visible(), REGION, ON, lights=Lights(visit_interval_days=45))
    assert wide["flagged"] == [] and wide["visit_interval_days"] == 45
    # rolling, not by calendar month: on 1 June the visit of 6 May (26 days before) still covers project 1
    june = leaders_view(h.visible(), REGION, day("2025-06-01"))
    assert pid(1) not in leader(june, "L-LI")["unvisited"]
    assert leader(june, "L-LI")["projects"][0]["visits_this_month"] == []
    # the boundary: exactly 30 days after the last visit is within, 31 is not
    assert pid(1) not in leader(leaders_view(h.visible(), REGION, day("2025-06-05")), "L-LI")["unvisited"]
    assert pid(1) in leader(leaders_view(h.visible(), REGION, day("2025-06-06")), "L-LI")["unvisited"]


def test_units_are_departments_never_flagged_for_visits():
    h = scenario()
    h.add("LeaderAssigned", 1, on="2025-01-12", schema_version=2, leader_id="U-ZRZY", leader_name="县自然资源局",
          title="牵头部门", role="lead_unit")
    h.add("LeaderAssigned", 1, on="2025-01-12", schema_version=2, leader_id="U-ZJ", leader_name="县住建局",
          title="帮办部门", role="support_unit")
    h.add("LeaderAssigned", 2, on="2025-01-12", schema_version=2, leader_id="U-ZRZY", leader_name="县自然资源局",
          title="牵头部门", role="lead_unit")
    view = leaders_view(h.visible(), REGION, ON)
    assert [r["leader_id"] for r in view["leaders"]] == ["L-LI", "L-WANG"]   # units are not leaders
    assert "U-ZRZY" not in view["flagged"] and "U-ZJ" not in view["flagged"]
    assert [(u["unit_id"], u["role"], u["role_label"], [p["project_id"] for p in u["projects"]])
            for u in view["units"]] == [("U-ZRZY", "lead_unit", "包联部门", [pid(1), pid(2)]),
                                        ("U-ZJ", "support_unit", "帮办部门", [pid(1)])]
    roles = {(x["leader_id"], x["role"]) for x in view["by_project"][pid(1)]}
    assert roles == {("L-LI", "leader"), ("U-ZRZY", "lead_unit"), ("U-ZJ", "support_unit")}
    # a unit released is gone
    h.add("LeaderReleased", 1, on="2025-05-01", leader_id="U-ZJ")
    assert [u["unit_id"] for u in leaders_view(h.visible(), REGION, ON)["units"]] == ["U-ZRZY"]

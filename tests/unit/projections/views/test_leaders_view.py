"""领导包联: a leader with a missed visit this month is flagged; progress against plan and pace,
missing procedures and open problems per assigned project; per project, its leaders."""
from __future__ import annotations

from projections.views.leaders import leaders_view
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
    assert li["unvisited_this_month"] == [pid(2)] and li["flagged"] is True
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
    # in March nobody has visited anything yet
    assert march["flagged"] == ["L-LI", "L-WANG", "L-ZHAO"]


def test_a_retracted_visit_no_longer_counts():
    h = scenario()
    visit = h.add("SiteVisitRecorded", 2, on="2025-05-15", leader_id="L-LI")
    h.retract(visit, at="2025-05-18T09:00:00+08:00", reason="误报")
    assert leader(leaders_view(h.visible("2025-05-17"), REGION, ON), "L-LI")["flagged"] is False
    assert leader(leaders_view(h.visible("2025-05-19"), REGION, ON), "L-LI")["flagged"] is True

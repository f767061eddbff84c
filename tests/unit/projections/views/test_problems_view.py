"""问题闭环: near deadline (提醒), overdue (帮办/督办) under the default ladder, Shanxi's 13710
handling deadlines counted from the assignment, an escalated overdue problem, lights, closure and the
on-time rate (agreeing with the figure)."""
from __future__ import annotations

from projections.periods import parse_as_of, parse_period
from projections.report import Query, report
from projections.views.problems import POLICIES, DeadlinePolicy, problems_view
from views_history import REGION, History, day

ON = day("2025-05-20")


def problem(h: History, n: int, pid: str, raised: str, due: str, *, unit="县自然资源局", category="用地") -> None:
    h.add("ProblemRaised", n, on=raised, problem_id=pid, category=category, description="征地拆迁未完成")
    h.add("ProblemAssigned", n, on=raised, problem_id=pid, unit=unit, due_on=due)


def scenario() -> History:
    h = History()
    h.registered(1)
    h.registered(2, township="北留镇")
    problem(h, 1, "P-ESC", "2025-04-01", "2025-04-30")                 # overdue 20 days, escalated to city
    h.add("ProblemEscalated", 1, on="2025-05-08", problem_id="P-ESC", level="city")
    problem(h, 1, "P-LATE", "2025-05-01", "2025-05-17", unit="县住建局", category="资金")  # overdue 3 days
    problem(h, 2, "P-NEAR", "2025-05-10", "2025-05-22", category="环评")  # due in 2 days
    problem(h, 2, "P-DONE", "2025-04-01", "2025-04-20")                 # closed on time
    h.add("ProblemResolved", 2, on="2025-04-15", problem_id="P-DONE")
    h.add("ProblemFollowedUp", 2, on="2025-04-16", problem_id="P-DONE", satisfied=True)
    problem(h, 2, "P-REOPEN", "2025-03-01", "2025-03-31")               # unsatisfied, reopened, then closed late
    h.add("ProblemResolved", 2, on="2025-03-20", problem_id="P-REOPEN")
    h.add("ProblemFollowedUp", 2, on="2025-03-22", problem_id="P-REOPEN", satisfied=False)
    h.add("ProblemResolved", 2, on="2025-04-05", problem_id="P-REOPEN")
    h.add("ProblemFollowedUp", 2, on="2025-04-07", problem_id="P-REOPEN", satisfied=True)
    return h


def by_id(view: dict) -> dict:
    return {p["problem_id"]: p for p in view["problems"]}


def test_open_problems_by_region_unit_and_category():
    view = problems_view(scenario().visible(), REGION, ON)
    assert view["open"] == 3
    assert view["open_by_unit"] == {"县住建局": 1, "县自然资源局": 2}
    assert view["open_by_category"] == {"用地": 1, "资金": 1, "环评": 1}
    assert view["open_by_township"] == {"凤城镇": 2, "北留镇": 1}
    assert view["open_by_region"] == {REGION: 3}


def test_escalated_overdue_problem_under_the_default_policy():
    view = problems_view(scenario().visible(), REGION, ON)
    esc = by_id(view)["P-ESC"]
    assert (esc["overdue"], esc["days_overdue"], esc["escalation_level"]) == (True, 20, "city")
    assert esc["due_level"] == "city" and esc["escalation_candidate"] is False
    late = by_id(view)["P-LATE"]
    assert (late["days_overdue"], late["due_level"], late["escalation_candidate"]) == (3, "help", True)
    assert [r["problem_id"] for r in view["overdue"]] == ["P-ESC", "P-LATE"]
    assert view["escalation_candidates"] == ["P-LATE"]
    assert [r["problem_id"] for r in view["near_deadline"]] == ["P-NEAR"]


def test_13710_counts_handling_deadlines_from_the_assignment_not_steps_after_the_due_date():
    view = problems_view(scenario().visible(), REGION, ON, POLICIES["13710"])
    late = by_id(view)["P-LATE"]   # assigned 1 May, due 17 May: 16 days > 7, a major problem (1 month)
    handling = late["handling"]
    assert (handling["class"], handling["class_label"], handling["assigned_on"]) == ("major", "重大问题", "2025-05-01")
    assert [(m["key"], m["label"], m["due_on"], m["status"]) for m in handling["milestones"]] == [
        ("deploy", "1日内研究部署", "2025-05-02", "unrecorded"),
        ("report", "3日内反馈", "2025-05-04", "unrecorded"),
        ("settle", "1个月内办结", "2025-05-31", "pending")]
    assert handling["missed"] == [] and handling["next_deadline"]["due_on"] == "2025-05-31"
    # past its assigned due_on: 帮办 (seed 004 item 13), no 督办 before the 13710 deadline is missed
    assert (late["overdue"], late["due_level"], late["escalation_candidate"]) == (True, "help", True)
    esc = by_id(view)["P-ESC"]     # assigned 1 April, due 30 April: major, settle by 1 May, missed
    assert esc["handling"]["milestones"][-1]["status"] == "missed" and esc["handling"]["missed"] == ["settle"]
    # the project is no key project: 县级督办 — it was escalated to the city already
    assert (esc["due_level"], esc["escalation_level"], esc["escalation_candidate"]) == ("county", "city", False)
    assert view["escalation_candidates"] == ["P-LATE"]
    assert view["policy"]["handling"] == {"deploy_days": 1, "report_days": 3, "ordinary_days": 7, "major_days": 30}
    assert view["policy"]["ladder"] == []


def test_13710_ordinary_problem_settled_in_seven_days_or_not():
    h = History()
    h.registered(1)
    h.add("KeyProjectDesignated", 1, on="2025-01-05", year=2025, level="province")
    problem(h, 1, "P-FAST", "2025-05-01", "2025-05-06")           # 5 days: ordinary, settle by 8 May
    h.add("ProblemResolved", 1, on="2025-05-03", problem_id="P-FAST")
    problem(h, 1, "P-SLOW", "2025-05-01", "2025-05-08")           # 7 days: still ordinary
    problem(h, 1, "P-LATE", "2025-04-01", "2025-04-07")           # settled after its 7 days
    h.add("ProblemResolved", 1, on="2025-04-12", problem_id="P-LATE")
    view = problems_view(h.visible(), REGION, day("2025-05-09"), POLICIES["13710"])
    fast, slow, late = (by_id(view)[k]["handling"] for k in ("P-FAST", "P-SLOW", "P-LATE"))
    assert [m["status"] for m in fast["milestones"]] == ["unrecorded", "met", "met"]
    assert fast["class"] == "ordinary" and fast["milestones"][-1]["label"] == "7日内办结"
    assert [m["status"] for m in slow["milestones"]] == ["unrecorded", "unrecorded", "missed"]
    assert [m["status"] for m in late["milestones"]] == ["unrecorded", "unrecorded", "late"]
    # a provincial key project: a missed 13710 deadline goes to 省级督办 (长治: 省、市级重点工程纳入13710督办)
    assert by_id(view)["P-SLOW"]["due_level"] == "province" and by_id(view)["P-SLOW"]["escalation_candidate"]
    assert by_id(view)["P-LATE"]["due_level"] is None        # resolved, waiting for its follow-up
    # the reminder comes a day before the next deadline
    before = problems_view(h.visible(), REGION, day("2025-05-07"), POLICIES["13710"])
    assert [r["problem_id"] for r in before["near_deadline"]] == ["P-SLOW"]
    # reassigned: the clock restarts from the assignment recorded last
    h.add("ProblemAssigned", 1, on="2025-05-09", problem_id="P-SLOW", unit="县住建局", due_on="2025-05-15")
    again = by_id(problems_view(h.visible(), REGION, day("2025-05-10"), POLICIES["13710"]))["P-SLOW"]
    assert again["handling"]["milestones"][-1]["due_on"] == "2025-05-16" and again["due_level"] is None


def test_wider_reminder_window_under_the_default_policy():
    wide = problems_view(scenario().visible(), REGION, ON, DeadlinePolicy(remind_days=2))
    assert [r["problem_id"] for r in wide["near_deadline"]] == ["P-NEAR"]
    narrow = problems_view(scenario().visible(), REGION, ON, DeadlinePolicy(remind_days=1))
    assert narrow["near_deadline"] == []


def test_problem_lights():
    view = problems_view(scenario().visible(), REGION, ON)
    lights = {k: r["light"] for k, r in by_id(view).items()}
    assert lights == {"P-ESC": "yellow", "P-LATE": "yellow", "P-NEAR": "green", "P-DONE": "green",
                      "P-REOPEN": "green"}
    assert by_id(problems_view(scenario().visible(), REGION, day("2025-05-30")))["P-ESC"]["light"] == "red"


def test_escalation_is_seen_only_once_recorded():
    h = scenario()
    # the escalation of P-ESC was recorded at noon on 2025-05-08
    before = problems_view(h.visible("2025-05-07"), REGION, ON)
    assert by_id(before)["P-ESC"]["escalation_level"] is None
    assert by_id(before)["P-ESC"]["escalation_candidate"] is True


def test_closure_days_and_on_time_rate_agree_with_the_figure():
    h = scenario()
    view = problems_view(h.visible(), REGION, ON)
    done, reopened = by_id(view)["P-DONE"], by_id(view)["P-REOPEN"]
    assert (done["status"], done["days_to_close"], done["closed_on_time"]) == ("closed", 15, True)
    assert (reopened["status"], reopened["days_to_close"], reopened["closed_on_time"]) == ("closed", 37, False)
    closure = view["closure"]
    assert (closure["due"], closure["closed_on_time"], closure["on_time_rate"]) == (4, 1, "0.2500")
    assert closure["mean_days_to_close"] == "26.0000" and closure["median_days_to_close"] == "26.0"
    query = Query(REGION, parse_period("2025"), parse_as_of("2030-01-01"))
    # the figure counts problems due by the period end; as a view on 2025-12-31 all five are due
    figure = report(h.visible(), query)["figures"]["problem_on_time_rate"]
    year_end = problems_view(h.visible(), REGION, day("2025-12-31"))["closure"]
    assert (figure["numerator"], figure["denominator"]) == (year_end["closed_on_time"], year_end["due"])


def test_reopened_problem_is_open_again():
    h = History()
    h.registered(1)
    problem(h, 1, "P", "2025-05-01", "2025-06-30")
    h.add("ProblemResolved", 1, on="2025-05-10", problem_id="P")
    h.add("ProblemFollowedUp", 1, on="2025-05-12", problem_id="P", satisfied=False)
    row = by_id(problems_view(h.visible(), REGION, ON))["P"]
    assert (row["status"], row["open"], row["days_to_due"]) == ("reopened", True, 41)

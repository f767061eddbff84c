"""前期手续清单: which lines (required of new projects, listed of any), the plan in force per
(project, procedure), status approved/pending/overdue, lights, the overdue list, counts per procedure
and level, agreement with the procedure_completion_rate figure, and the weekly 情况表 for a Friday."""
from __future__ import annotations

from desk_history import assign, listed, plan
from projections.periods import parse_as_of, parse_period
from projections.report import Query, report
from projections.views.procedures import friday_of, procedures_view, weekly_view
from views_history import REGION, History, day, pid

ON = day("2025-05-20")


def scenario() -> History:
    h = History()
    plan(h, 1, "new", 4, required=["approval_filing", "land_approval", "eia"])
    h.add("ProcedureApproved", 1, on="2025-02-01", procedure="approval_filing", document_no="阳发改备〔2025〕3号",
          authority="阳城县发展和改革局")
    listed(h, 1, "land_approval", "2025-04-10", level="province", unit="县自然资源局", leader="张伟", officer="赵敏")
    listed(h, 1, "eia", "2025-05-25", level="city", unit="晋城市生态环境局阳城分局")
    plan(h, 2, "new", required=["approval_filing", "construction_permit"])
    listed(h, 2, "approval_filing", "2025-03-31")
    h.add("ProcedureApproved", 2, on="2025-04-15", procedure="approval_filing", document_no="阳审批〔2025〕9号",
          authority="阳城县行政审批服务管理局")
    # continuing: its missing procedures are not listed unless the 专班 lists them
    plan(h, 3, "continuing", required=["approval_filing", "planning_permit"])
    listed(h, 3, "planning_permit", "2025-06-30", unit="县自然资源局")
    # not in the plan (a 前期项目): listed, and its deadline moved later in May
    h.registered(4, required=["approval_filing"])
    listed(h, 4, "approval_filing", "2025-05-09")
    listed(h, 4, "approval_filing", "2025-06-15", on="2025-05-16")
    assign(h, 1, "L-LI", "李明")
    return h


def lines(view: dict) -> dict:
    return {(r["project_id"][-1], r["procedure"]): r for r in view["procedures"]}


def test_the_lines_new_projects_required_and_anything_listed():
    view = procedures_view(scenario().visible(), REGION, ON)
    assert list(lines(view)) == [("1", "approval_filing"), ("1", "land_approval"), ("1", "eia"),
                                 ("2", "approval_filing"), ("2", "construction_permit"),
                                 ("3", "planning_permit"), ("4", "approval_filing")]
    r = lines(view)
    assert (r[("1", "approval_filing")]["required"], r[("3", "planning_permit")]["required"]) == (True, False)
    assert r[("3", "planning_permit")]["construction_label"] == "续建"
    assert r[("4", "approval_filing")]["construction_label"] == "未列入年度计划"


def test_status_level_people_and_lights():
    r = lines(procedures_view(scenario().visible(), REGION, ON))
    done = r[("1", "approval_filing")]
    assert (done["status"], done["approved_on"], done["document_no"], done["level_label"], done["light"]) == (
        "approved", "2025-02-01", "阳发改备〔2025〕3号", "未列入清单", "green")
    land = r[("1", "land_approval")]
    assert (land["status"], land["status_label"], land["days_overdue"], land["level_label"], land["unit"],
            land["leader"], land["officer"], land["light"]) == (
        "overdue", "超期未办结", 40, "省级", "县自然资源局", "张伟", "赵敏", "red")
    assert land["project_leaders"] == ["李明"]
    eia = r[("1", "eia")]
    assert (eia["status"], eia["days_to_due"], eia["light"]) == ("pending", 5, "yellow")   # 临期
    late = r[("2", "approval_filing")]
    assert (late["status"], late["approved_late"], late["light"]) == ("approved", True, "green")
    unlisted = r[("2", "construction_permit")]
    assert (unlisted["status"], unlisted["due_on"], unlisted["light"], unlisted["listed"]) == (
        "pending", None, None, False)
    assert r[("3", "planning_permit")]["light"] == "green"
    moved = r[("4", "approval_filing")]   # moved on 16 May to 15 June: pending again
    assert (moved["due_on"], moved["status"]) == ("2025-06-15", "pending")


def test_summary_counts_and_overdue_list():
    view = procedures_view(scenario().visible(), REGION, ON)
    assert (view["total"], view["approved"], view["pending"], view["overdue"]) == (7, 2, 4, 1)
    assert view["lights"] == {"red": 1, "yellow": 1, "green": 4, "none": 1}
    assert [(r["project_id"], r["procedure"]) for r in view["overdue_list"]] == [(pid(1), "land_approval")]
    by_level = {g["level"]: (g["level_label"], g["total"], g["approved"], g["overdue"]) for g in view["by_level"]}
    assert by_level == {"province": ("省级", 1, 0, 1), "city": ("市级", 1, 0, 0), "county": ("县级", 3, 1, 0),
                        None: ("未列入清单", 2, 1, 0)}
    by_procedure = {g["procedure"]: g["total"] for g in view["by_procedure"]}
    assert by_procedure == {"approval_filing": 3, "land_approval": 1, "eia": 1, "planning_permit": 1,
                            "construction_permit": 1}


def test_completion_agrees_with_the_procedure_completion_rate_figure():
    h = scenario()
    for through in ("2025-03", "2025-05"):
        period = parse_period(through)
        figure = report(h.visible(), Query(REGION, period, parse_as_of("2030-01-01")))["figures"][
            "procedure_completion_rate"]
        completion = procedures_view(h.visible(), REGION, period.through)["completion"]
        assert (figure["numerator"], figure["denominator"]) == (completion["approved"], completion["required"])


def test_the_plan_in_force_is_the_latest_occurred_then_recorded():
    h = scenario()
    # recorded later for the same day: it wins; an amendment dated later than `on` does not count yet
    listed(h, 1, "eia", "2025-05-28", on="2025-01-15", at="2025-02-01T09:00:00+08:00", level="province")
    listed(h, 1, "eia", "2025-07-31", on="2025-05-25")
    eia = lines(procedures_view(h.visible(), REGION, ON))[("1", "eia")]
    assert (eia["due_on"], eia["level"]) == ("2025-05-28", "province")
    assert lines(procedures_view(h.visible(), REGION, day("2025-05-26")))[("1", "eia")]["due_on"] == "2025-07-31"


def test_weekly_table_for_the_friday_on_or_before():
    assert friday_of(day("2025-05-16")) == day("2025-05-16")        # a Friday
    assert friday_of(day("2025-05-20")) == day("2025-05-16")        # Tuesday → the Friday before
    assert friday_of(day("2025-05-15")) == day("2025-05-09")
    h = scenario()
    h.add("ProcedureApproved", 2, on="2025-05-12", procedure="construction_permit", document_no="施许〔2025〕1号",
          authority="阳城县行政审批服务管理局")
    listed(h, 2, "construction_permit", "2025-05-30", on="2025-05-13")
    week = weekly_view(h.visible(), REGION, day("2025-05-18"))
    assert (week["friday"], week["week"]) == ("2025-05-16", {"from": "2025-05-10", "to": "2025-05-16"})
    changes = week["changes"]
    assert [(r["project_id"][-1], r["procedure"]) for r in changes["approved"]] == [("2", "construction_permit")]
    assert [(r["project_id"][-1], r["procedure"]) for r in changes["listed"]] == [("2", "construction_permit")]
    assert [(r["project_id"][-1], r["previous_due_on"], r["due_on"]) for r in changes["due_moved"]] == [
        ("4", "2025-05-09", "2025-06-15")]
    assert changes["became_overdue"] == []     # 4's deadline of 9 May was moved before it was overdue
    by_procedure = {g["procedure"]: (g["total"], g["approved"], g["pending"], g["overdue"], g["approved_this_week"])
                    for g in week["by_procedure"]}
    assert by_procedure["construction_permit"] == (1, 1, 0, 0, 1)
    assert by_procedure["approval_filing"] == (3, 2, 1, 0, 0)
    # the week before: 4's deadline of 9 May passed that Friday
    earlier = weekly_view(h.visible(), REGION, day("2025-05-09"))
    assert earlier["changes"]["became_overdue"] == []          # due the Friday itself: not yet overdue
    following = weekly_view(scenario().visible(), REGION, day("2025-04-11"))
    assert [(r["project_id"][-1], r["procedure"]) for r in following["changes"]["became_overdue"]] == [
        ("1", "land_approval")]

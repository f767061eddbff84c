"""开复工台账: due day from the planned month/旬, actual start or resumption, each status, days late
or overdue, lights at their boundaries, 包联 names, and agreement with the due_start_rate figure."""
from __future__ import annotations

from desk_history import assign, plan
from projections.periods import parse_as_of, parse_period
from projections.report import Query, report
from projections.views.lights import Lights
from projections.views.starts import due_day, starts_view
from views_history import REGION, History, day, pid

ON = day("2025-05-20")


def scenario() -> History:
    h = History()
    plan(h, 1, "new", 3, 1)                  # 3月上旬 → 10 March; started 8 March: on time
    h.add("ConstructionStarted", 1, on="2025-03-08")
    plan(h, 2, "new", 3, 2)                  # 3月中旬 → 20 March; started 2 April: 13 days late
    h.add("ConstructionStarted", 2, on="2025-04-02")
    plan(h, 3, "new", 2)                     # February → 28 Feb; not started: 81 days overdue (yellow)
    plan(h, 4, "continuing", 1, 3)           # 1月下旬 → 31 Jan; resumed in 2024 only: red by 20 May
    h.add("ConstructionResumed", 4, on="2024-03-01", year=2024)
    plan(h, 5, "continuing", 6, 2)           # 6月中旬: not yet due
    plan(h, 6, "new")                        # no month: 未定开工时间
    plan(h, 7, "continuing")                 # no month, resumed: done
    h.add("ConstructionResumed", 7, on="2025-02-01", year=2025)
    plan(h, 8, "new", 4, year=2024, on="2024-01-05")   # 2024's plan only: not in the 2025 ledger
    h.add("ConstructionStarted", 3, on="2025-06-01")   # after `on`: not yet seen
    assign(h, 3, "L-LI", "李明")
    assign(h, 3, "U-FG", "县发改局", "lead_unit")
    return h


def rows(view: dict) -> dict:
    return {r["project_id"][-1]: r for r in view["projects"]}


def test_due_day_is_the_last_day_of_the_dekad_or_the_month():
    assert due_day(2025, 2, None) == day("2025-02-28") and due_day(2024, 2, 3) == day("2024-02-29")
    assert due_day(2025, 3, 1) == day("2025-03-10") and due_day(2025, 3, 2) == day("2025-03-20")
    assert due_day(2025, 3, None) == day("2025-03-31")
    assert due_day(2025, None, None) is None


def test_each_status_with_days_and_light():
    r = rows(starts_view(scenario().visible(), REGION, ON))
    assert set(r) == {"1", "2", "3", "4", "5", "6", "7"}
    got = {k: (v["planned_label"], v["due_on"], v["actual_on"], v["status"], v["status_label"], v["light"])
           for k, v in r.items()}
    assert got == {
        "1": ("3月上旬", "2025-03-10", "2025-03-08", "on_time", "按期开工", "green"),
        "2": ("3月中旬", "2025-03-20", "2025-04-02", "late", "逾期开工", "green"),
        "3": ("2月", "2025-02-28", None, "due_not_started", "逾期未开工", "yellow"),
        "4": ("1月下旬", "2025-01-31", None, "due_not_started", "逾期未复工", "red"),
        "5": ("6月中旬", "2025-06-20", None, "not_yet_due", "未到计划时间", "green"),
        "6": ("未定", None, None, "unscheduled", "未定开工时间", None),
        "7": ("未定", None, "2025-02-01", "done_unscheduled", "已复工(未定计划时间)", "green"),
    }
    assert (r["2"]["days_late"], r["3"]["days_overdue"], r["4"]["days_overdue"]) == (13, 81, 109)
    assert (r["3"]["leaders"], r["3"]["lead_units"], r["3"]["construction_label"]) == (["李明"], ["县发改局"], "新建")


def test_summary_overdue_list_and_lights():
    view = starts_view(scenario().visible(), REGION, ON)
    assert view["counts"] == {"on_time": 1, "late": 1, "due_not_started": 2, "not_yet_due": 1, "unscheduled": 1,
                              "done_unscheduled": 1}
    assert view["lights"] == {"red": 1, "yellow": 1, "green": 4, "none": 1}
    assert [r["project_id"] for r in view["overdue"]] == [pid(4), pid(3)]
    assert view["by_construction"] == {"new": {"planned": 4, "done": 2}, "continuing": {"planned": 3, "done": 1}}


def test_light_turns_red_the_day_after_three_months():
    h = scenario()
    assert rows(starts_view(h.visible(), REGION, day("2025-05-28")))["3"]["light"] == "yellow"
    assert rows(starts_view(h.visible(), REGION, day("2025-05-29")))["3"]["light"] == "red"
    lenient = Lights(start_red_after_months=6)
    assert rows(starts_view(h.visible(), REGION, ON, lenient))["4"]["light"] == "yellow"


def test_a_plan_amended_in_may_is_read_as_in_force_on_the_date():
    h = scenario()
    plan(h, 3, "new", 6, 1, on="2025-05-10")   # moved to 6月上旬
    assert rows(starts_view(h.visible(), REGION, day("2025-05-09")))["3"]["status"] == "due_not_started"
    moved = rows(starts_view(h.visible(), REGION, ON))["3"]
    assert (moved["due_on"], moved["status"], moved["light"]) == ("2025-06-10", "not_yet_due", "green")


def test_agrees_with_the_due_start_rate_figure():
    h = scenario()
    for through in ("2025-03", "2025-05", "2025"):
        period = parse_period(through)
        figure = report(h.visible(), Query(REGION, period, parse_as_of("2030-01-01")))["figures"]["due_start_rate"]
        view = starts_view(h.visible(), REGION, period.through)
        assert (figure["numerator"], figure["denominator"]) == (view["due_start"]["done"], view["due_start"]["due"])

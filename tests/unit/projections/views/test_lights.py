"""红黄绿灯 thresholds: each rule at its boundaries, the defaults of DOMAIN.md, and the configuration
mapping (unknown keys and bad values refused by name; the shipped file equals the defaults)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from projections.views.lights import DEFAULT_LIGHTS, GREEN, RED, YELLOW, Lights, add_months, worst
from views_history import day

L = DEFAULT_LIGHTS


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert add_months(day("2025-03-31"), 3) == day("2025-06-30")
    assert add_months(day("2025-01-31"), 1) == day("2025-02-28")
    assert add_months(day("2024-11-15"), 2) == day("2025-01-15")


def test_start_yellow_when_the_planned_dekad_has_passed_red_three_months_after():
    due = day("2025-03-20")          # 3月中旬
    assert L.start(due, day("2025-03-20"), False) == GREEN   # the due day itself
    assert L.start(due, day("2025-03-21"), False) == YELLOW  # the day after
    assert L.start(due, day("2025-06-20"), False) == YELLOW  # three months after: still yellow
    assert L.start(due, day("2025-06-21"), False) == RED     # the day after three months
    assert L.start(due, day("2025-09-01"), True) == GREEN    # started (late or not): nothing to chase
    assert L.start(None, day("2025-09-01"), False) is None   # no planned month: no light
    grace = Lights(start_yellow_after_days=5, start_red_after_months=1)
    assert grace.start(due, day("2025-03-25"), False) == GREEN
    assert grace.start(due, day("2025-03-26"), False) == YELLOW
    assert grace.start(due, day("2025-04-21"), False) == RED


def test_pace_yellow_from_ten_points_behind_red_beyond_thirty():
    assert L.pace(Decimal("9.99")) == GREEN
    assert L.pace(Decimal("10")) == YELLOW
    assert L.pace(Decimal("30")) == YELLOW
    assert L.pace(Decimal("30.01")) == RED
    assert L.pace(Decimal("-5")) == GREEN   # ahead of 序时
    assert L.pace(None) is None


def test_entry_yellow_one_month_after_the_start_red_two():
    start = day("2025-01-31")
    assert L.entry(start, day("2025-02-27"), False) == GREEN
    assert L.entry(start, day("2025-02-28"), False) == YELLOW   # one calendar month (month end)
    assert L.entry(start, day("2025-03-30"), False) == YELLOW
    assert L.entry(start, day("2025-03-31"), False) == RED
    assert L.entry(start, day("2025-06-01"), True) == GREEN
    assert L.entry(None, day("2025-06-01"), False) is None
    assert not L.entry_lagging(start, day("2025-02-27")) and L.entry_lagging(start, day("2025-02-28"))


def test_procedure_warn_seven_days_ahead_red_thirty_days_overdue():
    due = day("2025-05-31")
    assert L.procedure(due, day("2025-05-23"), False) == GREEN   # 8 days ahead
    assert L.procedure(due, day("2025-05-24"), False) == YELLOW  # 7 days ahead: 临期
    assert L.procedure(due, day("2025-05-31"), False) == YELLOW
    assert L.procedure(due, day("2025-06-29"), False) == YELLOW  # 29 days overdue
    assert L.procedure(due, day("2025-06-30"), False) == RED     # 30 days overdue
    assert L.procedure(due, day("2025-07-30"), True) == GREEN
    assert L.procedure(None, day("2025-07-30"), False) is None   # 未列入清单


def test_problem_and_worst():
    assert (L.problem(0, True), L.problem(29, True), L.problem(30, True), L.problem(90, False)) == (
        GREEN, YELLOW, RED, GREEN)
    assert worst([GREEN, None, YELLOW]) == YELLOW and worst([YELLOW, RED]) == RED and worst([]) is None


def test_from_mapping_overrides_and_refuses_by_name():
    lights = Lights.from_mapping({"starts": {"red_after_months": 2}, "pace": {"yellow_points": 7.5},
                                  "leaders": {"visit_interval_days": 14}})
    assert (lights.start_red_after_months, lights.pace_yellow_points, lights.visit_interval_days) == (
        2, Decimal("7.5"), 14)
    assert lights.pace_red_points == Decimal(30)          # left out: the default
    assert Lights.from_mapping(L.as_mapping()) == L
    with pytest.raises(ValueError, match="unknown setting starts.red_after_weeks"):
        Lights.from_mapping({"starts": {"red_after_weeks": 2}})
    with pytest.raises(ValueError, match="stats_entry.yellow_after_months must be a whole number"):
        Lights.from_mapping({"stats_entry": {"yellow_after_months": "one"}})
    with pytest.raises(ValueError, match="pace.red_points must be ≥ pace.yellow_points"):
        Lights.from_mapping({"pace": {"yellow_points": 40}})
    with pytest.raises(ValueError, match="procedures.warn_days must be ≥ 0"):
        Lights.from_mapping({"procedures": {"warn_days": -1}})


def test_the_shipped_file_holds_the_defaults_and_every_key(tmp_path):
    import tomllib

    from services.query.lights import DEFAULT_FILE, load_lights

    data = tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    assert Lights.from_mapping(data) == DEFAULT_LIGHTS
    assert {(t, k) for t, keys in data.items() for k in keys} == {
        (t, k) for t, keys in DEFAULT_LIGHTS.as_mapping().items() for k in keys}
    own = tmp_path / "lights.toml"
    own.write_text("[starts]\nred_after_months = 1\n", encoding="utf-8")
    assert load_lights(environ={"PROJFACTS_LIGHTS": str(own)}).start_red_after_months == 1
    own.write_text("[starts]\nred_after_months = 'x'\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"lights file {own}: starts.red_after_months"):
        load_lights(own)

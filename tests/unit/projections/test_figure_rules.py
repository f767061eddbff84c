"""One hand-computed scenario per rule of CONTRACT.md §3; each fails if its rule is dropped or changed."""
from __future__ import annotations

from scenario import History


# ---- the two clocks ------------------------------------------------------------------------
def test_only_events_recorded_by_as_of_count():
    h = History()
    h.planned(1)
    h.add("ConstructionStarted", 1, on="2025-03-20", at="2025-04-15T09:00:00+08:00")  # late report
    assert h.figure("new_start_rate", as_of="2025-04-10") == (0, 1, "0.0000")
    assert h.figure("new_start_rate", as_of="2025-04-15T09:00:00+08:00") == (1, 1, "1.0000")


def test_retracted_event_counts_before_the_retraction_is_recorded_and_not_after():
    h = History()
    h.planned(1)
    start = h.add("ConstructionStarted", 1, on="2025-03-01")
    h.retract(start, at="2025-05-01T10:00:00+08:00")
    assert h.figure("new_start_rate", as_of="2025-04-30")[0] == 1
    assert h.figure("new_start_rate", as_of="2025-05-01T10:00:00+08:00")[0] == 0


def test_a_retraction_recorded_before_its_target_still_retracts_it():
    h = History()
    h.planned(1)
    start = h.add("ConstructionStarted", 1, on="2025-03-01", at="2025-03-05T10:00:00+08:00")
    h.events.insert(0, h.events.pop())  # the start is later in the log ...
    h.add("EventRetracted", 1, on="2025-03-02", at="2025-03-02T10:00:00+08:00",
          retracted_event_id=start["event_id"], reason="录入错误")  # ... and its retraction recorded earlier
    assert h.figure("new_start_rate", as_of="2025-04-01")[0] == 0


def test_facts_before_the_registration_count_once_it_arrives():
    h = History()
    h.add("AnnualPlanAdopted", 1, on="2025-01-05", year=2025, construction="new", planned_investment="100.00")
    h.add("ConstructionStarted", 1, on="2025-02-01")
    assert h.figure("new_start_rate", as_of="2025-03-01") == (0, 0, None)
    h.add("ProjectRegistered", 1, on="2024-11-01", at="2025-03-10T10:00:00+08:00")
    assert h.figure("new_start_rate", as_of="2025-04-01") == (1, 1, "1.0000")


# ---- region, township, versions in force -----------------------------------------------------
def test_region_is_that_of_the_registration_in_force_on_through():
    h = History()
    h.planned(1)
    h.add("ProjectRegistered", 1, on="2025-05-01", region="140581")  # moved away after Q1
    assert h.figure("new_start_rate", period="2025Q1")[1] == 1
    assert h.figure("new_start_rate", period="2025H1")[1] == 0
    assert h.figure("new_start_rate", period="2025H1", region="140581")[1] == 1
    assert h.figure("new_start_rate", period="2025H1", region="1405")[1] == 1


def test_a_project_registered_after_through_belongs_nowhere():
    h = History()
    h.planned(1, registered_on="2025-04-02")
    assert h.figure("new_start_rate", period="2025Q1")[1] == 0
    assert h.figure("new_start_rate", period="2025H1")[1] == 1


def test_version_ties_go_to_later_recorded_then_later_in_the_log():
    h = History()
    h.planned(1, planned="100.00")
    h.add("AnnualPlanAdopted", 1, on="2025-01-05", at="2025-01-06T10:00:00+08:00", year=2025,
          construction="new", planned_investment="300.00")
    assert h.figure("investment_completion_rate")[1] == "300.00"
    h.add("AnnualPlanAdopted", 1, on="2025-01-05", at="2025-01-06T10:00:00+08:00", year=2025,
          construction="new", planned_investment="500.00")  # same dates, later in the log
    assert h.figure("investment_completion_rate")[1] == "500.00"


def test_the_greatest_occurred_on_wins_over_a_later_recording():
    h = History()
    h.planned(1, planned="100.00")
    h.add("AnnualPlanAdopted", 1, on="2025-01-02", at="2025-02-01T10:00:00+08:00", year=2025,
          construction="new", planned_investment="900.00")  # recorded later, but business-dated earlier
    assert h.figure("investment_completion_rate")[1] == "100.00"


def test_plan_amendment_after_through_does_not_apply():
    h = History()
    h.planned(1, construction="new")
    h.add("AnnualPlanAdopted", 1, on="2025-04-15", year=2025, construction="continuing", planned_investment="100.00")
    assert h.figure("new_start_rate", period="2025Q1")[1] == 1
    assert h.figure("resume_rate", period="2025H1")[1] == 1
    assert h.figure("new_start_rate", period="2025H1")[1] == 0


def test_plan_of_another_year_is_not_the_plan():
    h = History()
    h.planned(1, year=2024)
    assert h.figure("new_start_rate") == (0, 0, None)


# ---- starts and resumes --------------------------------------------------------------------
def test_started_in_year_means_occurred_in_jan_1_through():
    h = History()
    h.planned(1)
    h.planned(2)
    h.planned(3)
    h.add("ConstructionStarted", 1, on="2024-12-31")
    h.add("ConstructionStarted", 2, on="2025-01-01")
    h.add("ConstructionStarted", 3, on="2025-04-01")
    assert h.figure("new_start_rate", period="2025Q1") == (1, 3, "0.3333")


def test_resumed_needs_the_payload_year_and_a_date_in_the_period():
    h = History()
    for n in (1, 2, 3):
        h.planned(n, construction="continuing")
    h.add("ConstructionResumed", 1, on="2025-02-01", year=2025)
    h.add("ConstructionResumed", 2, on="2025-02-01", year=2024)
    h.add("ConstructionResumed", 3, on="2025-04-02", year=2025)
    assert h.figure("resume_rate", period="2025Q1") == (1, 3, "0.3333")
    assert h.figure("start_or_resume_rate", period="2025H1") == (2, 3, "0.6667")


def test_start_or_resume_combines_both_kinds():
    h = History()
    h.planned(1, construction="new")
    h.planned(2, construction="continuing")
    h.planned(3, construction="new")
    h.add("ConstructionStarted", 1, on="2025-02-01")
    h.add("ConstructionResumed", 2, on="2025-02-01", year=2025)
    h.add("ConstructionResumed", 3, on="2025-02-01", year=2025)  # a resume of a new project: not a start
    assert h.figure("start_or_resume_rate") == (2, 3, "0.6667")


# ---- investment ----------------------------------------------------------------------------
def test_investment_takes_the_last_recorded_report_per_month_whatever_its_occurred_on():
    h = History()
    h.planned(1, planned="1000.00")
    h.add("InvestmentReported", 1, on="2025-02-05", at="2025-02-05T10:00:00+08:00", year=2025, month=1, amount="100.00")
    h.add("InvestmentReported", 1, on="2025-01-31", at="2025-03-01T10:00:00+08:00", year=2025, month=1, amount="150.00")
    h.add("InvestmentReported", 1, on="2025-04-05", at="2025-04-05T10:00:00+08:00", year=2025, month=3, amount="50.00")
    h.add("InvestmentReported", 1, on="2025-05-05", year=2025, month=4, amount="999.00")  # after month(through)
    assert h.figure("investment_completion_rate", period="2025Q1") == ("200.00", "1000.00", "0.2000")
    assert h.figure("investment_completion_rate", period="2025Q1", as_of="2025-02-28") == ("100.00", "1000.00", "0.1000")


def test_the_last_recorded_report_wins_even_when_it_is_earlier_in_the_log():
    h = History()
    h.planned(1, planned="1000.00")
    h.add("InvestmentReported", 1, on="2025-02-05", at="2025-02-09T10:00:00+08:00", year=2025, month=1, amount="400.00")
    h.add("InvestmentReported", 1, on="2025-02-06", at="2025-02-08T10:00:00+08:00", year=2025, month=1, amount="300.00")
    assert h.figure("investment_completion_rate")[0] == "400.00"


def test_retracting_the_latest_report_brings_back_the_earlier_one():
    h = History()
    h.planned(1, planned="1000.00")
    h.add("InvestmentReported", 1, on="2025-02-05", year=2025, month=1, amount="100.00")
    later = h.add("InvestmentReported", 1, on="2025-02-06", year=2025, month=1, amount="300.00")
    h.retract(later, at="2025-03-01T10:00:00+08:00")
    assert h.figure("investment_completion_rate", as_of="2025-02-20")[0] == "300.00"
    assert h.figure("investment_completion_rate", as_of="2025-03-02")[0] == "100.00"


def test_completion_counts_only_the_plan_but_growth_counts_every_project_of_the_region():
    h = History()
    h.planned(1, planned="1000.00")
    h.add("ProjectRegistered", 2, on="2024-01-01")  # not in the 2025 plan
    for n, amount in ((1, "100.00"), (2, "50.00")):
        h.add("InvestmentReported", n, on="2025-02-05", year=2025, month=1, amount=amount)
    h.add("InvestmentReported", 1, on="2024-02-05", year=2024, month=1, amount="60.00")
    h.add("InvestmentReported", 2, on="2024-02-05", year=2024, month=1, amount="40.00")
    h.add("InvestmentReported", 2, on="2024-05-05", year=2024, month=4, amount="500.00")  # beyond month(through)
    assert h.figure("investment_completion_rate")[0] == "100.00"
    assert h.figure("investment_growth") == ("50.00", "100.00", "0.5000")


# ---- signed, reserve -------------------------------------------------------------------------
def test_signed_same_year_start_rate():
    h = History()
    for n in (1, 2, 3):
        h.add("ProjectRegistered", n, on="2024-06-01")
    h.add("AgreementSigned", 1, on="2025-01-20")
    h.add("AgreementSigned", 2, on="2025-02-20")
    h.add("AgreementSigned", 3, on="2024-12-20")  # signed last year
    h.add("ConstructionStarted", 1, on="2025-03-01")
    h.add("ConstructionStarted", 3, on="2025-03-01")
    assert h.figure("signed_same_year_start_rate") == (1, 2, "0.5000")


def test_reserve_conversion_uses_reserve_on_january_first():
    h = History()
    for n in (1, 2, 3, 4):
        h.add("ProjectRegistered", n, on="2024-06-01")
    h.add("ProcedureApproved", 1, on="2024-10-01")
    h.add("ProcedureApproved", 2, on="2024-10-01")
    h.add("ProcedureApproved", 3, on="2025-01-01")  # not before 1 January: not in reserve
    h.add("ProcedureApproved", 4, on="2024-10-01")
    h.add("ConstructionStarted", 4, on="2024-12-01")  # already started: not in reserve
    h.add("ConstructionStarted", 1, on="2025-02-01")
    h.add("ConstructionStarted", 3, on="2025-02-01")
    assert h.figure("reserve_conversion_rate") == (1, 2, "0.5000")


def test_reserve_multiple_uses_the_day_after_through():
    h = History()
    h.planned(1, planned="200.00")
    h.add("ProjectRegistered", 2, on="2025-03-31", total_investment="1000.00")
    h.add("ProcedureApproved", 2, on="2025-03-31")
    h.add("ProjectRegistered", 3, on="2025-03-31", total_investment="500.00")
    h.add("ProcedureApproved", 3, on="2025-04-01")  # approved after through: not yet reserve
    h.add("ProjectRegistered", 4, on="2024-03-31", total_investment="700.00")
    h.add("ProcedureApproved", 4, on="2024-04-01")
    h.add("ConstructionStarted", 4, on="2025-03-31")  # started by through: no longer reserve
    # project 1 (registered 2024-11, procedures none) is not reserve either
    assert h.figure("reserve_multiple", period="2025Q1") == ("1000.00", "200.00", "5.0000")


# ---- procedures, statistics ----------------------------------------------------------------
def test_procedure_completion_counts_distinct_required_procedures_of_new_projects():
    h = History()
    h.planned(1, required=["approval_filing", "eia", "land_approval"])
    h.planned(2, construction="continuing", required=["eia"])
    h.add("ProcedureApproved", 1, on="2025-01-10", procedure="eia")
    h.add("ProcedureApproved", 1, on="2025-01-20", procedure="eia")  # the same procedure again
    h.add("ProcedureApproved", 1, on="2025-01-20", procedure="energy_review")  # not required
    h.add("ProcedureApproved", 1, on="2025-04-20", procedure="approval_filing")  # after through
    h.add("ProcedureApproved", 2, on="2025-01-10", procedure="eia")  # continuing: not counted
    assert h.figure("procedure_completion_rate") == (1, 3, "0.3333")
    assert h.figure("procedure_completion_rate", period="2025H1") == (2, 3, "0.6667")


def test_required_procedures_come_from_the_registration_in_force():
    h = History()
    h.planned(1, required=["eia"])
    h.add("ProjectRegistered", 1, on="2025-02-01", required_procedures=["eia", "soil_water"])
    h.add("ProcedureApproved", 1, on="2025-01-10", procedure="eia")
    assert h.figure("procedure_completion_rate") == (1, 2, "0.5000")


def test_stats_entry_eligibility_and_entry():
    h = History()
    h.planned(1, construction="continuing", total="500.00")  # eligible (≥ 500, legal entity)
    h.planned(2, construction="new", total="800.00")  # new, started last year: eligible
    h.add("ConstructionStarted", 2, on="2024-10-01")
    h.planned(3, construction="new", total="800.00")  # new, not started: not eligible
    h.planned(4, construction="continuing", total="499.99")  # too small
    h.planned(5, construction="continuing", total="900.00", legal_entity=False)  # no legal entity
    h.add("StatsEntryApproved", 1, on="2025-03-01")
    h.add("StatsEntryApproved", 2, on="2025-04-01")  # after through
    h.add("StatsEntryApproved", 3, on="2025-03-01")  # not eligible, not counted
    assert h.figure("stats_entry_rate") == (1, 2, "0.5000")


# ---- problems ----------------------------------------------------------------------------
def test_problem_on_time_uses_the_last_recorded_assignment_and_satisfied_follow_up():
    h = History()
    h.add("ProjectRegistered", 1, on="2024-06-01")
    h.add("ProblemAssigned", 1, on="2025-01-05", problem_id="A", due_on="2025-02-01")
    h.add("ProblemAssigned", 1, on="2025-01-04", at="2025-01-20T10:00:00+08:00", problem_id="A", due_on="2025-03-01")
    h.add("ProblemFollowedUp", 1, on="2025-02-20", problem_id="A", satisfied=True)  # on time for the new due date
    h.add("ProblemAssigned", 1, on="2025-01-05", problem_id="B", due_on="2025-03-10")
    h.add("ProblemFollowedUp", 1, on="2025-03-01", problem_id="B", satisfied=False)
    h.add("ProblemAssigned", 1, on="2025-01-05", problem_id="C", due_on="2025-03-10")
    h.add("ProblemFollowedUp", 1, on="2025-03-11", problem_id="C", satisfied=True)  # late
    h.add("ProblemAssigned", 1, on="2025-01-05", problem_id="D", due_on="2025-05-10")  # due after through
    assert h.figure("problem_on_time_rate") == (1, 3, "0.3333")


# ---- level, rounding, targets --------------------------------------------------------------
def test_level_keeps_projects_designated_at_that_level_for_the_year():
    h = History()
    h.planned(1)
    h.planned(2)
    h.add("KeyProjectDesignated", 1, on="2025-01-05", year=2025, level="province")
    h.add("KeyProjectDesignated", 2, on="2025-01-05", year=2024, level="province")
    assert h.figure("new_start_rate", level="province")[1] == 1
    assert h.figure("new_start_rate", level="city")[1] == 0
    assert h.figure("new_start_rate")[1] == 2


def test_values_round_half_up_to_four_places():
    h = History()
    h.planned(1, planned="20000.00")
    h.add("InvestmentReported", 1, on="2025-02-05", year=2025, month=1, amount="1.00")
    assert h.figure("investment_completion_rate")[2] == "0.0001"  # 0.00005: half-up, not half-even


def test_target_beside_the_figure_and_behind_flag():
    h = History()
    h.planned(1)
    h.planned(2)
    h.add("ConstructionStarted", 1, on="2025-02-01")
    h.add("TargetSet", None, on="2025-01-02", region="140522", year=2025, figure="new_start_rate", by="Q1",
          target="0.6000")
    h.add("TargetSet", None, on="2025-01-02", region="140522", year=2025, figure="resume_rate", by="H1",
          target="1.0000")
    figures = h.report()["figures"]
    assert figures["new_start_rate"]["target"] == "0.6000" and figures["new_start_rate"]["behind"] is True
    assert "target" not in figures["resume_rate"]  # an H1 target does not apply to Q1
    h.add("TargetSet", None, on="2025-02-02", region="140522", year=2025, figure="new_start_rate", by="Q1",
          target="0.5000")
    assert h.report()["figures"]["new_start_rate"]["behind"] is False


def test_pace_is_months_elapsed_over_twelve():
    h = History()
    assert h.report(period="2025-05")["pace"] == "0.4167"
    assert h.report(period="2025H1")["through"] == "2025-06-30"


# ---- explain agrees with report ----------------------------------------------------------------
def test_explain_items_add_up_to_the_report_and_name_real_events():
    h = History()
    h.planned(1, planned="300.00")
    h.planned(2, planned="700.00")
    h.add("InvestmentReported", 1, on="2025-02-05", year=2025, month=1, amount="30.00")
    h.add("InvestmentReported", 2, on="2025-03-05", year=2025, month=2, amount="70.50")
    ids = {e["event_id"] for e in h.events}
    explained = h.explain("investment_completion_rate")
    assert explained["numerator"]["value"] == "100.50"
    assert sum(float(i["amount"]) for i in explained["numerator"]["items"]) == 100.5
    assert all(set(i["events"]) <= ids for side in ("numerator", "denominator") for i in explained[side]["items"])

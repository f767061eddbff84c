"""One hand-computed scenario per rule of CONTRACT.md Part two (§5 events, §6 figures, targets, §7 rank,
explain); each fails if its rule is dropped or changed. Every expected number below is worked out by
hand from the contract in the comments beside it — none is read back from the product.

Query defaults (scenario_v2.V2History): region 140522 (阳城县), period 2025Q1 (through 2025-03-31,
window [2025-01-01, 2025-03-31], D = 2025-04-01), as of 2030-01-01. An event's recorded time is
noon of its business date unless `at` says otherwise.
"""
from __future__ import annotations

import pytest

from scenario import History
from scenario_v2 import V2History, pid

OTHER = "140581"  # 高平市: another county of 晋城 (1405)
LATE = "2025-04-20T10:00:00+08:00"  # a recorded time after the quarter's end

RATES_V1 = ("new_start_rate", "resume_rate", "start_or_resume_rate", "investment_completion_rate",
            "signed_same_year_start_rate", "reserve_conversion_rate", "procedure_completion_rate",
            "stats_entry_rate", "investment_growth", "reserve_multiple", "problem_on_time_rate")
RATES_V2 = ("investment_share", "landing_rate", "due_start_rate", "conceived_multiple", "conceived_count_multiple",
            "reserve_to_conceived")
AMOUNTS = ("investment_total", "signed_investment", "funding_secured", "reserve_investment")
COUNTS = ("signed_count", "landed_count", "started_count", "production_count", "output_count")


def amount(value: str) -> tuple:
    """(numerator, denominator, value) of an amount figure."""
    return value, None, value


def count(value: int) -> tuple:
    return value, None, value


# ---- kinds and number formats (§6) ---------------------------------------------------------------
def test_every_one_of_the_26_figures_carries_its_kind():
    h = V2History()
    h.planned(1)
    figures = h.report()["figures"]
    expected = {**{f: "rate" for f in RATES_V1 + RATES_V2}, **{f: "amount" for f in AMOUNTS},
                **{f: "count" for f in COUNTS}}
    assert len(expected) == 26
    assert {fid: entry["kind"] for fid, entry in figures.items()} == expected


def test_amounts_are_two_place_strings_counts_integers_and_a_rate_with_denominator_zero_is_null():
    h = V2History()
    h.register(1)  # registered 2024-11-01, not planned, no procedure, not started: conceived on D
    h.add("InvestmentReported", 1, on="2025-02-05", year=2025, month=1, amount="7")  # 7 万元 → "7.00"
    h.add("AgreementSigned", 1, on="2025-02-01", agreed_investment="12.5")  # → "12.50"
    figures = h.report()["figures"]
    assert figures["investment_total"] == {"kind": "amount", "numerator": "7.00", "denominator": None, "value": "7.00"}
    assert figures["signed_investment"] == {"kind": "amount", "numerator": "12.50", "denominator": None,
                                            "value": "12.50"}
    assert figures["funding_secured"] == {"kind": "amount", "numerator": "0.00", "denominator": None, "value": "0.00"}
    assert figures["signed_count"] == {"kind": "count", "numerator": 1, "denominator": None, "value": 1}
    assert figures["landed_count"] == {"kind": "count", "numerator": 0, "denominator": None, "value": 0}
    assert figures["landing_rate"] == {"kind": "rate", "numerator": 0, "denominator": 1, "value": "0.0000"}
    assert figures["investment_share"] == {"kind": "rate", "numerator": "7.00", "denominator": "7.00",
                                           "value": "1.0000"}
    # no plan: nothing due, Σ planned 0, no new project — null values, not errors
    assert figures["due_start_rate"] == {"kind": "rate", "numerator": 0, "denominator": 0, "value": None}
    assert figures["conceived_multiple"] == {"kind": "rate", "numerator": "1000.00", "denominator": "0.00",
                                             "value": None}
    assert figures["conceived_count_multiple"] == {"kind": "rate", "numerator": 1, "denominator": 0, "value": None}
    assert figures["reserve_to_conceived"] == {"kind": "rate", "numerator": "0.00", "denominator": "1000.00",
                                               "value": "0.0000"}


def test_rate_values_round_half_up_to_four_places():
    h = V2History()
    h.register(1, categories=["private"])
    h.register(2)
    h.add("InvestmentReported", 1, on="2025-02-05", year=2025, month=1, amount="1.00")
    h.add("InvestmentReported", 2, on="2025-02-05", year=2025, month=1, amount="19999.00")
    # 1.00 ÷ 20000.00 = 0.00005 exactly: half-up gives 0.0001 (half-even would give 0.0000)
    assert h.figure("investment_share", category="private") == ("1.00", "20000.00", "0.0001")
    for n in (3, 4, 5):
        h.register(n)
        h.add("AgreementSigned", n, on="2025-02-01")
    h.add("ProjectLanded", 3, on="2025-02-02")
    h.add("ProjectLanded", 4, on="2025-02-02")
    assert h.figure("landing_rate") == (2, 3, "0.6667")  # 0.66666… → 0.6667


# ---- investment_total, investment_share -----------------------------------------------------------
def test_investment_total_sums_every_project_of_the_set_months_one_to_through_last_recorded_report():
    h = V2History()
    h.planned(1)
    h.register(2)  # not in the plan: still counts (every project of the set)
    h.register(3, region=OTHER)
    h.register(5, on="2025-04-02")  # registered after through: belongs nowhere in Q1
    h.add("InvestmentReported", 1, on="2025-02-05", year=2025, month=1, amount="100.00")
    h.add("InvestmentReported", 1, on="2025-01-31", at="2025-03-01T10:00:00+08:00", year=2025, month=1,
          amount="150.00")  # recorded later: supersedes January's 100.00, whatever its occurred_on
    h.add("InvestmentReported", 1, on="2025-04-05", year=2025, month=3, amount="50.00")  # occurred_on after through
    h.add("InvestmentReported", 1, on="2025-05-05", year=2025, month=4, amount="999.00")  # month 4 > month(through)
    h.add("InvestmentReported", 2, on="2025-03-05", year=2025, month=2, amount="20.25")
    h.add("InvestmentReported", 2, on="2024-03-05", year=2024, month=2, amount="500.00")  # last year
    h.add("InvestmentReported", 3, on="2025-02-05", year=2025, month=1, amount="1000.00")  # another county
    h.add("InvestmentReported", 4, on="2025-02-05", year=2025, month=1, amount="3000.00")  # never registered
    h.add("InvestmentReported", 5, on="2025-02-05", year=2025, month=1, amount="7.00")
    assert h.entry("investment_total") == {"kind": "amount", "numerator": "220.25", "denominator": None,
                                           "value": "220.25"}  # 150 + 50 + 20.25
    assert h.figure("investment_total", as_of="2025-03-31") == amount("170.25")  # 150 + 20.25 (March's not yet)
    assert h.figure("investment_total", as_of="2025-02-28") == amount("100.00")  # only January's first report
    assert h.figure("investment_total", period="2025H1") == amount("1226.25")  # 150+50+999 + 20.25 + 7
    assert h.figure("investment_total", region="1405") == amount("1220.25")  # + 1000 of 140581
    assert h.figure("investment_total", region="14") == amount("1220.25")
    assert h.figure("investment_total", region=OTHER) == amount("1000.00")


def test_investment_total_a_retracted_report_counts_until_its_retraction_is_recorded():
    h = V2History()
    h.register(1)
    h.add("InvestmentReported", 1, on="2025-02-05", year=2025, month=1, amount="100.00")
    later = h.add("InvestmentReported", 1, on="2025-03-01", year=2025, month=1, amount="150.00")
    h.retract(later, at="2025-04-10T09:00:00+08:00")
    assert h.figure("investment_total", as_of="2025-04-10T08:59:59+08:00") == amount("150.00")
    assert h.figure("investment_total", as_of="2025-04-10T09:00:00+08:00") == amount("100.00")


def test_investment_share_denominator_is_the_regions_total_without_level_and_category():
    h = V2History()
    h.register(1, categories=["private"])
    h.register(2, categories=["industrial", "industry"])
    h.add("KeyProjectDesignated", 2, on="2025-01-05", year=2025, level="province")
    h.register(3)
    h.register(4, region=OTHER, categories=["private"])
    for n, invested in ((1, "300.00"), (2, "100.00"), (3, "100.00"), (4, "1000.00")):
        h.add("InvestmentReported", n, on="2025-02-05", year=2025, month=1, amount=invested)
    # 140522's projects invested 300 + 100 + 100 = 500
    assert h.figure("investment_share") == ("500.00", "500.00", "1.0000")
    assert h.figure("investment_share", category="private") == ("300.00", "500.00", "0.6000")
    assert h.figure("investment_share", category="industry") == ("100.00", "500.00", "0.2000")
    assert h.figure("investment_share", level="province") == ("100.00", "500.00", "0.2000")
    assert h.figure("investment_share", level="province", category="private") == ("0.00", "500.00", "0.0000")
    # 1405: (300 + 1000) ÷ (500 + 1000) = 0.86666… → 0.8667
    assert h.figure("investment_share", region="1405", category="private") == ("1300.00", "1500.00", "0.8667")
    assert h.figure("investment_share", region=OTHER, category="private") == ("1000.00", "1000.00", "1.0000")
    assert h.figure("investment_share", region="140524") == ("0.00", "0.00", None)  # no project there


def test_investment_share_category_is_that_of_the_registration_in_force_on_through():
    h = V2History()
    h.register(1, categories=["private"])
    h.register(1, on="2025-04-10", categories=["industry"])  # amended after Q1
    h.register(2)
    h.add("InvestmentReported", 1, on="2025-02-05", year=2025, month=1, amount="300.00")
    h.add("InvestmentReported", 2, on="2025-02-05", year=2025, month=1, amount="100.00")
    assert h.figure("investment_share", category="private") == ("300.00", "400.00", "0.7500")
    assert h.figure("investment_share", category="industry") == ("0.00", "400.00", "0.0000")
    assert h.figure("investment_share", period="2025H1", category="private") == ("0.00", "400.00", "0.0000")
    assert h.figure("investment_share", period="2025H1", category="industry") == ("300.00", "400.00", "0.7500")


# ---- signed_investment, funding_secured -------------------------------------------------------------
def test_signed_investment_adds_every_agreement_in_the_window():
    h = V2History()
    for n in (1, 2, 3):
        h.register(n)
    h.register(4, region=OTHER)
    h.add("AgreementSigned", 1, on="2025-01-01", agreed_investment="100.00")  # the window's first day
    h.add("AgreementSigned", 1, on="2025-03-31", agreed_investment="200.50")  # its last day: both add
    h.add("AgreementSigned", 1, on="2024-12-31", agreed_investment="999.00")  # before the window
    h.add("AgreementSigned", 1, on="2025-04-01", agreed_investment="888.00")  # after through
    h.add("AgreementSigned", 2, on="2025-02-01", at="2025-04-15T10:00:00+08:00", agreed_investment="50.00")
    retracted = h.add("AgreementSigned", 3, on="2025-02-01", agreed_investment="70.00")
    h.retract(retracted, at="2025-04-12T10:00:00+08:00")
    h.add("AgreementSigned", 4, on="2025-02-01", agreed_investment="1000.00")  # another county
    h.add("AgreementSigned", 5, on="2025-02-01", agreed_investment="60.00")  # never registered
    assert h.entry("signed_investment") == {"kind": "amount", "numerator": "350.50", "denominator": None,
                                            "value": "350.50"}  # 100 + 200.50 + 50
    assert h.figure("signed_investment", as_of="2025-04-11") == amount("370.50")  # 300.50 + 70 (not yet retracted)
    assert h.figure("signed_investment", as_of="2025-04-12T10:00:00+08:00") == amount("300.50")
    assert h.figure("signed_investment", period="2025H1") == amount("1238.50")  # + 888
    assert h.figure("signed_investment", region="1405") == amount("1350.50")  # + 1000


def test_funding_secured_adds_every_funding_in_the_window_whatever_its_channel():
    h = V2History()
    h.register(1)
    h.register(2, categories=["industry"])
    h.add("FundingSecured", 1, on="2025-01-01", channel="central_budget", amount="1000.00")
    bond = h.add("FundingSecured", 1, on="2025-03-31", channel="special_bond", amount="2500.00")
    h.add("FundingSecured", 1, on="2025-03-31", channel="ultra_long_bond", amount="0.50")  # same day: adds too
    h.add("FundingSecured", 1, on="2024-12-31", channel="provincial", amount="9999.00")  # before the window
    h.add("FundingSecured", 1, on="2025-04-01", channel="other", amount="7777.00")  # after through
    h.add("FundingSecured", 2, on="2025-02-10", at="2025-04-20T10:00:00+08:00", channel="central_budget",
          amount="300.00", source={"department": "ndrc", "system": "test"})
    h.retract(bond, at="2025-04-25T10:00:00+08:00")
    assert h.figure("funding_secured", as_of="2025-04-19") == amount("3500.50")  # 1000 + 2500 + 0.50
    assert h.figure("funding_secured", as_of="2025-04-24") == amount("3800.50")  # + 300 recorded 04-20
    assert h.entry("funding_secured") == {"kind": "amount", "numerator": "1300.50", "denominator": None,
                                          "value": "1300.50"}  # the 2500 bond retracted
    assert h.figure("funding_secured", period="2025H1") == amount("9077.50")  # + 7777
    assert h.figure("funding_secured", category="industry") == amount("300.00")


# ---- reserve_investment -------------------------------------------------------------------------
def test_reserve_investment_sums_total_investment_in_force_of_the_reserve_on_the_day_after_through():
    h = V2History()
    h.register(1, on="2024-06-01", total="1000.00")
    h.register(1, on="2025-02-01", total="1200.00")  # in force on 31 March
    h.register(1, on="2025-05-01", total="5000.00")  # in force on 30 June
    h.add("ProcedureApproved", 1, on="2025-03-31")  # approved on through: before D
    h.register(2, on="2025-03-31", total="500.00", categories=["industry"])  # registered on through
    h.add("ProcedureApproved", 2, on="2025-03-31")
    h.register(3, on="2024-06-01", total="400.00")
    h.add("ProcedureApproved", 3, on="2025-04-01")  # approved on D: not before it
    h.register(4, on="2024-06-01", total="800.00")
    h.add("ProcedureApproved", 4, on="2024-07-01")
    h.add("ConstructionStarted", 4, on="2025-03-31")  # started before D: no longer reserve
    h.register(5, on="2024-06-01", total="300.00")
    h.add("ProcedureApproved", 5, on="2024-07-01")
    h.add("ConstructionStarted", 5, on="2025-04-01")  # started on D: still reserve on D
    h.planned(6, total="200.00")  # in the plan: reserve all the same (§3's reserve has no plan condition)
    h.add("ProcedureApproved", 6, on="2024-12-01", procedure="energy_review")  # any procedure
    h.register(7, on="2024-06-01", total="600.00")
    h.add("ProcedureApproved", 7, on="2025-03-01", at=LATE)  # known only from 20 April
    h.register(8, on="2024-06-01", total="700.00")  # no procedure: conceived, not reserve
    assert h.entry("reserve_investment") == {"kind": "amount", "numerator": "2800.00", "denominator": None,
                                             "value": "2800.00"}  # 1200 + 500 + 300 + 200 + 600
    assert h.figure("reserve_investment", as_of="2025-04-19") == amount("2200.00")  # without 7
    # D = 1 July: 5000 + 500 + 400 + 200 + 600 (4 and 5 started, 3 approved 1 April)
    assert h.figure("reserve_investment", period="2025H1") == amount("6700.00")
    assert h.figure("reserve_investment", category="industry") == amount("500.00")


def test_v2_procedure_codes_make_a_reserve_and_count_as_required_procedures():
    h = V2History()
    h.register(1, total="700.00")
    h.add("ProcedureApproved", 1, on="2025-02-01", schema_version=2, procedure="fire_acceptance",
          source={"department": "housing", "system": "test"})  # §5's new code: a procedure like any other
    h.planned(2, required=["approval_filing", "capacity_replacement", "water_use", "cultural_relics"])
    h.add("ProcedureApproved", 2, on="2025-01-10", schema_version=2, procedure="water_use",
          source={"department": "water", "system": "test"})
    h.add("ProcedureApproved", 2, on="2025-01-11", schema_version=2, procedure="capacity_replacement")
    h.add("ProcedureApproved", 2, on="2025-04-11", schema_version=2, procedure="cultural_relics",
          source={"department": "culture", "system": "test"})  # after through
    # reserve on 1 April: 1 (fire_acceptance) and 2 (water_use): 700 + 1000
    assert h.figure("reserve_investment") == amount("1700.00")
    assert h.figure("conceived_count_multiple") == (0, 1, "0.0000")
    assert h.figure("procedure_completion_rate") == (2, 4, "0.5000")
    assert h.figure("procedure_completion_rate", period="2025H1") == (3, 4, "0.7500")


# ---- landing_rate and the five counts -------------------------------------------------------------
def test_landing_rate_is_signed_in_y_and_landed_in_the_window_over_signed_in_y():
    h = V2History()
    for n in range(1, 8):
        h.register(n)
    h.add("AgreementSigned", 1, on="2025-01-10")
    h.add("ProjectLanded", 1, on="2025-02-10")  # signed and landed
    h.add("AgreementSigned", 2, on="2025-02-10")
    h.add("ProjectLanded", 2, on="2025-04-05")  # landed after through
    h.add("AgreementSigned", 3, on="2024-12-20")  # signed last year: in neither side
    h.add("ProjectLanded", 3, on="2025-01-15")
    for day in ("2025-03-01", "2025-03-02"):
        h.add("AgreementSigned", 4, on=day)  # twice: counted once
    for day in ("2025-03-05", "2025-03-06"):
        h.add("ProjectLanded", 4, on=day)
    h.add("ProjectLanded", 5, on="2025-01-10")  # landed before it was signed: still both in the window
    h.add("AgreementSigned", 5, on="2025-02-01")
    h.add("ProjectLanded", 6, on="2025-02-01")  # landed, never signed
    h.add("AgreementSigned", 7, on="2025-02-01")
    h.add("ProjectLanded", 7, on="2025-03-01", at="2025-04-10T10:00:00+08:00")  # known only from 10 April
    # signed in Y: 1, 2, 4, 5, 7; of them landed in the window: 1, 4, 5, 7
    assert h.entry("landing_rate") == {"kind": "rate", "numerator": 4, "denominator": 5, "value": "0.8000"}
    assert h.figure("landing_rate", as_of="2025-04-09") == (3, 5, "0.6000")
    assert h.figure("landing_rate", period="2025H1") == (5, 5, "1.0000")
    assert h.figure("signed_count") == count(5)  # 1, 2, 4, 5, 7
    assert h.figure("landed_count") == count(6)  # 1, 3, 4, 5, 6, 7


COUNTED = [("signed_count", "AgreementSigned"), ("landed_count", "ProjectLanded"),
           ("started_count", "ConstructionStarted"), ("production_count", "ProductionStarted"),
           ("output_count", "DesignOutputReached")]


@pytest.mark.parametrize("figure_id, event_type", COUNTED)
def test_a_count_counts_each_project_of_the_set_once_with_such_a_fact_in_the_window(figure_id, event_type):
    h = V2History()
    for n in range(1, 7):
        h.register(n)
    h.register(7, region=OTHER)
    h.add(event_type, 1, on="2025-01-01")  # the window's first day ...
    h.add(event_type, 1, on="2025-02-01")  # ... and again: one project
    h.add(event_type, 2, on="2025-03-31")  # the window's last day
    h.add(event_type, 3, on="2024-12-31")  # before the window
    h.add(event_type, 4, on="2025-04-01")  # after through
    h.add(event_type, 5, on="2025-02-01", at=LATE)  # known only from 20 April
    withdrawn = h.add(event_type, 6, on="2025-02-01")
    h.retract(withdrawn, at="2025-04-15T10:00:00+08:00")
    h.add(event_type, 7, on="2025-02-01")  # another county
    h.add(event_type, 8, on="2025-02-01")  # never registered
    assert h.entry(figure_id) == {"kind": "count", "numerator": 3, "denominator": None, "value": 3}  # 1, 2, 5
    assert h.figure(figure_id, as_of="2025-04-14") == count(3)  # 1, 2, 6
    assert h.figure(figure_id, as_of="2025-04-16") == count(2)  # 1, 2
    assert h.figure(figure_id, period="2025H1") == count(4)  # 1, 2, 4, 5
    assert h.figure(figure_id, region="1405") == count(4)  # 1, 2, 5, 7
    assert h.figure(figure_id, region=OTHER) == count(1)


def test_started_count_counts_any_start_planned_or_not_and_no_resumption():
    h = V2History()
    h.planned(1, "new")
    h.add("ConstructionStarted", 1, on="2025-02-01")
    h.planned(2, "continuing")
    h.add("ConstructionStarted", 2, on="2025-02-01")  # a continuing project's start is still a start
    h.register(3)  # in no plan
    h.add("ConstructionStarted", 3, on="2025-02-01")
    h.planned(4, "continuing")
    h.add("ConstructionResumed", 4, on="2025-02-01", year=2025)  # 复工 is not 开工
    h.planned(5, "new")
    h.add("ConstructionStarted", 5, on="2024-12-01")
    assert h.figure("started_count") == count(3)  # 1, 2, 3
    assert h.figure("new_start_rate") == (1, 2, "0.5000")


# ---- the set: region prefix, --level, --category, the registration in force -------------------------
def test_the_set_is_region_prefix_level_and_category_of_the_versions_in_force_on_through():
    h = V2History()
    h.register(1, categories=["industry", "private"])
    h.add("KeyProjectDesignated", 1, on="2025-01-05", year=2025, level="province")
    h.register(2, categories=["industrial"])
    h.add("KeyProjectDesignated", 2, on="2025-01-05", year=2024, level="province")  # another year's
    h.add("KeyProjectDesignated", 2, on="2025-01-05", year=2025, level="city")
    h.add("KeyProjectDesignated", 2, on="2025-05-01", year=2025, level="province")  # from 1 May
    h.register(3, region=OTHER, categories=["industry"])
    h.add("KeyProjectDesignated", 3, on="2025-01-05", year=2025, level="province")
    h.register(4, categories=[])
    h.register(4, on="2025-05-01", region=OTHER, categories=["industry"])  # moves after Q1
    for n in (1, 2, 3, 4):
        h.add("ConstructionStarted", n, on="2025-02-01")
    assert h.figure("started_count") == count(3)  # 1, 2, 4
    assert h.figure("started_count", region="1405") == count(4)
    assert h.figure("started_count", region="14") == count(4)
    assert h.figure("started_count", region=OTHER) == count(1)  # 3
    assert h.figure("started_count", region="1404") == count(0)
    assert h.figure("started_count", category="industry") == count(1)  # 1
    assert h.figure("started_count", category="industrial") == count(1)  # 2: industry is not industrial
    assert h.figure("started_count", level="province") == count(1)  # 1
    assert h.figure("started_count", level="city") == count(1)  # 2
    assert h.figure("started_count", level="county") == count(0)
    assert h.figure("started_count", region="1405", level="province", category="industry") == count(2)  # 1, 3
    # through 30 June: 4 is in 140581 with industry; 2 is a provincial project
    assert h.figure("started_count", period="2025H1") == count(2)  # 1, 2
    assert h.figure("started_count", period="2025H1", region=OTHER) == count(2)  # 3, 4
    assert h.figure("started_count", period="2025H1", region="1405", category="industry") == count(3)  # 1, 3, 4
    assert h.figure("started_count", period="2025H1", level="province") == count(2)  # 1, 2


def test_a_retracted_registration_amendment_stops_deciding_region_and_category_once_retraction_recorded():
    h = V2History()
    h.register(1, categories=[])
    moved = h.register(1, on="2025-02-01", region=OTHER, categories=["industry"])
    h.retract(moved, at="2025-04-10T10:00:00+08:00")
    h.add("FundingSecured", 1, on="2025-02-10", amount="10.00")
    assert h.figure("funding_secured", as_of="2025-04-09") == amount("0.00")
    assert h.figure("funding_secured", as_of="2025-04-09", region=OTHER, category="industry") == amount("10.00")
    assert h.figure("funding_secured") == amount("10.00")
    assert h.figure("funding_secured", region=OTHER) == amount("0.00")


def test_registration_versions_tie_on_occurred_on_then_go_to_the_later_recorded():
    h = V2History()
    h.register(1, on="2025-02-01", at="2025-02-01T10:00:00+08:00", total="100.00")
    h.add("ProcedureApproved", 1, on="2025-02-02")
    h.register(1, on="2025-02-01", at="2025-02-01T09:00:00+08:00", total="900.00")  # later in the log, recorded earlier
    assert h.figure("reserve_investment") == amount("100.00")


# ---- due_start_rate ---------------------------------------------------------------------------------
def test_due_start_rate_over_plan_projects_whose_planned_dekad_or_month_has_ended():
    h = V2History()
    h.planned(1, "new", month=3, dekad=1)  # due 10 March
    h.add("ConstructionStarted", 1, on="2025-03-05")
    h.planned(2, "new", month=3, dekad=3)  # 下旬: due 31 March = through (due on through is due)
    h.add("ConstructionStarted", 2, on="2025-03-20", at=LATE)  # known only from 20 April
    h.planned(3, "new", month=4, dekad=1)  # due 10 April: not due in Q1 ...
    h.add("ConstructionStarted", 3, on="2025-02-01")  # ... so its early start is in neither side
    h.planned(4, "continuing", month=2)  # no 旬: due on the month's last day, 28 February
    h.add("ConstructionResumed", 4, on="2025-03-15", year=2025)  # resumed after its due date: still counts
    h.planned(5, "new")  # no planned month: never due
    h.add("ConstructionStarted", 5, on="2025-02-01")
    h.planned(6, "continuing", month=1, dekad=2)  # due 20 January
    h.add("ConstructionStarted", 6, on="2025-01-15")  # a continuing project's start is not its resumption
    h.add("ConstructionResumed", 6, on="2025-01-16", year=2024)  # a resumption for another year
    h.planned(7, "new", month=2, dekad=2)  # due 20 February
    h.add("ConstructionStarted", 7, on="2024-12-20")  # started before Y: not started in Y
    h.planned(8, "new", month=2, dekad=3)  # 下旬 of February 2025: due 28 February
    h.add("ConstructionStarted", 8, on="2025-02-28")
    h.planned(9, "new", month=1)  # due 31 January
    h.add("ConstructionStarted", 9, on="2025-04-02")  # started after through
    # Q1: due 1, 2, 4, 6, 7, 8, 9; started/resumed in Y by through: 1, 2, 4, 8
    assert h.entry("due_start_rate") == {"kind": "rate", "numerator": 4, "denominator": 7, "value": "0.5714"}
    assert h.figure("due_start_rate", as_of="2025-04-10") == (3, 7, "0.4286")  # 2's start not yet known
    # through 28 February: due 4, 6, 7, 8, 9; only 8 started by then (4 resumed on 15 March)
    assert h.figure("due_start_rate", period="2025-02") == (1, 5, "0.2000")
    assert h.figure("due_start_rate", period="2025-01") == (0, 2, "0.0000")  # due 6, 9
    # H1: 3 is due too; 3 and 9 started in Y by 30 June
    assert h.figure("due_start_rate", period="2025H1") == (6, 8, "0.7500")


def test_due_start_rate_a_leap_february_last_dekad_is_due_on_the_29th():
    h = V2History()
    h.planned(1, "new", year=2024, month=2, dekad=3, registered_on="2023-11-01")  # due 2024-02-29
    h.add("ConstructionStarted", 1, on="2024-02-29")
    assert h.figure("due_start_rate", period="2024-02") == (1, 1, "1.0000")
    assert h.figure("due_start_rate", period="2024-01") == (0, 0, None)


def test_due_start_rate_takes_the_planned_start_from_the_plan_in_force_on_through():
    h = V2History()
    h.planned(1, month=2)  # due 28 February ...
    h.plan(1, on="2025-03-15", month=5)  # ... until amended on 15 March to May
    h.planned(2)  # no month ...
    h.plan(2, on="2025-03-01", month=1, dekad=1)  # ... until amended on 1 March to 上旬 of January
    h.planned(3, month=1)  # due 31 January ...
    h.add("AnnualPlanAdopted", 3, on="2025-02-10", year=2025, construction="new",
          planned_investment="100.00")  # ... until a v1 plan (read as v2: no planned start) amends it
    h.planned(4, month=3)  # due 31 March ...
    h.plan(4, on="2025-03-20", at="2025-04-15T10:00:00+08:00", month=6)  # ... amended, known from 15 April
    h.planned(5, month=2)  # due 28 February ...
    h.plan(5, on="2025-01-05", at="2025-01-06T10:00:00+08:00")  # ... same occurred_on, recorded later: no month
    assert h.figure("due_start_rate") == (0, 1, "0.0000")  # due: 2
    assert h.figure("due_start_rate", as_of="2025-04-10") == (0, 2, "0.0000")  # due: 2, 4
    assert h.figure("due_start_rate", period="2025-02") == (0, 1, "0.0000")  # due: 1
    assert h.figure("due_start_rate", period="2025-01") == (0, 1, "0.0000")  # due: 3
    assert h.figure("due_start_rate", period="2025H1") == (0, 3, "0.0000")  # due: 1 (May), 2, 4 (June)


@pytest.mark.parametrize("year, month, dekad, due", [
    (2025, 3, 1, "2025-03-10"), (2025, 3, 2, "2025-03-20"), (2025, 3, 3, "2025-03-31"), (2025, 3, None, "2025-03-31"),
    (2025, 4, 3, "2025-04-30"), (2025, 2, 3, "2025-02-28"), (2024, 2, 3, "2024-02-29"), (2024, 2, None, "2024-02-29"),
    (2025, 12, 2, "2025-12-20"), (2025, None, None, None)])
def test_the_planned_start_falls_due_on_the_last_day_of_its_dekad_else_of_its_month(year, month, dekad, due):
    """The due date itself (上旬 1–10, 中旬 11–20, 下旬 21–end; no 旬: the month's end; no month: never).
    A report's through is always a month's last day, so a report sees only the month; this pins the day."""
    from datetime import date

    from projections.figures.columns import planned_start_due

    payload = {"year": year, "construction": "new", "planned_investment": "1.00", "planned_start_month": month,
               "planned_start_dekad": dekad}
    assert planned_start_due(payload, None) == (0 if due is None else date.fromisoformat(due).toordinal())


# ---- conceived on D, and the pipeline multiples ----------------------------------------------------------
def test_conceived_on_the_day_after_through_and_the_three_pipeline_rates():
    h = V2History()
    h.register(1, on="2024-06-01", total="4000.00")  # conceived
    h.register(2, on="2025-03-31", total="1000.00")  # registered on through: before D, conceived
    h.register(3, on="2025-04-01", total="700.00")  # registered on D: not before it (and nowhere on through)
    h.register(4, on="2024-06-01", total="600.00")
    h.add("ProcedureApproved", 4, on="2025-04-01", procedure="energy_review")  # approved on D: still conceived
    h.register(5, on="2024-06-01", total="2000.00")
    h.add("ProcedureApproved", 5, on="2025-03-31")  # approved before D: reserve
    h.register(6, on="2024-06-01", total="9000.00")
    h.add("ConstructionStarted", 6, on="2024-05-01")  # started, no procedure: neither
    h.planned(7, "new", "500.00", total="3000.00")  # in Y's plan: not conceived (and no procedure: not reserve)
    h.planned(8, "new", "800.00", total="400.00", year=2024)  # only in 2024's plan: conceived
    h.planned(9, "continuing", "1500.00", total="3000.00")
    h.add("ProcedureApproved", 9, on="2024-12-01")  # a planned project in reserve
    h.register(10, on="2024-06-01", total="800.00")
    approval = h.add("ProcedureApproved", 10, on="2025-02-01")
    h.retract(approval, at="2025-04-05T10:00:00+08:00")  # reserve until then, conceived after
    h.register(11, on="2024-06-01", total="5000.00")
    h.add("ConstructionStarted", 11, on="2025-04-01")  # started on D: still conceived on D
    h.register(12, on="2024-06-01", at=LATE, total="100.00")  # known only from 20 April
    # conceived on 1 April: 1, 2, 4, 8, 10, 11, 12 = 4000+1000+600+400+800+5000+100 = 11900
    # reserve on 1 April: 5, 9 = 5000; Y's plan: 7 (new, 500) and 9 (continuing, 1500) = 2000, one new
    assert h.entry("conceived_multiple") == {"kind": "rate", "numerator": "11900.00", "denominator": "2000.00",
                                             "value": "5.9500"}
    assert h.entry("conceived_count_multiple") == {"kind": "rate", "numerator": 7, "denominator": 1,
                                                   "value": "7.0000"}
    assert h.entry("reserve_to_conceived") == {"kind": "rate", "numerator": "5000.00", "denominator": "11900.00",
                                               "value": "0.4202"}  # 0.420168…
    assert h.figure("reserve_investment") == amount("5000.00")
    # as of 4 April: 10's approval still counts (reserve), 12 not yet known
    # conceived: 1, 2, 4, 8, 11 = 11000; reserve: 5, 9, 10 = 5800
    assert h.figure("conceived_multiple", as_of="2025-04-04") == ("11000.00", "2000.00", "5.5000")
    assert h.figure("conceived_count_multiple", as_of="2025-04-04") == (5, 1, "5.0000")
    assert h.figure("reserve_to_conceived", as_of="2025-04-04") == ("5800.00", "11000.00", "0.5273")  # 0.52727…
    # D = 1 July: conceived 1, 2, 3, 8, 10, 12 = 7000 (4 approved, 11 started); reserve 4, 5, 9 = 5600
    assert h.figure("conceived_multiple", period="2025H1") == ("7000.00", "2000.00", "3.5000")
    assert h.figure("conceived_count_multiple", period="2025H1") == (6, 1, "6.0000")
    assert h.figure("reserve_to_conceived", period="2025H1") == ("5600.00", "7000.00", "0.8000")


def test_conceived_multiple_denominators_are_the_sets_plan_and_the_sets_new_projects():
    h = V2History()
    h.register(1, total="1000.00", categories=["industry"])  # conceived
    h.planned(2, "continuing", "400.00", categories=["industry"])  # planned: not conceived
    h.planned(3, "new", "100.00")
    # Σ planned: 400 (continuing) + 100 (new) = 500; new projects: 1 (3)
    assert h.figure("conceived_multiple") == ("1000.00", "500.00", "2.0000")
    assert h.figure("conceived_count_multiple") == (1, 1, "1.0000")
    assert h.figure("reserve_to_conceived") == ("0.00", "1000.00", "0.0000")
    # industry: Σ planned 400, no new project
    assert h.figure("conceived_multiple", category="industry") == ("1000.00", "400.00", "2.5000")
    assert h.figure("conceived_count_multiple", category="industry") == (1, 0, None)
    assert h.figure("conceived_multiple", category="private") == ("0.00", "0.00", None)
    assert h.figure("reserve_to_conceived", category="private") == ("0.00", "0.00", None)


def test_conceived_total_investment_is_that_of_the_registration_in_force_on_through():
    h = V2History()
    h.register(1, on="2024-06-01", total="1000.00")
    h.register(1, on="2025-02-01", total="1500.00")
    h.register(1, on="2025-05-01", total="9000.00")
    h.planned(2, "new", "300.00")
    assert h.figure("conceived_multiple") == ("1500.00", "300.00", "5.0000")
    assert h.figure("conceived_multiple", period="2025H1") == ("9000.00", "300.00", "30.0000")


# ---- targets -------------------------------------------------------------------------------------------
def test_a_month_end_target_applies_to_every_report_through_that_day_formatted_by_kind():
    h = V2History()
    h.register(1)
    h.add("InvestmentReported", 1, on="2025-02-05", year=2025, month=1, amount="80000.00")
    h.add("ConstructionStarted", 1, on="2025-02-01")
    h.target("investment_total", "M03", "83750.00")
    h.target("started_count", "Q1", "12")
    h.target("started_count", "M02", "1")
    for period in ("2025-03", "2025Q1"):  # both end on 31 March
        figures = h.report(period=period)["figures"]
        assert figures["investment_total"] == {"kind": "amount", "numerator": "80000.00", "denominator": None,
                                               "value": "80000.00", "target": "83750.00", "behind": True}
        assert figures["started_count"] == {"kind": "count", "numerator": 1, "denominator": None, "value": 1,
                                            "target": "12", "behind": True}
    february = h.report(period="2025-02")["figures"]
    assert "target" not in february["investment_total"]
    assert february["started_count"]["target"] == "1" and february["started_count"]["behind"] is False  # 1 < 1: no
    for period in ("2025-01", "2025-04", "2025H1", "2025"):
        figures = h.report(period=period)["figures"]
        assert "target" not in figures["investment_total"] and "target" not in figures["started_count"]


@pytest.mark.parametrize("month", range(1, 13))
def test_a_monthly_target_applies_to_the_report_through_that_months_last_day_only(month):
    h = V2History()
    h.register(1)
    h.target("signed_count", f"M{month:02d}", "3")
    h.target("signed_investment", f"M{month:02d}", "2.5")  # an amount target: 万元, two places
    for other in range(1, 13):
        figures = h.report(period=f"2025-{other:02d}")["figures"]
        if other == month:
            assert (figures["signed_count"]["target"], figures["signed_count"]["behind"]) == ("3", True)
            assert (figures["signed_investment"]["target"], figures["signed_investment"]["behind"]) == ("2.50", True)
        else:
            assert "target" not in figures["signed_count"] and "target" not in figures["signed_investment"]


@pytest.mark.parametrize("milestone, monthly, period", [("Q1", "M03", "2025Q1"), ("H1", "M06", "2025H1"),
                                                        ("Q3", "M09", "2025Q3"), ("Y", "M12", "2025")])
def test_a_quarter_milestone_and_its_month_end_are_one_day_the_later_recorded_wins(milestone, monthly, period):
    h = V2History()
    h.register(1)
    h.target("started_count", milestone, "4", on="2025-01-02")
    h.target("started_count", monthly, "6", on="2025-01-03")
    assert h.entry("started_count", period=period)["target"] == "6"
    assert h.entry("started_count", period=f"2025-{monthly[1:]}")["target"] == "6"
    h.target("started_count", milestone, "5", on="2025-01-04")
    assert h.entry("started_count", period=period)["target"] == "5"
    assert h.entry("started_count", period=f"2025-{monthly[1:]}")["target"] == "5"


def test_of_several_targets_for_one_figure_and_day_the_one_recorded_last_wins():
    h = V2History()
    h.register(1)
    h.target("started_count", "Q1", "5", on="2025-01-10")
    h.target("started_count", "M03", "7", on="2025-03-30", at="2025-01-15T10:00:00+08:00")
    h.target("started_count", "M03", "3", on="2025-02-10")
    latest = h.target("started_count", "Q1", "1", on="2025-03-01")
    h.retract(latest, at="2025-04-01T10:00:00+08:00")
    target = lambda as_of: h.entry("started_count", as_of=as_of).get("target")  # noqa: E731
    assert target("2025-01-12") == "5"
    assert target("2025-01-20") == "7"  # recorded after "5" (its occurred_on plays no part)
    assert target("2025-02-20") == "3"
    assert target("2025-03-15") == "1"
    assert target("2030-01-01") == "3"  # the last one retracted


def test_behind_is_value_below_target_for_every_kind_and_false_when_the_value_is_null():
    h = V2History()
    h.register(1)
    h.register(2)
    h.add("AgreementSigned", 1, on="2025-02-01", agreed_investment="60.00")
    h.add("AgreementSigned", 2, on="2025-02-01", agreed_investment="40.00")
    h.add("ProjectLanded", 1, on="2025-02-02")
    expected = {  # figure: (target, value, behind)
        "landing_rate": ("0.5001", "0.5000", True),
        "signed_investment": ("100.00", "100.00", False),
        "funding_secured": ("0.01", "0.00", True),
        "signed_count": ("2", 2, False),
        "landed_count": ("2", 1, True),
        "due_start_rate": ("0.9000", None, False),  # nothing due: no value, not behind
        "new_start_rate": ("0.0000", None, False),
    }
    for figure_id, (target, _, _) in expected.items():
        h.target(figure_id, "Q1", target)
    figures = h.report()["figures"]
    assert {f: (figures[f]["target"], figures[f]["value"], figures[f]["behind"]) for f in expected} == expected


def test_no_target_applies_with_level_or_category_or_to_another_region_or_year():
    h = V2History()
    h.register(1, categories=["industry"])
    h.add("KeyProjectDesignated", 1, on="2025-01-05", year=2025, level="province")
    h.add("ConstructionStarted", 1, on="2025-02-01")
    h.target("started_count", "Q1", "2")
    h.target("signed_count", "Q1", "2", region="1405")  # the city's target: not its counties'
    h.target("landed_count", "Q1", "2", year=2024)
    assert h.entry("started_count")["target"] == "2"
    assert "target" not in h.entry("started_count", level="province")
    assert "target" not in h.entry("started_count", category="industry")
    assert "target" not in h.entry("signed_count")
    assert h.entry("signed_count", region="1405")["target"] == "2"
    assert "target" not in h.entry("landed_count")


def test_a_township_target_applies_only_to_that_townships_rank_row():
    h = V2History()
    h.register(1, township="凤城镇")
    h.register(2, township="北留镇")
    h.register(3, township="北留镇")
    h.register(4, region=OTHER, township="北留镇")  # the same name in another county
    for n in (1, 2, 3, 4):
        h.add("ConstructionStarted", n, on="2025-02-01")
    h.target("started_count", "Q1", "3", township="北留镇")
    assert "target" not in h.entry("started_count")  # never to a report
    assert "target" not in h.entry("started_count", region="1405")
    h.target("started_count", "Q1", "10")  # the county's own target
    assert h.entry("started_count")["target"] == "10"
    rows = h.rank("started_count", "township")["rows"]
    assert [(r["rank"], r["township"], r["value"], r["target"], r["behind"]) for r in rows] == [
        (1, "北留镇", 2, "3", True), (2, "凤城镇", 1, None, None)]  # the county's target is not a township's
    rows = h.rank("started_count", "township", region="1405")["rows"]
    assert [(r["rank"], r["region"], r["township"], r["value"], r["target"]) for r in rows] == [
        (1, "140522", "北留镇", 2, "3"), (2, "140522", "凤城镇", 1, None), (2, OTHER, "北留镇", 1, None)]
    rows = h.rank("started_count", "county", region="1405")["rows"]
    assert [(r["rank"], r["region"], r["region_name"], r["township"], r["value"], r["target"], r["behind"])
            for r in rows] == [(1, "140522", "阳城县", None, 3, "10", True),
                               (2, OTHER, "高平市", None, 1, None, None)]


# ---- rank (§7) ------------------------------------------------------------------------------------------
def test_rank_uses_competition_ranking_and_puts_null_values_last_unranked():
    h = V2History()
    signed = {"140521": (1, 2), "140522": (3, 4), OTHER: (5, 6, 7, 8)}
    for county, projects in signed.items():
        for n in projects:
            h.register(n, region=county)
            h.add("AgreementSigned", n, on="2025-02-01")
        h.add("ProjectLanded", projects[0], on="2025-02-10")
    h.register(9, region="140525")  # no signing: landing_rate null
    h.register(10, region="140524")
    ranking = h.rank("landing_rate", region="1405")
    assert {k: ranking[k] for k in ("figure", "region", "period", "through")} == {
        "figure": "landing_rate", "region": "1405", "period": "2025Q1", "through": "2025-03-31"}
    assert h.rows("landing_rate", region="1405") == [
        (1, "140521", None, 1, 2, "0.5000"),
        (1, "140522", None, 1, 2, "0.5000"),
        (3, OTHER, None, 1, 4, "0.2500"),
        (None, "140524", None, 0, 0, None),
        (None, "140525", None, 0, 0, None),
    ]
    assert set(ranking["rows"][0]) == {"rank", "region", "region_name", "township", "numerator", "denominator",
                                       "value", "target", "behind"}


def test_rank_has_a_row_for_every_county_of_the_regions_projects_even_when_the_filter_empties_it():
    h = V2History()
    h.register(1, categories=["industry"], total="300.00")
    h.add("ConstructionStarted", 1, on="2025-02-01")
    h.register(2, region="140521", total="200.00")
    h.add("ConstructionStarted", 2, on="2025-02-01")
    h.register(3, region=OTHER)  # nothing happens to it
    h.add("ProcedureApproved", 1, on="2024-12-01")  # 1 is reserve on 1 Jan, not on D (started)
    h.add("ProcedureApproved", 3, on="2025-03-01")  # 3 is reserve on D
    assert h.rows("started_count", region="1405", category="industry") == [
        (1, "140522", None, 1, None, 1), (2, "140521", None, 0, None, 0), (2, OTHER, None, 0, None, 0)]
    assert h.rows("landing_rate", region="1405", level="province") == [
        (None, "140521", None, 0, 0, None), (None, "140522", None, 0, 0, None), (None, OTHER, None, 0, 0, None)]
    assert h.rows("reserve_investment", region="1405", level="province") == [
        (1, "140521", None, "0.00", None, "0.00"), (1, "140522", None, "0.00", None, "0.00"),
        (1, OTHER, None, "0.00", None, "0.00")]
    assert h.rows("reserve_investment", region="1405") == [
        (1, OTHER, None, "1000.00", None, "1000.00"), (2, "140521", None, "0.00", None, "0.00"),
        (2, "140522", None, "0.00", None, "0.00")]


def test_rank_investment_share_by_township_divides_by_the_townships_region_wide_total():
    h = V2History()
    projects = (  # n, township, categories, invested
        (1, "凤城镇", ["private"], "300.00"), (2, "凤城镇", [], "100.00"),
        (3, "北留镇", ["private"], "50.00"), (4, "北留镇", [], "150.00"),
        (5, "润城镇", [], "100.00"), (6, "芹池镇", ["private"], None), (7, None, ["private"], "1000.00"))
    for n, township, categories, invested in projects:
        h.register(n, township=township, categories=categories)
        if invested:
            h.add("InvestmentReported", n, on="2025-02-05", year=2025, month=1, amount=invested)
    assert h.rows("investment_share", "township", category="private") == [
        (1, "140522", "凤城镇", "300.00", "400.00", "0.7500"),
        (2, "140522", "北留镇", "50.00", "200.00", "0.2500"),
        (3, "140522", "润城镇", "0.00", "100.00", "0.0000"),
        (None, "140522", "芹池镇", "0.00", "0.00", None),
    ]  # 7 has no township: in no township row, but in the county's
    # 140522: (300 + 50 + 1000) ÷ (300 + 100 + 50 + 150 + 100 + 1000) = 1350 ÷ 1700 = 0.79411…
    assert h.figure("investment_share", category="private") == ("1350.00", "1700.00", "0.7941")
    assert h.rows("investment_share", "county", region="1405", category="private") == [
        (1, "140522", None, "1350.00", "1700.00", "0.7941")]


def test_rank_rows_take_no_target_with_a_filter_and_are_not_behind_without_a_value():
    h = V2History()
    h.register(1, categories=["industry"])
    h.add("AgreementSigned", 1, on="2025-02-01")
    h.register(2, region=OTHER)  # nothing signed: landing_rate null
    h.target("landing_rate", "Q1", "0.5000")
    h.target("landing_rate", "Q1", "0.5000", region=OTHER)
    rows = h.rank("landing_rate", region="1405")["rows"]
    assert [(r["rank"], r["region"], r["value"], r["target"], r["behind"]) for r in rows] == [
        (1, "140522", "0.0000", "0.5000", True), (None, OTHER, None, "0.5000", False)]
    rows = h.rank("landing_rate", region="1405", category="industry")["rows"]
    assert [(r["rank"], r["region"], r["value"], r["target"], r["behind"]) for r in rows] == [
        (1, "140522", "0.0000", None, None), (None, OTHER, None, None, None)]


def test_rank_investment_share_by_county_with_level_divides_by_each_countys_whole_total():
    h = V2History()
    for n, county, invested, level in ((1, "140522", "300.00", "province"), (2, "140522", "100.00", None),
                                       (3, OTHER, "50.00", "province"), (4, OTHER, "450.00", "city"),
                                       (5, "140521", "80.00", None)):
        h.register(n, region=county)
        h.add("InvestmentReported", n, on="2025-02-05", year=2025, month=1, amount=invested)
        if level:
            h.add("KeyProjectDesignated", n, on="2025-01-05", year=2025, level=level)
    assert h.rows("investment_share", region="1405", level="province") == [
        (1, "140522", None, "300.00", "400.00", "0.7500"),
        (2, OTHER, None, "50.00", "500.00", "0.1000"),
        (3, "140521", None, "0.00", "80.00", "0.0000")]
    # the city as a whole: (300 + 50) ÷ (400 + 500 + 80)
    assert h.figure("investment_share", region="1405", level="province") == ("350.00", "980.00", "0.3571")


def test_rank_rows_place_a_project_by_the_township_of_its_registration_in_force_on_through():
    h = V2History()
    h.register(1, township="凤城镇")
    h.register(1, on="2025-05-01", township="北留镇")  # moves after Q1
    h.register(2, township="北留镇")
    for n in (1, 2):
        h.add("ProjectLanded", n, on="2025-02-01")
    assert h.rows("landed_count", "township") == [(1, "140522", "凤城镇", 1, None, 1),
                                                   (1, "140522", "北留镇", 1, None, 1)]  # ties: by name
    assert h.rows("landed_count", "township", period="2025H1") == [(1, "140522", "北留镇", 2, None, 2)]


# ---- explain (§6) ----------------------------------------------------------------------------------------
def test_explain_an_amount_gives_one_item_per_project_with_its_sum_and_the_events_behind_it():
    h = V2History()
    registered = h.register(1)
    first = h.add("AgreementSigned", 1, on="2025-01-01", agreed_investment="100.00")
    second = h.add("AgreementSigned", 1, on="2025-03-31", agreed_investment="200.50")
    outside = h.add("AgreementSigned", 1, on="2025-04-01", agreed_investment="888.00")
    h.register(2)
    other = h.add("AgreementSigned", 2, on="2025-02-01", agreed_investment="50.00")
    h.register(3, region=OTHER)
    h.add("AgreementSigned", 3, on="2025-02-01", agreed_investment="70.00")
    explained = h.explain("signed_investment")
    assert explained["figure"] == "signed_investment" and explained["formula"]
    assert explained["numerator"]["value"] == "350.50" == h.figure("signed_investment")[0]
    assert [(i["project_id"], i["amount"]) for i in explained["numerator"]["items"]] == [
        (pid(1), "300.50"), (pid(2), "50.00")]
    events = {i["project_id"]: i["events"] for i in explained["numerator"]["items"]}
    assert {first["event_id"], second["event_id"]} <= set(events[pid(1)])
    assert outside["event_id"] not in events[pid(1)]
    assert set(events[pid(1)]) <= {registered["event_id"], first["event_id"], second["event_id"]}
    assert other["event_id"] in events[pid(2)]
    assert explained["denominator"] == {"value": None, "items": []}


def test_explain_a_count_gives_one_item_per_project_with_amount_one():
    h = V2History()
    h.register(1)
    landings = [h.add("ProjectLanded", 1, on=day) for day in ("2025-01-10", "2025-03-10")]
    h.register(2)
    landed = h.add("ProjectLanded", 2, on="2025-02-01")
    h.register(3)
    h.add("ProjectLanded", 3, on="2024-12-01")  # outside the window
    explained = h.explain("landed_count")
    assert explained["numerator"]["value"] == 2
    assert [(i["project_id"], i["amount"]) for i in explained["numerator"]["items"]] == [(pid(1), 1), (pid(2), 1)]
    events = {i["project_id"]: set(i["events"]) for i in explained["numerator"]["items"]}
    assert {e["event_id"] for e in landings} <= events[pid(1)] and landed["event_id"] in events[pid(2)]
    assert explained["denominator"] == {"value": None, "items": []}


def test_explain_reserve_investment_names_the_approval_that_put_the_project_in_reserve():
    h = V2History()
    h.register(1, total="1200.00")
    approval = h.add("ProcedureApproved", 1, on="2025-02-01")
    h.register(2, total="800.00")  # conceived, not reserve
    explained = h.explain("reserve_investment")
    assert explained["numerator"]["value"] == "1200.00"
    assert [(i["project_id"], i["amount"]) for i in explained["numerator"]["items"]] == [(pid(1), "1200.00")]
    assert approval["event_id"] in explained["numerator"]["items"][0]["events"]


def test_explain_investment_total_names_the_report_in_force_not_the_superseded_one():
    h = V2History()
    h.register(1)
    superseded = h.add("InvestmentReported", 1, on="2025-02-05", year=2025, month=1, amount="100.00")
    in_force = h.add("InvestmentReported", 1, on="2025-02-06", year=2025, month=1, amount="150.00")
    march = h.add("InvestmentReported", 1, on="2025-04-05", year=2025, month=3, amount="25.00")
    explained = h.explain("investment_total")
    assert explained["numerator"]["value"] == "175.00"
    [item] = explained["numerator"]["items"]
    assert (item["project_id"], item["amount"]) == (pid(1), "175.00")
    assert {in_force["event_id"], march["event_id"]} <= set(item["events"])
    assert superseded["event_id"] not in item["events"]


def test_explain_investment_share_numerator_items_are_the_sets_projects_denominator_items_the_regions():
    h = V2History()
    h.register(1, categories=["private"])
    first = h.add("InvestmentReported", 1, on="2025-02-05", year=2025, month=1, amount="300.00")
    h.register(2)
    second = h.add("InvestmentReported", 2, on="2025-02-05", year=2025, month=1, amount="100.00")
    h.register(3, region=OTHER, categories=["private"])
    h.add("InvestmentReported", 3, on="2025-02-05", year=2025, month=1, amount="1000.00")
    explained = h.explain("investment_share", category="private")
    assert explained["numerator"]["value"] == "300.00" and explained["denominator"]["value"] == "400.00"
    assert [(i["project_id"], i["amount"]) for i in explained["numerator"]["items"]] == [(pid(1), "300.00")]
    assert [(i["project_id"], i["amount"]) for i in explained["denominator"]["items"]] == [
        (pid(1), "300.00"), (pid(2), "100.00")]
    assert first["event_id"] in explained["numerator"]["items"][0]["events"]
    assert second["event_id"] in explained["denominator"]["items"][1]["events"]


# ---- a store of v1 events only (§5: the §3 values as before) -----------------------------------------------
def _v1_started_in_year() -> tuple[History, str, dict, tuple]:
    h = History()
    for n in (1, 2, 3):
        h.planned(n)
    h.add("ConstructionStarted", 1, on="2024-12-31")
    h.add("ConstructionStarted", 2, on="2025-01-01")
    h.add("ConstructionStarted", 3, on="2025-04-01")
    return h, "new_start_rate", {}, (1, 3, "0.3333")


def _v1_investment_last_recorded() -> tuple[History, str, dict, tuple]:
    h = History()
    h.planned(1, planned="1000.00")
    h.add("InvestmentReported", 1, on="2025-02-05", at="2025-02-05T10:00:00+08:00", year=2025, month=1,
          amount="100.00")
    h.add("InvestmentReported", 1, on="2025-01-31", at="2025-03-01T10:00:00+08:00", year=2025, month=1,
          amount="150.00")
    h.add("InvestmentReported", 1, on="2025-04-05", at="2025-04-05T10:00:00+08:00", year=2025, month=3, amount="50.00")
    return h, "investment_completion_rate", {"as_of": "2025-02-28"}, ("100.00", "1000.00", "0.1000")


def _v1_reserve_multiple() -> tuple[History, str, dict, tuple]:
    h = History()
    h.planned(1, planned="200.00")
    h.add("ProjectRegistered", 2, on="2025-03-31", total_investment="1000.00")
    h.add("ProcedureApproved", 2, on="2025-03-31")
    h.add("ProjectRegistered", 3, on="2025-03-31", total_investment="500.00")
    h.add("ProcedureApproved", 3, on="2025-04-01")
    return h, "reserve_multiple", {}, ("1000.00", "200.00", "5.0000")


def _v1_procedure_completion() -> tuple[History, str, dict, tuple]:
    h = History()
    h.planned(1, required=["approval_filing", "eia", "land_approval"])
    h.add("ProcedureApproved", 1, on="2025-01-10", procedure="eia")
    h.add("ProcedureApproved", 1, on="2025-01-20", procedure="eia")
    h.add("ProcedureApproved", 1, on="2025-04-20", procedure="approval_filing")
    return h, "procedure_completion_rate", {"period": "2025H1"}, (2, 3, "0.6667")


def _v1_problems() -> tuple[History, str, dict, tuple]:
    h = History()
    h.add("ProjectRegistered", 1, on="2024-06-01")
    h.add("ProblemAssigned", 1, on="2025-01-05", problem_id="A", due_on="2025-02-01")
    h.add("ProblemFollowedUp", 1, on="2025-01-20", problem_id="A", satisfied=True)
    h.add("ProblemAssigned", 1, on="2025-01-05", problem_id="B", due_on="2025-03-10")
    h.add("ProblemFollowedUp", 1, on="2025-03-11", problem_id="B", satisfied=True)
    return h, "problem_on_time_rate", {}, (1, 2, "0.5000")


def _v1_level_and_target() -> tuple[History, str, dict, tuple]:
    h = History()
    h.planned(1)
    h.planned(2)
    h.add("KeyProjectDesignated", 1, on="2025-01-05", year=2025, level="province")
    h.add("ConstructionStarted", 1, on="2025-02-01")
    h.add("TargetSet", None, on="2025-01-02", region="140522", year=2025, figure="new_start_rate", by="Q1",
          target="0.6000")
    return h, "new_start_rate", {"level": "province"}, (1, 1, "1.0000")


V1_SCENARIOS = [_v1_started_in_year, _v1_investment_last_recorded, _v1_reserve_multiple, _v1_procedure_completion,
                _v1_problems, _v1_level_and_target]


@pytest.mark.parametrize("scenario", V1_SCENARIOS, ids=lambda s: s.__name__.removeprefix("_v1_"))
def test_a_store_of_v1_events_gives_the_section_3_values_as_before(scenario):
    """§5: v1 events read through the upcasters (as the log hands them over) give §3's hand-computed
    values, and the same §3 entries as the v1 events read as they are (before Part two)."""
    from projections.report import report

    h, figure_id, query, expected = scenario()
    assert all(e["schema_version"] == 1 for e in h.events)
    upcast = V2History()
    upcast.events = h.events
    assert upcast.figure(figure_id, **query) == expected
    assert h.figure(figure_id, **query) == expected  # the v1 events as they are
    before = h.report(**query)["figures"]
    after = upcast.report(**query)["figures"]
    assert {fid: {k: v for k, v in after[fid].items() if k != "kind"} for fid in RATES_V1} == \
        {fid: {k: v for k, v in before[fid].items() if k != "kind"} for fid in RATES_V1}
    # the report in the format published before Part two: the eleven rates, no kind, byte for byte equal
    q = upcast.query(**query)
    old = report(h.visible(q), q, format=1)
    assert list(old["figures"]) == list(RATES_V1)
    assert report(upcast.visible(q), q, format=1) == old
    assert after["due_start_rate"]["denominator"] == 0  # no v1 plan has a planned start: nothing is due


def test_a_v1_target_still_applies_to_its_rate_read_as_v2():
    h, _, _, _ = _v1_level_and_target()
    upcast = V2History()
    upcast.events = h.events
    entry = upcast.entry("new_start_rate")  # 1 of 2 new projects started: 0.5 < 0.6
    assert (entry["value"], entry["target"], entry["behind"]) == ("0.5000", "0.6000", True)


# ---- found by these tests, since mended -----------------------------------------------------------------
def test_an_amount_figure_adds_every_valid_amount_without_wrapping_around():
    h = V2History()
    h.register(1)
    for day in range(1, 11):  # each the largest amount a valid event may carry (16 digits, 2 places)
        h.add("AgreementSigned", 1, on=f"2025-02-{day:02d}", agreed_investment="9999999999999999.99")
    assert h.figure("signed_investment") == amount("99999999999999999.90")

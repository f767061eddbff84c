"""The oracle's own reading of CONTRACT Part two (§5–§7), pinned on tiny hand-computed histories.

Every expected number below was worked out by hand from the contract's text, not by running the
oracle: one history per figure of §6, plus --category, month-end and township targets, `behind`,
competition ranking with ties, and v1/v2 events mixed. The last tests run the oracle over the
random Part two histories for consistency between its own figures (no product involved).
"""
from __future__ import annotations

import random
import uuid
from datetime import date

import pytest

import oracle
from oracle_histories import (
    random_history,
    random_history_v2,
    random_queries_v2,
    target_queries_v2,
)

FAR = oracle.end_of_day(date(2030, 1, 1))
AT = "2025-01-02T09:00:00+08:00"
R = "140522"  # 阳城
_ids = iter(uuid.UUID(int=n, version=4) for n in range(1, 1_000_000))


def pid(n: int, county: str = R) -> str:
    return f"2501-{county}-04-01-{n:06d}"


def ev(event_type: str, project: int | None = 1, on: str = "2025-02-01", at: str = AT, v: int = 1,
       county: str = R, **payload) -> dict:
    return {"event_id": str(next(_ids)), "event_type": event_type, "schema_version": v,
            "project_id": None if project is None else pid(project, county), "occurred_on": on,
            "recorded_at": at, "source": {"department": "ndrc", "system": "oracle-test"}, "payload": payload}


def reg(n: int, county: str = R, on: str = "2024-11-01", total: str = "1000.00", categories=("industrial",),
        township: str | None = "凤城镇", v: int = 1, at: str = AT, required=("eia",), **extra) -> dict:
    payload = {"name": f"项目{n}", "region": county, "total_investment": total, "owner": "某公司",
               "legal_entity": True, "origin": "enterprise", "categories": list(categories),
               "required_procedures": list(required), **extra}
    if township is not None:
        payload["township"] = township
    return ev("ProjectRegistered", n, on, at, v, county, **payload)


def plan(n: int, construction: str = "new", planned: str = "100.00", on: str = "2025-01-05", year: int = 2025,
         month: int | None = None, dekad: int | None = None, county: str = R, at: str = AT) -> dict:
    payload = {"year": year, "construction": construction, "planned_investment": planned}
    if month is not None:
        payload["planned_start_month"] = month
    if dekad is not None:
        payload["planned_start_dekad"] = dekad
    return ev("AnnualPlanAdopted", n, on, at, 2 if month is not None else 1, county, **payload)


def target_set(figure: str, by: str, value: str, region: str = R, year: int = 2025, at: str = AT,
               township: str | None = None, v: int = 2) -> dict:
    payload = {"region": region, "year": year, "figure": figure, "by": by, "target": value}
    if township is not None:
        payload["township"] = township
    return ev("TargetSet", None, "2025-01-01", at, v, **payload)


def retract(target: dict, at: str = "2025-06-01T09:00:00+08:00") -> dict:
    obj = ev("EventRetracted", None, at[:10], at, retracted_event_id=target["event_id"], reason="录入错误")
    obj["project_id"] = target["project_id"]
    return obj


def fig(events, fid, region=R, period="2025Q1", as_of=FAR, level=None, category=None):
    return oracle.figures(events, region, period, as_of, level, category)[fid]


def at(text: str):
    return oracle.parse_timestamp(text)


# ---------------------------------------------------------------------------------------------
# The 15 figures of §6
# ---------------------------------------------------------------------------------------------

def investment_history() -> list[dict]:
    return [
        reg(1, categories=["industrial"]), plan(1),
        reg(2, categories=["private", "industry"], v=2),  # not in the plan: still in investment_total
        reg(3, county="140581"),
        ev("KeyProjectDesignated", 1, "2025-01-05", year=2025, level="county"),
        ev("InvestmentReported", 1, year=2025, month=1, amount="100.00"),
        ev("InvestmentReported", 1, at="2025-02-10T09:00:00+08:00", year=2025, month=1, amount="150.00"),
        ev("InvestmentReported", 1, year=2025, month=3, amount="20.00"),
        ev("InvestmentReported", 1, year=2025, month=4, amount="999.00"),  # after through
        ev("InvestmentReported", 1, year=2024, month=12, amount="50.00"),  # another year
        ev("InvestmentReported", 2, year=2025, month=2, amount="30.50"),
        ev("InvestmentReported", 3, year=2025, month=2, amount="7.00", county="140581"),
    ]


def test_investment_total():
    events = investment_history()
    # 150.00 (January, the report recorded last) + 20.00 (March) + 30.50 (P2, not planned)
    assert fig(events, "investment_total") == ("amount", "200.50", None, "200.50")
    assert fig(events, "investment_total", region="1405") == ("amount", "207.50", None, "207.50")
    # as of before the second January report: 100.00 + 20.00 + 30.50
    assert fig(events, "investment_total", as_of=at("2025-02-01T00:00:00+08:00")) == (
        "amount", "150.50", None, "150.50")
    assert fig(events, "investment_total", category="high_tech") == ("amount", "0.00", None, "0.00")


def test_investment_share():
    events = investment_history()
    assert fig(events, "investment_share") == ("rate", "200.50", "200.50", "1.0000")
    # 30.50 / 200.50 = 0.15212  (P2 lists private)
    assert fig(events, "investment_share", category="private") == ("rate", "30.50", "200.50", "0.1521")
    # 170.00 / 200.50 = 0.84788  (P1 is a county key project)
    assert fig(events, "investment_share", level="county") == ("rate", "170.00", "200.50", "0.8479")
    # the denominator is the region's own: 1405 has P3's 7.00 too
    assert fig(events, "investment_share", region="1405", category="industry") == (
        "rate", "30.50", "207.50", "0.1470")
    assert fig(events, "investment_share", region="1401") == ("rate", "0.00", "0.00", None)


def test_signed_investment():
    late = ev("AgreementSigned", 2, "2025-01-01", investor="乙", agreed_investment="100.00")
    events = [
        reg(1), reg(2),
        ev("AgreementSigned", 1, "2025-01-10", investor="甲", agreed_investment="3000.00"),
        ev("AgreementSigned", 1, "2025-03-31", investor="甲", agreed_investment="500.50"),  # both add
        ev("AgreementSigned", 1, "2024-12-31", investor="甲", agreed_investment="7.00"),  # before the window
        ev("AgreementSigned", 1, "2025-04-01", investor="甲", agreed_investment="9.00"),  # after through
        late, retract(late),
    ]
    assert fig(events, "signed_investment") == ("amount", "3500.50", None, "3500.50")
    assert fig(events, "signed_investment", as_of=at("2025-05-01T00:00:00+08:00")) == (
        "amount", "3600.50", None, "3600.50")
    assert fig(events, "signed_investment", period="2025-01") == ("amount", "3000.00", None, "3000.00")


def test_funding_secured():
    events = [
        reg(1), reg(2, categories=["private"]),
        ev("FundingSecured", 1, "2025-02-01", channel="central_budget", amount="1200.00", document_no="1"),
        ev("FundingSecured", 1, "2025-03-15", channel="special_bond", amount="300.25", document_no="2"),
        ev("FundingSecured", 2, "2024-12-31", channel="ultra_long_bond", amount="500.00", document_no="3"),
        ev("FundingSecured", 3, "2025-02-01", channel="provincial", amount="8.00", document_no="4"),  # unregistered
    ]
    assert fig(events, "funding_secured") == ("amount", "1500.25", None, "1500.25")
    assert fig(events, "funding_secured", category="private") == ("amount", "0.00", None, "0.00")
    assert fig(events, "funding_secured", period="2025") == ("amount", "1500.25", None, "1500.25")


def test_reserve_investment():
    events = [
        reg(1, total="1000.00"), plan(1),  # in the plan, still in reserve (R17)
        ev("ProcedureApproved", 1, "2025-03-31", procedure="eia", document_no="1", authority="局"),
        reg(2, total="2000.00"),  # approved on D = 1 Apr: not before D
        ev("ProcedureApproved", 2, "2025-04-01", procedure="eia", document_no="2", authority="局"),
        reg(3, total="3000.00"),  # started
        ev("ProcedureApproved", 3, "2024-12-01", procedure="eia", document_no="3", authority="局"),
        ev("ConstructionStarted", 3, "2025-02-01"),
        reg(4, on="2024-06-01", total="800.00"), reg(4, on="2025-03-01", total="5000.00"),  # amended
        ev("ProcedureApproved", 4, "2024-07-01", procedure="soil_water", document_no="4", authority="局"),
        reg(5, on="2025-04-01", total="9000.00"),  # registered after through: in no region
        ev("ProcedureApproved", 5, "2024-07-01", procedure="eia", document_no="5", authority="局"),
    ]
    assert fig(events, "reserve_investment") == ("amount", "6000.00", None, "6000.00")
    # in H1, P2 is in reserve (approved 1 Apr < 1 Jul) and P5 registered: 1000 + 2000 + 5000 + 9000
    assert fig(events, "reserve_investment", period="2025H1") == ("amount", "17000.00", None, "17000.00")
    # the same numerator as reserve_multiple's
    assert fig(events, "reserve_multiple")[1] == "6000.00"


def test_landing_rate():
    events = [
        reg(1), ev("AgreementSigned", 1, "2025-02-01", investor="甲", agreed_investment="1.00"),
        ev("ProjectLanded", 1, "2025-03-01"),
        reg(2), ev("AgreementSigned", 2, "2025-01-10", investor="甲", agreed_investment="1.00"),
        ev("ProjectLanded", 2, "2024-12-01"),  # landed before the window
        reg(3), ev("AgreementSigned", 3, "2024-12-31", investor="甲", agreed_investment="1.00"),
        ev("ProjectLanded", 3, "2025-02-01"),  # not signed in Y
        reg(4), ev("AgreementSigned", 4, "2025-03-31", investor="甲", agreed_investment="1.00"),
        ev("ProjectLanded", 4, "2025-01-15"),  # landed before it signed, both in the window (R14)
    ]
    assert fig(events, "landing_rate") == ("rate", 2, 3, "0.6667")
    assert fig(events, "landing_rate", period="2025-01") == ("rate", 0, 1, "0.0000")
    assert fig(events, "landing_rate", region="140581") == ("rate", 0, 0, None)


def five_batches() -> list[dict]:
    output = ev("DesignOutputReached", 3, "2025-02-01")
    return [
        reg(1), plan(1),
        ev("AgreementSigned", 1, "2025-01-10", investor="甲", agreed_investment="1.00"),
        ev("AgreementSigned", 1, "2025-02-10", investor="乙", agreed_investment="2.00"),  # counted once
        ev("ProjectLanded", 1, "2025-01-20"), ev("ConstructionStarted", 1, "2025-02-01"),
        ev("ProductionStarted", 1, "2025-03-01"), ev("DesignOutputReached", 1, "2025-03-31"),
        reg(2),  # not planned: started counts all the same
        ev("ConstructionStarted", 2, "2024-12-31"), ev("ConstructionStarted", 2, "2025-01-01"),
        ev("ProductionStarted", 2, "2025-04-01"),
        reg(3), output, retract(output), ev("ProjectLanded", 3, "2025-03-31"),
        reg(4, county="140581"),
        ev("AgreementSigned", 4, "2025-01-10", county="140581", investor="甲", agreed_investment="1.00"),
        ev("ConstructionStarted", 4, "2025-01-10", county="140581"),
    ]


@pytest.mark.parametrize("fid,expected", [
    ("signed_count", 1), ("landed_count", 2), ("started_count", 2), ("production_count", 1), ("output_count", 1),
])
def test_counts(fid, expected):
    assert fig(five_batches(), fid) == ("count", expected, None, expected)


def test_counts_elsewhere_and_before_the_retraction():
    events = five_batches()
    assert fig(events, "signed_count", region="1405") == ("count", 2, None, 2)
    assert fig(events, "started_count", region="1405") == ("count", 3, None, 3)
    assert fig(events, "output_count", as_of=at("2025-05-31T00:00:00+08:00")) == ("count", 2, None, 2)
    assert fig(events, "production_count", period="2025-04") == ("count", 2, None, 2)
    assert fig(events, "started_count", period="2024") == ("count", 1, None, 1)


def due_history() -> list[dict]:
    return [
        reg(1), plan(1, "new", month=3, dekad=3), ev("ConstructionStarted", 1, "2025-03-25"),  # due 31 Mar, hit
        reg(2), plan(2, "new", month=3),  # due 31 Mar, not started
        reg(3), plan(3, "continuing", month=2, dekad=1),  # due 10 Feb, resumed late on 5 Mar
        ev("ConstructionResumed", 3, "2025-03-05", year=2025),
        reg(4), plan(4, "continuing", month=4, dekad=1),  # due 10 Apr
        ev("ConstructionResumed", 4, "2025-03-05", year=2025),
        reg(5), plan(5, "new"), ev("ConstructionStarted", 5, "2025-01-05"),  # v1 plan: never due
        reg(6), plan(6, "new", month=1, dekad=2), ev("ConstructionStarted", 6, "2024-12-20"),  # started before Y
        reg(7), plan(7, "continuing", month=1, dekad=1), ev("ConstructionStarted", 7, "2025-01-02"),  # not resumed
    ]


def test_due_start_rate():
    events = due_history()
    assert fig(events, "due_start_rate") == ("rate", 2, 5, "0.4000")  # due P1 P2 P3 P6 P7; hit P1 P3
    assert fig(events, "due_start_rate", period="2025-03") == ("rate", 2, 5, "0.4000")
    assert fig(events, "due_start_rate", period="2025-02") == ("rate", 0, 3, "0.0000")  # P3 P6 P7 due
    assert fig(events, "due_start_rate", period="2025-01") == ("rate", 0, 2, "0.0000")  # P6 P7 due
    assert fig(events, "due_start_rate", period="2025H1") == ("rate", 3, 6, "0.5000")  # + P4, resumed


def test_due_start_rate_dekads_and_versions():
    events = [
        reg(1), plan(1, "new", month=3, dekad=1), ev("ConstructionStarted", 1, "2025-03-05"),  # due 10 Mar
        reg(2), plan(2, "new", month=3, dekad=2),  # due 20 Mar
        reg(3, on="2023-06-01"), plan(3, "new", month=2, dekad=3, year=2024, on="2024-01-05"),  # due 29 Feb 2024
        ev("ConstructionStarted", 3, "2024-02-29"),
    ]
    assert fig(events, "due_start_rate", period="2024-02") == ("rate", 1, 1, "1.0000")
    assert fig(events, "due_start_rate", period="2025Q1") == ("rate", 1, 2, "0.5000")
    # a v1 amendment of P2's plan (a later occurred_on) has no planned start: P2 is no longer due
    amended = plan(2, "new", on="2025-02-01")
    assert fig(events + [amended], "due_start_rate") == ("rate", 1, 1, "1.0000")
    # as of before the amendment was recorded
    amended["recorded_at"] = "2025-05-01T09:00:00+08:00"
    assert fig(events + [amended], "due_start_rate", as_of=at("2025-04-10T00:00:00+08:00")) == (
        "rate", 1, 2, "0.5000")


def pipeline_history() -> list[dict]:
    def approved(n, on):
        return ev("ProcedureApproved", n, on, procedure="water_use", document_no=str(n), authority="局", v=2)
    return [
        reg(1, total="2000.00"),  # conceived
        reg(2, total="3000.00"), approved(2, "2025-03-31"),  # reserve (a procedure it does not require)
        reg(3, total="4000.00"), plan(3, "new", "500.00"),  # in the plan: neither
        reg(4, total="1000.00"), plan(4, "new", "999.00", year=2024, on="2024-01-05"),  # other year: conceived
        reg(5, total="700.00"), ev("ConstructionStarted", 5, "2023-06-01"),  # started long ago: neither
        reg(6, total="900.00"), approved(6, "2025-04-01"),  # approved on D: conceived
        reg(7, on="2025-03-31", total="100.00"),  # registered on through: conceived
        reg(8, total="6000.00"), plan(8, "continuing", "1500.00"), approved(8, "2024-05-01"),  # planned, reserve
    ]


def test_conceived_multiple():
    # conceived: P1 2000 + P4 1000 + P6 900 + P7 100 = 4000.00; plan: 500.00 + 1500.00
    assert fig(pipeline_history(), "conceived_multiple") == ("rate", "4000.00", "2000.00", "2.0000")


def test_conceived_count_multiple():
    # 4 conceived ÷ 1 new project of the plan (P3)
    assert fig(pipeline_history(), "conceived_count_multiple") == ("rate", 4, 1, "4.0000")
    # in January (D = 1 Feb) P7 is not registered yet and P2 not approved yet: P1 P2 P4 P6
    assert fig(pipeline_history(), "conceived_count_multiple", period="2025-01") == ("rate", 4, 1, "4.0000")


def test_reserve_to_conceived():
    # reserve on 1 Apr: P2 3000 + P8 6000 (planned, R17) ÷ conceived 4000
    assert fig(pipeline_history(), "reserve_to_conceived") == ("rate", "9000.00", "4000.00", "2.2500")
    assert fig(pipeline_history(), "reserve_investment") == ("amount", "9000.00", None, "9000.00")
    # in H1 (D = 1 Jul) P6 is in reserve: 9900 ÷ 3100
    assert fig(pipeline_history(), "reserve_to_conceived", period="2025H1") == (
        "rate", "9900.00", "3100.00", "3.1935")


def test_no_conceived_projects():
    events = [reg(1), plan(1)]
    assert fig(events, "reserve_to_conceived") == ("rate", "0.00", "0.00", None)
    assert fig(events, "conceived_multiple") == ("rate", "0.00", "100.00", "0.0000")
    assert fig(events, "conceived_count_multiple") == ("rate", 0, 1, "0.0000")


# ---------------------------------------------------------------------------------------------
# --category, v1/v2
# ---------------------------------------------------------------------------------------------

def test_category_from_the_registration_in_force_on_through():
    events = [
        reg(1, categories=["industry", "private"], v=2, location={"lng": "112.415000", "lat": "35.486000"},
            village="东关村"),
        reg(1, on="2025-02-15", categories=["industrial"]),  # a v1 amendment: not industry any more
        plan(1), ev("ConstructionStarted", 1, "2025-01-20"),
        reg(2, categories=["industry"], v=2), plan(2),
    ]
    assert fig(events, "new_start_rate", period="2025-01", category="industry") == ("rate", 1, 2, "0.5000")
    assert fig(events, "new_start_rate", period="2025Q1", category="industry") == ("rate", 0, 1, "0.0000")
    assert fig(events, "new_start_rate", period="2025Q1", category="industrial") == ("rate", 1, 1, "1.0000")
    assert fig(events, "started_count", period="2025Q1", category="private") == ("count", 0, None, 0)
    assert fig(events, "new_start_rate", period="2025Q1") == ("rate", 1, 2, "0.5000")


def test_category_and_level_together():
    events = [
        reg(1, categories=["industry"], v=2), plan(1), ev("KeyProjectDesignated", 1, "2025-01-05", year=2025,
                                                          level="city"),
        reg(2, categories=["industry"], v=2), plan(2),
        reg(3, categories=["private"]), plan(3), ev("KeyProjectDesignated", 3, "2025-01-05", year=2025,
                                                    level="city"),
    ]
    assert fig(events, "new_start_rate", level="city", category="industry") == ("rate", 0, 1, "0.0000")


def test_new_procedure_codes_count_in_procedure_completion():
    events = [
        reg(1, v=2, required=["capacity_replacement", "fire_acceptance", "eia"]), plan(1),
        ev("ProcedureApproved", 1, "2025-03-01", v=2, procedure="capacity_replacement", document_no="1",
           authority="局"),
        ev("ProcedureApproved", 1, "2025-03-01", procedure="eia", document_no="2", authority="局"),
    ]
    assert fig(events, "procedure_completion_rate") == ("rate", 2, 3, "0.6667")


def test_v1_read_as_v2():
    assert oracle.read_as_v2("LeaderAssigned", {"leader_id": "L", "leader_name": "张", "title": "副县长"})["role"] \
        == "leader"
    assert oracle.read_as_v2("LeaderAssigned", {"leader_id": "U", "leader_name": "局", "title": "牵头",
                                                "role": "lead_unit"})["role"] == "lead_unit"
    assert oracle.read_as_v2("AnnualPlanAdopted", {"year": 2025, "construction": "new",
                                                   "planned_investment": "1.00"})["planned_start_month"] is None
    assert oracle.read_as_v2("TargetSet", {"region": R, "year": 2025, "figure": "new_start_rate", "by": "Y",
                                           "target": "0.5"})["township"] is None


def test_kinds():
    assert len(oracle.ALL_FIGURES) == 26 == len(set(oracle.ALL_FIGURES))
    assert [f for f in oracle.ALL_FIGURES if oracle.KINDS[f] == "amount"] == [
        "investment_total", "signed_investment", "funding_secured", "reserve_investment"]
    assert [f for f in oracle.ALL_FIGURES if oracle.KINDS[f] == "count"] == [
        "signed_count", "landed_count", "started_count", "production_count", "output_count"]
    assert all(oracle.KINDS[f] == "rate" for f in oracle.FIGURES)


# ---------------------------------------------------------------------------------------------
# Targets and behind
# ---------------------------------------------------------------------------------------------

def test_milestone_days():
    assert oracle.milestone_day(2025, "Q1") == oracle.milestone_day(2025, "M03") == date(2025, 3, 31)
    assert oracle.milestone_day(2024, "M02") == date(2024, 2, 29)
    assert oracle.milestone_day(2025, "M02") == date(2025, 2, 28)
    assert oracle.milestone_day(2025, "H1") == date(2025, 6, 30) and oracle.milestone_day(2025, "Q3") == date(2025, 9, 30)
    assert oracle.milestone_day(2025, "Y") == oracle.milestone_day(2025, "M12") == date(2025, 12, 31)


def test_month_end_targets():
    m03 = target_set("new_start_rate", "M03", "0.5000", at="2025-01-02T09:00:00+08:00")
    q1 = target_set("new_start_rate", "Q1", "0.6000", at="2025-01-03T09:00:00+08:00", v=1)
    events = [
        m03, q1,
        target_set("new_start_rate", "M02", "0.2", at="2025-01-02T09:00:00+08:00"),
        target_set("new_start_rate", "M03", "0.9000", region="1405"),  # another region (no prefix carry)
        target_set("new_start_rate", "M03", "0.9000", year=2024),  # another year
        target_set("new_start_rate", "H1", "0.8000"),
    ]

    def t(period, as_of=FAR, region=R):
        return oracle.target(events, region, period, as_of, "new_start_rate")
    assert t("2025Q1") == t("2025-03") == "0.6000"  # Q1 recorded after M03 wins
    assert t("2025Q1", as_of=at("2025-01-02T12:00:00+08:00")) == "0.5000"  # before Q1 was recorded
    assert t("2025-02") == "0.2"
    assert t("2025-01") is None and t("2025-05") is None and t("2025Q3") is None
    assert t("2025H1") == t("2025-06") == "0.8000"
    assert t("2025Q1", region="1405") == "0.9000" and t("2025Q1", region="14") is None
    assert t("2024Q1") == "0.9000"
    assert oracle.target(events + [retract(q1)], R, "2025Q1", FAR, "new_start_rate") == "0.5000"
    # level and category play no part (R18)
    assert oracle.target(events, R, "2025Q1", FAR, "new_start_rate", level="city", category="industry") is None  # R18: the whole region's


def test_targets_recorded_at_the_same_time_go_by_log_position():
    a = target_set("started_count", "M03", "3")
    b = target_set("started_count", "Q1", "2")
    assert oracle.target([a, b], R, "2025Q1", FAR, "started_count") == "2"
    assert oracle.target([b, a], R, "2025Q1", FAR, "started_count") == "3"


def test_behind_for_every_kind():
    events = investment_history() + due_history()
    # investment_total in May: 150.00 + 20.00 + 999.00 (April) + 30.50 = 1199.50
    assert fig(events, "investment_total", period="2025-05") == ("amount", "1199.50", None, "1199.50")
    assert oracle.behind("1199.50", "1200.00") is True
    assert oracle.behind("1199.50", "1199.5") is False
    assert oracle.behind(2, "2") is False and oracle.behind(1, "2") is True
    assert oracle.behind("0.4000", "0.4") is False and oracle.behind("0.3999", "0.4") is True
    assert oracle.behind(None, "0.5000") is False  # no value: "value < target" does not hold (R21)
    assert oracle.behind("0.5000", None) is None


def test_township_target_applies_to_its_rank_row_only():
    events = [
        reg(1, township="凤城镇"), plan(1), ev("ConstructionStarted", 1, "2025-02-01"),
        reg(2, township="北留镇"), plan(2),
        reg(3, township=None), plan(3),  # no township: in no township row
        target_set("new_start_rate", "M03", "0.7500"),
        target_set("new_start_rate", "M03", "0.9000", township="凤城镇"),
    ]
    assert oracle.target(events, R, "2025Q1", FAR, "new_start_rate") == "0.7500"
    assert oracle.target(events, R, "2025Q1", FAR, "new_start_rate", township="凤城镇") == "0.9000"
    assert fig(events, "new_start_rate") == ("rate", 1, 3, "0.3333")
    rows = oracle.rank(events, "new_start_rate", R, "2025Q1", FAR, "township")
    assert rows == [
        {"rank": 1, "region": R, "township": "凤城镇", "numerator": 1, "denominator": 1, "value": "1.0000",
         "target": "0.9000", "behind": False},
        {"rank": 2, "region": R, "township": "北留镇", "numerator": 0, "denominator": 1, "value": "0.0000",
         "target": None, "behind": None},  # the county's target does not fall through (R20)
    ]
    assert oracle.rank(events, "new_start_rate", "1405", "2025Q1", FAR, "county") == [
        {"rank": 1, "region": R, "township": None, "numerator": 1, "denominator": 3, "value": "0.3333",
         "target": "0.7500", "behind": True}]


# ---------------------------------------------------------------------------------------------
# Ranking
# ---------------------------------------------------------------------------------------------

def ranking_history() -> list[dict]:
    return [
        reg(1), plan(1), ev("ConstructionStarted", 1, "2025-02-01"),
        reg(2), plan(2), ev("ConstructionStarted", 2, "2025-02-01"),
        reg(3, county="140581"), plan(3, county="140581"), ev("ConstructionStarted", 3, "2025-02-01", county="140581"),
        reg(4, county="140581", township="北留镇"), ev("ConstructionStarted", 4, "2025-03-01", county="140581"),
        reg(5, county="140105", categories=["private"]), ev("ConstructionStarted", 5, "2025-03-01", county="140105"),
        target_set("started_count", "Q1", "2", region="140105"),
    ]


def test_competition_ranking_ties():
    rows = oracle.rank(ranking_history(), "started_count", "14", "2025Q1", FAR, "county")
    assert [(r["rank"], r["region"], r["value"], r["target"], r["behind"]) for r in rows] == [
        (1, "140522", 2, None, None), (1, "140581", 2, None, None), (3, "140105", 1, "2", True)]
    assert all(r["township"] is None and r["denominator"] is None for r in rows)


def test_rates_rank_best_first_and_nulls_last_unranked():
    rows = oracle.rank(ranking_history(), "new_start_rate", "14", "2025Q1", FAR, "county")
    assert [(r["rank"], r["region"], r["numerator"], r["denominator"], r["value"]) for r in rows] == [
        (1, "140522", 2, 2, "1.0000"), (1, "140581", 1, 1, "1.0000"), (None, "140105", 0, 0, None)]


def test_ranking_by_township_same_names_in_two_counties():
    rows = oracle.rank(ranking_history(), "started_count", "1405", "2025Q1", FAR, "township")
    assert [(r["rank"], r["region"], r["township"], r["value"]) for r in rows] == [
        (1, "140522", "凤城镇", 2), (2, "140581", "凤城镇", 1), (2, "140581", "北留镇", 1)]


def test_ranking_keeps_the_counties_a_filter_empties():
    rows = oracle.rank(ranking_history(), "started_count", "14", "2025Q1", FAR, "county", category="private")
    assert [(r["rank"], r["region"], r["value"]) for r in rows] == [
        (1, "140105", 1), (2, "140522", 0), (2, "140581", 0)]
    rows = oracle.rank(ranking_history(), "signed_investment", "14", "2025Q1", FAR, "county", category="private")
    assert [(r["rank"], r["region"], r["value"]) for r in rows] == [
        (1, "140105", "0.00"), (1, "140522", "0.00"), (1, "140581", "0.00")]


def test_ranking_share_uses_each_rows_own_region():
    events = ranking_history() + [
        ev("InvestmentReported", 1, year=2025, month=1, amount="30.00"),
        ev("InvestmentReported", 3, year=2025, month=1, amount="10.00", county="140581"),
        ev("InvestmentReported", 4, year=2025, month=1, amount="30.00", county="140581"),
    ]
    rows = oracle.rank(events, "investment_share", "1405", "2025Q1", FAR, "county", category="industrial")
    assert [(r["region"], r["numerator"], r["denominator"], r["value"]) for r in rows] == [
        ("140522", "30.00", "30.00", "1.0000"), ("140581", "40.00", "40.00", "1.0000")]
    rows = oracle.rank(events, "investment_share", "1405", "2025Q1", FAR, "township")
    assert [(r["rank"], r["region"], r["township"], r["numerator"], r["denominator"], r["value"]) for r in rows] == [
        (1, "140522", "凤城镇", "30.00", "30.00", "1.0000"), (1, "140581", "凤城镇", "10.00", "10.00", "1.0000"),
        (1, "140581", "北留镇", "30.00", "30.00", "1.0000")]  # 凤 (U+51E4) before 北 (U+5317)


def test_rank_rejects_an_unknown_grouping():
    with pytest.raises(ValueError):
        oracle.rank([], "started_count", "14", "2025", FAR, "village")


# ---------------------------------------------------------------------------------------------
# The oracle over random Part two histories: consistent with itself
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(40))
def test_random_part_two_histories_are_self_consistent(seed):
    rng = random.Random(7000 + seed)
    events = random_history_v2(rng)
    for region, period, as_of_text, level, category in random_queries_v2(rng, 3) + target_queries_v2(rng, events, 2):
        as_of = oracle.end_of_day(date.fromisoformat(as_of_text)) if "T" not in as_of_text else at(as_of_text)
        f = oracle.figures(events, region, period, as_of, level, category)
        unfiltered = oracle.figures(events, region, period, as_of)
        assert set(f) == set(oracle.ALL_FIGURES)
        for fid, (kind, num, den, value) in f.items():
            assert kind == oracle.KINDS[fid]
            if kind != "rate":
                assert den is None and value == num
        assert f["investment_total"][1] == f["investment_share"][1]
        assert f["investment_share"][2] == unfiltered["investment_total"][1]
        assert f["reserve_investment"][1] == f["reserve_multiple"][1] == f["reserve_to_conceived"][1]
        assert f["conceived_multiple"][1] == f["reserve_to_conceived"][2]
        assert f["signed_count"][1] == f["landing_rate"][2] == f["signed_same_year_start_rate"][2]
        assert f["landing_rate"][1] <= f["landed_count"][1]
        assert f["conceived_multiple"][2] == f["investment_completion_rate"][2] == f["reserve_multiple"][2]
        assert f["conceived_count_multiple"][2] == f["new_start_rate"][2]
        assert f["due_start_rate"][2] <= f["start_or_resume_rate"][2]
        for by in ("county", "township"):
            fid = rng.choice(oracle.ALL_FIGURES)
            rows = oracle.rank(events, fid, region, period, as_of, by, level, category)
            ranked = [r for r in rows if r["rank"] is not None]
            assert [r["rank"] for r in ranked] == sorted(r["rank"] for r in ranked)
            assert all(r["value"] is None for r in rows[len(ranked):])
            if by == "county":  # each county row is that county's own report
                for r in rows:
                    own = oracle.figures(events, r["region"], period, as_of, level, category)[fid]
                    assert (r["numerator"], r["denominator"], r["value"]) == own[1:]
                    assert r["target"] == oracle.target(events, r["region"], period, as_of, fid)


def test_random_part_two_histories_exercise_every_figure_and_target():
    nonzero, targets, township_targets, versions = set(), 0, 0, set()
    for seed in range(150):
        rng = random.Random(9000 + seed)
        events = random_history_v2(rng)
        versions |= {(e["event_type"], e["schema_version"]) for e in events}
        for region, period, as_of_text, level, category in (target_queries_v2(rng, events, 3)
                                                             + random_queries_v2(rng, 3)):
            as_of = oracle.end_of_day(date.fromisoformat(as_of_text)) if "T" not in as_of_text else at(as_of_text)
            f = oracle.figures(events, region, period, as_of, level, category)
            nonzero |= {fid for fid, (_, num, _, _) in f.items() if num not in (0, "0.00")}
            targets += sum(oracle.target(events, region, period, as_of, fid) is not None for fid in f)
            rows = oracle.rank(events, rng.choice(oracle.ALL_FIGURES), region, period, as_of, "township")
            township_targets += sum(r["target"] is not None for r in rows)
    assert nonzero == set(oracle.ALL_FIGURES)
    assert targets > 10 and township_targets > 0
    for event_type in ("ProjectRegistered", "AnnualPlanAdopted", "ProcedureApproved", "LeaderAssigned", "TargetSet"):
        assert {(event_type, 1), (event_type, 2)} <= versions
    assert {("ProcedurePlanned", 1), ("FundingSecured", 1)} <= versions


def test_v1_histories_unchanged_by_part_two():
    """random_history without part_two is catalogue v1 only, as before."""
    for seed in range(20):
        events = random_history(random.Random(seed))
        assert {e["schema_version"] for e in events} == {1}
        assert not {e["event_type"] for e in events} & {"ProcedurePlanned", "FundingSecured"}
        assert random_history(random.Random(seed), part_two=True) == random_history_v2(random.Random(seed))


# ---------------------------------------------------------------------------------------------
# The random Part two histories are valid contract events
# ---------------------------------------------------------------------------------------------

_NEW_PROCEDURES = {"capacity_replacement", "water_use", "cultural_relics", "fire_acceptance"}
_DEGREES = r"^-?\d{1,3}(\.\d{1,6})?$"


def _as_v1(obj: dict) -> dict | None:
    """The v1 envelope of a v2 event, its v2-only parts checked here against CONTRACT §5 and
    removed (None for §5's new types, checked whole here)."""
    import re
    payload = dict(obj["payload"])
    kind = obj["event_type"]
    if kind == "ProcedurePlanned":
        assert set(payload) == {"procedure", "level", "due_on", "unit", "leader", "officer"}
        assert payload["level"] in ("county", "city", "province", "national")
        date.fromisoformat(payload["due_on"])
        return None
    if kind == "FundingSecured":
        assert set(payload) == {"channel", "amount", "document_no"}
        assert payload["channel"] in ("central_budget", "special_bond", "ultra_long_bond", "provincial", "other")
        assert re.fullmatch(r"\d{1,16}(\.\d{1,2})?", payload["amount"])
        return None
    if obj["schema_version"] == 1:
        return obj
    if kind == "ProjectRegistered":
        location = payload.pop("location", None)
        if location is not None:
            assert set(location) == {"lng", "lat"} and all(re.fullmatch(_DEGREES, v) for v in location.values())
        village = payload.pop("village", None)
        assert village is None or (isinstance(village, str) and village)
        payload["categories"] = [c for c in payload["categories"] if c != "industry"]
        payload["required_procedures"] = [c for c in payload["required_procedures"] if c not in _NEW_PROCEDURES]
    elif kind == "ProcedureApproved":
        if payload["procedure"] in _NEW_PROCEDURES:
            payload["procedure"] = "eia"
    elif kind == "AnnualPlanAdopted":
        month, dekad = payload.pop("planned_start_month", None), payload.pop("planned_start_dekad", None)
        assert month is None or month in range(1, 13)
        assert dekad is None or (month is not None and dekad in (1, 2, 3))
    elif kind == "LeaderAssigned":
        assert payload.pop("role", "leader") in ("leader", "lead_unit", "support_unit")
    elif kind == "TargetSet":
        township = payload.pop("township", None)
        assert township is None or (isinstance(township, str) and len(payload["region"]) == 6)
        assert payload["by"] in oracle.MILESTONE_MONTHS and payload["figure"] in oracle.ALL_FIGURES
        places = {"amount": r"\d+(\.\d{1,2})?", "count": r"\d+", "rate": r"\d+(\.\d{1,4})?"}
        assert re.fullmatch(places[oracle.KINDS[payload["figure"]]], payload["target"])
        payload["by"], payload["figure"] = "Y", "new_start_rate"
        payload["target"] = "0"
    else:
        raise AssertionError(f"no v2 of {kind}")
    return {**obj, "schema_version": 1, "payload": payload}


@pytest.mark.parametrize("seed", range(30))
def test_random_part_two_histories_are_valid_contract_events(seed):
    from events.codec import validate_object  # the v1 catalogue: envelope and v1 payloads

    events = random_history_v2(random.Random(5000 + seed))
    contents = {}
    for obj in events:
        v1 = _as_v1(obj)
        if v1 is not None:
            validate_object(v1)
        key = {k: v for k, v in obj.items() if k != "recorded_at"}
        assert contents.setdefault(obj["event_id"], key) == key  # a repeated id is a true duplicate

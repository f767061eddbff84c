"""一项一档: every fact in business order, with recorded time and department; retractions and
supersessions beside what they replaced; the stage timeline; as of a recorded time."""
from __future__ import annotations

from projections.views.dossier import dossier
from services.log.store import to_micros
from projections.periods import parse_as_of
from views_history import History, day, pid

ON = day("2025-06-30")


def scenario() -> tuple[History, dict]:
    h = History()
    ids = {}
    ids["reg"] = h.registered(1, on="2024-11-01", total="1000.00")
    ids["reg2"] = h.add("ProjectRegistered", 1, on="2025-06-10", at="2025-06-11T09:00:00+08:00",
                        **{**h.events[0]["payload"], "total_investment": "1250.00"})
    h.add("AnnualPlanAdopted", 1, on="2025-01-05", year=2025, construction="new", planned_investment="800.00")
    ids["wrong_start"] = h.add("ConstructionStarted", 1, on="2025-03-12", at="2025-03-13T09:00:00+08:00")
    ids["retraction"] = h.retract(ids["wrong_start"], at="2025-05-08T10:00:00+08:00", reason="开工日期误报")
    ids["start"] = h.add("ConstructionStarted", 1, on="2025-06-01")
    ids["march"] = h.add("InvestmentReported", 1, on="2025-04-05", year=2025, month=3, amount="100.00")
    ids["march_fix"] = h.add("InvestmentReported", 1, on="2025-04-05", at="2025-05-20T09:00:00+08:00",
                             year=2025, month=3, amount="90.00", source={"department": "stats", "system": "t"})
    h.add("ConstructionStarted", 2, on="2025-03-01")                   # another project: not in this file
    return h, ids


def entries(result: dict) -> dict:
    return {e["event_id"]: e for e in result["facts"]}


def build(h: History, as_of: str = "2030-01-01") -> dict:
    return dossier(h.facts(), pid(1), ON, to_micros(parse_as_of(as_of)))


def test_every_fact_in_business_order_with_recorded_time_and_department():
    h, ids = scenario()
    result = build(h)
    dates = [e["occurred_on"] for e in result["facts"]]
    assert dates == sorted(dates) and len(dates) == 8
    march_fix = entries(result)[ids["march_fix"]["event_id"]]
    assert march_fix["recorded_at"] == "2025-05-20T09:00:00+08:00" and march_fix["department"] == "stats"
    assert march_fix["label"] == "月度完成投资"


def test_retractions_and_supersessions_beside_what_they_replaced():
    h, ids = scenario()
    e = entries(build(h))
    wrong = e[ids["wrong_start"]["event_id"]]
    assert wrong["status"] == "retracted"
    assert wrong["retracted_by"] == {"event_id": ids["retraction"]["event_id"],
                                     "recorded_at": "2025-05-08T10:00:00+08:00", "reason": "开工日期误报"}
    assert e[ids["retraction"]["event_id"]]["status"] == "retraction"
    march = e[ids["march"]["event_id"]]
    assert (march["status"], march["superseded_by"]) == ("superseded", ids["march_fix"]["event_id"])
    assert e[ids["march_fix"]["event_id"]]["supersedes"] == [ids["march"]["event_id"]]
    reg = e[ids["reg"]["event_id"]]
    assert (reg["status"], reg["superseded_by"]) == ("superseded", ids["reg2"]["event_id"])
    assert build(h)["counts"] == {"counts": 4, "retracted": 1, "superseded": 2, "retraction": 1}


def test_as_of_before_the_corrections():
    h, ids = scenario()
    result = build(h, "2025-04-10")
    e = entries(result)
    assert ids["retraction"]["event_id"] not in e and ids["march_fix"]["event_id"] not in e
    assert e[ids["wrong_start"]["event_id"]]["status"] == "counts"
    assert e[ids["march"]["event_id"]]["status"] == "counts"
    assert result["stage"]["stage"] == "under_construction"
    assert result["stage"]["timeline"][-1]["event_id"] == ids["wrong_start"]["event_id"]


def test_stage_timeline_and_registration_in_force():
    h, ids = scenario()
    result = build(h)
    assert [(s["stage"], s["on"]) for s in result["stage"]["timeline"]] == [
        ("conceived", "2024-11-01"), ("under_construction", "2025-06-01")]
    assert result["project"]["registration"]["total_investment"] == "1250.00"
    assert dossier(h.facts(), pid(9), ON, to_micros(parse_as_of("2030-01-01")))["facts"] == []

"""Random and hand-made small histories: the product's figures agree with `oracle.py`.

Random histories (`oracle_histories.random_history`) go through the pure projections under
hypothesis, and a few fixed seeds also through the SQLite store and `services.query.figures`.
The hand-made cases pin the corners of CONTRACT §3 where a plausible implementation slips.
"""
from __future__ import annotations

import random
import uuid
from datetime import datetime

import orjson
import pytest

from helpers import writer_for
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import oracle
from oracle_histories import random_history, random_queries
from projections.facts import fact_from_json
from projections.ledger import fold_all, visible
from projections.periods import parse_as_of, parse_period
from projections.report import Query, report
from tools.history.county import write_jsonl
from services.ingest.importer import import_file
from services.query.figures import make_query, report_for
from services.log import EventStore
from services.log.store import to_micros
from test_oracle_agreement import as_of_instant, disagreements


def _pure_report(events: list[dict]):
    facts = [fact_from_json(i, e, to_micros(datetime.fromisoformat(e["recorded_at"])))
             for i, e in enumerate(events, start=1)]
    ledger = fold_all(facts)

    def figures(region, period, as_of, level) -> dict:
        query = Query(region, parse_period(period), parse_as_of(as_of), level)
        found = report(visible(ledger, to_micros(query.as_of)), query)["figures"]
        return {fid: (f["numerator"], f["denominator"], f["value"]) for fid, f in found.items()}
    return figures


def _store_report(events: list[dict], directory):
    path = directory / "history.jsonl"
    write_jsonl(events, path)
    writer = writer_for(f"sqlite:///{directory / 'store.sqlite'}")
    store = writer.events
    rejects = []
    import_file(path, writer.acceptor, lambda n, e: rejects.append((n, str(e))))
    assert rejects == []

    def figures(region, period, as_of, level) -> dict:
        found = report_for(store, make_query(region, period, as_of, level))["figures"]
        return {fid: (f["numerator"], f["denominator"], f["value"]) for fid, f in found.items()}
    return figures


def _check(figures, events, cases):
    failures = {}
    for case in cases:
        region, period, as_of, level = case
        diff = disagreements(figures(*case), oracle.figures(events, region, period, as_of_instant(as_of), level))
        if diff:
            failures[case] = diff
    return failures


# ---------------------------------------------------------------------------------------------
# (c) random histories
# ---------------------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False))
def test_random_histories_pure_projections_agree_with_the_oracle(rng):
    events = random_history(rng)
    cases = random_queries(rng, 6)
    failures = _check(_pure_report(events), events, cases)
    if failures:
        note("\n".join(orjson.dumps(e).decode() for e in events))
    assert failures == {}


@pytest.mark.parametrize("seed", range(6))
def test_random_histories_through_the_store_agree_with_the_oracle(seed, tmp_path):
    rng = random.Random(1000 + seed)
    events = random_history(rng)
    assert _check(_store_report(events, tmp_path), events, random_queries(rng, 12)) == {}


# ---------------------------------------------------------------------------------------------
# Hand-made corners
# ---------------------------------------------------------------------------------------------

P1 = "2301-140522-04-01-000001"
P2 = "2301-140522-04-01-000002"
EARLY = "2024-01-02T09:00:00+08:00"
SOURCES = {"ProjectRegistered": "ndrc", "AnnualPlanAdopted": "ndrc", "ConstructionStarted": "project_center",
           "InvestmentReported": "project_center", "ProblemAssigned": "project_center",
           "ProblemFollowedUp": "project_center", "ProcedureApproved": "approval",
           "KeyProjectDesignated": "ndrc"}
_ids = iter(uuid.UUID(int=n, version=4) for n in range(1, 10_000))


def ev(event_type, project=P1, occurred="2024-02-01", recorded=EARLY, **payload) -> dict:
    return {"event_id": str(next(_ids)), "event_type": event_type, "schema_version": 1, "project_id": project,
            "occurred_on": occurred, "recorded_at": recorded,
            "source": {"department": SOURCES.get(event_type, "ndrc"), "system": "oracle-test"}, "payload": payload}


def registered(project=P1, region="140522", occurred="2023-06-01", recorded=EARLY, **overrides) -> dict:
    payload = {"name": "项目", "region": region, "township": "凤城镇", "total_investment": "12000.00",
               "owner": "某公司", "legal_entity": True, "origin": "enterprise", "categories": ["industrial"],
               "required_procedures": ["eia", "land_approval"]}
    return ev("ProjectRegistered", project, occurred, recorded, **{**payload, **overrides})


def planned(project=P1, construction="new", amount="1000.00", occurred="2024-01-01", recorded=EARLY, year=2024):
    return ev("AnnualPlanAdopted", project, occurred, recorded, year=year, construction=construction,
              planned_investment=amount)


def retraction_of(target: dict, occurred="2024-03-01", recorded="2024-03-02T09:00:00+08:00") -> dict:
    obj = ev("EventRetracted", target["project_id"], occurred, recorded,
             retracted_event_id=target["event_id"], reason="录入错误")
    obj["source"] = target["source"]
    return obj


def _corner_cases():
    cases = {}

    # value rounds half-up: 1.00 / 20000.00 = 0.00005 -> 0.0001
    cases["half_up_tie"] = ([registered(), planned(amount="20000.00"),
                             ev("InvestmentReported", year=2024, month=1, amount="1.00")],
                            ("14", "2024", "2030-01-01", None))
    # a negative growth exactly on a tie: -1.00 / 20000.00
    cases["negative_growth_tie"] = ([registered(),
                                     ev("InvestmentReported", year=2023, month=1, amount="20000.00"),
                                     ev("InvestmentReported", year=2024, month=1, amount="19999.00")],
                                    ("14", "2024", "2030-01-01", None))
    # two plan versions with equal occurred_on and recorded_at: the later in the log is in force,
    # and a duplicate of the earlier one sent again afterwards changes nothing
    first, second = planned(construction="new"), planned(construction="continuing")
    cases["tie_by_position_with_duplicate"] = ([registered(), first, second, dict(first)],
                                               ("14", "2024", "2030-01-01", None))
    # the same, for the region of a registration
    a, b = registered(region="140522"), registered(region="140105")
    cases["registration_tie_moves_region"] = ([a, b, dict(a), planned()], ("1401", "2024", "2030-01-01", None))
    # a later recorded_at beats a later position
    late, early = planned(construction="continuing", recorded="2024-01-05T09:00:00+08:00"), planned()
    cases["tie_by_recorded_at"] = ([registered(), late, early], ("14", "2024", "2030-01-01", None))
    # a retraction placed before its target in the log, and one recorded before its target
    start = ev("ConstructionStarted", occurred="2024-02-01", recorded="2024-05-01T09:00:00+08:00")
    cases["retraction_before_target_in_log"] = ([registered(), planned(), retraction_of(start), start],
                                                ("14", "2024", "2030-01-01", None))
    cases["retraction_recorded_before_target"] = ([registered(), planned(), start,
                                                   retraction_of(start, recorded="2024-04-02T09:00:00+08:00")],
                                                  ("14", "2024", "2024-04-20", None))
    # a retracted amendment gives the earlier version back
    amended = planned(construction="continuing", occurred="2024-03-01")
    cases["retracted_amendment"] = ([registered(), planned(), amended, retraction_of(amended)],
                                    ("14", "2024Q1", "2030-01-01", None))
    # the last-recorded report of a month counts, whatever its occurred_on
    # (placed first in the log, so that position alone would pick the wrong one)
    cases["investment_recorded_last"] = ([registered(), planned(),
                                          ev("InvestmentReported", occurred="2024-01-01",
                                             recorded="2024-07-01T09:00:00+08:00", year=2024, month=3,
                                             amount="7.00"),
                                          ev("InvestmentReported", occurred="2024-06-30", recorded=EARLY,
                                             year=2024, month=3, amount="100.00")],
                                         ("14", "2024Q1", "2030-01-01", None))
    # the problem's deadline comes from the assignment recorded last (not the last in the log,
    # not the latest occurred_on): closed after that deadline is late
    cases["problem_deadline_recorded_last"] = ([
        registered(),
        ev("ProblemAssigned", occurred="2024-01-01", recorded="2024-01-03T09:00:00+08:00", problem_id="X",
           unit="某局", due_on="2024-02-10"),
        ev("ProblemAssigned", occurred="2024-02-01", problem_id="X", unit="某局", due_on="2024-03-01"),
        ev("ProblemFollowedUp", occurred="2024-02-15", problem_id="X", satisfied=True)],
        ("14", "2024Q1", "2030-01-01", None))
    # a satisfied follow-up on the deadline is on time, even if reopened afterwards (the literal
    # reading of "on time = a ProblemFollowedUp with satisfied true on or before due_on")
    cases["problem_closed_on_deadline_then_reopened"] = ([
        registered(),
        ev("ProblemAssigned", occurred="2024-01-01", problem_id="X", unit="某局", due_on="2024-02-10"),
        ev("ProblemFollowedUp", occurred="2024-02-10", problem_id="X", satisfied=True),
        ev("ProblemFollowedUp", occurred="2024-02-20", problem_id="X", satisfied=False)],
        ("14", "2024Q1", "2030-01-01", None))
    # the same problem id in two projects: two problems (our reading)
    cases["problem_id_per_project"] = ([
        registered(), registered(P2),
        ev("ProblemAssigned", P1, problem_id="X", unit="某局", due_on="2024-03-01"),
        ev("ProblemAssigned", P2, recorded="2024-01-03T09:00:00+08:00", problem_id="X", unit="某局",
           due_on="2024-05-01"),
        ev("ProblemFollowedUp", P1, occurred="2024-02-20", problem_id="X", satisfied=True)],
        ("14", "2024", "2030-01-01", None))
    # a required procedure approved twice counts once; a procedure not required not at all
    cases["procedures_distinct"] = ([registered(required_procedures=["eia", "land_approval"]), planned(),
                                     ev("ProcedureApproved", procedure="eia", document_no="1", authority="局"),
                                     ev("ProcedureApproved", occurred="2024-02-02", procedure="eia",
                                        document_no="2", authority="局"),
                                     ev("ProcedureApproved", procedure="soil_water", document_no="3", authority="局")],
                                    ("14", "2024", "2030-01-01", None))
    # statistical entry: 500.00 is enough; started before Y counts for eligibility, not for the start rate
    cases["stats_entry_boundaries"] = ([registered(total_investment="500.00"), planned(),
                                        ev("StatsEntryApproved", occurred="2023-12-01"),
                                        ev("ConstructionStarted", occurred="2023-11-01")],
                                       ("14", "2024Q1", "2030-01-01", None))
    # as-of equal to a recorded_at (given in another offset) includes it
    cases["as_of_inclusive"] = ([registered(recorded="2024-01-02T01:00:00+00:00"), planned()],
                                ("14", "2024", "2024-01-02T09:00:00+08:00", None))
    # a level keeps only projects whose designation for Y in force on through has it
    cases["level_in_force"] = ([registered(), planned(), registered(P2), planned(P2),
                                ev("KeyProjectDesignated", P1, occurred="2024-01-01", year=2024, level="city"),
                                ev("KeyProjectDesignated", P1, occurred="2024-05-01", year=2024, level="county"),
                                ev("KeyProjectDesignated", P2, occurred="2024-01-01", year=2023, level="city")],
                               ("14", "2024Q1", "2030-01-01", "city"))
    return cases


CORNERS = _corner_cases()


@pytest.mark.parametrize("name", sorted(CORNERS))
def test_corner_cases_agree_with_the_oracle(name, tmp_path):
    events, case = CORNERS[name]
    assert _check(_pure_report(events), events, [case]) == {}
    assert _check(_store_report(events, tmp_path), events, [case]) == {}


def test_corner_cases_say_what_the_contract_says():
    """The oracle's own answers on the corners (so that the oracle is checked, too)."""
    def fig(name, fid):
        events, (region, period, as_of, level) = CORNERS[name]
        return oracle.figures(events, region, period, as_of_instant(as_of), level)[fid][1:]

    assert fig("half_up_tie", "investment_completion_rate") == ("1.00", "20000.00", "0.0001")
    assert fig("negative_growth_tie", "investment_growth") == ("-1.00", "20000.00", "-0.0001")
    assert fig("tie_by_position_with_duplicate", "resume_rate") == (0, 1, "0.0000")
    assert fig("registration_tie_moves_region", "resume_rate")[1] == 0  # new, in 140105
    assert fig("registration_tie_moves_region", "new_start_rate")[1] == 1
    assert fig("tie_by_recorded_at", "resume_rate")[1] == 1
    assert fig("retraction_before_target_in_log", "new_start_rate") == (0, 1, "0.0000")
    assert fig("retraction_recorded_before_target", "new_start_rate") == (0, 1, "0.0000")
    assert fig("retracted_amendment", "new_start_rate")[1] == 1
    assert fig("investment_recorded_last", "investment_completion_rate") == ("7.00", "1000.00", "0.0070")
    assert fig("problem_deadline_recorded_last", "problem_on_time_rate") == (0, 1, "0.0000")
    assert fig("problem_closed_on_deadline_then_reopened", "problem_on_time_rate") == (1, 1, "1.0000")
    assert fig("problem_id_per_project", "problem_on_time_rate") == (1, 2, "0.5000")
    assert fig("procedures_distinct", "procedure_completion_rate") == (1, 2, "0.5000")
    assert fig("stats_entry_boundaries", "stats_entry_rate") == (1, 1, "1.0000")
    assert fig("stats_entry_boundaries", "new_start_rate") == (0, 1, "0.0000")
    assert fig("as_of_inclusive", "resume_rate")[1] == 0 and fig("as_of_inclusive", "new_start_rate")[1] == 1
    assert fig("level_in_force", "new_start_rate")[1] == 1

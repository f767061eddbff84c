"""Properties of the figures over random histories (hypothesis)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import event
from projections.facts import fact_from_json
from projections.ledger import fold_all, visible
from projections.periods import parse_as_of, parse_period
from projections.report import Query, report
from services.log.store import to_micros

LOCAL = ZoneInfo("Asia/Shanghai")
START = datetime(2024, 12, 1, tzinfo=LOCAL)
PROJECTS = ["2501-140522-04-01-000001", "2501-140522-04-01-000002", "2501-140521-04-01-000003"]

days = st.integers(min_value=0, max_value=200)
project = st.sampled_from(PROJECTS)
money = st.integers(1, 10**7).map(lambda cents: f"{cents // 100}.{cents % 100:02d}")


def _on(day: int) -> str:
    return (date(2024, 12, 1) + timedelta(days=day)).isoformat()


@st.composite
def fact_spec(draw):
    kind = draw(st.sampled_from([
        "InvestmentReported", "InvestmentReported", "AnnualPlanAdopted", "ConstructionStarted",
        "ProjectRegistered", "ProjectRegistered", "AnnualPlanAdopted", "KeyProjectDesignated", "AgreementSigned", "ProcedureApproved",
        "ConstructionStarted", "ConstructionResumed", "InvestmentReported", "StatsEntryApproved",
        "ProblemAssigned", "ProblemFollowedUp", "EventRetracted", "TargetSet",
    ]))
    p = draw(project)
    fields: dict = {}
    if kind == "ProjectRegistered":
        fields = dict(region=p[5:11], total_investment=draw(st.sampled_from(["400.00", "800.00", "2000.00"])),
                      legal_entity=draw(st.booleans()),
                      required_procedures=draw(st.lists(st.sampled_from(["eia", "approval_filing", "land_approval"]),
                                                        unique=True)))
    elif kind == "AnnualPlanAdopted":
        fields = dict(year=2025, construction=draw(st.sampled_from(["new", "continuing"])),
                      planned_investment=draw(money))
    elif kind == "KeyProjectDesignated":
        fields = dict(year=2025, level=draw(st.sampled_from(["province", "county"])))
    elif kind == "ProcedureApproved":
        fields = dict(procedure=draw(st.sampled_from(["eia", "approval_filing", "land_approval"])))
    elif kind == "ConstructionResumed":
        fields = dict(year=draw(st.sampled_from([2024, 2025])))
    elif kind == "InvestmentReported":
        fields = dict(year=draw(st.sampled_from([2024, 2025, 2025])), month=draw(st.integers(1, 3)),
                      amount=draw(money))
    elif kind in ("ProblemAssigned", "ProblemFollowedUp"):
        fields = dict(problem_id=draw(st.sampled_from(["A", "B"])))
        if kind == "ProblemAssigned":
            fields["due_on"] = _on(draw(days))
        else:
            fields["satisfied"] = draw(st.booleans())
    elif kind == "TargetSet":
        fields = dict(region="140522", year=2025, figure="new_start_rate", by="Q1",
                      target=draw(st.sampled_from(["0.3000", "0.6000"])))
    return kind, p, draw(days), fields


@st.composite
def histories(draw):
    specs = draw(st.lists(fact_spec(), min_size=1, max_size=40))
    recorded = draw(st.lists(st.integers(0, 250 * 24 * 60), min_size=len(specs), max_size=len(specs), unique=True))
    events = []
    for (kind, p, day, fields), minute in zip(specs, recorded):
        at = (START + timedelta(minutes=minute)).isoformat()
        if kind == "EventRetracted":
            targets = [e for e in events if e["event_type"] not in ("EventRetracted", "TargetSet")]
            if not targets:
                continue
            target = draw(st.sampled_from(targets))
            events.append(event(kind, project_id=target["project_id"], occurred_on=_on(day), recorded_at=at,
                                retracted_event_id=target["event_id"], reason="x"))
            continue
        project_id = None if kind == "TargetSet" else p
        events.append(event(kind, project_id=project_id, occurred_on=_on(day), recorded_at=at, **fields))
    return events


def facts_of(events):
    return [fact_from_json(i + 1, e, to_micros(datetime.fromisoformat(e["recorded_at"]))) for i, e in enumerate(events)]


def run(facts, query):
    return report(visible(fold_all(facts), to_micros(query.as_of)), query)


QUERIES = [Query(region, parse_period(period), parse_as_of(as_of), level)
           for region, period, as_of, level in [
               ("140522", "2025Q1", "2025-04-10", None), ("1405", "2025H1", "2030-01-01", None),
               ("14", "2025-02", "2025-03-01", "province"), ("140521", "2025", "2025-06-01", None)]]
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(histories(), st.randoms(use_true_random=False))
def test_log_order_does_not_matter_when_recorded_times_differ(events, rng):
    shuffled = list(events)
    rng.shuffle(shuffled)
    for query in QUERIES:
        assert run(facts_of(events), query) == run(facts_of(shuffled), query)


@SETTINGS
@given(histories(), st.randoms(use_true_random=False))
def test_a_duplicate_never_changes_a_figure(events, rng):
    facts = facts_of(events)
    if not facts:
        return
    again = facts + [rng.choice(facts) for _ in range(5)]
    for query in QUERIES:
        assert run(facts, query) == run(again, query)


@SETTINGS
@given(histories(), st.integers(0, 250 * 24 * 60))
def test_a_report_as_of_t_ignores_everything_recorded_after_t(events, minute):
    cut = START + timedelta(minutes=minute)
    before = [e for e in events if datetime.fromisoformat(e["recorded_at"]) <= cut]
    for region, period, _, level in [("140522", "2025Q1", None, None), ("14", "2025", None, "county")]:
        query = Query(region, parse_period(period), cut, level)
        assert run(facts_of(events), query) == run(facts_of(before), query)

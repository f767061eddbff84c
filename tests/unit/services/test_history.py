"""The generated histories: deterministic, valid against CONTRACT §1–§2, realistic."""

import inspect
import random
import re
import tracemalloc
import uuid
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import orjson
import pytest

from tools.history.county import (
    OWNERS,
    PROCEDURE_DEPARTMENTS,
    PROCEDURES,
    demo_county,
    main,
    new_event_id,
    province,
    write_jsonl,
)

AMOUNT = re.compile(r"^\d+\.\d{2}$")
TARGET = re.compile(r"^\d+(\.\d{1,4})?$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RECORDED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
PROJECT_ID = re.compile(r"^\d{4}-14\d{4}-04-01-\d{6}$")
DEPARTMENTS = {"ndrc", "approval", "natural_resources", "ecology", "energy", "investment_promotion",
               "project_center", "stats", "supervision"}
FIGURES = {"new_start_rate", "resume_rate", "start_or_resume_rate", "investment_completion_rate",
           "signed_same_year_start_rate", "reserve_conversion_rate", "procedure_completion_rate",
           "stats_entry_rate", "investment_growth", "reserve_multiple", "problem_on_time_rate"}

# event type → (required payload keys, optional payload keys)
PAYLOADS = {
    "ProjectRegistered": ({"name", "region", "total_investment", "owner", "legal_entity", "origin", "categories",
                           "required_procedures"}, {"township"}),
    "AnnualPlanAdopted": ({"year", "construction", "planned_investment"}, set()),
    "KeyProjectDesignated": ({"year", "level"}, set()),
    "AgreementSigned": ({"investor", "agreed_investment"}, set()),
    "ProjectLanded": (set(), set()),
    "ProcedureApproved": ({"procedure", "document_no", "authority"}, set()),
    "ConstructionStarted": (set(), set()),
    "ConstructionResumed": ({"year"}, set()),
    "InvestmentReported": ({"year", "month", "amount"}, set()),
    "StatsEntrySubmitted": (set(), set()),
    "StatsEntryApproved": (set(), set()),
    "StatsEntryReturned": ({"reason"}, set()),
    "ProjectCompleted": (set(), set()),
    "ProductionStarted": (set(), set()),
    "DesignOutputReached": (set(), set()),
    "LeaderAssigned": ({"leader_id", "leader_name", "title"}, set()),
    "LeaderReleased": ({"leader_id"}, set()),
    "SiteVisitRecorded": ({"leader_id"}, set()),
    "ProblemRaised": ({"problem_id", "category", "description"}, set()),
    "ProblemAssigned": ({"problem_id", "unit", "due_on"}, set()),
    "ProblemResolved": ({"problem_id"}, set()),
    "ProblemFollowedUp": ({"problem_id", "satisfied"}, set()),
    "ProblemEscalated": ({"problem_id", "level"}, set()),
    "TargetSet": ({"region", "year", "figure", "by", "target"}, set()),
    "EventRetracted": ({"retracted_event_id", "reason"}, set()),
}


def is_str(value) -> bool:
    return isinstance(value, str) and value != ""


def is_year(value) -> bool:
    return type(value) is int and 2000 <= value <= 2100


def check_payload(event_type: str, p: dict) -> None:
    """The value rules of CONTRACT §2 for one payload."""
    if event_type == "ProjectRegistered":
        assert is_str(p["name"]) and is_str(p["owner"])
        assert re.fullmatch(r"14\d{4}", p["region"])
        assert p.get("township") is None or is_str(p["township"])
        assert AMOUNT.match(p["total_investment"])
        assert type(p["legal_entity"]) is bool
        assert p["origin"] in {"investment_attraction", "government", "enterprise"}
        assert set(p["categories"]) <= {"industrial", "private", "high_tech", "transformation", "six_new",
                                        "two_new_one_heavy"}
        assert 2 <= len(p["required_procedures"]) <= 6
        assert set(p["required_procedures"]) <= set(PROCEDURES)
        assert len(set(p["required_procedures"])) == len(p["required_procedures"])
    elif event_type == "AnnualPlanAdopted":
        assert is_year(p["year"]) and p["construction"] in {"new", "continuing"}
        assert AMOUNT.match(p["planned_investment"])
    elif event_type == "KeyProjectDesignated":
        assert is_year(p["year"]) and p["level"] in {"province", "city", "county"}
    elif event_type == "AgreementSigned":
        assert is_str(p["investor"]) and AMOUNT.match(p["agreed_investment"])
    elif event_type == "ProcedureApproved":
        assert p["procedure"] in PROCEDURES and is_str(p["document_no"]) and is_str(p["authority"])
    elif event_type == "ConstructionResumed":
        assert is_year(p["year"])
    elif event_type == "InvestmentReported":
        assert is_year(p["year"]) and type(p["month"]) is int and 1 <= p["month"] <= 12
        assert AMOUNT.match(p["amount"])
    elif event_type == "StatsEntryReturned":
        assert is_str(p["reason"])
    elif event_type == "LeaderAssigned":
        assert is_str(p["leader_id"]) and is_str(p["leader_name"]) and is_str(p["title"])
    elif event_type in ("LeaderReleased", "SiteVisitRecorded"):
        assert is_str(p["leader_id"])
    elif event_type == "ProblemRaised":
        assert is_str(p["problem_id"]) and is_str(p["category"]) and is_str(p["description"])
    elif event_type == "ProblemAssigned":
        assert is_str(p["problem_id"]) and is_str(p["unit"]) and DAY.match(p["due_on"])
        date.fromisoformat(p["due_on"])
    elif event_type == "ProblemResolved":
        assert is_str(p["problem_id"])
    elif event_type == "ProblemFollowedUp":
        assert is_str(p["problem_id"]) and type(p["satisfied"]) is bool
    elif event_type == "ProblemEscalated":
        assert is_str(p["problem_id"]) and p["level"] in {"county", "city", "province"}
    elif event_type == "TargetSet":
        assert re.fullmatch(r"14(\d{2}){0,2}", p["region"]) and is_year(p["year"])
        assert p["figure"] in FIGURES and p["by"] in {"Q1", "H1", "Q3", "Y"} and TARGET.match(p["target"])
    elif event_type == "EventRetracted":
        uuid.UUID(p["retracted_event_id"])
        assert is_str(p["reason"])


def check_history(events: list[dict]) -> None:
    """Every event valid; recording order; owners; duplicates identical; retractions well-formed."""
    seen: dict[str, dict] = {}
    units: dict[str, str] = {}
    previous = ""
    for e in events:
        assert set(e) == {"event_id", "event_type", "schema_version", "project_id", "occurred_on",
                          "recorded_at", "source", "payload"}
        assert str(uuid.UUID(e["event_id"])) == e["event_id"]
        assert e["schema_version"] == 1
        assert DAY.match(e["occurred_on"]) and RECORDED.match(e["recorded_at"]), e
        date.fromisoformat(e["occurred_on"])
        assert e["occurred_on"] <= e["recorded_at"][:10], e
        assert e["recorded_at"] >= previous, e
        previous = e["recorded_at"]
        assert set(e["source"]) == {"department", "system"} and is_str(e["source"]["system"])
        department = e["source"]["department"]
        assert department in DEPARTMENTS
        kind, payload = e["event_type"], e["payload"]
        required, optional = PAYLOADS[kind]
        assert required <= set(payload) <= required | optional, e
        check_payload(kind, payload)
        if kind == "TargetSet":
            assert e["project_id"] is None and department == "ndrc"
        else:
            assert PROJECT_ID.match(e["project_id"]), e
        if kind == "ProcedureApproved":
            assert department == PROCEDURE_DEPARTMENTS[payload["procedure"]]
        elif kind == "ProblemAssigned":
            units[payload["problem_id"]] = payload["unit"]
        elif kind == "ProblemResolved":
            assert department == units[payload["problem_id"]]
        elif kind == "EventRetracted":
            retracted = seen[payload["retracted_event_id"]]
            assert retracted["event_type"] != "EventRetracted"
            assert e["project_id"] == retracted["project_id"]
            assert department == retracted["source"]["department"]
        elif kind == "InvestmentReported":
            assert department in {"project_center", "stats"}
        else:
            assert department == OWNERS[kind], e
        if e["event_id"] in seen:
            assert seen[e["event_id"]] == e  # a duplicate is the same event again
        seen[e["event_id"]] = e


def as_of(events: list[dict], moment: str) -> list[dict]:
    """The events a report as of ``moment`` uses: recorded by then, not retracted by then, once each."""
    known = {e["event_id"]: e for e in events if e["recorded_at"] <= moment}
    retracted = {e["payload"]["retracted_event_id"] for e in known.values() if e["event_type"] == "EventRetracted"}
    return [e for i, e in known.items() if i not in retracted]


def in_force(events: list[dict], event_type: str, through: str, year: int | None = None) -> dict[str, dict]:
    """Per project, the version of an amendable fact in force on ``through`` (CONTRACT §2)."""
    versions = [(e["occurred_on"], e["recorded_at"], i, e) for i, e in enumerate(events)
                if e["event_type"] == event_type and e["occurred_on"] <= through
                and (year is None or e["payload"]["year"] == year)]
    return {e["project_id"]: e["payload"] for *_, e in sorted(versions, key=lambda v: v[:3])}


@pytest.fixture(scope="module")
def demo() -> list[dict]:
    return list(demo_county())


@pytest.fixture(scope="module")
def small_province() -> list[dict]:
    return list(province(projects=200, years=(2024,)))


# -- determinism and files ------------------------------------------------------------


def test_same_seed_gives_identical_bytes(tmp_path):
    first, second, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    write_jsonl(demo_county(7), first)
    write_jsonl(demo_county(7), second)
    write_jsonl(demo_county(8), other)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    a = b"".join(orjson.dumps(e) for e in province(seed=3, projects=50, years=(2024,)))
    b = b"".join(orjson.dumps(e) for e in province(seed=3, projects=50, years=(2024,)))
    assert a == b


def test_event_ids_are_uuid4_from_the_seeded_generator():
    left, right = random.Random(99), random.Random(99)
    for _ in range(1000):
        assert new_event_id(left) == str(uuid.UUID(int=right.getrandbits(128), version=4))


def test_write_jsonl_writes_utf8_lines_and_honours_limit(tmp_path):
    path = tmp_path / "demo.jsonl"
    assert write_jsonl(demo_county(), path, limit=100) == 100
    lines = path.read_bytes().splitlines()
    assert len(lines) == 100 and all(orjson.loads(line) for line in lines)
    assert "阳城".encode() in path.read_bytes()  # not \\u escaped


def test_command_line_writes_a_history(tmp_path, capsys):
    path = tmp_path / "p.jsonl"
    assert main(["province", str(path), "--projects", "30", "--years", "2024", "--limit", "500"]) == 0
    assert len(path.read_bytes().splitlines()) == 500
    assert "wrote 500 events" in capsys.readouterr().out


# -- the demo county --------------------------------------------------------------------


def test_demo_events_are_valid_and_in_recording_order(demo):
    check_history(demo)
    assert 5000 <= len(demo) <= 15000


def test_demo_key_project_levels_match_the_2024_document(demo):
    """阳政办函〔2024〕5号: 126 key projects, sums by level exact as known now."""
    through = "2024-12-31"
    now = as_of(demo, "9999")
    levels = in_force(now, "KeyProjectDesignated", through, 2024)
    registrations = in_force(now, "ProjectRegistered", through)
    plans = in_force(now, "AnnualPlanAdopted", through, 2024)
    sums = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for project, designation in levels.items():
        row = sums[designation["level"]]
        row[0] += 1
        row[1] += Decimal(registrations[project]["total_investment"])
        row[2] += Decimal(plans[project]["planned_investment"])
    assert sums == {
        "province": [6, Decimal("1069900.00"), Decimal("176100.00")],
        "city": [18, Decimal("7094000.00"), Decimal("269700.00")],
        "county": [102, Decimal("3130600.00"), Decimal("785600.00")],
    }


def test_demo_has_townships_targets_leaders_and_a_realistic_mix(demo):
    registrations = in_force(demo, "ProjectRegistered", "2024-12-31")
    assert {r["region"] for r in registrations.values()} == {"140522"}
    townships = {r["township"] for r in registrations.values()}
    assert "阳城经济技术开发区" in townships and 7 <= len(townships) <= 9
    plans = in_force(demo, "AnnualPlanAdopted", "2024-12-31", 2024)
    kinds = Counter(p["construction"] for p in plans.values())
    assert kinds["new"] > 50 and kinds["continuing"] > 30
    assert 150 <= len(registrations) <= 175
    targets = [e for e in demo if e["event_type"] == "TargetSet"]
    assert {(t["payload"]["figure"], t["payload"]["by"], t["payload"]["target"]) for t in targets} >= {
        ("new_start_rate", "Q1", "0.5000"), ("resume_rate", "Q1", "1.0000"),
        ("signed_same_year_start_rate", "Y", "0.4000"), ("procedure_completion_rate", "Y", "0.6500"),
        ("reserve_multiple", "Y", "5.0000")}
    leaders = Counter(e["payload"]["leader_id"] for e in demo if e["event_type"] == "LeaderAssigned")
    assert 14 <= len(leaders) <= 17 and all(3 <= n <= 10 for n in leaders.values())
    kinds = Counter(e["event_type"] for e in demo)
    for kind in PAYLOADS:
        assert kinds[kind] > 0, kind


def test_demo_new_starts_half_by_april_and_resumptions_mostly_in_q1(demo):
    plans = in_force(demo, "AnnualPlanAdopted", "2024-12-31", 2024)
    now = as_of(demo, "9999")
    starts = {e["project_id"]: e["occurred_on"] for e in now if e["event_type"] == "ConstructionStarted"}
    resumed = {e["project_id"]: e["occurred_on"] for e in now
               if e["event_type"] == "ConstructionResumed" and e["payload"]["year"] == 2024}
    new = [p for p, plan in plans.items() if plan["construction"] == "new"]
    continuing = [p for p, plan in plans.items() if plan["construction"] == "continuing"]
    by_april = sum("2024-01-01" <= starts.get(p, "9") <= "2024-04-10" for p in new) / len(new)
    by_december = sum("2024-01-01" <= starts.get(p, "9") <= "2024-12-31" for p in new) / len(new)
    assert 0.4 <= by_april <= 0.6 and 0.8 <= by_december < 1
    in_q1 = sum(resumed.get(p, "9") <= "2024-03-31" for p in continuing) / len(continuing)
    assert 0.7 <= in_q1 < 1 and any(p not in resumed for p in continuing)


def test_demo_reserve_projects_on_1_january_2024(demo):
    registered = {e["project_id"] for e in demo if e["event_type"] == "ProjectRegistered"
                  and e["occurred_on"] < "2024-01-01"}
    approved = {e["project_id"] for e in demo if e["event_type"] == "ProcedureApproved"
                and e["occurred_on"] < "2024-01-01"}
    started = {e["project_id"]: e["occurred_on"] for e in as_of(demo, "9999")
               if e["event_type"] == "ConstructionStarted"}
    reserve = {p for p in registered & approved if started.get(p, "9") >= "2024-01-01"}
    assert len(reserve) >= 10
    converted = [p for p in reserve if started.get(p, "9") <= "2024-12-31"]
    assert 0 < len(converted) < len(reserve)


def test_demo_investment_grows_year_on_year(demo):
    latest = {}
    for e in as_of(demo, "9999"):
        if e["event_type"] == "InvestmentReported":
            p = e["payload"]
            latest[e["project_id"], p["year"], p["month"]] = Decimal(p["amount"])
    totals = Counter()
    for (_, year, _), amount in latest.items():
        totals[year] += amount
    assert set(m for _, y, m in latest if y == 2023) == set(range(1, 13))
    assert 0 < totals[2024] / totals[2023] - 1 < 0.25


# -- irregularities: Q1 as published on 10 April differs from Q1 as known now ---------------

PUBLISHED = "2024-04-10T23:59:59+08:00"


def test_demo_has_late_q1_reports(demo):
    late_starts = [e for e in demo if e["event_type"] == "ConstructionStarted"
                   and "2024-03-01" <= e["occurred_on"] <= "2024-03-31" and e["recorded_at"] > PUBLISHED]
    first_reports = {}
    for e in demo:
        if e["event_type"] == "InvestmentReported":
            p = e["payload"]
            first_reports.setdefault((e["project_id"], p["year"], p["month"]), e)
    late_reports = [e for (_, y, m), e in first_reports.items() if (y, m) == (2024, 3) and e["recorded_at"] > PUBLISHED]
    assert late_starts and late_reports


def test_demo_has_corrections(demo):
    reports = defaultdict(list)
    for e in demo:
        if e["event_type"] == "InvestmentReported":
            p = e["payload"]
            reports[e["project_id"], p["year"], p["month"]].append(e)
    corrected = {k: v for k, v in reports.items() if len({e["event_id"] for e in v}) > 1
                 and len({e["payload"]["amount"] for e in v}) > 1}
    assert len(corrected) >= 10
    assert any(k[1:] <= (2024, 3) and k[1] == 2024 and v[-1]["recorded_at"] > PUBLISHED for k, v in corrected.items())


def test_demo_has_retractions_of_q1_facts(demo):
    by_id = {e["event_id"]: e for e in demo}
    retractions = [e for e in demo if e["event_type"] == "EventRetracted"]
    retracted = [by_id[e["payload"]["retracted_event_id"]] for e in retractions]
    assert {e["event_type"] for e in retracted} >= {"ConstructionStarted", "InvestmentReported", "ProcedureApproved"}
    wrong_start = next(e for e in retracted if e["event_type"] == "ConstructionStarted")
    assert wrong_start["occurred_on"] < "2024-04-01" and wrong_start["recorded_at"] < PUBLISHED
    retraction = next(r for r in retractions if r["payload"]["retracted_event_id"] == wrong_start["event_id"])
    assert retraction["recorded_at"] > PUBLISHED and retraction["occurred_on"].startswith("2024-05")


def test_demo_has_amendments(demo):
    registrations = defaultdict(list)
    plans = defaultdict(list)
    for e in demo:
        if e["event_type"] == "ProjectRegistered":
            registrations[e["project_id"]].append(e["payload"])
        elif e["event_type"] == "AnnualPlanAdopted" and e["payload"]["year"] == 2024:
            plans[e["project_id"]].append(e)
    amended = [v for v in registrations.values() if len(v) > 1]
    assert any(v[0]["total_investment"] != v[-1]["total_investment"] for v in amended)
    assert any(v[0]["township"] != v[-1]["township"] for v in amended)
    adjusted = [v for v in plans.values() if len(v) > 1]
    assert any(v[0]["payload"]["planned_investment"] != v[-1]["payload"]["planned_investment"]
               and v[-1]["occurred_on"][5:7] in ("06", "07", "08") for v in adjusted)


def test_demo_has_exact_duplicates(demo):
    counts = Counter(e["event_id"] for e in demo)
    duplicated = [i for i, n in counts.items() if n > 1]
    assert len(duplicated) >= 10
    for event_id in duplicated:
        copies = [e for e in demo if e["event_id"] == event_id]
        assert all(c == copies[0] for c in copies)


def test_demo_q1_as_published_differs_from_q1_as_known_now(demo):
    def q1(moment: str) -> tuple[int, Decimal, dict]:
        events = as_of(demo, moment)
        plans = in_force(events, "AnnualPlanAdopted", "2024-03-31", 2024)
        new = {p for p, plan in plans.items() if plan["construction"] == "new"}
        started = {e["project_id"] for e in events if e["event_type"] == "ConstructionStarted"
                   and "2024-01-01" <= e["occurred_on"] <= "2024-03-31"}
        latest = {}
        for e in events:
            if e["event_type"] == "InvestmentReported" and e["payload"]["year"] == 2024 and e["payload"]["month"] <= 3:
                latest[e["project_id"], e["payload"]["month"]] = Decimal(e["payload"]["amount"])
        townships = {p: r["township"] for p, r in in_force(events, "ProjectRegistered", "2024-03-31").items()}
        return len(new & started), sum(latest.values()), townships

    published, now = q1(PUBLISHED), q1("9999")
    assert published[0] != now[0]
    assert published[1] != now[1]
    assert published[2] != now[2]


# -- the province -------------------------------------------------------------------------


def test_province_events_are_valid(small_province):
    check_history(small_province)
    regions = {e["payload"]["region"] for e in small_province if e["event_type"] == "ProjectRegistered"}
    assert len({r[:4] for r in regions}) >= 8  # spread over the cities


def test_province_shares_of_irregularities(small_province):
    events = small_province
    reports = defaultdict(list)
    for e in events:
        if e["event_type"] == "InvestmentReported":
            p = e["payload"]
            reports[e["project_id"], p["year"], p["month"]].append(e)
    all_reports = sum(len({e["event_id"] for e in v}) for v in reports.values())
    superseded = sum(len({e["event_id"] for e in v}) - 1 for v in reports.values())
    assert 0.01 <= superseded / all_reports <= 0.04
    late = sum(1 for (_, y, m), v in reports.items()
               if v[0]["recorded_at"][:10] > date(y + m // 12, m % 12 + 1, 10).isoformat())
    assert 0.01 <= late / len(reports) <= 0.06
    kinds = Counter(e["event_type"] for e in events)
    assert 0.0005 <= kinds["EventRetracted"] / len(events) <= 0.006
    duplicates = len(events) - len({e["event_id"] for e in events})
    assert 0.0005 <= duplicates / len(events) <= 0.008
    registered = Counter(e["project_id"] for e in events if e["event_type"] == "ProjectRegistered")
    planned = Counter(e["project_id"] for e in events if e["event_type"] == "AnnualPlanAdopted")
    assert any(n > 1 for n in registered.values()) or any(n > 1 for n in planned.values())
    assert len(registered) == 200


def test_province_projects_have_a_few_dozen_facts_a_year(small_province):
    per_project = Counter(e["project_id"] for e in small_province if e["project_id"])
    assert 20 <= sum(per_project.values()) / len(per_project) <= 80
    reports = Counter((e["project_id"], e["payload"]["year"]) for e in small_province
                      if e["event_type"] == "InvestmentReported")
    assert max(reports.values()) >= 12


def peak_memory(history) -> tuple[int, int]:
    """(events, peak traced bytes) while consuming ``history`` one event at a time."""
    tracemalloc.start()
    try:
        count = sum(1 for _ in history)
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_province_streams_without_holding_the_history():
    assert inspect.isgenerator(province(projects=10, years=(2024,)))
    peak_memory(province(projects=10, years=(2024,)))  # imports and first-call caches
    three_years = peak_memory(province(projects=300, years=(2023, 2024, 2025)))
    seven_years = peak_memory(province(projects=300, years=tuple(range(2019, 2026))))
    assert seven_years[0] > 1.5 * three_years[0]
    assert seven_years[1] < 1.2 * three_years[1]  # memory does not grow with the number of events
    assert three_years[1] < three_years[0] * 300 / 2  # far below the history itself (~340 bytes an event)

"""The generated histories: deterministic, valid against CONTRACT §1–§2 and §5, realistic."""

import inspect
import random
import re
import tracemalloc
import uuid
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import orjson
import pytest

from events.catalogue import PROCEDURE_ISSUERS
from events.codec import validate_object
from tools.history.county import (
    FAI_TARGET_2024,
    FUNDING_CHANNELS,
    OWNERS,
    PROCEDURES,
    PROCEDURES_V1,
    V2_FROM,
    YANGCHENG_TOWNSHIPS,
    demo_county,
    new_event_id,
    write_jsonl,
)
from tools.history.__main__ import main, parse_years
from tools.history.province import province

AMOUNT = re.compile(r"^\d+\.\d{2}$")
RATE_TARGET = re.compile(r"^\d+\.\d{4}$")
COUNT_TARGET = re.compile(r"^\d+$")
COORDINATE = re.compile(r"^\d{2,3}\.\d{1,6}$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RECORDED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
PROJECT_ID = re.compile(r"^\d{4}-14\d{4}-04-01-\d{6}$")
DEPARTMENTS = {"ndrc", "approval", "natural_resources", "ecology", "energy", "water", "housing", "industry",
               "culture", "finance", "investment_promotion", "project_center", "stats", "supervision"}
CATEGORIES_V1 = {"industrial", "private", "high_tech", "transformation", "six_new", "two_new_one_heavy"}
CATEGORIES = CATEGORIES_V1 | {"industry"}
FIGURES_V1 = {"new_start_rate", "resume_rate", "start_or_resume_rate", "investment_completion_rate",
              "signed_same_year_start_rate", "reserve_conversion_rate", "procedure_completion_rate",
              "stats_entry_rate", "investment_growth", "reserve_multiple", "problem_on_time_rate"}
AMOUNT_FIGURES = {"investment_total", "signed_investment", "funding_secured", "reserve_investment"}
COUNT_FIGURES = {"signed_count", "landed_count", "started_count", "production_count", "output_count"}
FIGURES = FIGURES_V1 | AMOUNT_FIGURES | COUNT_FIGURES | {
    "investment_share", "landing_rate", "due_start_rate", "conceived_multiple", "conceived_count_multiple",
    "reserve_to_conceived"}
MILESTONES_V1 = {"Q1", "H1", "Q3", "Y"}
MILESTONES = MILESTONES_V1 | {f"M{m:02d}" for m in range(1, 13)}
MILESTONE_MONTHS = {"Q1": 3, "H1": 6, "Q3": 9, "Y": 12, **{f"M{m:02d}": m for m in range(1, 13)}}
# The types v2 revised: sent as v1 before the systems' move to v2 (V2_FROM), as v2 after it.
VERSIONED_BY_DAY = {"ProjectRegistered", "AnnualPlanAdopted", "LeaderAssigned"}

# (event type, schema_version) → (required payload keys, optional payload keys)
PAYLOADS = {
    ("ProjectRegistered", 1): ({"name", "region", "total_investment", "owner", "legal_entity", "origin",
                                "categories", "required_procedures"}, {"township"}),
    ("ProjectRegistered", 2): ({"name", "region", "total_investment", "owner", "legal_entity", "origin",
                                "categories", "required_procedures"}, {"township", "location", "village"}),
    ("AnnualPlanAdopted", 1): ({"year", "construction", "planned_investment"}, set()),
    ("AnnualPlanAdopted", 2): ({"year", "construction", "planned_investment"},
                               {"planned_start_month", "planned_start_dekad"}),
    ("KeyProjectDesignated", 1): ({"year", "level"}, set()),
    ("AgreementSigned", 1): ({"investor", "agreed_investment"}, set()),
    ("ProjectLanded", 1): (set(), set()),
    ("ProcedureApproved", 1): ({"procedure", "document_no", "authority"}, set()),
    ("ProcedureApproved", 2): ({"procedure", "document_no", "authority"}, set()),
    ("ProcedurePlanned", 1): ({"procedure", "level", "due_on", "unit", "leader", "officer"}, set()),
    ("FundingSecured", 1): ({"channel", "amount", "document_no"}, set()),
    ("ConstructionStarted", 1): (set(), set()),
    ("ConstructionResumed", 1): ({"year"}, set()),
    ("InvestmentReported", 1): ({"year", "month", "amount"}, set()),
    ("StatsEntrySubmitted", 1): (set(), set()),
    ("StatsEntryApproved", 1): (set(), set()),
    ("StatsEntryReturned", 1): ({"reason"}, set()),
    ("ProjectCompleted", 1): (set(), set()),
    ("ProductionStarted", 1): (set(), set()),
    ("DesignOutputReached", 1): (set(), set()),
    ("LeaderAssigned", 1): ({"leader_id", "leader_name", "title"}, set()),
    ("LeaderAssigned", 2): ({"leader_id", "leader_name", "title"}, {"role"}),
    ("LeaderReleased", 1): ({"leader_id"}, set()),
    ("SiteVisitRecorded", 1): ({"leader_id"}, set()),
    ("ProblemRaised", 1): ({"problem_id", "category", "description"}, set()),
    ("ProblemAssigned", 1): ({"problem_id", "unit", "due_on"}, set()),
    ("ProblemResolved", 1): ({"problem_id"}, set()),
    ("ProblemFollowedUp", 1): ({"problem_id", "satisfied"}, set()),
    ("ProblemEscalated", 1): ({"problem_id", "level"}, set()),
    ("TargetSet", 1): ({"region", "year", "figure", "by", "target"}, set()),
    ("TargetSet", 2): ({"region", "year", "figure", "by", "target"}, {"township"}),
    ("EventRetracted", 1): ({"retracted_event_id", "reason"}, set()),
}
TYPES = {kind for kind, _ in PAYLOADS}


def is_str(value) -> bool:
    return isinstance(value, str) and value != ""


def is_year(value) -> bool:
    return type(value) is int and 2000 <= value <= 2100


def check_target(figure: str, target: str) -> None:
    pattern = AMOUNT if figure in AMOUNT_FIGURES else COUNT_TARGET if figure in COUNT_FIGURES else RATE_TARGET
    assert pattern.match(target), (figure, target)


def check_payload(event_type: str, version: int, p: dict) -> None:
    """The value rules of CONTRACT §2 and §5 for one payload."""
    if event_type == "ProjectRegistered":
        assert is_str(p["name"]) and is_str(p["owner"])
        assert re.fullmatch(r"14\d{4}", p["region"])
        assert p.get("township") is None or is_str(p["township"])
        assert AMOUNT.match(p["total_investment"])
        assert type(p["legal_entity"]) is bool
        assert p["origin"] in {"investment_attraction", "government", "enterprise"}
        assert set(p["categories"]) <= (CATEGORIES_V1 if version == 1 else CATEGORIES)
        assert 2 <= len(p["required_procedures"]) <= 10
        assert set(p["required_procedures"]) <= set(PROCEDURES_V1 if version == 1 else PROCEDURES)
        assert len(set(p["required_procedures"])) == len(p["required_procedures"])
        if "location" in p:
            assert set(p["location"]) == {"lng", "lat"}
            assert COORDINATE.match(p["location"]["lng"]) and COORDINATE.match(p["location"]["lat"])
            assert 110 < Decimal(p["location"]["lng"]) < 115 and 34.5 < Decimal(p["location"]["lat"]) < 40.8  # Shanxi
        if "village" in p:
            assert is_str(p["village"]) and p["village"].endswith("村") and is_str(p.get("township"))
    elif event_type == "AnnualPlanAdopted":
        assert is_year(p["year"]) and p["construction"] in {"new", "continuing"}
        assert AMOUNT.match(p["planned_investment"])
        if "planned_start_month" in p:
            assert type(p["planned_start_month"]) is int and 1 <= p["planned_start_month"] <= 12
        if "planned_start_dekad" in p:
            assert p["planned_start_dekad"] in (1, 2, 3) and "planned_start_month" in p
    elif event_type == "KeyProjectDesignated":
        assert is_year(p["year"]) and p["level"] in {"province", "city", "county"}
    elif event_type == "AgreementSigned":
        assert is_str(p["investor"]) and AMOUNT.match(p["agreed_investment"])
    elif event_type == "ProcedureApproved":
        assert p["procedure"] in (PROCEDURES_V1 if version == 1 else PROCEDURES)
        assert is_str(p["document_no"]) and is_str(p["authority"])
    elif event_type == "ProcedurePlanned":
        assert p["procedure"] in PROCEDURES and p["level"] in {"county", "city", "province", "national"}
        assert DAY.match(p["due_on"]) and is_str(p["unit"]) and is_str(p["leader"]) and is_str(p["officer"])
        date.fromisoformat(p["due_on"])
    elif event_type == "FundingSecured":
        assert p["channel"] in FUNDING_CHANNELS and AMOUNT.match(p["amount"]) and is_str(p["document_no"])
    elif event_type == "ConstructionResumed":
        assert is_year(p["year"])
    elif event_type == "InvestmentReported":
        assert is_year(p["year"]) and type(p["month"]) is int and 1 <= p["month"] <= 12
        assert AMOUNT.match(p["amount"])
    elif event_type == "StatsEntryReturned":
        assert is_str(p["reason"])
    elif event_type == "LeaderAssigned":
        assert is_str(p["leader_id"]) and is_str(p["leader_name"]) and is_str(p["title"])
        assert p.get("role", "leader") in {"leader", "lead_unit", "support_unit"}
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
        assert p["figure"] in (FIGURES_V1 if version == 1 else FIGURES)
        assert p["by"] in (MILESTONES_V1 if version == 1 else MILESTONES)
        check_target(p["figure"], p["target"])
        if "township" in p:
            assert is_str(p["township"]) and len(p["region"]) == 6
    elif event_type == "EventRetracted":
        uuid.UUID(p["retracted_event_id"])
        assert is_str(p["reason"])


def check_history(events: list[dict]) -> None:
    """Every event valid (by the catalogue itself too); recording order; versions by the day the
    systems moved to v2; owners, and each approval from a department that issues it; duplicates
    identical; retractions well-formed."""
    seen: dict[str, dict] = {}
    units: dict[str, str] = {}
    previous = ""
    for e in events:
        assert set(e) == {"event_id", "event_type", "schema_version", "project_id", "occurred_on",
                          "recorded_at", "source", "payload"}
        assert str(uuid.UUID(e["event_id"])) == e["event_id"]
        kind, version, payload = e["event_type"], e["schema_version"], e["payload"]
        assert (kind, version) in PAYLOADS, e
        assert DAY.match(e["occurred_on"]) and RECORDED.match(e["recorded_at"]), e
        date.fromisoformat(e["occurred_on"])
        assert e["occurred_on"] <= e["recorded_at"][:10], e
        assert e["recorded_at"] >= previous, e
        previous = e["recorded_at"]
        assert set(e["source"]) == {"department", "system"} and is_str(e["source"]["system"])
        department = e["source"]["department"]
        assert department in DEPARTMENTS
        required, optional = PAYLOADS[kind, version]
        assert required <= set(payload) <= required | optional, e
        check_payload(kind, version, payload)
        after_v2 = e["occurred_on"] >= V2_FROM.isoformat()
        if kind in VERSIONED_BY_DAY:
            assert version == (2 if after_v2 else 1), e
        if version == 2 or kind in ("ProcedurePlanned", "FundingSecured"):
            assert after_v2, e
        if kind == "TargetSet":
            assert e["project_id"] is None and department == "ndrc"
        else:
            assert PROJECT_ID.match(e["project_id"]), e
        if kind == "ProcedureApproved":
            assert department in PROCEDURE_ISSUERS[payload["procedure"]], e
        elif kind == "FundingSecured":
            assert department == FUNDING_CHANNELS[payload["channel"]][0], e
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
        else:
            validate_object(e)
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


def in_force_events(events: list[dict], event_type: str, through: str, year: int | None = None) -> dict[str, dict]:
    """Like :func:`in_force`, the whole events."""
    versions = [(e["occurred_on"], e["recorded_at"], i, e) for i, e in enumerate(events)
                if e["event_type"] == event_type and e["occurred_on"] <= through
                and (year is None or e["payload"]["year"] == year)]
    return {e["project_id"]: e for *_, e in sorted(versions, key=lambda v: v[:3])}


def month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def planned_due(plan: dict) -> date | None:
    """The last day of the planned 旬 (or month) of a plan entry (CONTRACT §6 due_start_rate)."""
    month = plan.get("planned_start_month")
    if month is None:
        return None
    dekad = plan.get("planned_start_dekad")
    last = month_end(plan["year"], month)
    return last if dekad in (None, 3) else date(plan["year"], month, 10 * dekad)


def pipeline(events: list[dict], day: str, year: int) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Projects conceived (谋划) and in reserve (储备) on ``day`` (CONTRACT §3, §6), with their
    total investment (registration in force the day before)."""
    through = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    registrations = in_force(events, "ProjectRegistered", through)
    approved = {e["project_id"] for e in events if e["event_type"] == "ProcedureApproved" and e["occurred_on"] < day}
    started = {e["project_id"] for e in events if e["event_type"] == "ConstructionStarted" and e["occurred_on"] < day}
    planned = set(in_force(events, "AnnualPlanAdopted", through, year))
    total = {p: Decimal(r["total_investment"]) for p, r in registrations.items() if p not in started}
    conceived = {p: t for p, t in total.items() if p not in approved and p not in planned}
    reserve = {p: t for p, t in total.items() if p in approved}
    return conceived, reserve


@pytest.fixture(scope="module")
def demo() -> list[dict]:
    return list(demo_county())


@pytest.fixture(scope="module")
def small_province() -> list[dict]:
    return list(province(projects=200, years=(2024,)))


@pytest.fixture(scope="module")
def small_decade() -> list[dict]:
    return list(province(projects=600, years=tuple(range(2016, 2026))))


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
    assert parse_years("2016-2025") == tuple(range(2016, 2026)) and parse_years("2023,2025") == (2023, 2025)


def test_the_shipped_demo_file_is_the_generated_demo():
    """services/entry/data/yangcheng-2024.jsonl.gz is demo_county() as JSON lines, gzip level 9, mtime 0."""
    import gzip
    from pathlib import Path

    shipped = Path(__file__).parents[3] / "services" / "entry" / "data" / "yangcheng-2024.jsonl.gz"
    data = b"".join(orjson.dumps(e) + b"\n" for e in demo_county())
    assert gzip.decompress(shipped.read_bytes()) == data
    assert shipped.read_bytes() == gzip.compress(data, 9, mtime=0)


# -- the demo county --------------------------------------------------------------------


def test_demo_events_are_valid_and_in_recording_order(demo):
    check_history(demo)
    assert 8000 <= len(demo) <= 16000


def test_demo_holds_every_type_and_both_catalogue_versions(demo):
    """A store that has lived through the move to v2: the revised types in both versions, the new
    types, and every v2 field in use."""
    versions = Counter((e["event_type"], e["schema_version"]) for e in demo)
    for kind in TYPES:
        assert any(versions[kind, v] for v in (1, 2)), kind
    for kind in ("ProjectRegistered", "AnnualPlanAdopted", "ProcedureApproved", "TargetSet"):
        assert versions[kind, 1] and versions[kind, 2], kind
    assert versions["LeaderAssigned", 2] and versions["ProcedurePlanned", 1] and versions["FundingSecured", 1]
    assert versions["ProjectLanded", 1] and versions["ProductionStarted", 1] and versions["DesignOutputReached", 1]
    registrations = [e["payload"] for e in demo if e["event_type"] == "ProjectRegistered" and e["schema_version"] == 2]
    assert sum("industry" in r["categories"] for r in registrations) >= 50
    assert sum("location" in r for r in registrations) >= 100 and sum("village" in r for r in registrations) >= 50
    required = Counter(c for r in registrations for c in r["required_procedures"])
    assert all(required[c] >= 5 for c in ("capacity_replacement", "water_use", "cultural_relics", "fire_acceptance"))
    plans = [e["payload"] for e in demo if e["event_type"] == "AnnualPlanAdopted" and e["schema_version"] == 2]
    assert any("planned_start_dekad" in p for p in plans) and any("planned_start_dekad" not in p for p in plans)
    roles = Counter(e["payload"].get("role", "leader") for e in demo if e["event_type"] == "LeaderAssigned")
    assert roles["leader"] and roles["lead_unit"] and roles["support_unit"]
    targets = [e["payload"] for e in demo if e["event_type"] == "TargetSet" and e["schema_version"] == 2]
    assert any(t["by"].startswith("M") and t["figure"] in FIGURES - AMOUNT_FIGURES - COUNT_FIGURES for t in targets)
    assert any(t["figure"] in AMOUNT_FIGURES for t in targets) and any(t["figure"] in COUNT_FIGURES for t in targets)
    assert any("township" in t for t in targets)
    approved = [e["payload"]["procedure"] for e in demo if e["event_type"] == "ProcedureApproved"]
    assert {"capacity_replacement", "water_use", "cultural_relics", "fire_acceptance"} <= set(approved)


def test_demo_registrations_move_to_v2_and_places_lie_in_the_county(demo):
    """v1 registrations are completed in v2 for the 2024 plan (a project's registration in force
    changes version); coordinates lie in 阳城, villages in a named township."""
    versions = defaultdict(list)
    for e in demo:
        if e["event_type"] == "ProjectRegistered":
            versions[e["project_id"]].append(e["schema_version"])
            p = e["payload"]
            assert p["region"] == "140522"
            if "location" in p:
                assert 112.0 < float(p["location"]["lng"]) < 112.7 and 35.2 < float(p["location"]["lat"]) < 35.7
    assert sum(v[0] == 1 and v[-1] == 2 for v in versions.values()) >= 50
    assert sum(v == [1] for v in versions.values()) >= 20  # and some are still v1


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
    assert kinds["new"] >= 113 and kinds["continuing"] > 100  # 1366: 113 planned starts
    assert 250 <= len(plans) <= 300  # 阳城 2025: 285 projects
    assert 500 <= len(registrations) <= 600
    targets = [e for e in demo if e["event_type"] == "TargetSet"]
    assert {(t["payload"]["figure"], t["payload"]["by"], t["payload"]["target"]) for t in targets} >= {
        ("new_start_rate", "Q1", "0.5000"), ("resume_rate", "Q1", "1.0000"),
        ("signed_same_year_start_rate", "Y", "0.4000"), ("procedure_completion_rate", "Y", "0.6500"),
        ("reserve_multiple", "Y", "5.0000"), ("investment_total", "M12", "1600500.00"),
        ("funding_secured", "Y", "40000.00"), ("conceived_count_multiple", "Y", "1.5000"),
        ("reserve_to_conceived", "Y", "0.3500")}
    leaders = Counter(e["payload"]["leader_id"] for e in demo
                      if e["event_type"] == "LeaderAssigned" and e["payload"].get("role", "leader") == "leader")
    assert 14 <= len(leaders) <= 17 and all(3 <= n <= 10 for n in leaders.values())


def test_demo_targets_agree_where_milestones_meet_and_cover_every_township(demo):
    """M03 is Q1's day, M06 H1's, M12 Y's: whichever target is recorded last, it is the same; the
    township targets (五个一批, investment) name every township of the county."""
    by_day = defaultdict(set)
    townships = defaultdict(set)
    for e in demo:
        if e["event_type"] == "TargetSet":
            t = e["payload"]
            if "township" in t:
                townships[t["figure"]].add(t["township"])
            else:
                by_day[t["figure"], MILESTONE_MONTHS[t["by"]]].add(t["target"])
    assert all(len(values) == 1 for values in by_day.values()), by_day
    assert {m for f, m in by_day if f == "new_start_rate"} == set(range(1, 13))
    for figure in COUNT_FIGURES | {"investment_total"}:
        assert townships[figure] == set(YANGCHENG_TOWNSHIPS), figure


def test_demo_headline_numbers_are_yangcheng_like(demo):
    """FAI near 1366's 160.05亿 target, a plan of ~170亿, 招商签约 near 180亿, 争取资金 ~4亿."""
    now = as_of(demo, "9999")
    latest = {}
    for e in now:
        if e["event_type"] == "InvestmentReported" and e["payload"]["year"] == 2024:
            latest[e["project_id"], e["payload"]["month"]] = Decimal(e["payload"]["amount"])
    fai = sum(latest.values())
    assert Decimal("0.85") * FAI_TARGET_2024 <= fai <= FAI_TARGET_2024
    plans = in_force(now, "AnnualPlanAdopted", "2024-12-31", 2024)
    assert 1_550_000 <= sum(Decimal(p["planned_investment"]) for p in plans.values()) <= 1_900_000
    signed = sum(Decimal(e["payload"]["agreed_investment"]) for e in now
                 if e["event_type"] == "AgreementSigned" and e["occurred_on"].startswith("2024"))
    assert 1_500_000 <= signed <= 2_200_000
    funding = [e for e in now if e["event_type"] == "FundingSecured"]
    assert 30_000 <= sum(Decimal(e["payload"]["amount"]) for e in funding) <= 50_000
    assert {e["payload"]["channel"] for e in funding} == set(FUNDING_CHANNELS)
    assert len({e["payload"]["document_no"] for e in funding}) < len(funding)  # one document, several projects


def test_demo_pipeline_is_at_the_1366_scale(demo):
    """谋划 Σ ≥ 4 × the FAI target and about 1.5 × as many projects as new ones; 储备 ≥ 35 % of 谋划;
    ideas mature into reserve projects during the year."""
    now = as_of(demo, "9999")
    conceived, reserve = pipeline(now, "2025-01-01", 2024)
    plans = in_force(now, "AnnualPlanAdopted", "2024-12-31", 2024)
    new = sum(p["construction"] == "new" for p in plans.values())
    assert sum(conceived.values()) >= 4 * FAI_TARGET_2024
    assert 1.3 * new <= len(conceived) <= 1.8 * new
    assert Decimal("0.35") * sum(conceived.values()) <= sum(reserve.values()) <= sum(conceived.values())
    early, _ = pipeline(now, "2024-04-01", 2024)
    matured = [p for p in early if p in reserve]
    assert len(matured) >= 10


def test_demo_starts_mostly_follow_the_plan_to_the_dekad(demo):
    """开复工计划到月、到旬: every 2024 plan names a month, most a 旬; by the year's end most
    projects started (or resumed) by their due day, some late, some not at all."""
    now = as_of(demo, "9999")
    plans = in_force(now, "AnnualPlanAdopted", "2024-12-31", 2024)
    assert all("planned_start_month" in p for p in plans.values())
    assert 0.5 <= sum("planned_start_dekad" in p for p in plans.values()) / len(plans) <= 0.9
    starts = {e["project_id"]: e["occurred_on"] for e in now if e["event_type"] == "ConstructionStarted"
              and e["occurred_on"].startswith("2024")}
    resumed = {e["project_id"]: e["occurred_on"] for e in now if e["event_type"] == "ConstructionResumed"
               and e["payload"]["year"] == 2024}
    fates = Counter()
    for project, plan in plans.items():
        due = planned_due(plan).isoformat()
        actual = (starts if plan["construction"] == "new" else resumed).get(project)
        fates["not started" if actual is None else "on time" if actual <= due else "late"] += 1
    assert fates["on time"] > 0.7 * len(plans)
    assert fates["late"] >= 10 and fates["not started"] >= 10


def test_demo_procedure_list_has_levels_deadlines_and_outcomes(demo):
    """前期手续清单: items for the new projects of the plan and the reserve projects, from the
    approval bureau, with level, deadline, unit, leader and officer; most done by the deadline,
    some late, some still open; some deadlines pushed back by a later item."""
    now = as_of(demo, "9999")
    items = defaultdict(list)
    for e in now:
        if e["event_type"] == "ProcedurePlanned":
            items[e["project_id"], e["payload"]["procedure"]].append(e)
    assert len(items) >= 150
    assert {e["payload"]["level"] for v in items.values() for e in v} >= {"county", "city", "province"}
    approved = {}
    for e in now:
        if e["event_type"] == "ProcedureApproved":
            approved.setdefault((e["project_id"], e["payload"]["procedure"]), e["occurred_on"])
    outcome = Counter()
    for key, versions in items.items():
        due = versions[-1]["payload"]["due_on"]
        done = approved.get(key)
        outcome["open" if done is None else "on time" if done <= due else "late"] += 1
        assert not done or done >= versions[0]["occurred_on"]  # listed while still missing
    assert outcome["on time"] > outcome["late"] > 0 and outcome["open"] > 0
    moved = [v for v in items.values() if len(v) > 1]
    assert moved and all(v[-1]["payload"]["due_on"] > v[0]["payload"]["due_on"] for v in moved)


def test_demo_key_projects_have_a_leader_and_a_lead_unit(demo):
    """双包联: a county leader and a lead unit for almost every key project; the coverage list
    (missing either) is short but not empty."""
    key = set(in_force(demo, "KeyProjectDesignated", "2024-12-31", 2024))
    roles = defaultdict(set)
    for e in demo:
        if e["event_type"] == "LeaderAssigned":
            roles[e["project_id"]].add(e["payload"].get("role", "leader"))
            if e["payload"].get("role") in ("lead_unit", "support_unit"):
                assert e["payload"]["leader_id"].startswith("U-140522-") and e["payload"]["leader_name"][-1] in "局心会"
    both = [p for p in key if {"leader", "lead_unit"} <= roles[p]]
    assert len(both) >= 0.9 * len(key)
    assert any("leader" not in roles[p] for p in key) and any("lead_unit" not in roles[p] for p in key)
    assert all(roles[p] & {"leader", "lead_unit"} for p in key)


def test_demo_five_batches_are_spread_over_the_year_and_the_townships(demo):
    """五个一批 by township: signings, landings, starts, production and output in many months."""
    now = as_of(demo, "9999")
    registrations = in_force(now, "ProjectRegistered", "2024-12-31")
    for kind, months, townships in (("AgreementSigned", 7, 6), ("ProjectLanded", 7, 6), ("ConstructionStarted", 9, 8),
                                    ("ProductionStarted", 6, 5), ("DesignOutputReached", 3, 3)):
        events = [e for e in now if e["event_type"] == kind and e["occurred_on"].startswith("2024")]
        assert len({e["occurred_on"][5:7] for e in events}) >= months, kind
        assert len({registrations[e["project_id"]]["township"] for e in events}) >= townships, kind


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


def test_province_events_are_valid(small_province, small_decade):
    for events in (small_province, small_decade):
        check_history(events)
        regions = {e["payload"]["region"] for e in events if e["event_type"] == "ProjectRegistered"}
        assert len({r[:4] for r in regions}) >= 8  # spread over the cities


def test_province_holds_every_new_type_and_version(small_province):
    """Even a year of 200 projects has the campaign's v2 facts."""
    events = small_province
    versions = Counter((e["event_type"], e["schema_version"]) for e in events)
    for kind in ("ProjectRegistered", "ProcedureApproved", "TargetSet"):
        assert versions[kind, 1] and versions[kind, 2], kind
    for kind in ("ProcedurePlanned", "FundingSecured", "ProjectLanded", "ProductionStarted", "DesignOutputReached"):
        assert versions[kind, 1], kind
    plans = [e["payload"] for e in events if e["event_type"] == "AnnualPlanAdopted" and e["schema_version"] == 2]
    assert plans and all("planned_start_month" in p for p in plans)
    assert 0.5 <= sum("planned_start_dekad" in p for p in plans) / len(plans) <= 0.9
    roles = Counter(e["payload"].get("role") for e in events if e["event_type"] == "LeaderAssigned")
    assert roles["leader"] and roles["lead_unit"] and roles["support_unit"]
    targets = [e["payload"] for e in events if e["event_type"] == "TargetSet" and e["schema_version"] == 2]
    assert any(t["by"].startswith("M") for t in targets)
    assert {t["figure"] for t in targets} >= AMOUNT_FIGURES | COUNT_FIGURES
    assert any("township" in t for t in targets)
    registrations = [e["payload"] for e in events
                     if e["event_type"] == "ProjectRegistered" and e["schema_version"] == 2]
    assert any("industry" in r["categories"] for r in registrations)
    assert any("location" in r for r in registrations) and any("village" in r for r in registrations)
    assert any(set(r["required_procedures"]) - set(PROCEDURES_V1) for r in registrations)


def test_province_targets_agree_where_milestones_meet(small_province):
    """Per region, a month-end target and a Q1/H1/Y target of the same day are the same; township
    targets name a county and one of its townships."""
    by_day = defaultdict(set)
    townships = {e["payload"]["region"]: e["payload"]["township"] for e in small_province
                 if e["event_type"] == "ProjectRegistered"}
    for e in small_province:
        if e["event_type"] == "TargetSet":
            t = e["payload"]
            if "township" in t:
                assert len(t["region"]) == 6 and t["figure"] in {"signed_count", "started_count", "investment_total"}
            else:
                by_day[t["region"], t["figure"], MILESTONE_MONTHS[t["by"]]].add(t["target"])
    assert all(len(values) == 1 for values in by_day.values())
    named = {(e["payload"]["region"], e["payload"]["township"]) for e in small_province
             if e["event_type"] == "TargetSet" and "township" in e["payload"]}
    assert all((region, township) in named for region, township in townships.items())


def test_province_plans_lists_funds_and_units(small_decade):
    """Over years after the move to v2: planned starts mostly kept, some late or missed; list
    items mostly met, some missed or moved; funds from ndrc or finance by channel (超长期特别国债
    from 2024); most key projects with a lead unit, a few without."""
    events = as_of(small_decade, "9999")
    starts = {e["project_id"]: e["occurred_on"] for e in events if e["event_type"] == "ConstructionStarted"}
    resumed = {(e["project_id"], e["payload"]["year"]): e["occurred_on"] for e in events
               if e["event_type"] == "ConstructionResumed"}
    fates = Counter()
    for year in (2024, 2025):
        for project, plan in in_force(events, "AnnualPlanAdopted", f"{year}-12-31", year).items():
            due = planned_due(plan).isoformat()
            actual = starts.get(project) if plan["construction"] == "new" else resumed.get((project, year))
            if actual and not actual.startswith(str(year)):
                actual = None
            fates["not started" if actual is None else "on time" if actual <= due else "late"] += 1
    assert fates["on time"] > 0.6 * sum(fates.values()) and fates["late"] and fates["not started"]
    items = defaultdict(list)
    for e in events:
        if e["event_type"] == "ProcedurePlanned":
            items[e["project_id"], e["payload"]["procedure"]].append(e["payload"]["due_on"])
    approved = {(e["project_id"], e["payload"]["procedure"]): e["occurred_on"] for e in events
                if e["event_type"] == "ProcedureApproved"}
    outcome = Counter("open" if k not in approved else "on time" if approved[k] <= v[-1] else "late"
                      for k, v in items.items())
    assert outcome["on time"] > outcome["late"] > 0 and outcome["open"]
    assert any(len(v) > 1 and v[-1] > v[0] for v in items.values())
    funds = [e for e in events if e["event_type"] == "FundingSecured"]
    assert {e["payload"]["channel"] for e in funds} == set(FUNDING_CHANNELS)
    assert all(e["occurred_on"] >= "2024" for e in funds if e["payload"]["channel"] == "ultra_long_bond")
    key = {e["project_id"] for e in events
           if e["event_type"] == "KeyProjectDesignated" and e["payload"]["year"] == 2025}
    units = {e["project_id"] for e in events if e["event_type"] == "LeaderAssigned"
             and e["payload"].get("role") == "lead_unit"}
    assert 0.85 * len(key) <= len(key & units) < len(key)


def test_province_decade_flows_steadily_through_the_pipeline(small_decade):
    """Ten years: as many starts, completions and monthly reports late in the decade as early;
    projects registered in the decade pass 谋划 → 储备 → plan → start → completion inside it."""
    events = small_decade
    per_year = defaultdict(Counter)
    first = defaultdict(dict)
    for e in events:
        kind, year = e["event_type"], int(e["occurred_on"][:4])
        if kind == "InvestmentReported":
            per_year[kind][e["payload"]["year"]] += 1
        elif kind in ("ConstructionStarted", "ProjectCompleted"):
            per_year[kind][year] += 1
        if kind in ("ProjectRegistered", "ProcedureApproved", "AnnualPlanAdopted", "ConstructionStarted",
                    "ProjectCompleted"):
            first[e["project_id"]].setdefault(kind, e["occurred_on"])
    for kind, counts in per_year.items():
        early, late = sum(counts[y] for y in range(2016, 2021)), sum(counts[y] for y in range(2021, 2026))
        assert 0.8 <= late / early <= 1.25, (kind, counts)
    order = ("ProjectRegistered", "ProcedureApproved", "AnnualPlanAdopted", "ConstructionStarted", "ProjectCompleted")
    through = [p for p, seen in first.items() if all(k in seen for k in order) and seen[order[0]] >= "2016"
               and [seen[k] for k in order] == sorted(seen[k] for k in order)]
    assert len(through) >= 30
    conceived, reserve = pipeline(as_of(events, "9999"), "2026-01-01", 2025)
    assert conceived and reserve


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
    facts = [e for e in events if e["project_id"]]  # not the regions' targets
    kinds = Counter(e["event_type"] for e in facts)
    assert 0.0005 <= kinds["EventRetracted"] / len(facts) <= 0.006
    duplicates = len(events) - len({e["event_id"] for e in events})
    assert 0.0005 <= duplicates / len(events) <= 0.008
    registered = Counter(e["project_id"] for e in events if e["event_type"] == "ProjectRegistered")
    planned = Counter(e["project_id"] for e in events if e["event_type"] == "AnnualPlanAdopted")
    assert any(n > 1 for n in registered.values()) or any(n > 1 for n in planned.values())
    assert 150 <= len(registered) <= 200  # about the number asked for: those started before the history are stock


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
    """A decade at the density of three years needs no more memory than the three years: what is
    held is the projects active now and a few months of events, never the history."""
    assert inspect.isgenerator(province(projects=10, years=(2024,)))
    peak_memory(province(projects=10, years=(2024,)))  # imports and first-call caches
    three_years = peak_memory(province(projects=1200, years=(2023, 2024, 2025)))
    decade = peak_memory(province(projects=2200, years=tuple(range(2016, 2026))))  # as many building at a time
    assert decade[0] > 2.5 * three_years[0]
    assert decade[1] < 1.3 * three_years[1]  # memory does not grow with the number of events
    assert decade[1] < decade[0] * 300 / 4  # far below the history itself (~340 bytes an event)

"""Small random event histories with every irregularity the figures must survive.

`random_history(rng)` gives a list of contract event dicts (each with `recorded_at`) in log
order: 3–5 projects in two counties of two cities, amended registrations, plans and key-project
designations (often with equal `occurred_on`, so that the `recorded_at` / position tie-breaks
decide), starts and resumptions around year and quarter boundaries, several reports for one
month, late reports, retractions recorded before or after their target, duplicates, problems
reassigned with a new deadline and followed up either way. `rng` is a `random.Random` (or the
one hypothesis draws).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8))
UTC = timezone.utc
COUNTIES = ("140522", "140105")
LEVELS = ("province", "city", "county")
PROCEDURES = ("approval_filing", "land_pre_review", "land_approval", "planning_permit", "eia",
              "energy_review", "soil_water", "construction_permit")
DEPARTMENT = {
    "ProjectRegistered": "ndrc", "AnnualPlanAdopted": "ndrc", "KeyProjectDesignated": "ndrc",
    "AgreementSigned": "investment_promotion", "ProcedureApproved": "approval",
    "ConstructionStarted": "project_center", "ConstructionResumed": "project_center",
    "InvestmentReported": "project_center", "StatsEntryApproved": "stats", "StatsEntrySubmitted": "stats",
    "ProblemRaised": "project_center", "ProblemAssigned": "project_center",
    "ProblemFollowedUp": "project_center",
}
# Business dates clustered on the boundaries the rules care about.
BUSINESS_DAYS = [date(2023, 6, 1), date(2023, 12, 31), date(2024, 1, 1), date(2024, 2, 15), date(2024, 3, 31),
                 date(2024, 4, 1), date(2024, 5, 31), date(2024, 6, 30), date(2024, 7, 1), date(2024, 9, 30),
                 date(2024, 10, 1), date(2024, 12, 31), date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 1),
                 date(2025, 6, 30), date(2025, 7, 1), date(2025, 9, 30), date(2025, 12, 31)]
# Recorded days: right after a business day or at a period's publication, on a coarse clock so
# that equal recorded_at values are common.
RECORDED_DAYS = [date(2023, 6, 2), date(2024, 1, 2), date(2024, 4, 1), date(2024, 4, 10), date(2024, 7, 1),
                 date(2024, 7, 10), date(2024, 10, 10), date(2025, 1, 1), date(2025, 1, 10), date(2025, 4, 10),
                 date(2025, 7, 10), date(2025, 10, 10), date(2026, 1, 10), date(2026, 3, 1)]
CLOCK = [time(0, 0), time(9, 0), time(23, 59, 59, 999999)]
# Interesting as-of instants: publication days (as dates, i.e. end of day) and exact recorded times.
AS_OF_CHOICES = ["2024-04-10", "2024-07-10", "2024-10-10", "2025-01-10", "2025-04-10", "2025-07-10",
                 "2025-10-10", "2030-01-01", "2024-04-10T09:00:00+08:00", "2025-01-10T01:00:00+00:00",
                 "2024-07-10T00:00:00+08:00", "2025-07-10T23:59:59.999999+08:00"]
REGIONS = ["14", "14", "1405", "1401", "140522", "140105"]
PERIODS = ["2024Q1", "2024H1", "2024-05", "2024Q3", "2024", "2025Q1", "2025H1", "2025-02", "2025Q3", "2025",
           "2025-12"]
QUERY_LEVELS = [None, None, None, "province", "city", "county"]


def _money(rng, choices=None) -> str:
    if choices and rng.random() < 0.6:
        return rng.choice(choices)
    return f"{rng.randint(0, 2_000_000) / 100:.2f}"


class _Builder:
    def __init__(self, rng):
        self.rng = rng
        self.log: list[dict] = []

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def recorded(self, early: bool = False) -> str:
        rng = self.rng
        days = RECORDED_DAYS[:3] if early else RECORDED_DAYS
        stamp = datetime.combine(rng.choice(days), rng.choice(CLOCK), SHANGHAI)
        if rng.random() < 0.3:
            stamp = stamp.astimezone(UTC)  # same instant, another offset
        return stamp.isoformat()

    def add(self, event_type: str, project_id: str | None, payload: dict, occurred: date | None = None,
            department: str | None = None, early: bool = False) -> dict:
        obj = {
            "event_id": self.new_id(),
            "event_type": event_type,
            "schema_version": 1,
            "project_id": project_id,
            "occurred_on": (occurred or self.rng.choice(BUSINESS_DAYS[:4] if early else BUSINESS_DAYS)).isoformat(),
            "recorded_at": self.recorded(early),
            "source": {"department": department or DEPARTMENT.get(event_type, "ndrc"), "system": "oracle-test"},
            "payload": payload,
        }
        self.log.append(obj)
        return obj


def random_history(rng, events: int | None = None) -> list[dict]:
    b = _Builder(rng)
    size = events or rng.randint(25, 55)
    projects = []
    for serial in range(rng.randint(3, 5)):
        county = rng.choice(COUNTIES)
        projects.append(f"2301-{county}-04-01-{serial + 1:06d}")

    def registration(project: str) -> dict:
        return {
            "name": f"项目{project[-3:]}", "region": rng.choice(COUNTIES), "township": "凤城镇",
            "total_investment": _money(rng, ["499.99", "500.00", "500.01", "12000.00"]),
            "owner": "某公司", "legal_entity": rng.random() < 0.75, "origin": "enterprise",
            "categories": ["industrial"],
            "required_procedures": rng.sample(PROCEDURES, rng.randint(0, 4)),
        }

    # Every project is usually registered; an amendment often shares the occurred_on.
    for project in projects:
        if rng.random() < 0.85:
            first = b.add("ProjectRegistered", project, registration(project), early=rng.random() < 0.8)
            if rng.random() < 0.4:
                same_day = date.fromisoformat(first["occurred_on"]) if rng.random() < 0.6 else None
                b.add("ProjectRegistered", project, registration(project), same_day)

    def plan(project: str, occurred=None, early=False) -> dict:
        return b.add("AnnualPlanAdopted", project, {
            "year": rng.choice([2024, 2025]), "construction": rng.choice(["new", "continuing"]),
            "planned_investment": _money(rng, ["1000.00", "0.01"])}, occurred, early=early)

    def designation(project: str, occurred=None, early=False) -> dict:
        return b.add("KeyProjectDesignated", project, {"year": rng.choice([2024, 2025]),
                                                       "level": rng.choice(LEVELS)}, occurred, early=early)

    # Most projects are in a plan and designated early, so that most reports are not empty.
    for project in projects:
        if rng.random() < 0.8:
            plan(project, early=rng.random() < 0.7)
        if rng.random() < 0.6:
            designation(project, early=rng.random() < 0.7)

    kinds = ["plan", "plan", "key", "signed", "procedure", "procedure", "started", "resumed", "investment",
             "investment", "investment", "investment", "stats", "assigned", "followed", "retract", "duplicate",
             "amend"]
    while len(b.log) < size:
        kind = rng.choice(kinds)
        project = rng.choice(projects)
        if kind == "plan":
            plan(project)
        elif kind == "key":
            designation(project)
        elif kind == "amend":  # an amendment with the same occurred_on (and often the same recorded_at)
            same = [e for e in b.log if e["event_type"] in ("AnnualPlanAdopted", "KeyProjectDesignated",
                                                            "ProjectRegistered")]
            if not same:
                continue
            target = rng.choice(same)
            day = date.fromisoformat(target["occurred_on"])
            if target["event_type"] == "AnnualPlanAdopted":
                new = plan(target["project_id"], day)
                new["payload"]["year"] = target["payload"]["year"]
            elif target["event_type"] == "KeyProjectDesignated":
                new = designation(target["project_id"], day)
                new["payload"]["year"] = target["payload"]["year"]
            else:
                new = b.add("ProjectRegistered", target["project_id"], registration(target["project_id"]), day)
            if rng.random() < 0.5:
                new["recorded_at"] = target["recorded_at"]
        elif kind == "signed":
            b.add("AgreementSigned", project, {"investor": "某集团", "agreed_investment": "3000.00"})
        elif kind == "procedure":
            b.add("ProcedureApproved", project, {"procedure": rng.choice(PROCEDURES), "document_no": "文号1",
                                                 "authority": "某局"})
        elif kind == "started":
            b.add("ConstructionStarted", project, {})
        elif kind == "resumed":
            b.add("ConstructionResumed", project, {"year": rng.choice([2024, 2025])})
        elif kind == "investment":
            b.add("InvestmentReported", project, {"year": rng.choice([2023, 2024, 2025]),
                                                  "month": rng.choice([1, 2, 3, 5, 6, 9, 12]),
                                                  "amount": _money(rng)})
        elif kind == "stats":
            b.add(rng.choice(["StatsEntryApproved", "StatsEntrySubmitted"]), project, {})
        elif kind == "assigned":
            problem = f"PRB-{project[-1]}-{rng.randint(1, 2)}"
            if rng.random() < 0.5:
                b.add("ProblemRaised", project, {"problem_id": problem, "category": "用地", "description": "征地"})
            b.add("ProblemAssigned", project, {"problem_id": problem, "unit": "某局",
                                               "due_on": rng.choice(BUSINESS_DAYS).isoformat()})
        elif kind == "followed":
            problem = f"PRB-{project[-1]}-{rng.randint(1, 2)}"
            b.add("ProblemFollowedUp", project, {"problem_id": problem, "satisfied": rng.random() < 0.7})
        elif kind == "retract":
            targets = [e for e in b.log if e["event_type"] != "EventRetracted"]
            if not targets:
                continue
            target = rng.choice(targets)
            b.add("EventRetracted", target["project_id"],
                  {"retracted_event_id": target["event_id"], "reason": "录入错误"},
                  department=target["source"]["department"])
        elif kind == "duplicate" and b.log:
            b.log.append(dict(rng.choice(b.log)))
    return b.log


def random_queries(rng, count: int) -> list[tuple[str, str, str, str | None]]:
    return [(rng.choice(REGIONS), rng.choice(PERIODS), rng.choice(AS_OF_CHOICES), rng.choice(QUERY_LEVELS))
            for _ in range(count)]

"""Small random event histories with every irregularity the figures must survive.

`random_history(rng)` is catalogue v1 only (CONTRACT §2); `random_history_v2(rng)` (or
`random_history(rng, part_two=True)`) mixes v1 and v2 events and §5's new types (see there).

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
            department: str | None = None, early: bool = False, version: int = 1,
            days: list[date] = BUSINESS_DAYS) -> dict:
        obj = {
            "event_id": self.new_id(),
            "event_type": event_type,
            "schema_version": version,
            "project_id": project_id,
            "occurred_on": (occurred or self.rng.choice(days[:4] if early else days)).isoformat(),
            "recorded_at": self.recorded(early),
            "source": {"department": department or DEPARTMENT.get(event_type, "ndrc"), "system": "oracle-test"},
            "payload": payload,
        }
        self.log.append(obj)
        return obj


def random_history(rng, events: int | None = None, part_two: bool = False) -> list[dict]:
    """A history of catalogue v1 (CONTRACT §2); `part_two`: mixed v1/v2 with §5's new types
    (`random_history_v2`). The v1 histories of a seed do not change."""
    if part_two:
        return random_history_v2(rng, events)
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


# ---------------------------------------------------------------------------------------------
# Part two (CONTRACT §5–§7): mixed v1/v2 histories
# ---------------------------------------------------------------------------------------------

COUNTIES_V2 = ("140522", "140581", "140105")  # two counties of 晋城 (1405), one of 太原 (1401)
TOWNSHIPS = ("凤城镇", "北留镇", None)  # the same names in every county; None: no township
CATEGORIES_V1 = ("industrial", "private", "high_tech", "transformation", "six_new", "two_new_one_heavy")
CATEGORIES_V2 = CATEGORIES_V1 + ("industry",)
PROCEDURES_V2 = PROCEDURES + ("capacity_replacement", "water_use", "cultural_relics", "fire_acceptance")
FUNDING_CHANNELS = ("central_budget", "special_bond", "ultra_long_bond", "provincial", "other")
LEADER_ROLES = ("leader", "lead_unit", "support_unit")
PLANNING_LEVELS = ("county", "city", "province", "national")
MILESTONES_V1 = ("Q1", "H1", "Q3", "Y")
MILESTONES_V2 = MILESTONES_V1 + tuple(f"M{m:02d}" for m in range(1, 13))
FIGURES_V1 = ("new_start_rate", "resume_rate", "start_or_resume_rate", "investment_completion_rate",
              "signed_same_year_start_rate", "reserve_conversion_rate", "procedure_completion_rate",
              "stats_entry_rate", "investment_growth", "reserve_multiple", "problem_on_time_rate")
AMOUNT_KIND = ("investment_total", "signed_investment", "funding_secured", "reserve_investment")
COUNT_KIND = ("signed_count", "landed_count", "started_count", "production_count", "output_count")
FIGURES_V2 = FIGURES_V1 + ("investment_total", "investment_share", "signed_investment", "funding_secured",
                           "reserve_investment", "landing_rate", "signed_count", "landed_count", "started_count",
                           "production_count", "output_count", "due_start_rate", "conceived_multiple",
                           "conceived_count_multiple", "reserve_to_conceived")
# Business dates: §3's boundaries plus the 旬 boundaries of March and May and the ends of February.
BUSINESS_DAYS_V2 = sorted(set(BUSINESS_DAYS) | {
    date(2024, 2, 29), date(2024, 3, 10), date(2024, 3, 11), date(2024, 3, 20), date(2024, 3, 21),
    date(2025, 2, 28), date(2025, 3, 1), date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 20),
    date(2025, 3, 21), date(2025, 5, 10), date(2025, 5, 11), date(2025, 5, 20), date(2025, 5, 21),
    date(2025, 5, 31), date(2025, 6, 1), date(2025, 11, 30)})
REGIONS_V2 = ["14", "14", "1405", "1401", "140522", "140581", "140105"]
# Month ends (the M01..M12 targets) besides §3's periods.
PERIODS_V2 = PERIODS + ["2024-02", "2024-03", "2024-06", "2024-12", "2025-01", "2025-03", "2025-05", "2025-06",
                        "2025-09", "2025-11"]
QUERY_CATEGORIES = [None, None, None, None, None, "industry", "industrial", "private", "high_tech"]
AS_OF_CHOICES_V2 = AS_OF_CHOICES + ["2030-01-01", "2030-01-01", "2026-03-01"]
DEPARTMENT_V2 = {**DEPARTMENT, "ProjectLanded": "investment_promotion", "ProcedurePlanned": "approval",
                 "ProductionStarted": "ndrc", "DesignOutputReached": "ndrc", "ProjectCompleted": "ndrc",
                 "LeaderAssigned": "ndrc", "TargetSet": "ndrc", "ConstructionResumed": "project_center"}


def _target_value(rng, figure: str) -> str:
    if figure in AMOUNT_KIND:
        return rng.choice(["0.00", "1000.00", "3000.00", "12000.00", f"{rng.randint(0, 3_000_000) / 100:.2f}"])
    if figure in COUNT_KIND:
        return str(rng.randint(0, 3))
    return rng.choice(["0", "0.3000", "0.5000", "0.5", "1.0000", "1", "0.0001", "2.5000"])


def random_history_v2(rng, events: int | None = None) -> list[dict]:
    """A mixed v1/v2 history (CONTRACT §5): 4–7 projects in three counties (two in 晋城) and up
    to three townships each; registrations with categories (incl. `industry`), locations,
    villages and the new procedure codes; plans with a planned start month and 旬; funding,
    agreements, landings, starts, production and output; conceived projects (registered, no
    procedure, no plan); leaders with roles; 前期手续清单 items; targets for milestones, month ends
    and townships (several for one day, recorded in any order); amendments across versions,
    retractions of any of these, late reports, duplicates."""
    b = _Builder(rng)
    size = events or rng.randint(35, 75)
    days = BUSINESS_DAYS_V2

    def add(event_type, project, payload, occurred=None, version=1, early=False, department=None):
        return b.add(event_type, project, payload, occurred, department or DEPARTMENT_V2.get(event_type, "ndrc"),
                     early, version, days)

    projects = []
    for serial in range(rng.randint(4, 7)):
        projects.append(f"2401-{rng.choice(COUNTIES_V2)}-04-01-{serial + 1:06d}")
    conceived = set(rng.sample(projects, rng.randint(0, 2)))  # registered, nothing else at first

    def registration(project: str, version: int) -> dict:
        categories = CATEGORIES_V2 if version == 2 else CATEGORIES_V1
        procedures = PROCEDURES_V2 if version == 2 else PROCEDURES
        payload = {
            "name": f"项目{project[-3:]}", "region": rng.choice(COUNTIES_V2),
            "total_investment": _money(rng, ["499.99", "500.00", "1000.00", "12000.00"]),
            "owner": "某公司", "legal_entity": rng.random() < 0.75,
            "origin": rng.choice(["investment_attraction", "government", "enterprise"]),
            "categories": rng.sample(categories, rng.randint(0, 3)),
            "required_procedures": rng.sample(procedures, rng.randint(0, 4)),
        }
        township = rng.choice(TOWNSHIPS)
        if township is not None:
            payload["township"] = township
        if version == 2:
            if rng.random() < 0.5:
                payload["location"] = {"lng": f"{rng.randint(112_000_000, 113_000_000) / 1_000_000:.6f}",
                                       "lat": f"{rng.randint(35_000_000, 36_000_000) / 1_000_000:.6f}"}
            if rng.random() < 0.5:
                payload["village"] = rng.choice(["东关村", "西河村"])
        return payload

    def register(project: str, occurred=None, early=False) -> dict:
        version = 2 if rng.random() < 0.6 else 1
        return add("ProjectRegistered", project, registration(project, version), occurred, version, early)

    for project in projects:
        if rng.random() < 0.9:
            first = register(project, early=rng.random() < 0.8)
            if rng.random() < 0.35:  # an amendment, often on the same day, possibly of the other version
                register(project, date.fromisoformat(first["occurred_on"]) if rng.random() < 0.6 else None)

    def plan(project: str, occurred=None, early=False, year=None) -> dict:
        payload = {"year": year or rng.choice([2024, 2025]), "construction": rng.choice(["new", "continuing"]),
                   "planned_investment": _money(rng, ["1000.00", "0.01", "300.00"])}
        version = 2 if rng.random() < 0.7 else 1
        if version == 2 and rng.random() < 0.8:
            payload["planned_start_month"] = rng.choice([1, 2, 2, 3, 3, 3, 5, 5, 6, 9, 11, 12])
            if rng.random() < 0.6:
                payload["planned_start_dekad"] = rng.choice([1, 2, 3])
        return add("AnnualPlanAdopted", project, payload, occurred, version, early)

    def designation(project: str, occurred=None, early=False) -> dict:
        return add("KeyProjectDesignated", project, {"year": rng.choice([2024, 2025]), "level": rng.choice(LEVELS)},
                   occurred, early=early)

    def procedure_approved(project: str) -> dict:
        version = 2 if rng.random() < 0.5 else 1
        codes = PROCEDURES_V2 if version == 2 else PROCEDURES
        return add("ProcedureApproved", project, {"procedure": rng.choice(codes), "document_no": "文号1",
                                                  "authority": "某局"}, version=version,
                   department=rng.choice(["approval", "natural_resources", "ecology", "energy"]))

    def target_set(year=None, figure=None, by=None, region=None, township=None) -> dict:
        version = 2 if rng.random() < 0.7 else 1
        figure = figure or rng.choice(FIGURES_V2 if version == 2 else FIGURES_V1)
        if figure not in FIGURES_V1:
            version = 2
        by = by or rng.choice(MILESTONES_V2 + ("Q1", "M03", "H1", "Y", "M05") if version == 2 else MILESTONES_V1)
        if by not in MILESTONES_V1:
            version = 2
        payload = {"region": region or rng.choice(["14", "1405", *COUNTIES_V2, *COUNTIES_V2]),
                   "year": year or rng.choice([2024, 2025, 2025]), "figure": figure, "by": by,
                   "target": _target_value(rng, figure)}
        if township is None and version == 2 and len(payload["region"]) == 6 and rng.random() < 0.5:
            township = rng.choice(TOWNSHIPS[:2])
        if township is not None:
            payload["township"] = township
            version = 2
        return add("TargetSet", None, payload, version=version)

    for project in projects:
        if project in conceived:
            continue
        if rng.random() < 0.8:
            plan(project, early=rng.random() < 0.7)
        if rng.random() < 0.5:
            designation(project, early=rng.random() < 0.7)
    for _ in range(rng.randint(2, 5)):
        target_set()

    kinds = ["plan", "plan", "key", "signed", "signed", "landed", "landed", "procedure", "procedure", "started",
             "started",
             "resumed", "investment", "investment", "investment", "stats", "assigned", "followed", "production",
             "output", "completed", "funding", "funding", "planned_procedure", "leader", "target", "target",
             "target_same_day", "retract", "retract", "duplicate", "amend", "signed_then", "signed_then",
             "closed_in_time", "required_approved"]

    def same_year_after(day: date) -> date:
        return rng.choice([d for d in days if d.year == day.year and d >= day])

    while len(b.log) < size:
        kind = rng.choice(kinds)
        project = rng.choice(projects)
        if project in conceived and kind in ("plan", "procedure", "started") and rng.random() < 0.8:
            continue  # conceived projects mostly stay conceived
        if kind == "plan":
            plan(project)
        elif kind == "key":
            designation(project)
        elif kind == "amend":  # an amendment with the same occurred_on, of either version
            same = [e for e in b.log if e["event_type"] in ("AnnualPlanAdopted", "KeyProjectDesignated",
                                                            "ProjectRegistered")]
            if not same:
                continue
            target = rng.choice(same)
            day = date.fromisoformat(target["occurred_on"])
            if target["event_type"] == "AnnualPlanAdopted":
                new = plan(target["project_id"], day, year=target["payload"]["year"])
            elif target["event_type"] == "KeyProjectDesignated":
                new = designation(target["project_id"], day)
                new["payload"]["year"] = target["payload"]["year"]
            else:
                new = register(target["project_id"], day)
            if rng.random() < 0.5:
                new["recorded_at"] = target["recorded_at"]
        elif kind == "signed":
            add("AgreementSigned", project, {"investor": "某集团",
                                             "agreed_investment": _money(rng, ["3000.00", "0.01", "2500.50"])})
        elif kind == "landed":
            add("ProjectLanded", project, {})
        elif kind == "procedure":
            procedure_approved(project)
        elif kind == "started":
            add("ConstructionStarted", project, {})
        elif kind == "resumed":
            add("ConstructionResumed", project, {"year": rng.choice([2024, 2025])})
        elif kind == "investment":
            add("InvestmentReported", project, {"year": rng.choice([2023, 2024, 2025]),
                                                "month": rng.choice([1, 2, 3, 5, 6, 9, 11, 12]),
                                                "amount": _money(rng)},
                department=rng.choice(["project_center", "stats"]))
        elif kind == "stats":
            add(rng.choice(["StatsEntryApproved", "StatsEntrySubmitted"]), project, {})
        elif kind == "assigned":
            problem = f"PRB-{project[-1]}-{rng.randint(1, 2)}"
            add("ProblemAssigned", project, {"problem_id": problem, "unit": "某局",
                                             "due_on": rng.choice(days).isoformat()})
        elif kind == "followed":
            problem = f"PRB-{project[-1]}-{rng.randint(1, 2)}"
            add("ProblemFollowedUp", project, {"problem_id": problem, "satisfied": rng.random() < 0.7})
        elif kind == "required_approved":  # one of the procedures its registration requires
            required = [c for e in b.log if e["event_type"] == "ProjectRegistered" and e["project_id"] == project
                        for c in e["payload"]["required_procedures"]]
            if not required:
                continue
            code = rng.choice(required)
            add("ProcedureApproved", project, {"procedure": code, "document_no": "文号2", "authority": "某局"},
                version=2 if code not in PROCEDURES or rng.random() < 0.5 else 1)
        elif kind == "signed_then":  # an agreement, then a landing or a start later in its year
            signed = add("AgreementSigned", project, {"investor": "某集团", "agreed_investment": "800.00"})
            after = same_year_after(date.fromisoformat(signed["occurred_on"]))
            add(rng.choice(["ProjectLanded", "ConstructionStarted"]), project, {}, after)
        elif kind == "closed_in_time":  # a problem closed on or before its deadline (or not)
            problem = f"PRB-{project[-1]}-{rng.randint(1, 2)}"
            assigned = add("ProblemAssigned", project, {"problem_id": problem, "unit": "某局",
                                                        "due_on": rng.choice(days).isoformat()})
            closed = same_year_after(date.fromisoformat(assigned["occurred_on"]))
            add("ProblemFollowedUp", project, {"problem_id": problem, "satisfied": rng.random() < 0.8}, closed)
            if rng.random() < 0.7:
                assigned["payload"]["due_on"] = same_year_after(closed).isoformat()
        elif kind == "production":
            add("ProductionStarted", project, {})
        elif kind == "output":
            add("DesignOutputReached", project, {})
        elif kind == "completed":
            add("ProjectCompleted", project, {})
        elif kind == "funding":
            add("FundingSecured", project, {"channel": rng.choice(FUNDING_CHANNELS),
                                            "amount": _money(rng, ["500.00", "1200.00", "0.01"]),
                                            "document_no": "晋发改投资〔2025〕1号"},
                department=rng.choice(["ndrc", "finance"]))
        elif kind == "planned_procedure":
            add("ProcedurePlanned", project, {"procedure": rng.choice(PROCEDURES_V2),
                                              "level": rng.choice(PLANNING_LEVELS),
                                              "due_on": rng.choice(days).isoformat(), "unit": "阳城县自然资源局",
                                              "leader": "张伟", "officer": "李娜"})
        elif kind == "leader":
            version = 2 if rng.random() < 0.6 else 1
            payload = {"leader_id": f"L-{rng.randint(1, 3):03d}", "leader_name": "张伟", "title": "副县长"}
            if version == 2 and rng.random() < 0.8:
                payload["role"] = rng.choice(LEADER_ROLES)
            add("LeaderAssigned", project, payload, version=version)
        elif kind == "target":
            target_set()
        elif kind == "target_same_day":  # another target for a day that already has one (Q1 vs M03, ...)
            earlier = [e for e in b.log if e["event_type"] == "TargetSet"]
            if not earlier:
                continue
            t = rng.choice(earlier)["payload"]
            twins = {"Q1": "M03", "M03": "Q1", "H1": "M06", "M06": "H1", "Q3": "M09", "M09": "Q3", "Y": "M12",
                     "M12": "Y"}
            by = twins.get(t["by"], t["by"]) if rng.random() < 0.5 else t["by"]
            new = target_set(t["year"], t["figure"], by, t["region"], t.get("township"))
            if rng.random() < 0.3:
                new["recorded_at"] = [e for e in b.log if e["event_type"] == "TargetSet"][0]["recorded_at"]
        elif kind == "retract":
            targets = [e for e in b.log if e["event_type"] != "EventRetracted"]
            if not targets:
                continue
            target = rng.choice(targets)
            b.add("EventRetracted", target["project_id"],
                  {"retracted_event_id": target["event_id"], "reason": "录入错误"},
                  department=target["source"]["department"], days=days)
        elif kind == "duplicate" and b.log:
            b.log.append(dict(rng.choice(b.log)))
    return b.log


def random_queries_v2(rng, count: int) -> list[tuple[str, str, str, str | None, str | None]]:
    """(region, period, as_of, level, category) for Part two, month ends included."""
    return [(rng.choice(REGIONS_V2), rng.choice(PERIODS_V2), rng.choice(AS_OF_CHOICES_V2), rng.choice(QUERY_LEVELS),
             rng.choice(QUERY_CATEGORIES)) for _ in range(count)]


def target_queries_v2(rng, history: list[dict], count: int) -> list[tuple[str, str, str, str | None, str | None]]:
    """Queries aimed at the history's TargetSets (their region, year and milestone), so that
    targets and `behind` are exercised; random ones when the history has no target."""
    targets = [e["payload"] for e in history if e["event_type"] == "TargetSet"]
    if not targets:
        return random_queries_v2(rng, count)
    months = {"Q1": 3, "H1": 6, "Q3": 9, "Y": 12, **{f"M{m:02d}": m for m in range(1, 13)}}
    found = []
    for _ in range(count):
        t = rng.choice(targets)
        month = months[t["by"]]
        period = rng.choice([f"{t['year']}-{month:02d}"] + {3: [f"{t['year']}Q1"], 6: [f"{t['year']}H1"],
                                                            9: [f"{t['year']}Q3"], 12: [str(t["year"])]}.get(month, []))
        found.append((t["region"], period, rng.choice(AS_OF_CHOICES_V2), rng.choice(QUERY_LEVELS),
                      rng.choice(QUERY_CATEGORIES)))
    return found

"""领导包联: 一个项目、一位领导、一套班子、一抓到底 — and 双包联, a leader and a department per project.

For each 包联领导 (LeaderAssigned role `leader`, the v1 reading), the projects assigned to them on
`on` (the latest LeaderAssigned / LeaderReleased per project and leader_id decides), and for each
project: stage, year-to-date investment against the year's plan and against pace (序时), required
procedures still missing, open problems, and the leader's site visits.

Visits: a leader is flagged for every assigned project they have not visited within the visit
interval (`Lights.visit_interval_days`, default 30 days, rolling: the last visit since the
assignment, or the assignment itself, is more than that many days before `on`). The seeds ask
project leaders to visit *regularly* (长治: 包联项目领导要…定期深入项目现场) without a number; the
monthly rule "每月至少要深入企业1次" of 阳城 2025 item 17 is for leaders who contact private
enterprises (包联民营企业), and 阳城 1366's 推进督导专班 covers every key project once a month — so
"about once a month" is the office's default, configurable, not a rule of the seeds for projects.

Units (role `lead_unit` 包联部门 / 牵头部门, `support_unit` 帮办部门) are listed apart, as the
projects' departments: they are never flagged for visits.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from projections.facts import Fact
from projections.periods import Period
from projections.views.common import Project, business_key, investment, money, projects_in, ratio
from projections.views.lights import DEFAULT_LIGHTS, GREEN, YELLOW, Lights
from projections.views.problems import POLICIES, DeadlinePolicy, open_problem_states
from projections.views.stage import project_stage

ROLES = ("leader", "lead_unit", "support_unit")
ROLE_LABELS = {"leader": "包联领导", "lead_unit": "包联部门", "support_unit": "帮办部门"}


def role_of(fact: Fact) -> str:
    """A LeaderAssigned's role (a v1 assignment, read as v2, is a leader)."""
    return fact.data.get("role") or "leader"


def assignments(project: Project, roles: tuple[str, ...] = ROLES) -> dict[str, Fact]:
    """leader_id -> the LeaderAssigned in effect on `on`, of the given roles."""
    current = project.remembered(("assignments",), lambda: _in_effect(project))
    return {k: f for k, f in current.items() if role_of(f) in roles}


def _in_effect(project: Project) -> dict[str, Fact]:
    changes = sorted(project.upto("LeaderAssigned") + project.upto("LeaderReleased"), key=business_key)
    current: dict[str, Fact] = {}
    for fact in changes:
        if fact.event_type == "LeaderAssigned":
            current[fact.data["leader_id"]] = fact
        else:
            current.pop(fact.data["leader_id"], None)
    return current


def contacts(project: Project) -> dict[str, list[dict]]:
    """双包联 on `on`: role -> [{id, name, title, since}] for leader, lead_unit and support_unit (the
    same mapping for every call on one project: read it, do not change it)."""
    return project.remembered(("contacts",), lambda: _contacts(project))


def _contacts(project: Project) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {role: [] for role in ROLES}
    for leader_id, fact in sorted(assignments(project).items()):
        found[role_of(fact)].append({"id": leader_id, "name": fact.data["leader_name"], "title": fact.data["title"],
                                     "since": fact.occurred_on.isoformat()})
    return found


def contact_names(found: dict[str, list[dict]]) -> dict[str, list[str]]:
    """The names only: {"leaders": [...], "lead_units": [...], "support_units": [...]}."""
    return {"leaders": [c["name"] for c in found["leader"]], "lead_units": [c["name"] for c in found["lead_unit"]],
            "support_units": [c["name"] for c in found["support_unit"]]}


def progress(project: Project) -> dict:
    """Year-to-date investment against the plan and against pace (序时进度 = month ÷ 12)."""
    on = project.on
    pace = Period("", on.year, on).pace
    plan = project.plan()
    planned = Decimal(plan.data["planned_investment"]) if plan else Decimal(0)
    done, reports = investment(project.facts, on.year, on.month)
    completion = ratio(done, planned)
    # percentage points behind 序时, from the exact quantities (not from the 4-place rounded ones)
    behind = None if not planned else ((Decimal(on.month) / 12 - done / planned) * 100).quantize(
        Decimal("0.01"), ROUND_HALF_UP)
    return {
        "planned_investment": money(planned) if plan else None,
        "completed_investment": money(done),
        "completion_rate": completion,
        "pace": f"{pace:.4f}",
        "pace_investment": money((planned * on.month / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)) if plan else None,
        "ahead_of_pace": None if completion is None else Decimal(completion) >= pace,
        "points_behind_pace": None if behind is None else f"{behind:.2f}",
        "investment_events": reports,
    }


def missing_procedures(project: Project) -> list[str]:
    required = project.registration.data.get("required_procedures") or []
    approved = {f.data["procedure"] for f in project.upto("ProcedureApproved")}
    return [code for code in required if code not in approved]


def visits(project: Project, leader_id: str, since: date, interval_days: int) -> dict:
    """The leader's visits to the project: this month's, the last one since the assignment, and
    whether one is due (none within `interval_days` of `on`)."""
    on = project.on
    month_start = on.replace(day=1)
    own = [f.occurred_on for f in project.upto("SiteVisitRecorded") if f.data["leader_id"] == leader_id]
    last = max((d for d in own if d >= since), default=None)
    reference = last or since
    overdue = (on - reference).days > interval_days
    return {
        "visits_this_month": [d.isoformat() for d in own if d >= month_start],
        "last_visit_on": last.isoformat() if last else None,
        "days_since_visit": (on - last).days if last else None,
        "visited_within_interval": not overdue,
        "visit_light": YELLOW if overdue else GREEN,
    }


def _project_part(project: Project, policy: DeadlinePolicy) -> tuple:
    """What a project's row says whoever its leader: stage, progress, missing procedures, open problems."""
    stage = project_stage(project)
    problems = [{k: s[k] for k in ("problem_id", "category", "unit", "due_on", "overdue", "days_overdue",
                                     "near_deadline", "escalation_level")}
                for s in open_problem_states(project, policy)]
    return stage, progress(project), missing_procedures(project), problems


def _project_row(project: Project, leader_id: str, since: date, policy: DeadlinePolicy, lights: Lights) -> dict:
    stage, done, missing, problems = project.remembered(("leader_row", policy),
                                                        lambda: _project_part(project, policy))
    return {  # each row its own lists: a project with two leaders is two rows that share nothing
        **project.header(), "assigned_on": since.isoformat(),
        "stage": stage["stage"], "stage_label": stage["label"], "flags": list(stage["flags"]),
        **done, "investment_events": list(done["investment_events"]),
        "missing_procedures": list(missing),
        "open_problems": [dict(p) for p in problems],
        **visits(project, leader_id, since, lights.visit_interval_days),
    }


def leaders_view(facts: Iterable[Fact], region: str, on: date, policy: DeadlinePolicy = POLICIES["default"],
                 lights: Lights = DEFAULT_LIGHTS) -> dict:
    leaders: dict[str, dict] = {}
    units: dict[tuple[str, str], dict] = {}
    by_project: dict[str, list[dict]] = {}
    for project in projects_in(facts, region, on):
        for leader_id, assigned in sorted(assignments(project).items()):
            data, role = assigned.data, role_of(assigned)
            by_project.setdefault(project.project_id, []).append(
                {"leader_id": leader_id, "leader_name": data["leader_name"], "title": data["title"], "role": role,
                 "role_label": ROLE_LABELS[role], "assigned_on": assigned.occurred_on.isoformat()})
            if role != "leader":
                unit = units.setdefault((role, leader_id), {"unit_id": leader_id, "role": role,
                                                            "role_label": ROLE_LABELS[role], "projects": [],
                                                            "_seen": None})
                if unit["_seen"] is None or business_key(assigned) > unit["_seen"]:
                    unit.update(unit_name=data["leader_name"], _seen=business_key(assigned))
                unit["projects"].append({**project.header(), "assigned_on": assigned.occurred_on.isoformat()})
                continue
            leader = leaders.setdefault(leader_id, {"leader_id": leader_id, "projects": [], "_seen": None})
            if leader["_seen"] is None or business_key(assigned) > leader["_seen"]:
                leader.update(leader_name=data["leader_name"], title=data["title"], _seen=business_key(assigned))
            leader["projects"].append(_project_row(project, leader_id, assigned.occurred_on, policy, lights))
    rows = []
    for leader_id in sorted(leaders):
        leader = leaders[leader_id]
        unvisited = [p["project_id"] for p in leader["projects"] if not p["visited_within_interval"]]
        rows.append({"leader_id": leader_id, "leader_name": leader["leader_name"], "title": leader["title"],
                     "unvisited": unvisited, "flagged": bool(unvisited), "projects": leader["projects"]})
    unit_rows = []
    for key in sorted(units, key=lambda k: (ROLES.index(k[0]), k[1])):
        unit = units[key]
        unit_rows.append({k: unit[k] for k in ("unit_id", "unit_name", "role", "role_label", "projects")})
    return {"region": region, "on": on.isoformat(), "month": on.strftime("%Y-%m"),
            "visit_interval_days": lights.visit_interval_days,
            "leaders": rows, "flagged": [r["leader_id"] for r in rows if r["flagged"]],
            "units": unit_rows,
            "by_project": dict(sorted(by_project.items()))}

"""领导包联: 一个项目、一位领导、一套班子、一抓到底.

For each leader, the projects assigned to them on `on` (the latest LeaderAssigned / LeaderReleased
per project and leader decides), and for each project: stage, year-to-date investment against the
year's plan and against pace (序时), required procedures still missing, open problems, and the
leader's site visits this month. A leader is flagged for every assigned project they have not
visited this month (包联领导每月至少深入一次, seed 004).
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from projections.facts import Fact
from projections.periods import Period
from projections.views.common import Project, business_key, investment, money, projects_in, ratio
from projections.views.problems import POLICIES, DeadlinePolicy, problem_states
from projections.views.stage import project_stage


def assignments(project: Project) -> dict[str, Fact]:
    """leader_id -> the LeaderAssigned in effect on `on`."""
    changes = sorted(project.upto("LeaderAssigned") + project.upto("LeaderReleased"), key=business_key)
    current: dict[str, Fact] = {}
    for fact in changes:
        if fact.event_type == "LeaderAssigned":
            current[fact.data["leader_id"]] = fact
        else:
            current.pop(fact.data["leader_id"], None)
    return current


def progress(project: Project) -> dict:
    """Year-to-date investment against the plan and against pace (序时进度 = month ÷ 12)."""
    on = project.on
    pace = Period("", on.year, on).pace
    plan = project.plan()
    planned = Decimal(plan.data["planned_investment"]) if plan else Decimal(0)
    done, reports = investment(project.facts, on.year, on.month)
    completion = ratio(done, planned)
    return {
        "planned_investment": money(planned) if plan else None,
        "completed_investment": money(done),
        "completion_rate": completion,
        "pace": f"{pace:.4f}",
        "pace_investment": money((planned * on.month / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)) if plan else None,
        "ahead_of_pace": None if completion is None else Decimal(completion) >= pace,
        "investment_events": reports,
    }


def missing_procedures(project: Project) -> list[str]:
    required = project.registration.data.get("required_procedures") or []
    approved = {f.data["procedure"] for f in project.upto("ProcedureApproved")}
    return [code for code in required if code not in approved]


def _visits(project: Project, leader_id: str) -> list[str]:
    month_start = project.on.replace(day=1)
    return [f.occurred_on.isoformat() for f in project.upto("SiteVisitRecorded")
            if f.data["leader_id"] == leader_id and f.occurred_on >= month_start]


def _project_row(project: Project, leader_id: str, since: date, policy: DeadlinePolicy) -> dict:
    stage = project_stage(project)
    problems = [{k: s[k] for k in ("problem_id", "category", "unit", "due_on", "overdue", "days_overdue",
                                     "near_deadline", "escalation_level")}
                for s in problem_states(project, policy) if s["open"]]
    visits = _visits(project, leader_id)
    return {
        **project.header(), "assigned_on": since.isoformat(),
        "stage": stage["stage"], "stage_label": stage["label"], "flags": stage["flags"],
        **progress(project),
        "missing_procedures": missing_procedures(project),
        "open_problems": problems,
        "visits_this_month": visits,
        "visited_this_month": bool(visits),
    }


def leaders_view(facts: Iterable[Fact], region: str, on: date, policy: DeadlinePolicy = POLICIES["default"]) -> dict:
    leaders: dict[str, dict] = {}
    by_project: dict[str, list[dict]] = {}
    for project in projects_in(facts, region, on):
        for leader_id, assigned in sorted(assignments(project).items()):
            data = assigned.data
            leader = leaders.setdefault(leader_id, {"leader_id": leader_id, "projects": [], "_seen": None})
            if leader["_seen"] is None or business_key(assigned) > leader["_seen"]:
                leader.update(leader_name=data["leader_name"], title=data["title"], _seen=business_key(assigned))
            leader["projects"].append(_project_row(project, leader_id, assigned.occurred_on, policy))
            by_project.setdefault(project.project_id, []).append(
                {"leader_id": leader_id, "leader_name": data["leader_name"], "title": data["title"],
                 "assigned_on": assigned.occurred_on.isoformat()})
    rows = []
    for leader_id in sorted(leaders):
        leader = leaders[leader_id]
        del leader["_seen"]
        unvisited = [p["project_id"] for p in leader["projects"] if not p["visited_this_month"]]
        rows.append({"leader_id": leader_id, "leader_name": leader["leader_name"], "title": leader["title"],
                     "unvisited_this_month": unvisited, "flagged": bool(unvisited),
                     "projects": leader["projects"]})
    return {"region": region, "on": on.isoformat(), "month": on.strftime("%Y-%m"),
            "leaders": rows, "flagged": [r["leader_id"] for r in rows if r["flagged"]],
            "by_project": dict(sorted(by_project.items()))}

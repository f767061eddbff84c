"""问题闭环: 问题收集 → 交办 → 限时办结 → 回访 → 清零销号, and 督办 when overdue.

A problem's state on `on` is folded from its facts up to that date, in business order: raised,
assigned (the deadline is that of the assignment recorded last), resolved, followed up (satisfied
closes it 销号, unsatisfied reopens it), escalated. Open problems due within the policy's
reminder window get a reminder (提醒); overdue ones get help (帮办) and, the longer they stay
overdue, a higher 督办 level by the policy's ladder (seed 004 item 13).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Iterable

from projections.facts import Fact
from projections.views.common import Project, business_key, projects_in, ratio

LEVELS = ("help", "county", "city", "province")  # 帮办, then 督办 at county, city, province level
LEVEL_LABELS = {"help": "帮办", "county": "县级督办", "city": "市级督办", "province": "省级督办"}
PROBLEM_TYPES = ("ProblemRaised", "ProblemAssigned", "ProblemResolved", "ProblemFollowedUp", "ProblemEscalated")


@dataclass(frozen=True)
class DeadlinePolicy:
    """When to remind and how far overdue calls for which action (days overdue → level)."""

    name: str = "default"
    remind_days: int = 3
    ladder: tuple[tuple[int, str], ...] = ((1, "help"), (7, "county"), (15, "city"), (30, "province"))

    def due_level(self, days_overdue: int) -> str | None:
        level = None
        for days, step in self.ladder:
            if days_overdue >= days:
                level = step
        return level


POLICIES = {
    "default": DeadlinePolicy(),
    # 13710 工作制度 (Shanxi): remind a day ahead, help from day 1 overdue, 督办 from day 3, city from day 7.
    "13710": DeadlinePolicy("13710", 1, ((1, "help"), (3, "county"), (7, "city"))),
}


def _rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else -1


def problem_states(project: Project, policy: DeadlinePolicy) -> list[dict]:
    facts = sorted((f for t in PROBLEM_TYPES for f in project.upto(t)), key=business_key)
    by_problem: dict[str, list[Fact]] = {}
    for fact in facts:
        by_problem.setdefault(fact.data["problem_id"], []).append(fact)
    return [_state(project, pid, fs, policy) for pid, fs in sorted(by_problem.items())]


def _state(project: Project, problem_id: str, facts: list[Fact], policy: DeadlinePolicy) -> dict:
    on = project.on
    raised = next((f for f in facts if f.event_type == "ProblemRaised"), None)
    assignments = [f for f in facts if f.event_type == "ProblemAssigned"]
    assigned = max(assignments, key=lambda f: f.order) if assignments else None
    status, closed_on = "raised", None
    for fact in facts:
        if fact.event_type == "ProblemAssigned" and status == "raised":
            status = "assigned"
        elif fact.event_type == "ProblemResolved":
            status, closed_on = "resolved", None
        elif fact.event_type == "ProblemFollowedUp":
            satisfied = fact.data["satisfied"]
            status, closed_on = ("closed", fact.occurred_on) if satisfied else ("reopened", None)
    escalations = [f for f in facts if f.event_type == "ProblemEscalated"]
    level = max((f.data["level"] for f in escalations), key=_rank, default=None)
    due_on = date.fromisoformat(assigned.data["due_on"]) if assigned else None
    is_open = status != "closed"
    overdue = bool(is_open and due_on and on > due_on)
    days_overdue = (on - due_on).days if overdue else 0
    due_level = policy.due_level(days_overdue) if overdue else None
    raised_on = (raised or facts[0]).occurred_on
    return {
        "project_id": project.project_id, "project_name": project.name, "region": project.region,
        "township": project.township, "problem_id": problem_id,
        "category": raised.data["category"] if raised else None,
        "description": raised.data["description"] if raised else None,
        "unit": assigned.data["unit"] if assigned else None,
        "raised_on": raised_on.isoformat(),
        "due_on": due_on.isoformat() if due_on else None,
        "status": status,
        "open": is_open,
        "days_to_due": (due_on - on).days if is_open and due_on else None,
        "near_deadline": bool(is_open and due_on and 0 <= (due_on - on).days <= policy.remind_days),
        "overdue": overdue,
        "days_overdue": days_overdue,
        "escalation_level": level,
        "due_level": due_level,
        "escalation_candidate": due_level is not None and _rank(due_level) > _rank(level),
        "closed_on": closed_on.isoformat() if closed_on else None,
        "days_to_close": (closed_on - raised_on).days if closed_on else None,
        "closed_on_time": bool(due_on and any(f.event_type == "ProblemFollowedUp" and f.data["satisfied"]
                                              and f.occurred_on <= due_on for f in facts)),
        "events": [f.event_id for f in facts],
    }


def _count(rows: list[dict], key: str) -> dict[str, int]:
    return dict(sorted(Counter(r[key] or "" for r in rows).items()))


def closure(rows: list[dict], on: date) -> dict:
    """问题按期办结率 for the year of `on` (as the figure: due in [1 Jan, on], closed by due_on)
    and days to close over the problems closed by `on`."""
    start = date(on.year, 1, 1)
    due = [r for r in rows if r["due_on"] and start <= date.fromisoformat(r["due_on"]) <= on]
    on_time = [r for r in due if r["closed_on_time"]]
    days = [r["days_to_close"] for r in rows if r["days_to_close"] is not None]
    return {
        "due": len(due), "closed_on_time": len(on_time), "on_time_rate": ratio(len(on_time), len(due)),
        "closed": len(days),
        "mean_days_to_close": ratio(sum(days), len(days)),
        "median_days_to_close": f"{median(days):.1f}" if days else None,
    }


def problems_view(facts: Iterable[Fact], region: str, on: date, policy: DeadlinePolicy = POLICIES["default"]) -> dict:
    rows = [s for p in projects_in(facts, region, on) for s in problem_states(p, policy)]
    open_rows = [r for r in rows if r["open"]]
    return {
        "region": region,
        "on": on.isoformat(),
        "policy": {"name": policy.name, "remind_days": policy.remind_days,
                   "ladder": [{"days_overdue": d, "level": lvl} for d, lvl in policy.ladder]},
        "open": len(open_rows),
        "open_by_region": _count(open_rows, "region"),
        "open_by_township": _count(open_rows, "township"),
        "open_by_unit": _count(open_rows, "unit"),
        "open_by_category": _count(open_rows, "category"),
        "near_deadline": sorted((r for r in open_rows if r["near_deadline"]),
                                key=lambda r: (r["due_on"], r["problem_id"])),
        "overdue": sorted((r for r in open_rows if r["overdue"]), key=lambda r: (-r["days_overdue"], r["problem_id"])),
        "escalation_candidates": [r["problem_id"] for r in open_rows if r["escalation_candidate"]],
        "closure": closure(rows, on),
        "problems": rows,
    }

"""问题闭环: 问题收集 → 交办 → 限时办结 → 回访 → 清零销号, and 督办 when overdue.

A problem's state on `on` is folded from its facts up to that date, in business order: raised,
assigned (the deadline is that of the assignment recorded last), resolved, followed up (satisfied
closes it 销号, unsatisfied reopens it), escalated. Open problems due within the policy's
reminder window get a reminder (提醒); overdue ones get help (帮办, seed 004 item 13).

Two policies:

- `default`: after the assigned deadline (`due_on`) has passed, the longer a problem stays open the
  higher the action its ladder calls for: 帮办 from day 1 overdue, 县级督办 from day 7, 市级 from
  day 15, 省级 from day 30 (the office's own choice; the seeds set no such ladder).
- `13710` (Shanxi's 13710 工作制度, 山西省政府办公厅 2016: "1天内要研究部署; 3天内反馈办理情况; 一般性
  问题原则上7天内落实; 重大问题包括一些复杂问题1个月内落实解决…; 所有事项都要跟踪到底、销号清零"):
  *handling deadlines counted from the assignment* (ProblemAssigned's occurred_on, of the assignment
  recorded last) — not steps after a deadline. Each milestone is met or missed:
    1日 研究部署 and 3日 反馈: the catalogue has no fact for a unit's study or its report back, so
      these are met only when the problem was resolved by then, and otherwise shown as 无记录
      (`unrecorded`) once past — never counted as missed;
    7日 办结 (一般问题) or 1个月 (30 days) 办结 (重大问题): met by a ProblemResolved on or before it
      that still stands (not reopened). A problem is 重大 when its assigned deadline lies more than
      7 days after its assignment (whoever assigned it gave it more than an ordinary week).
  Reminders (提醒) come `remind_days` (1) before the next pending deadline (the 办结 milestone or
  due_on); 帮办 when due_on has passed (not once resolved, awaiting its 回访); a missed 办结 milestone makes the problem a candidate for
  督办 at the level of the project's key-project designation for the year when it is 省/市级
  (长治: 涉及省、市级重点工程要纳入"13710"系统进行督办), else 县级.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median
from typing import Iterable

from projections.facts import RECORDED_ORDER, Fact
from projections.standing import in_force
from projections.views.common import Project, business_key, projects_in, ratio
from projections.views.lights import DEFAULT_LIGHTS, Lights, label

LEVELS = ("help", "county", "city", "province")  # 帮办, then 督办 at county, city, province level
LEVEL_LABELS = {"help": "帮办", "county": "县级督办", "city": "市级督办", "province": "省级督办"}
PROBLEM_TYPES = ("ProblemRaised", "ProblemAssigned", "ProblemResolved", "ProblemFollowedUp", "ProblemEscalated")
STATUS_LABELS = {"raised": "待交办", "assigned": "办理中", "resolved": "已办结待回访", "reopened": "回访不满意重办",
                 "closed": "已销号"}
MILESTONE_STATUS_LABELS = {"met": "按时完成", "late": "逾期完成", "missed": "逾期未完成", "pending": "未到期",
                           "unrecorded": "无记录"}
HANDLING_LABELS = {"ordinary": "一般问题", "major": "重大问题"}


@dataclass(frozen=True)
class Handling:
    """13710: days from the assignment to each handling deadline."""

    deploy_days: int = 1     # 1日内研究部署
    report_days: int = 3     # 3日内反馈办理情况
    ordinary_days: int = 7   # 一般性问题7日内落实(办结); also the line between ordinary and major
    major_days: int = 30     # 重大、复杂问题1个月内落实解决

    def as_dict(self) -> dict:
        return {"deploy_days": self.deploy_days, "report_days": self.report_days,
                "ordinary_days": self.ordinary_days, "major_days": self.major_days}


@dataclass(frozen=True)
class DeadlinePolicy:
    """When to remind, and what an overdue problem calls for: the default's ladder (days overdue →
    level), or 13710's handling deadlines from the assignment (`handling`)."""

    name: str = "default"
    remind_days: int = 3
    ladder: tuple[tuple[int, str], ...] = ((1, "help"), (7, "county"), (15, "city"), (30, "province"))
    handling: Handling | None = None

    def due_level(self, days_overdue: int) -> str | None:
        level = None
        for days, step in self.ladder:
            if days_overdue >= days:
                level = step
        return level

    def as_dict(self) -> dict:
        return {"name": self.name, "remind_days": self.remind_days,
                "ladder": [{"days_overdue": d, "level": lvl} for d, lvl in self.ladder],
                "handling": self.handling.as_dict() if self.handling else None}


POLICIES = {
    "default": DeadlinePolicy(),
    "13710": DeadlinePolicy("13710", 1, (), Handling()),
}


def _rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else -1


def problem_states(project: Project, policy: DeadlinePolicy) -> list[dict]:
    return [_state(project, pid, fs, policy) for pid, fs in _by_problem(project)]


def open_problem_states(project: Project, policy: DeadlinePolicy) -> list[dict]:
    """problem_states of the problems still open on `on` (not 销号), the closed ones left unbuilt."""
    return [_state(project, pid, fs, policy) for pid, fs in _by_problem(project) if _progress(fs)[2] != "closed"]


def overdue_problems(project: Project) -> list[dict]:
    """The open problems past their deadline on `on`, by problem id: {problem_id, category,
    days_overdue} as problem_states gives them (whatever the policy), without the rest of each state."""
    found = []
    for problem_id, facts in _by_problem(project):
        raised, assigned, status, _, _ = _progress(facts)
        if status == "closed" or assigned is None:
            continue
        due_on = date.fromisoformat(assigned.data["due_on"])
        if project.on > due_on:
            found.append({"problem_id": problem_id, "category": raised.data["category"] if raised else None,
                          "days_overdue": (project.on - due_on).days})
    return found


def _by_problem(project: Project) -> list[tuple[str, list[Fact]]]:
    """Each problem's facts up to `on` in business order, by problem id."""
    facts = sorted((f for t in PROBLEM_TYPES for f in project.upto(t)), key=business_key)
    by_problem: dict[str, list[Fact]] = {}
    for fact in facts:
        by_problem.setdefault(fact.data["problem_id"], []).append(fact)
    return sorted(by_problem.items())


def _progress(facts: list[Fact]) -> tuple[Fact | None, Fact | None, str, date | None, date | None]:
    """(raised, the assignment recorded last, status, closed_on, resolved_on) of one problem's facts."""
    raised = next((f for f in facts if f.event_type == "ProblemRaised"), None)
    assignments = [f for f in facts if f.event_type == "ProblemAssigned"]
    assigned = max(assignments, key=RECORDED_ORDER) if assignments else None
    status, closed_on, resolved_on = "raised", None, None
    for fact in facts:
        if fact.event_type == "ProblemAssigned" and status == "raised":
            status = "assigned"
        elif fact.event_type == "ProblemResolved":
            status, closed_on, resolved_on = "resolved", None, fact.occurred_on
        elif fact.event_type == "ProblemFollowedUp":
            satisfied = fact.data["satisfied"]
            status, closed_on = ("closed", fact.occurred_on) if satisfied else ("reopened", None)
            if not satisfied:
                resolved_on = None
    return raised, assigned, status, closed_on, resolved_on


def _state(project: Project, problem_id: str, facts: list[Fact], policy: DeadlinePolicy) -> dict:
    on = project.on
    raised, assigned, status, closed_on, resolved_on = _progress(facts)
    escalations = [f for f in facts if f.event_type == "ProblemEscalated"]
    level = max((f.data["level"] for f in escalations), key=_rank, default=None)
    due_on = date.fromisoformat(assigned.data["due_on"]) if assigned else None
    is_open = status != "closed"
    overdue = bool(is_open and due_on and on > due_on)
    days_overdue = (on - due_on).days if overdue else 0
    handling = None
    if policy.handling is None:
        due_level = policy.due_level(days_overdue) if overdue else None
        near = bool(is_open and due_on and 0 <= (due_on - on).days <= policy.remind_days)
    else:
        handling = _handling(project, assigned, due_on, resolved_on or closed_on, is_open, policy)
        settle = handling["milestones"][-1] if handling else None
        due_level = handling["escalate_to"] if settle and settle["status"] == "missed" else (
            "help" if overdue and status != "resolved" else None)  # 办结待回访: the unit has done its part
        upcoming = [d for d in ([due_on] + [date.fromisoformat(m["due_on"]) for m in (handling or {}).get(
            "milestones", []) if m["status"] == "pending" and m["key"] == "settle"]) if d is not None and d >= on]
        near = bool(is_open and upcoming and (min(upcoming) - on).days <= policy.remind_days)
    raised_on = (raised or facts[0]).occurred_on
    return {
        "project_id": project.project_id, "project_name": project.name, "region": project.region,
        "township": project.township, "problem_id": problem_id,
        "category": raised.data["category"] if raised else None,
        "description": raised.data["description"] if raised else None,
        "unit": assigned.data["unit"] if assigned else None,
        "raised_on": raised_on.isoformat(),
        "assigned_on": assigned.occurred_on.isoformat() if assigned else None,
        "due_on": due_on.isoformat() if due_on else None,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "open": is_open,
        "days_to_due": (due_on - on).days if is_open and due_on else None,
        "near_deadline": near,
        "overdue": overdue,
        "days_overdue": days_overdue,
        "escalation_level": level,
        "due_level": due_level,
        "escalation_candidate": due_level is not None and _rank(due_level) > _rank(level),
        "handling": handling,
        "closed_on": closed_on.isoformat() if closed_on else None,
        "days_to_close": (closed_on - raised_on).days if closed_on else None,
        "closed_on_time": bool(due_on and any(f.event_type == "ProblemFollowedUp" and f.data["satisfied"]
                                              and f.occurred_on <= due_on for f in facts)),
        "events": [f.event_id for f in facts],
    }


def _key_level(project: Project) -> str | None:
    year = project.on.year
    designation = in_force((f for f in project.facts.of("KeyProjectDesignated") if f.data["year"] == year),
                           project.on)
    return designation.data["level"] if designation else None


def _milestone(key: str, text: str, deadline: date, done_on: date | None, on: date, trackable: bool) -> dict:
    if done_on is not None and done_on <= deadline:
        status = "met"
    elif done_on is not None:
        status = "late" if trackable else "unrecorded"
    elif on > deadline:
        status = "missed" if trackable else "unrecorded"
    else:
        status = "pending"
    return {"key": key, "label": text, "due_on": deadline.isoformat(), "status": status,
            "status_label": MILESTONE_STATUS_LABELS[status], "done_on": done_on.isoformat() if done_on else None}


def _handling(project: Project, assigned: Fact | None, due_on: date | None, resolved_on: date | None,
              is_open: bool, policy: DeadlinePolicy) -> dict | None:
    """13710's handling deadlines from the assignment, each met or missed (module doc)."""
    if assigned is None:
        return None
    rules, on, start = policy.handling, project.on, assigned.occurred_on
    major = due_on is not None and (due_on - start).days > rules.ordinary_days
    settle_days = rules.major_days if major else rules.ordinary_days
    settled = resolved_on if resolved_on is not None and resolved_on >= start else None
    milestones = [
        _milestone("deploy", f"{rules.deploy_days}日内研究部署", start + timedelta(days=rules.deploy_days), settled,
                   on, False),
        _milestone("report", f"{rules.report_days}日内反馈", start + timedelta(days=rules.report_days), settled,
                   on, False),
        _milestone("settle", f"{'1个月' if major and rules.major_days == 30 else str(settle_days) + '日'}内办结",
                   start + timedelta(days=settle_days), settled, on, True),
    ]
    key_level = _key_level(project)
    return {
        "class": "major" if major else "ordinary", "class_label": HANDLING_LABELS["major" if major else "ordinary"],
        "assigned_on": start.isoformat(), "milestones": milestones,
        "missed": [m["key"] for m in milestones if m["status"] == "missed"],
        "next_deadline": next(({"key": m["key"], "label": m["label"], "due_on": m["due_on"]} for m in milestones
                               if m["status"] == "pending" and is_open), None),
        "key_level": key_level,
        "escalate_to": key_level if key_level in ("province", "city") else "county",
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


def problems_view(facts: Iterable[Fact], region: str, on: date, policy: DeadlinePolicy = POLICIES["default"],
                  lights: Lights = DEFAULT_LIGHTS) -> dict:
    rows = [s for p in projects_in(facts, region, on) for s in problem_states(p, policy)]
    for row in rows:
        light = lights.problem(row["days_overdue"], row["open"])
        row["light"], row["light_label"] = light, label(light)
    open_rows = [r for r in rows if r["open"]]
    return {
        "region": region,
        "on": on.isoformat(),
        "policy": policy.as_dict(),
        "open": len(open_rows),
        "open_by_region": _count(open_rows, "region"),
        "open_by_township": _count(open_rows, "township"),
        "open_by_unit": _count(open_rows, "unit"),
        "open_by_category": _count(open_rows, "category"),
        "open_by_status": _count(open_rows, "status"),
        "near_deadline": sorted((r for r in open_rows if r["near_deadline"]),
                                key=lambda r: (r["due_on"] or "", r["problem_id"])),
        "overdue": sorted((r for r in open_rows if r["overdue"]), key=lambda r: (-r["days_overdue"], r["problem_id"])),
        "escalation_candidates": [r["problem_id"] for r in open_rows if r["escalation_candidate"]],
        "closure": closure(rows, on),
        "problems": rows,
    }

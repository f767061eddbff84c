"""滞后项目: the projects the office chases, one line each with every reason and the worst light,
and its 包联领导 and 包联部门 (LeaderAssigned roles in effect on `on`) — the annex of the 通报.

Reasons (each only when its light is 黄 or 红, projections.views.lights):
- not_started        逾期未开工/逾期未复工: a project of the year's plan past its planned 旬/month
                     without its start or resumption (the 开复工台账's due_not_started);
- behind_pace        落后序时: completion (Σ investment Jan..month of `on` ÷ planned investment) behind
                     序时进度 (month ÷ 12) by the pace thresholds, in percentage points. Projects whose
                     planned start is still ahead (not_yet_due) are not judged on pace;
- not_entered        开工未入库: eligible for statistical entry (CONTRACT §3), not entered,
                     `stats_entry.yellow_after_months` (1) or more after its start;
- overdue_problems   问题超期: open problems past their assigned deadline;
- overdue_procedures 前期手续超期: lines of the 前期手续清单 not approved by their deadline.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterable

from projections.facts import Fact
from projections.names import CONSTRUCTION_LABELS, KEY_LEVEL_LABELS
from projections.views.common import Project, key_level, projects_in
from projections.views.leaders import contact_names, contacts, progress
from projections.views.lights import DEFAULT_LIGHTS, GREEN, Lights, label, severity, worst
from projections.views.problems import POLICIES, DeadlinePolicy, overdue_problems
from projections.views.procedures import procedure_rows
from projections.views.starts import light_counts, start_row
from projections.views.stats_entry import clock_start, entry_row

REASONS = {"not_started": "逾期未开复工", "behind_pace": "落后序时", "not_entered": "开工未入库",
           "overdue_problems": "问题超期未办结", "overdue_procedures": "前期手续超期"}


def _reason(kind: str, text: str, detail: str, light: str | None) -> dict:
    return {"kind": kind, "label": text, "detail": detail, "light": light, "light_label": label(light)}


def reasons(project: Project, lights: Lights = DEFAULT_LIGHTS, policy: DeadlinePolicy = POLICIES["default"]
            ) -> tuple[list[dict], dict | None]:
    """The project's reasons to be chased on `on`, and its 开复工 line (None outside the plan)."""
    on, found = project.on, []
    start = start_row(project, lights)
    if start and start["status"] == "due_not_started" and start["light"] != GREEN:
        found.append(_reason("not_started", start["status_label"],
                             f"计划{start['planned_label']}({start['due_on']}),已逾期{start['days_overdue']}天",
                             start["light"]))
    if start and start["status"] != "not_yet_due":
        done = progress(project)
        behind = None if done["points_behind_pace"] is None else Decimal(done["points_behind_pace"])
        light = lights.pace(behind)
        if light is not None and light != GREEN:
            found.append(_reason("behind_pace", REASONS["behind_pace"],
                                 f"完成{done['completed_investment']}万元/计划{done['planned_investment']}万元,"
                                 f"完成率{Decimal(done['completion_rate']) * 100:.2f}%,"
                                 f"序时{Decimal(done['pace']) * 100:.2f}%,落后{behind:.2f}个百分点", light))
    entry = entry_row(project, lights)
    if entry["eligible"] and entry["status"] != "entered":
        since = clock_start(project, date.fromisoformat(entry["started_on"]) if entry["started_on"] else None)
        if lights.entry_lagging(since, on) and entry["light"] != GREEN:
            found.append(_reason("not_entered", REASONS["not_entered"],
                                 f"{since.isoformat()}起{(on - since).days}天未入库({entry['status_label']})",
                                 entry["light"]))
    late = overdue_problems(project)  # open and overdue, whatever the policy
    if late:
        found.append(_reason("overdue_problems", REASONS["overdue_problems"],
                             "、".join(f"{s['problem_id']}({s['category'] or ''})超期{s['days_overdue']}天"
                                       for s in late),
                             worst(lights.problem(s["days_overdue"], True) for s in late)))
    overdue = [r for r in procedure_rows(project, on.year, lights) if r["status"] == "overdue"]
    if overdue:
        found.append(_reason("overdue_procedures", REASONS["overdue_procedures"],
                             "、".join(f"{r['procedure_label']}超期{r['days_overdue']}天" for r in overdue),
                             worst(r["light"] for r in overdue)))
    return found, start


def lagging_view(facts: Iterable[Fact], region: str, on: date, lights: Lights = DEFAULT_LIGHTS,
                 policy: DeadlinePolicy = POLICIES["default"]) -> dict:
    rows = []
    for project in projects_in(facts, region, on):
        found, start = reasons(project, lights, policy)
        if not found:
            continue
        plan = project.plan()
        construction = plan.data["construction"] if plan else None
        level = key_level(project)
        light = worst(r["light"] for r in found)
        rows.append({
            **project.header(),
            "construction": construction,
            "construction_label": CONSTRUCTION_LABELS.get(construction, "未列入年度计划"),
            "key_level": level, "key_level_label": KEY_LEVEL_LABELS.get(level) if level else None,
            "reasons": found, "reason_kinds": [r["kind"] for r in found],
            "light": light, "light_label": label(light),
            **contact_names(contacts(project)),
        })
    rows.sort(key=lambda r: (-severity(r["light"]), r["project_id"]))
    return {
        "region": region, "on": on.isoformat(), "year": on.year,
        "count": len(rows),
        "lights": light_counts(rows),
        "by_reason": {kind: sum(kind in r["reason_kinds"] for r in rows) for kind in REASONS},
        "reason_labels": REASONS,
        "projects": rows,
    }

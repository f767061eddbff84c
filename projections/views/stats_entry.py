"""入库纳统: which projects must be in the statistics bureau's database, and where each stands.

Eligibility follows CONTRACT.md §3 for the year of `on`: in that year's plan, continuing or a new
project started by `on`, registration in force with total investment ≥ 500万元 and a legal-entity
owner. Status is the latest entry fact by `on`: submitted, returned (with its reason) or entered.
应统未统: eligible and not entered, oldest start first.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterable

from projections.facts import Fact
from projections.views.common import Project, projects_in
from projections.views.lights import DEFAULT_LIGHTS, Lights, label

THRESHOLD = Decimal(500)
STATUSES = {
    "not_eligible": "不符合入库条件",
    "not_submitted": "应统未报",
    "submitted": "已申报待审",
    "returned": "已退回",
    "entered": "已入库",
}
ENTRY_TYPES = {"StatsEntrySubmitted": "submitted", "StatsEntryReturned": "returned", "StatsEntryApproved": "entered"}


def eligibility(project: Project) -> tuple[bool, list[str]]:
    """(eligible, reasons): the reasons say why, or why not (in Chinese: they are shown as they are)."""
    year = project.on.year
    plan = project.plan()
    reg = project.registration.data
    reasons: list[str] = []
    ok = True
    if plan is None:
        ok = False
        reasons.append(f"未列入{year}年度计划")
    elif plan.data["construction"] == "continuing":
        reasons.append(f"{year}年度计划续建项目")
    elif project.upto("ConstructionStarted"):
        reasons.append(f"{year}年度计划新建项目,{_start(project).isoformat()}开工")
    else:
        ok = False
        reasons.append(f"{year}年度计划新建项目,尚未开工")
    total = Decimal(reg["total_investment"])
    if total >= THRESHOLD:
        reasons.append(f"总投资{total:.2f}万元 ≥ 500万元")
    else:
        ok = False
        reasons.append(f"总投资{total:.2f}万元 < 500万元")
    if reg["legal_entity"]:
        reasons.append("项目单位为法人单位")
    else:
        ok = False
        reasons.append("项目单位非法人单位")
    return ok, reasons


def _start(project: Project) -> date | None:
    """开工 date: the first start by `on`; for a continuing project without one, its first resumption."""
    for event_type in ("ConstructionStarted", "ConstructionResumed"):
        found = project.upto(event_type)
        if found:
            return found[0].occurred_on
    return None


def _dates(entries: list[Fact], kind: str) -> str | None:
    found = [f for f in entries if ENTRY_TYPES[f.event_type] == kind]
    return found[-1].occurred_on.isoformat() if found else None


def clock_start(project: Project, started: date | None) -> date | None:
    """From when an eligible project's entry is awaited (the lights' clock): its start; a continuing
    project of the plan with no recorded start or resumption has been under construction since
    before the year, so from 1 January."""
    if started is not None:
        return started
    plan = project.plan()
    if plan is not None and plan.data["construction"] == "continuing":
        return date(project.on.year, 1, 1)
    return None


def entry_row(project: Project, lights: Lights = DEFAULT_LIGHTS) -> dict:
    eligible, reasons = eligibility(project)
    entries = sorted((f for t in ENTRY_TYPES for f in project.upto(t)),
                     key=lambda f: (f.occurred_on, f.recorded_us, f.position))
    last = entries[-1] if entries else None
    status = ENTRY_TYPES[last.event_type] if last else ("not_submitted" if eligible else "not_eligible")
    started = _start(project)
    light = lights.entry(clock_start(project, started), project.on, status == "entered") if eligible else None
    since = {"submitted": _dates(entries, "submitted"), "returned": _dates(entries, "returned"),
             "not_submitted": started.isoformat() if started else None}.get(status)
    return {
        **project.header(),
        "eligible": eligible,
        "reasons": reasons,
        "status": status,
        "status_label": STATUSES[status],
        "return_reason": last.data["reason"] if status == "returned" else None,
        "started_on": started.isoformat() if started else None,
        "submitted_on": _dates(entries, "submitted"),
        "returned_on": _dates(entries, "returned"),
        "entered_on": _dates(entries, "entered"),
        "days_waiting": (project.on - date.fromisoformat(since)).days if eligible and since else None,
        "days_since_start": (project.on - started).days if started else None,
        "light": light,
        "light_label": label(light),
        "events": [f.event_id for f in entries],
    }


def _counts(rows: list[dict], key) -> list[dict]:
    groups: dict[tuple, dict] = {}
    for row in rows:
        k = key(row)
        g = groups.setdefault(k, {"region": k[0], **({"township": k[1]} if len(k) > 1 else {}),
                                  "eligible": 0, "entered": 0, "not_entered": 0, "submitted": 0, "returned": 0})
        if row["eligible"]:
            g["eligible"] += 1
            g["entered" if row["status"] == "entered" else "not_entered"] += 1
            if row["status"] in ("submitted", "returned"):
                g[row["status"]] += 1
    return [groups[k] for k in sorted(groups, key=lambda k: tuple(x or "" for x in k))]


def stats_entry_view(facts: Iterable[Fact], region: str, on: date, lights: Lights = DEFAULT_LIGHTS) -> dict:
    rows = [entry_row(p, lights) for p in projects_in(facts, region, on)]
    missing = [r for r in rows if r["eligible"] and r["status"] != "entered"]
    missing.sort(key=lambda r: (r["started_on"] is None, r["started_on"] or "", r["project_id"]))
    return {
        "region": region,
        "on": on.isoformat(),
        "projects": rows,
        "not_entered": missing,
        "by_region": _counts(rows, lambda r: (r["region"],)),
        "by_township": _counts(rows, lambda r: (r["region"], r["township"])),
    }

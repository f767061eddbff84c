"""开复工台账: every project of the year's plan with its planned start (new, 开工) or resumption
(continuing, 复工) month and 旬, what actually happened, its status and its light.

The plan is the AnnualPlanAdopted for the year of `on` in force on `on` (CONTRACT §3); its planned
month and 旬 (catalogue v2) give the due day: the last day of the 旬 (上旬 the 10th, 中旬 the 20th,
下旬 the month's end), or of the month when no 旬 is given. The actual date is, as the figures count
it, the first ConstructionStarted (new) or the first ConstructionResumed for the year (continuing)
with occurred_on in [1 January, on]. Status:

    on_time          按期开工/复工       done on or before the due day
    late             逾期开工/复工       done after it (days_late)
    due_not_started  逾期未开工/复工     not done and the due day has passed (days_overdue)
    not_yet_due      未到计划时间        not done, due day not passed
    unscheduled      未定开工时间        not done, the plan gives no month
    done_unscheduled 已开工(未定计划时间) done, the plan gives no month

Lights (projections.views.lights): 绿 done or not yet due; 黄/红 not done, by time past the due day;
none when the plan gives no month. A late start is 绿: the light says what needs chasing now.
"""
from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Iterable

from projections.facts import Fact
from projections.names import CONSTRUCTION_LABELS, DEKAD_LABELS, KEY_LEVEL_LABELS
from projections.views.common import Project, first, key_level, money, projects_in, ratio
from projections.views.leaders import contact_names, contacts
from projections.views.lights import DEFAULT_LIGHTS, LIGHTS, Lights, label

STATUSES = ("on_time", "late", "due_not_started", "not_yet_due", "unscheduled", "done_unscheduled")
_WORDS = {"new": "开工", "continuing": "复工"}


def status_label(status: str, construction: str) -> str:
    word = _WORDS[construction]
    return {"on_time": f"按期{word}", "late": f"逾期{word}", "due_not_started": f"逾期未{word}",
            "not_yet_due": "未到计划时间", "unscheduled": f"未定{word}时间",
            "done_unscheduled": f"已{word}(未定计划时间)"}[status]


def due_day(year: int, month: int | None, dekad: int | None) -> date | None:
    """The last day of the planned 旬, or of the planned month; None without a month."""
    if month is None:
        return None
    last = calendar.monthrange(year, month)[1]
    return date(year, month, {1: 10, 2: 20}.get(dekad, last))


def planned_label(month: int | None, dekad: int | None) -> str:
    if month is None:
        return "未定"
    return f"{month}月" + (DEKAD_LABELS[dekad] if dekad else "")


def actual(project: Project, construction: str) -> Fact | None:
    """The start (new) or the resumption for the year (continuing) in [1 January, on]."""
    year = project.on.year
    window = date(year, 1, 1)
    if construction == "new":
        return first([f for f in project.upto("ConstructionStarted") if f.occurred_on >= window])
    return first([f for f in project.upto("ConstructionResumed")
                  if f.data["year"] == year and f.occurred_on >= window])


def start_row(project: Project, lights: Lights = DEFAULT_LIGHTS) -> dict | None:
    """The project's line of the ledger, or None when it is not in the plan of the year of `on`."""
    plan = project.plan()
    if plan is None:
        return None
    on, data = project.on, plan.data
    construction = data["construction"]
    month, dekad = data.get("planned_start_month"), data.get("planned_start_dekad")
    due = due_day(on.year, month, dekad)
    done = actual(project, construction)
    if done is not None:
        status = "done_unscheduled" if due is None else ("on_time" if done.occurred_on <= due else "late")
    else:
        status = "unscheduled" if due is None else ("due_not_started" if on > due else "not_yet_due")
    light = lights.start(due, on, done is not None)
    level = key_level(project)
    return {
        **project.header(),
        "construction": construction, "construction_label": CONSTRUCTION_LABELS[construction],
        "key_level": level, "key_level_label": KEY_LEVEL_LABELS.get(level) if level else None,
        "planned_investment": money_of(data["planned_investment"]),
        "planned_month": month, "planned_dekad": dekad, "planned_label": planned_label(month, dekad),
        "due_on": due.isoformat() if due else None,
        "actual_on": done.occurred_on.isoformat() if done else None,
        "status": status, "status_label": status_label(status, construction),
        "days_late": (done.occurred_on - due).days if status == "late" else None,
        "days_overdue": (on - due).days if status == "due_not_started" else None,
        "light": light, "light_label": label(light),
        **contact_names(contacts(project)),
        "events": [plan.event_id] + ([done.event_id] if done else []),
    }


def money_of(text: str) -> str:
    return money(Decimal(text))


def light_counts(rows: Iterable[dict]) -> dict[str, int]:
    """{red, yellow, green, none}: how many rows have each light."""
    counts = {light: 0 for light in LIGHTS} | {"none": 0}
    for row in rows:
        counts[row["light"] or "none"] += 1
    return counts


def starts_view(facts: Iterable[Fact], region: str, on: date, lights: Lights = DEFAULT_LIGHTS) -> dict:
    rows = [r for r in (start_row(p, lights) for p in projects_in(facts, region, on)) if r is not None]
    due = [r for r in rows if r["due_on"] is not None and r["due_on"] <= on.isoformat()]
    done = [r for r in due if r["actual_on"] is not None]
    counts = {s: 0 for s in STATUSES}
    for row in rows:
        counts[row["status"]] += 1
    return {
        "region": region, "on": on.isoformat(), "year": on.year,
        "counts": counts,
        "lights": light_counts(rows),
        "by_construction": {c: {"planned": sum(r["construction"] == c for r in rows),
                                "done": sum(r["construction"] == c and r["actual_on"] is not None for r in rows)}
                            for c in ("new", "continuing")},
        "due_start": {"due": len(due), "done": len(done), "rate": ratio(len(done), len(due))},
        "overdue": sorted((r for r in rows if r["status"] == "due_not_started"),
                          key=lambda r: (-r["days_overdue"], r["project_id"])),
        "projects": rows,
    }

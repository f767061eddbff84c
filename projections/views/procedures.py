"""前期手续清单: each procedure a planned project still needs, with the level that grants it, the
deadline, the unit, the responsible leader and the officer (阳城 1366: "逐项明确办理层级、措施、时限、
责任领导和承办人"), its status and light; the overdue list; and 蒲县's weekly 前期手续办理情况表.

Which lines (a choice; CONTRACT §5 is silent):
- every new project (新建) of the plan of year Y in force on `on`: each procedure its registration in
  force requires — these lines are the 前期手续办结率 figure's (required procedures of new projects);
- any project of the region, new, continuing or not (yet) in the plan (1366 lists "计划开工项目和前期
  项目"): each procedure the 专班 has put on the list, i.e. that has a ProcedurePlanned in force on
  `on`. A continuing project's missing procedures are listed only when the 专班 lists them: its
  earlier approvals may predate the records, and the list would fill with lines nobody chases.
Y is the year of `on` unless given (蒲县 drew up its list for 2023's new projects in December 2022).

A line's plan (办理层级, 时限, 承办单位, 责任领导, 承办人) is the ProcedurePlanned for the project and
procedure in force on `on` (greatest occurred_on ≤ on, then recorded_at, then log position), or 未列入
清单 when none. Status on `on`: approved (the first ProcedureApproved of the procedure on or before
`on`: date, 文号, 审批机关; `approved_late` when after the deadline), overdue (not approved, the
deadline has passed), pending (not approved, not past any deadline). Lights: projections.views.lights.

The weekly 情况表 is for a Friday (蒲县: 每周五上午12时前报 "前期手续办理情况表"): `on` may be any day,
the table is for the Friday on or before it, over the week Saturday..Friday: counts per procedure and
per level on that Friday, and what changed in the week — approvals, lines that became overdue, lines
newly listed, deadlines moved.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Iterable

from projections.facts import Fact
from projections.names import CONSTRUCTION_LABELS, PROCEDURE_LABELS, PROCEDURE_LEVEL_LABELS
from projections.standing import in_force
from projections.views.common import Project, first, projects_in, ratio
from projections.views.leaders import contact_names, contacts
from projections.views.lights import DEFAULT_LIGHTS, Lights, label
from projections.views.starts import light_counts

STATUS_LABELS = {"approved": "已办结", "pending": "办理中", "overdue": "超期未办结"}
UNLISTED = "未列入清单"
LEVELS = ("national", "province", "city", "county")
PROCEDURE_ORDER = tuple(PROCEDURE_LABELS)


def planned_item(project: Project, procedure: str, on: date) -> Fact | None:
    """The ProcedurePlanned of this procedure in force on `on`."""
    return in_force((f for f in project.facts.of("ProcedurePlanned") if f.data["procedure"] == procedure), on)


def _construction(project: Project, year: int) -> str | None:
    plan = project.plan(year)
    return plan.data["construction"] if plan else None


def lines(project: Project, year: int) -> list[tuple[str, bool]]:
    """(procedure, required) of the project's lines in the list, in the catalogue's order."""
    new = _construction(project, year) == "new"
    required = (project.registration.data.get("required_procedures") or []) if new else []
    listed = {f.data["procedure"] for f in project.facts.of("ProcedurePlanned") if f.occurred_on <= project.on}
    wanted = set(required) | listed
    return [(code, code in required) for code in sorted(wanted, key=_order)]


def _order(code: str) -> int:
    return PROCEDURE_ORDER.index(code) if code in PROCEDURE_ORDER else len(PROCEDURE_ORDER)


def procedure_rows(project: Project, year: int | None = None, lights: Lights = DEFAULT_LIGHTS) -> list[dict]:
    on = project.on
    year = on.year if year is None else year
    construction = _construction(project, year)
    people = contact_names(contacts(project))
    rows = []
    for code, required in lines(project, year):
        item = planned_item(project, code, on)
        approval = first([f for f in project.upto("ProcedureApproved") if f.data["procedure"] == code])
        due = date.fromisoformat(item.data["due_on"]) if item else None
        if approval is not None:
            status = "approved"
        else:
            status = "overdue" if due is not None and on > due else "pending"
        level = item.data["level"] if item else None
        light = lights.procedure(due, on, approval is not None)
        rows.append({
            **project.header(),
            "construction": construction,
            "construction_label": CONSTRUCTION_LABELS.get(construction, "未列入年度计划"),
            "procedure": code, "procedure_label": PROCEDURE_LABELS.get(code, code),
            "required": required, "listed": item is not None,
            "level": level, "level_label": PROCEDURE_LEVEL_LABELS[level] if level else UNLISTED,
            "due_on": due.isoformat() if due else None,
            "unit": item.data["unit"] if item else None,
            "leader": item.data["leader"] if item else None,
            "officer": item.data["officer"] if item else None,
            "status": status, "status_label": STATUS_LABELS[status],
            "approved_on": approval.occurred_on.isoformat() if approval else None,
            "document_no": approval.data["document_no"] if approval else None,
            "authority": approval.data["authority"] if approval else None,
            "approved_late": (approval.occurred_on > due) if approval and due else None,
            "days_overdue": (on - due).days if status == "overdue" else None,
            "days_to_due": (due - on).days if status == "pending" and due is not None else None,
            "light": light, "light_label": label(light),
            "project_leaders": people["leaders"], "project_lead_units": people["lead_units"],
            "events": [f.event_id for f in (item, approval) if f is not None],
        })
    return rows


def _tally(rows: list[dict]) -> dict:
    return {"total": len(rows), "approved": sum(r["status"] == "approved" for r in rows),
            "pending": sum(r["status"] == "pending" for r in rows),
            "overdue": sum(r["status"] == "overdue" for r in rows)}


def _grouped(rows: list[dict], key: str, order: Iterable[str | None], labels: dict) -> list[dict]:
    groups: dict[str | None, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    ordered = [k for k in order if k in groups] + sorted((k for k in groups if k not in order), key=str)
    return [{key: k, f"{key}_label": labels.get(k, UNLISTED if k is None else k), **_tally(groups[k])}
            for k in ordered]


def procedures_view(facts: Iterable[Fact], region: str, on: date, year: int | None = None,
                    lights: Lights = DEFAULT_LIGHTS) -> dict:
    year = on.year if year is None else year
    rows = [r for p in projects_in(facts, region, on) for r in procedure_rows(p, year, lights)]
    counted = [r for r in rows if r["required"]]
    return {
        "region": region, "on": on.isoformat(), "year": year,
        **_tally(rows),
        "lights": light_counts(rows),
        "completion": {"required": len(counted), "approved": sum(r["status"] == "approved" for r in counted),
                       "rate": ratio(sum(r["status"] == "approved" for r in counted), len(counted))},
        "by_procedure": _grouped(rows, "procedure", PROCEDURE_ORDER, PROCEDURE_LABELS),
        "by_level": _grouped(rows, "level", (*LEVELS, None), PROCEDURE_LEVEL_LABELS),
        "overdue_list": sorted((r for r in rows if r["status"] == "overdue"),
                               key=lambda r: (-r["days_overdue"], r["project_id"], _order(r["procedure"]))),
        "procedures": rows,
    }


def friday_of(day: date) -> date:
    """The Friday on or before `day`."""
    return day - timedelta(days=(day.weekday() - 4) % 7)


def _first_listed(project: Project, code: str, on: date) -> date | None:
    versions = [f.occurred_on for f in project.facts.of("ProcedurePlanned")
                if f.data["procedure"] == code and f.occurred_on <= on]
    return min(versions, default=None)


def weekly_view(facts: Iterable[Fact], region: str, on: date, year: int | None = None,
                lights: Lights = DEFAULT_LIGHTS) -> dict:
    """前期手续办理情况表 for the Friday on or before `on` (module doc)."""
    friday = friday_of(on)
    week_start, before = friday - timedelta(days=6), friday - timedelta(days=7)
    year = friday.year if year is None else year
    rows, moved, listed = [], [], []
    for project in projects_in(facts, region, friday):
        for row in procedure_rows(project, year, lights):
            rows.append(row)
            code = row["procedure"]
            earlier = planned_item(project, code, before)
            if earlier is not None and row["due_on"] is not None and earlier.data["due_on"] != row["due_on"]:
                moved.append({**row, "previous_due_on": earlier.data["due_on"]})
            listed_on = _first_listed(project, code, friday)
            if listed_on is not None and week_start <= listed_on <= friday:
                listed.append({**row, "listed_on": listed_on.isoformat()})

    def in_week(text: str | None) -> bool:
        return text is not None and week_start.isoformat() <= text <= friday.isoformat()

    approved = [r for r in rows if in_week(r["approved_on"])]
    became_overdue = [r for r in rows if r["status"] == "overdue"
                      and before.isoformat() <= r["due_on"] < friday.isoformat()]

    def with_week(groups: list[dict], key: str) -> list[dict]:
        for group in groups:
            group["approved_this_week"] = sum(r[key] == group[key] for r in approved)
            group["overdue_this_week"] = sum(r[key] == group[key] for r in became_overdue)
        return groups

    return {
        "region": region, "on": on.isoformat(), "friday": friday.isoformat(),
        "week": {"from": week_start.isoformat(), "to": friday.isoformat()}, "year": year,
        **_tally(rows),
        "lights": light_counts(rows),
        "by_procedure": with_week(_grouped(rows, "procedure", PROCEDURE_ORDER, PROCEDURE_LABELS), "procedure"),
        "by_level": with_week(_grouped(rows, "level", (*LEVELS, None), PROCEDURE_LEVEL_LABELS), "level"),
        "changes": {
            "approved": approved,
            "became_overdue": became_overdue,
            "listed": listed,
            "due_moved": moved,
        },
    }

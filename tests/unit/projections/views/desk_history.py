"""Catalogue v2 helpers for the desk's view scenarios (plans to the month and 旬, 前期手续清单,
双包联, 争取资金) on top of views_history.History."""
from __future__ import annotations

from views_history import History


def plan(h: History, n: int, construction: str = "new", month: int | None = None, dekad: int | None = None, *,
         on: str = "2025-01-05", year: int = 2025, planned: str = "1200.00", **registration) -> dict:
    """Register project n (unless it is) and adopt it into the year's plan (AnnualPlanAdopted v2)."""
    if not any(e["project_id"].endswith(f"{n:06d}") and e["event_type"] == "ProjectRegistered" for e in h.events):
        h.registered(n, **registration)
    payload = {"year": year, "construction": construction, "planned_investment": planned,
               "planned_start_month": month, "planned_start_dekad": dekad}
    return h.add("AnnualPlanAdopted", n, on=on, schema_version=2, payload=payload)


def listed(h: History, n: int, procedure: str, due: str, *, on: str = "2025-01-15", level: str = "county",
           unit: str = "县审批局", leader: str = "王建军", officer: str = "李晓燕", at: str | None = None) -> dict:
    """A 前期手续清单 line (ProcedurePlanned)."""
    return h.add("ProcedurePlanned", n, on=on, at=at, procedure=procedure, level=level, due_on=due, unit=unit,
                 leader=leader, officer=officer)


def assign(h: History, n: int, who: str, name: str, role: str = "leader", on: str = "2025-01-10",
           title: str | None = None) -> dict:
    title = title or {"leader": "副县长", "lead_unit": "牵头部门", "support_unit": "帮办部门"}[role]
    return h.add("LeaderAssigned", n, on=on, schema_version=2, leader_id=who, leader_name=name, title=title,
                 role=role)

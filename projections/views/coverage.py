"""双包联 coverage: every key project (KeyProjectDesignated for the year of `on`, in force on `on`)
should have a 包联领导 and a 包联部门 (临县: "县领导和职能部门双包联"; 长治: 包保领导, 领办牵头部门,
帮办职能部门). The office lists the key projects missing a leader, a lead unit, or both
(LeaderAssigned roles `leader` and `lead_unit` in effect on `on`; a 帮办部门 does not stand in for
the lead unit)."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from projections.facts import Fact
from projections.names import KEY_LEVEL_LABELS
from projections.views.common import projects_in
from projections.views.common import key_level as level_of
from projections.views.leaders import contact_names, contacts

MISSING_LABELS = {"leader": "缺包联领导", "lead_unit": "缺包联部门", "both": "缺包联领导和包联部门"}
LEVELS = ("province", "city", "county")


def coverage_view(facts: Iterable[Fact], region: str, on: date) -> dict:
    rows = []
    for project in projects_in(facts, region, on):
        level = level_of(project)
        if level is None:
            continue
        people = contact_names(contacts(project))
        has_leader, has_unit = bool(people["leaders"]), bool(people["lead_units"])
        missing = None if has_leader and has_unit else (
            "both" if not has_leader and not has_unit else "leader" if not has_leader else "lead_unit")
        rows.append({**project.header(), "key_level": level, "key_level_label": KEY_LEVEL_LABELS[level],
                     **people, "has_leader": has_leader, "has_lead_unit": has_unit,
                     "missing": missing, "missing_label": MISSING_LABELS.get(missing)})
    rows.sort(key=lambda r: (LEVELS.index(r["key_level"]), r["project_id"]))

    def tally(group: list[dict]) -> dict:
        return {"key_projects": len(group), "complete": sum(r["missing"] is None for r in group),
                **{f"missing_{k}": sum(r["missing"] == k for r in group) for k in MISSING_LABELS}}

    return {
        "region": region, "on": on.isoformat(), "year": on.year,
        **tally(rows),
        "by_level": [{"key_level": level, "key_level_label": KEY_LEVEL_LABELS[level],
                      **tally([r for r in rows if r["key_level"] == level])} for level in LEVELS],
        "missing": [r for r in rows if r["missing"] is not None],
        "projects": rows,
    }

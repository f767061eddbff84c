"""项目阶段: a project's lifecycle stage on a business date, derived from its facts.

谋划 → 储备 → 已签约 → 已落地 → 在建 → 竣工 → 投产 → 达效 (DOMAIN.md). The stage is the furthest
one the project's facts up to the date reach. Flags say what the year's plan expected and did not
happen: a continuing project not resumed this year (续建未复工), a new one not started (新建未开工).
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from projections.facts import Fact
from projections.views.common import Project, business_key, projects_in

STAGES: dict[str, str] = {
    "conceived": "谋划",
    "reserve": "储备",
    "signed": "已签约",
    "landed": "已落地",
    "under_construction": "在建",
    "completed": "竣工",
    "in_production": "投产",
    "output_reached": "达效",
}
# The facts that bring a project to each stage after 谋划 (registration).
EVIDENCE: dict[str, tuple[str, ...]] = {
    "reserve": ("ProcedureApproved",),
    "signed": ("AgreementSigned",),
    "landed": ("ProjectLanded",),
    "under_construction": ("ConstructionStarted", "ConstructionResumed"),
    "completed": ("ProjectCompleted",),
    "in_production": ("ProductionStarted",),
    "output_reached": ("DesignOutputReached",),
}
FLAGS = {"not_resumed": "续建未复工", "not_started": "新建未开工"}


def timeline(project: Project) -> list[dict]:
    """Each stage reached by `on`, with the first fact that reached it, in stage order."""
    first_registration = project.upto("ProjectRegistered")[0]
    steps = [_step("conceived", first_registration)]
    for stage, types in EVIDENCE.items():
        firsts = [found[0] for t in types if (found := project.upto(t))]  # each type's in business order
        if firsts:
            steps.append(_step(stage, min(firsts, key=business_key)))
    return steps


def _step(stage: str, fact: Fact) -> dict:
    return {"stage": stage, "label": STAGES[stage], "on": fact.occurred_on.isoformat(),
            "event_type": fact.event_type, "event_id": fact.event_id}


def flags(project: Project) -> list[str]:
    """What this year's plan (in force on `on`) expected and the facts do not show."""
    plan = project.plan()
    if plan is None:
        return []
    year_start = date(project.on.year, 1, 1)
    if plan.data["construction"] == "continuing":
        resumed = [f for f in project.upto("ConstructionResumed")
                   if f.data["year"] == project.on.year and f.occurred_on >= year_start]
        return [] if resumed else ["not_resumed"]
    return [] if project.upto("ConstructionStarted") else ["not_started"]


def project_stage(project: Project) -> dict:
    steps = timeline(project)
    current = steps[-1]
    plan = project.plan()
    found = flags(project)
    return {
        **project.header(),
        "stage": current["stage"],
        "label": STAGES[current["stage"]],
        "since": current["on"],
        "construction": plan.data["construction"] if plan else None,
        "flags": found,
        "flag_labels": [FLAGS[f] for f in found],
        "timeline": steps,
    }


def stage_view(facts: Iterable[Fact], region: str, on: date) -> dict:
    """Every project of the region with its stage on `on`, and counts per stage."""
    rows = [project_stage(p) for p in projects_in(facts, region, on)]
    counts = {stage: 0 for stage in STAGES}
    for row in rows:
        counts[row["stage"]] += 1
    flagged = {flag: sum(1 for r in rows if flag in r["flags"]) for flag in FLAGS}
    return {"region": region, "on": on.isoformat(), "counts": counts, "flagged": flagged, "projects": rows}

"""A project's standing for a query: its facts visible as of the report's recorded time,
grouped by type, with the amendable facts resolved to the version in force on `through`."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable

from projections.facts import Fact


def in_force(candidates: Iterable[Fact], on: date) -> Fact | None:
    """The version in force on a date: greatest occurred_on ≤ date, then recorded_at, then log position."""
    best = None
    for fact in candidates:
        if fact.occurred_on <= on and (best is None or fact.version_order > best.version_order):
            best = fact
    return best


@dataclass
class ProjectFacts:
    project_id: str
    by_type: dict[str, list[Fact]] = field(default_factory=lambda: defaultdict(list))

    def of(self, event_type: str) -> list[Fact]:
        return self.by_type.get(event_type, [])

    def between(self, event_type: str, first: date, last: date) -> list[Fact]:
        return [f for f in self.of(event_type) if first <= f.occurred_on <= last]

    def before(self, event_type: str, day: date) -> list[Fact]:
        return [f for f in self.of(event_type) if f.occurred_on < day]


def group_by_project(facts: Iterable[Fact]) -> tuple[dict[str, ProjectFacts], list[Fact]]:
    """Facts by project, and the project-less ones (targets)."""
    projects: dict[str, ProjectFacts] = {}
    regional: list[Fact] = []
    for fact in facts:
        if fact.project_id is None:
            regional.append(fact)
            continue
        project = projects.get(fact.project_id)
        if project is None:
            project = projects[fact.project_id] = ProjectFacts(fact.project_id)
        project.by_type[fact.event_type].append(fact)
    return projects, regional


class Registered:
    """What a project's registration in force says of it (mixed into Standing and the views' Project)."""

    facts: ProjectFacts
    registration: Fact

    @property
    def project_id(self) -> str:
        return self.facts.project_id

    @property
    def region(self) -> str:
        return self.registration.data["region"]

    @property
    def township(self) -> str | None:
        return self.registration.data.get("township")


@dataclass
class Standing(Registered):
    """A project that belongs to the query's region (and level), resolved on `through`."""

    facts: ProjectFacts
    registration: Fact
    plan: Fact | None
    designation: Fact | None

    @property
    def construction(self) -> str | None:
        return self.plan.data["construction"] if self.plan else None

    @property
    def planned_investment(self) -> Decimal:
        return Decimal(self.plan.data["planned_investment"]) if self.plan else Decimal(0)

    @property
    def total_investment(self) -> Decimal:
        return Decimal(self.registration.data["total_investment"])

    def base_events(self) -> list[str]:
        """The facts that put the project in the query's set: registration (and designation)."""
        ids = [self.registration.event_id]
        if self.designation is not None:
            ids.append(self.designation.event_id)
        return ids

    def plan_events(self) -> list[str]:
        return self.base_events() + ([self.plan.event_id] if self.plan else [])


def stand(project: ProjectFacts, year: int, through: date, region: str, level: str | None) -> Standing | None:
    registration = in_force(project.of("ProjectRegistered"), through)
    if registration is None or not registration.data["region"].startswith(region):
        return None
    designation = in_force(
        (f for f in project.of("KeyProjectDesignated") if f.data["year"] == year), through)
    if level is not None and (designation is None or designation.data["level"] != level):
        return None
    plan = in_force((f for f in project.of("AnnualPlanAdopted") if f.data["year"] == year), through)
    return Standing(project, registration, plan, designation if level is not None else None)

"""What every view needs: the projects of a region on a business date, their facts up to it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from projections.facts import Fact
from projections.standing import ProjectFacts, group_by_project, in_force


def business_key(fact: Fact) -> tuple:
    """Business order: occurred_on, then recorded time, then log position."""
    return (fact.occurred_on, fact.recorded_us, fact.position)


FOUR_PLACES = Decimal("0.0001")


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def ratio(numerator: Decimal, denominator: Decimal) -> str | None:
    if not denominator:
        return None
    return f"{(Decimal(numerator) / Decimal(denominator)).quantize(FOUR_PLACES, ROUND_HALF_UP):.4f}"


@dataclass
class Project:
    """A project as it stands on `on`: its registration in force then, its facts up to then."""

    facts: ProjectFacts
    registration: Fact
    on: date

    @property
    def project_id(self) -> str:
        return self.facts.project_id

    @property
    def name(self) -> str:
        return self.registration.data["name"]

    @property
    def region(self) -> str:
        return self.registration.data["region"]

    @property
    def township(self) -> str | None:
        return self.registration.data.get("township")

    def upto(self, event_type: str) -> list[Fact]:
        """Facts of a type that happened on or before `on`, in business order."""
        return sorted((f for f in self.facts.of(event_type) if f.occurred_on <= self.on), key=business_key)

    def plan(self, year: int | None = None) -> Fact | None:
        """年度建设计划 for `year` (default: the year of `on`) in force on `on`."""
        year = self.on.year if year is None else year
        return in_force((f for f in self.facts.of("AnnualPlanAdopted") if f.data["year"] == year), self.on)

    def header(self) -> dict:
        return {"project_id": self.project_id, "name": self.name, "region": self.region,
                "township": self.township}


def project_of(facts: ProjectFacts, on: date, region: str = "") -> Project | None:
    registration = in_force(facts.of("ProjectRegistered"), on)
    if registration is None or not registration.data["region"].startswith(region):
        return None
    return Project(facts, registration, on)


def projects_in(facts: Iterable[Fact], region: str, on: date) -> list[Project]:
    """Projects whose registration in force on `on` lies in the region prefix, by project id.
    A project with no registration in force belongs nowhere (CONTRACT.md §3)."""
    grouped, _ = group_by_project(facts)
    found = (project_of(p, on, region) for _, p in sorted(grouped.items()))
    return [p for p in found if p is not None]

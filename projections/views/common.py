"""What every view needs: the projects of a region on a business date, their facts up to it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable, Iterator

from projections.facts import VERSION_ORDER, Fact
from projections.figures.results import rate
from projections.standing import ByProject, ProjectFacts, Registered, group_by_project, in_force


# Business order: occurred_on, then recorded time, then log position (a key function made in C).
business_key = VERSION_ORDER




def money(value: Decimal) -> str:
    return f"{value:.2f}"


def ratio(numerator: Decimal, denominator: Decimal) -> str | None:
    """The figures' rounding (half-up, 4 places) as a decimal string."""
    value = rate(numerator, denominator)
    return None if value is None else f"{value:.4f}"


@dataclass
class Project(Registered):
    """A project as it stands on `on`: its registration in force then, its facts up to then."""

    facts: ProjectFacts
    registration: Fact
    on: date
    # what the folds work out once per project and read again (a view's parts ask the same questions:
    # the facts of a type up to `on`, the plan, the 包联 in effect); never shown
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.registration.data["name"]

    def upto(self, event_type: str) -> list[Fact]:
        """Facts of a type that happened on or before `on`, in business order (one list per type:
        read it, do not change it)."""
        found = self.memo.get(event_type)
        if found is None:
            on = self.on
            found = self.memo[event_type] = sorted(
                [f for f in self.facts.of(event_type) if f.occurred_on <= on], key=business_key)
        return found

    def remembered(self, key: tuple, compute):
        """compute(), once per project and key."""
        try:
            return self.memo[key]
        except KeyError:
            found = self.memo[key] = compute()
            return found

    def plan(self, year: int | None = None) -> Fact | None:
        """年度建设计划 for `year` (default: the year of `on`) in force on `on`."""
        year = self.on.year if year is None else year
        return self.remembered(("plan", year), lambda: in_force(
            (f for f in self.facts.of("AnnualPlanAdopted") if f.data["year"] == year), self.on))

    def header(self) -> dict:
        return {"project_id": self.project_id, "name": self.name, "region": self.region,
                "township": self.township}


def project_of(facts: ProjectFacts, on: date, region: str = "") -> Project | None:
    registration = in_force(facts.of("ProjectRegistered"), on)
    if registration is None or not registration.data["region"].startswith(region):
        return None
    return Project(facts, registration, on)


def projects_in(facts: Iterable[Fact] | ByProject, region: str, on: date) -> Iterator[Project]:
    """Projects whose registration in force on `on` lies in the region prefix, by project id, one at a
    time. A project with no registration in force belongs nowhere (CONTRACT.md §3). `facts` are
    any facts, or the read model's stream of them project by project (ByProject, in id order)."""
    if isinstance(facts, ByProject):
        grouped: Iterable[ProjectFacts] = facts
    else:
        by_id, _ = group_by_project(facts)
        grouped = (by_id[project_id] for project_id in sorted(by_id))
    for project_facts in grouped:
        found = project_of(project_facts, on, region)
        if found is not None:
            yield found


def investment(project: "ProjectFacts", year: int, through_month: int) -> tuple[Decimal, list[str]]:
    """Σ of the report recorded last per month 1..through_month of `year` (the rule of the figures;
    occurred_on plays no part), and the reports counted."""
    last: dict[int, Fact] = {}
    for f in project.of("InvestmentReported"):
        month = f.data["month"]
        if f.data["year"] == year and month <= through_month and (month not in last or f.order > last[month].order):
            last[month] = f
    counted = [last[m] for m in sorted(last)]
    return sum((Decimal(f.data["amount"]) for f in counted), Decimal(0)), [f.event_id for f in counted]


def key_level(project: Project, year: int | None = None) -> str | None:
    """省/市/县重点工程 level of the project's designation for `year` (default: the year of `on`) in
    force on `on`, or None."""
    year = project.on.year if year is None else year
    designation = in_force((f for f in project.facts.of("KeyProjectDesignated") if f.data["year"] == year),
                           project.on)
    return designation.data["level"] if designation else None


def first(facts: list[Fact]) -> Fact | None:
    """The first of some facts in business order."""
    return min(facts, key=business_key) if facts else None

"""A project's facts grouped by type, and the amendable facts resolved to the version in force on a
date (the views' folds; the figures do the same over columns, projections/figures/vocabulary.py)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Iterator

from projections.facts import VERSION_ORDER, Fact


def in_force(candidates: Iterable[Fact], on: date) -> Fact | None:
    """The version in force on a date: greatest occurred_on ≤ date, then recorded_at, then log position."""
    eligible = [fact for fact in candidates if fact.occurred_on <= on]
    return max(eligible, key=VERSION_ORDER) if eligible else None


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


class ByProject:
    """Facts already grouped: each project's facts (a list, in log order), the projects in order of
    their ids — what the read model streams to a view, so that a view holds one project's facts at
    a time and its memory is bounded by its answer, not by the region's history. Iterated once."""

    def __init__(self, groups: Iterable[list[Fact]]):
        self._groups = groups

    def __iter__(self) -> Iterator[ProjectFacts]:
        previous = None
        for found in self._groups:
            if not found:
                continue
            project = project_facts_of(found)
            if previous is not None and project.project_id <= previous:  # the views' order is the ids' own
                raise ValueError(f"projects out of order: {project.project_id!r} after {previous!r}")
            previous = project.project_id
            yield project


def project_facts_of(found: Iterable[Fact]) -> ProjectFacts:
    """One project's facts (all of the same project) grouped by type."""
    grouped = None
    for fact in found:
        if grouped is None:
            grouped = ProjectFacts(fact.project_id)
        grouped.by_type[fact.event_type].append(fact)
    return grouped


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

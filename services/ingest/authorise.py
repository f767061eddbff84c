"""The bus's authorisation: `policy.toml` (or a file named by PROJFACTS_BUS_POLICY) applied with
the pure functions of `services.ingest.rules` — the same rules as the HTTP ingest.

`authorise_submission` is pure: what it needs from the log comes in a `Context` (the retracted
events' types and publishers, the projects' registered regions), which the ingest fills once
per batch (`StoreContext`).
"""
from __future__ import annotations

import os
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Protocol

from events.envelope import Event
from services.ingest.rules import Policy, authorise, authorise_region, region_from_code

DEFAULT_FILE = Path(__file__).with_name("policy.toml")
EVERYWHERE = ("",)


@dataclass(frozen=True)
class BusPolicy:
    rules: Policy
    regions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # department -> prefixes

    def scope(self, department: str) -> tuple[str, ...]:
        return self.regions.get(department, EVERYWHERE)

    def restricted(self, department: str) -> bool:
        return "" not in self.scope(department)


def load_policy(path: str | Path | None = None) -> BusPolicy:
    path = Path(path or os.environ.get("PROJFACTS_BUS_POLICY") or DEFAULT_FILE)
    with open(path, "rb") as handle:
        tree = tomllib.load(handle)
    owners: dict[str, set[str]] = defaultdict(set)
    regions: dict[str, tuple[str, ...]] = {}
    for department, rule in tree.get("departments", {}).items():
        for event_type in rule.get("types", []):
            owners[event_type].add(department)
        prefixes = tuple(str(p) for p in rule.get("regions", [""]))
        bad = [p for p in prefixes if p and (not p.isdigit() or len(p) not in (2, 4, 6))]
        if bad:
            raise ValueError(f"{path}: department {department}: region prefixes must be 2, 4 or 6 digits, got {bad}")
        regions[department] = prefixes
    anyone = frozenset(tree.get("any_department", {}).get("types", []))
    return BusPolicy(Policy({t: frozenset(d) for t, d in owners.items()}, anyone), regions)


class Context(Protocol):
    def retracted(self, event_id: str) -> tuple[str, str] | None:
        """(event_type, publishing department) of a logged event, None when unknown."""

    def region(self, project_id: str) -> str | None:
        """The region of the project's latest registration, None when not registered."""


def region_of(event: Event, context: Context) -> str | None:
    """ProjectRegistered and project-less facts carry it; others take the project's registration,
    else the region inside the project code."""
    if event.event_type == "ProjectRegistered":
        return event.payload.region
    if event.project_id is None:
        return getattr(event.payload, "region", None)
    return context.region(event.project_id) or region_from_code(event.project_id)


def authorise_submission(event: Event, policy: BusPolicy, context: Context) -> str | None:
    """None when the event's own department may publish it on the bus, else the reason."""
    department = event.source.department
    retracted = context.retracted(str(event.payload.retracted_event_id)) if event.event_type == "EventRetracted" else None
    reason = authorise(event, department, policy.rules, retracted=retracted)
    if reason or not policy.restricted(department):
        return reason
    region = region_of(event, context)
    reasons = [authorise_region(region, prefix) for prefix in policy.scope(department)]
    if all(reasons):
        return reasons[0] if len(reasons) == 1 else f"region {region} is outside {department}'s territory " \
                                                        f"({', '.join(policy.scope(department))})"
    if event.event_type == "ProjectRegistered" and event.project_id:
        known = context.region(event.project_id)  # an amendment may not move a project out of reach
        if known and all(authorise_region(known, p) for p in policy.scope(department)):
            return f"project registered in {known}, outside {department}'s territory"
    return None


@dataclass
class MappingContext:
    """A Context from plain mappings (tests, and the ingest's per-batch lookups)."""

    targets: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    regions: Mapping[str, str] = field(default_factory=dict)

    def retracted(self, event_id: str) -> tuple[str, str] | None:
        return self.targets.get(event_id)

    def region(self, project_id: str) -> str | None:
        return self.regions.get(project_id)


def store_context(engine, events: Iterable[Event], policy: BusPolicy) -> MappingContext:
    """Look up, in one or two queries, what authorising `events` needs from the log; events
    earlier in the same batch count as known."""
    from sqlalchemy import select

    from services.log.tables import events as log

    events = list(events)
    targets: dict[str, tuple[str, str]] = {}
    regions: dict[str, str] = {}
    wanted = [str(e.payload.retracted_event_id) for e in events if e.event_type == "EventRetracted"]
    projects = sorted({e.project_id for e in events if e.project_id and policy.restricted(e.source.department)})
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            query = select(log.c.event_id, log.c.event_type, log.c.department).where(
                log.c.event_id.in_(wanted[start:start + 500]))
            targets.update({row[0]: (row[1], row[2]) for row in conn.execute(query)})
        for start in range(0, len(projects), 500):
            query = (select(log.c.project_id, log.c.payload).where(
                log.c.event_type == "ProjectRegistered", log.c.project_id.in_(projects[start:start + 500]))
                .order_by(log.c.occurred_on, log.c.recorded_us, log.c.position))
            import orjson

            regions.update({row[0]: orjson.loads(row[1])["region"] for row in conn.execute(query)})
    for e in events:  # earlier in this batch
        targets.setdefault(e.id, (e.event_type, e.source.department))
        if e.event_type == "ProjectRegistered" and e.project_id not in regions:
            regions[e.project_id] = e.payload.region
    return MappingContext(targets, regions)

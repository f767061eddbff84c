"""Authorisation (发布权限): may this publisher write this fact, here? One module for every door
where departments publish — the HTTP ingest and the submissions topic; the history import is the
administrator's and applies none of it (CONTRACT.md §4).

    authorise(event, publisher, policy, context) -> Refusal | None

- the event's `source.department` must be the publisher's — the department its credentials stand
  for: a token (HTTP) or the channel it came in on (the bus: each department's own submissions
  topic, `Publisher.channel`), never what the message says about itself;
- a type with owners may be published only by one of them (`policy.toml`, by default DOMAIN.md's
  table, `events.catalogue.OWNERS`); `ProblemResolved` by any department (the assigned unit); a
  `ProcedureApproved` only by a department that issues that procedure (`PROCEDURE_ISSUERS`);
- `EventRetracted` only by the retracted event's publisher or a department owning its type; a
  retraction of an event the log does not hold is refused;
- territory: the fact's region must lie in the department's regions (`policy.toml`) and in the
  publisher's territory (a token's); a project's region is that of its first registration (else
  the 6 digits inside its code), and a registration may not move a project out of reach;
- a project's region is fixed: a registration must name the region inside its project code (when
  the code carries one) and that of the project's first registration (when the log holds one), so
  no county registers (squats) another county's project.

`authorise` is pure: what it needs from the log comes in a `Context`, filled once per batch by
`context_for`.
"""
from __future__ import annotations

import os
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from events.catalogue import OWNERS, PROCEDURE_ISSUERS
from events.envelope import Event
from services.log.store import EventStore, Known

DEFAULT_FILE = Path(__file__).with_name("policy.toml")
EVERYWHERE = ("",)
RETRACTION = "EventRetracted"
ANY_DEPARTMENT = frozenset({"ProblemResolved"})
_CODE_REGION = re.compile(r"^[0-9]{4}-([0-9]{6})-")


@dataclass(frozen=True)
class Policy:
    """event_type -> the departments that may publish it; types anyone may; each department's regions."""

    owners: Mapping[str, frozenset[str]]
    any_department: frozenset[str] = ANY_DEPARTMENT
    regions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # department -> code prefixes

    def scope(self, department: str) -> tuple[str, ...]:
        return self.regions.get(department, EVERYWHERE)


DEFAULT_POLICY = Policy({t: frozenset(d) for t, d in OWNERS.items()})


@dataclass(frozen=True)
class Publisher:
    """Who writes: a department, the territory it may write about (region code prefixes; "" is
    everywhere), and how it was identified (a token id, a bus channel), for the audit."""

    department: str
    territory: tuple[str, ...] = EVERYWHERE
    identity: str | None = None
    channel: str | None = None  # the bus: the submissions topic the event came in on


@dataclass(frozen=True)
class Refusal:
    field: str | None
    reason: str


def load_policy(path: str | Path | None = None) -> Policy:
    """`policy.toml` (or the file named by PROJFACTS_BUS_POLICY)."""
    path = Path(path or os.environ.get("PROJFACTS_BUS_POLICY") or DEFAULT_FILE)
    with open(path, "rb") as handle:
        tree = tomllib.load(handle)
    owners: dict[str, set[str]] = defaultdict(set)
    regions: dict[str, tuple[str, ...]] = {}
    for department, rule in tree.get("departments", {}).items():
        for event_type in rule.get("types", []):
            owners[event_type].add(department)
        prefixes = tuple(str(p) for p in rule.get("regions", [""]))
        bad = [p for p in prefixes if p and not re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}", p)]
        if bad:
            raise ValueError(f"{path}: department {department}: region prefixes must be 2, 4 or 6 digits, got {bad}")
        regions[department] = prefixes
    anyone = frozenset(tree.get("any_department", {}).get("types", []))
    return Policy({t: frozenset(d) for t, d in owners.items()}, anyone, regions)


# ---- what the log says -------------------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """The logged events a batch retracts, and the region each of its projects belongs to."""

    targets: Mapping[str, Known] = field(default_factory=dict)
    regions: Mapping[str, str] = field(default_factory=dict)  # project -> region of its first registration

    def target(self, event_id: str) -> Known | None:
        return self.targets.get(event_id)

    def region(self, project_id: str) -> str | None:
        return self.regions.get(project_id)


def context_for(events: EventStore, batch: Iterable[Event]) -> Context:
    """One or two queries for a batch; events earlier in the batch count as known."""
    batch = list(batch)
    retracted = [str(e.payload.retracted_event_id) for e in batch if e.event_type == RETRACTION]
    targets = dict(events.known(retracted)) if retracted else {}
    projects = sorted({e.project_id for e in batch if e.project_id})
    regions = dict(events.first_regions(projects)) if projects else {}
    for e in batch:
        region = getattr(e.payload, "region", None)
        targets.setdefault(e.id, Known(e.event_type, e.source.department, e.project_id,
                                       region if e.project_id is None else None))
        if e.event_type == "ProjectRegistered" and e.project_id not in regions:
            regions[e.project_id] = e.payload.region
    return Context(targets, regions)


# ---- the rules ---------------------------------------------------------------------------------
def region_from_code(project_id: str | None) -> str | None:
    """The 6-digit 行政区划代码 inside a 项目代码 (`2501-140522-04-01-000123` → `140522`)."""
    match = _CODE_REGION.match(project_id or "")
    return match.group(1) if match else None


def within(region: str | None, scope: Iterable[str]) -> bool:
    return region is not None and any(region.startswith(prefix) for prefix in scope)


def authorise(event: Event, publisher: Publisher, policy: Policy = DEFAULT_POLICY,
              context: Context | None = None) -> Refusal | None:
    """None when `publisher` may write `event`, else why not (and which field)."""
    context = context or Context()
    department = publisher.department
    if event.source.department != department:
        via = f" (it came in on {department}'s channel {publisher.channel})" if publisher.channel else ""
        return Refusal("source.department", f"source.department {event.source.department!r} is not the "
                                            f"publishing department {department!r}{via}")
    refusal = _ownership(event, department, policy, context)
    if refusal:
        return refusal
    for scope, whose in ((policy.scope(department), f"{department}'s territory"),
                         (publisher.territory, "this publisher's territory")):
        if "" not in scope and (refusal := _territory(event, scope, whose, context)):
            return refusal
    return _fixed_region(event, context)


def _fixed_region(event: Event, context: Context) -> Refusal | None:
    """A registration names the region its code and its first registration fixed."""
    if event.event_type != "ProjectRegistered" or not event.project_id:
        return None
    region = event.payload.region
    coded = region_from_code(event.project_id)
    if coded is not None and region != coded:
        return Refusal("payload.region", f"region {region} is not the region in the project code "
                                         f"{event.project_id} ({coded})")
    known = context.region(event.project_id)
    if known is not None and known != region:
        return Refusal("payload.region", f"project {event.project_id} is registered in {known}; "
                                         f"a registration cannot move it to {region}")
    return None


def _ownership(event: Event, department: str, policy: Policy, context: Context) -> Refusal | None:
    if event.event_type == RETRACTION:
        target = context.target(str(event.payload.retracted_event_id))
        if target is None:
            return Refusal("payload.retracted_event_id",
                           "the retracted event is not in the log; only its owner may retract it")
        if department == target.department or department in policy.owners.get(target.event_type, ()):
            return None
        return Refusal("payload.retracted_event_id",
                       f"{department} may not retract a {target.event_type} (published by {target.department})")
    if event.event_type in policy.any_department:
        return None
    owners = policy.owners.get(event.event_type)
    if not owners or department not in owners:
        allowed = ", ".join(sorted(owners or ())) or "nobody"
        return Refusal("event_type", f"{department} may not publish {event.event_type} (owned by {allowed})")
    if event.event_type == "ProcedureApproved":
        procedure = event.payload.procedure.value
        issuers = PROCEDURE_ISSUERS.get(procedure, ())
        if department not in issuers:
            return Refusal("payload.procedure", f"{department} does not issue {procedure} "
                                                f"(issued by {', '.join(issuers) or 'nobody'})")
    return None


def region_of(event: Event, context: Context) -> tuple[str | None, str]:
    """(the region a fact is about, the field that says so)."""
    if event.event_type == "ProjectRegistered":
        return event.payload.region, "payload.region"
    if event.project_id is None:
        if hasattr(event.payload, "region"):
            return event.payload.region, "payload.region"
        target = context.target(str(event.payload.retracted_event_id)) if event.event_type == RETRACTION else None
        return (target.region if target else None), "payload.retracted_event_id"
    return context.region(event.project_id) or region_from_code(event.project_id), "project_id"


def _territory(event: Event, scope: tuple[str, ...], whose: str, context: Context) -> Refusal | None:
    region, where = region_of(event, context)
    if region is None:
        return Refusal(where, f"the project's region is unknown (not registered, no region in its code); "
                              f"{whose} is {', '.join(scope)}")
    if not within(region, scope):
        return Refusal(where, f"region {region} is outside {whose} ({', '.join(scope)})")
    if event.event_type == "ProjectRegistered" and event.project_id:
        known = context.region(event.project_id)  # an amendment may not move a project out of reach
        if known and known != region and not within(known, scope):
            return Refusal("project_id", f"project registered in {known}, outside {whose} ({', '.join(scope)})")
    return None

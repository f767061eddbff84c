"""Department authorisation (发布权限): who may publish which facts, and where.

Pure functions shared by every write path where departments publish (the Kafka bus and the
HTTP ingest); the history import applies none of this (CONTRACT.md §4). Each returns None
when the write is allowed, else the reason it is refused.

The default policy is DOMAIN.md's department table (`events.catalogue.OWNERS`):
- a type with owners may be published only by one of them;
- `ProblemResolved` by any department (限时办结 is reported by the assigned unit, named in free text);
- `EventRetracted` only by a department that owns the retracted event's type, or published it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from events.catalogue import OWNERS
from events.envelope import Event

ANY_DEPARTMENT = frozenset({"ProblemResolved"})
RETRACTION = "EventRetracted"
_CODE_REGION = re.compile(r"^\d{4}-(\d{6})-")


@dataclass(frozen=True)
class Policy:
    """event_type -> the departments that may publish it; `any_department`: types anyone may."""

    owners: Mapping[str, frozenset[str]]
    any_department: frozenset[str] = field(default_factory=lambda: ANY_DEPARTMENT)


DEFAULT_POLICY = Policy({t: frozenset(d) for t, d in OWNERS.items()})


def authorise(event: Event, department: str, policy: Policy = DEFAULT_POLICY, *,
              retracted: tuple[str, str] | None = None) -> str | None:
    """May `department` publish `event`? None if so, else the reason.

    `retracted`: for an `EventRetracted`, the (event_type, department) of the event it names,
    when that event is known; a retraction of an unknown event is refused.
    """
    if event.source.department != department:
        return f"source.department {event.source.department!r} is not the publishing department {department!r}"
    if event.event_type == RETRACTION:
        if retracted is None:
            return "the retracted event is not in the log; only its owner may retract it"
        retracted_type, publisher = retracted
        if department == publisher or department in policy.owners.get(retracted_type, ()):
            return None
        return f"{department} may not retract a {retracted_type} (published by {publisher})"
    if event.event_type in policy.any_department:
        return None
    owners = policy.owners.get(event.event_type)
    if not owners or department not in owners:
        allowed = ", ".join(sorted(owners or ())) or "nobody"
        return f"{department} may not publish {event.event_type} (owned by {allowed})"
    return None


def region_from_code(project_id: str | None) -> str | None:
    """The 6-digit 行政区划代码 inside a 项目代码 (`2501-140522-04-01-000123` → `140522`)."""
    match = _CODE_REGION.match(project_id or "")
    return match.group(1) if match else None


def authorise_region(region: str | None, scope: str) -> str | None:
    """May a publisher whose territory is the code prefix `scope` write about `region`?"""
    if region is None:
        return f"the project's region is unknown (not registered, no region in its code); scope {scope}"
    if not region.startswith(scope):
        return f"region {region} is outside this publisher's territory {scope}"
    return None

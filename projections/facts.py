"""A fact: an event as the projections see it (payload at its latest schema version)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import attrgetter

# The two orders, as key functions made in C (a sort of a province's facts calls its key a million
# times: a Python key function costs ~0.3 µs a call more); a fact's `order` and `version_order`.
RECORDED_ORDER = attrgetter("recorded_us", "position")
VERSION_ORDER = attrgetter("occurred_on", "recorded_us", "position")


@dataclass(slots=True)  # not frozen: see tests/unit/projections/test_facts_read_only.py
class Fact:
    position: int
    event_id: str
    event_type: str
    project_id: str | None
    occurred_on: date
    recorded_us: int
    department: str
    data: dict

    # later in this order = recorded later (ties: later in the log)
    order = property(RECORDED_ORDER)
    # for amendable facts: the greatest occurred_on, then recorded_at, then log position
    version_order = property(VERSION_ORDER)


def fact_from_json(position: int, obj: dict, recorded_us: int) -> Fact:
    """From a stored event's contract JSON (already upcast) and its position."""
    return Fact(
        position=position,
        event_id=obj["event_id"],
        event_type=obj["event_type"],
        project_id=obj["project_id"],
        occurred_on=date.fromisoformat(obj["occurred_on"]),
        recorded_us=recorded_us,
        department=obj["source"]["department"],
        data=obj["payload"],
    )

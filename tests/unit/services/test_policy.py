"""services.ingest.rules: the pure authorisation shared by the bus and the HTTP ingest."""
from __future__ import annotations

import pytest

from events.catalogue import OWNERS
from events.codec import validate_object
from helpers import DEFAULT_PAYLOADS, event
from services.ingest.rules import DEFAULT_POLICY, Policy, authorise, authorise_region, region_from_code


def as_event(event_type: str, department: str, **fields):
    return validate_object(event(event_type, source={"department": department, "system": "t"}, **fields))


@pytest.mark.parametrize("event_type", [t for t, owners in OWNERS.items() if owners and t in DEFAULT_PAYLOADS])
def test_each_type_is_allowed_to_its_owners_and_no_one_else(event_type):
    for department in OWNERS[event_type]:
        assert authorise(as_event(event_type, department), department) is None
    outsider = "supervision" if "supervision" not in OWNERS[event_type] else "stats"
    reason = authorise(as_event(event_type, outsider), outsider)
    assert reason == f"{outsider} may not publish {event_type} (owned by {', '.join(sorted(OWNERS[event_type]))})"


def test_the_department_must_be_the_events_own():
    assert "is not the publishing department" in authorise(as_event("ConstructionStarted", "project_center"), "stats")


def test_any_department_may_report_a_resolution():
    assert authorise(as_event("ProblemResolved", "housing"), "housing") is None


def test_retractions_belong_to_the_retracted_events_owner_or_publisher():
    retraction = as_event("EventRetracted", "stats")
    assert authorise(retraction, "stats", retracted=("StatsEntryReturned", "stats")) is None
    assert authorise(retraction, "stats", retracted=("InvestmentReported", "project_center")) is None  # co-owner
    assert "may not retract a ConstructionStarted" in authorise(
        retraction, "stats", retracted=("ConstructionStarted", "project_center"))
    assert "not in the log" in authorise(retraction, "stats")


def test_a_custom_policy():
    narrow = Policy({"ConstructionStarted": frozenset({"ndrc"})})
    assert authorise(as_event("ConstructionStarted", "ndrc"), "ndrc", narrow) is None
    assert authorise(as_event("ConstructionStarted", "project_center"), "project_center", narrow) is not None
    assert DEFAULT_POLICY.owners["ConstructionStarted"] == frozenset({"project_center"})


def test_regions():
    assert region_from_code("2501-140522-04-01-000123") == "140522"
    assert region_from_code("P-1") is None
    assert authorise_region("140522", "1405") is None and authorise_region("140522", "140522") is None
    assert "outside" in authorise_region("140521", "140522")
    assert "unknown" in authorise_region(None, "140522")

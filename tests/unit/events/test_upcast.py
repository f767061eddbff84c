"""Old events stay readable: upcasters on read, and Avro schema evolution on the wire.

A test-only `ProblemRaised` v2 adds `severity` (default `normal`); v3 replaces it with a numeric
`priority`, a reshaping that only an upcaster can carry.
"""
from __future__ import annotations

import io
from enum import Enum
from typing import Annotated

import fastavro
import pytest
from pydantic import Field, StrictInt

from events.avro import avro_schema, encode, load_schemas
from events.catalogue import Payload
from events.codec import load_stored, validate_object
from events.examples import example_event
from events.registry import Registry, default_registry
from events.types import Code, Text


class Severity(str, Enum):
    low = "low"
    normal = "normal"
    high = "high"


class ProblemRaisedV2(Payload):
    """问题收集, with a severity."""

    problem_id: Code
    category: Text
    description: Text
    severity: Severity = Severity.normal


class ProblemRaisedV3(Payload):
    """问题收集, with a priority: 1 is the most urgent."""

    problem_id: Code
    category: Text
    description: Text
    priority: Annotated[StrictInt, Field(ge=1, le=3)]


def to_v2(payload: dict) -> dict:
    return {**payload, "severity": "normal"}


def to_v3(payload: dict) -> dict:
    severity = payload.pop("severity")
    return {**payload, "priority": {"high": 1, "normal": 2, "low": 3}[severity]}


def registry_up_to(version: int) -> Registry:
    registry = default_registry()
    for number, model, upcaster in [(2, ProblemRaisedV2, to_v2), (3, ProblemRaisedV3, to_v3)][: version - 1]:
        registry.register("ProblemRaised", number, model)
        registry.add_upcaster("ProblemRaised", number - 1, upcaster)
    return registry


def test_a_stored_v1_event_is_read_as_v2():
    stored = example_event("ProblemRaised")
    registry = registry_up_to(2)
    event = load_stored(stored, registry)
    assert isinstance(event, registry.get("ProblemRaised", 2).event_model)
    assert event.schema_version == 2
    assert event.payload.severity is Severity.normal
    assert event.payload.description == stored["payload"]["description"]
    assert stored == example_event("ProblemRaised"), "the stored object is left as it was"


def test_the_latest_version_and_other_types_pass_unchanged():
    registry = registry_up_to(2)
    current = example_event("ProblemRaised", schema_version=2, payload={"severity": "high"})
    assert registry.upcast(current) is current
    other = example_event("ProblemResolved")
    assert registry.upcast(other) is other
    assert load_stored(current, registry).payload.severity is Severity.high


def test_a_chain_runs_every_step():
    registry = registry_up_to(3)
    from_v1 = load_stored(example_event("ProblemRaised"), registry)
    assert (from_v1.schema_version, from_v1.payload.priority) == (3, 2)
    from_v2 = load_stored(example_event("ProblemRaised", schema_version=2, payload={"severity": "high"}), registry)
    assert (from_v2.schema_version, from_v2.payload.priority) == (3, 1)
    assert "severity" not in type(from_v2.payload).model_fields


def test_an_upcaster_needs_its_target_version():
    with pytest.raises(ValueError, match="ProblemRaised v3 is not registered"):
        registry_up_to(2).add_upcaster("ProblemRaised", 2, to_v3)


def test_avro_written_with_v1_reads_under_v2_when_the_new_field_has_a_default():
    registry = registry_up_to(3)
    data = encode(validate_object(example_event("ProblemRaised")))  # with the committed v1 file
    writer = load_schemas()[("ProblemRaised", 1)]
    v2 = avro_schema(registry.get("ProblemRaised", 2))
    record = fastavro.schemaless_reader(io.BytesIO(data), writer, fastavro.parse_schema(v2))
    assert record["payload"]["severity"] == "normal"
    assert record["schema_version"] == 1, "the envelope still says what the writer wrote"
    event = registry.get("ProblemRaised", 2).event_model.model_validate({**record, "schema_version": 2})
    assert event.payload.severity is Severity.normal

    v3 = avro_schema(registry.get("ProblemRaised", 3))
    with pytest.raises(fastavro.read.SchemaResolutionError):  # priority has no default
        fastavro.schemaless_reader(io.BytesIO(data), writer, fastavro.parse_schema(v3))

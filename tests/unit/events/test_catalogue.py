"""The catalogue: every type has a valid example, survives Avro, and agrees with its `.avsc`."""
from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal
from enum import Enum
from types import NoneType, UnionType
from typing import Union, get_args, get_origin
from uuid import UUID

import fastavro
import pytest
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

import events.types
from events.avro import (
    SCHEMA_DIR, avro_name, avro_schema, check_schemas, decode, encode, load_schemas, main, write_schemas,
)
from events.catalogue import ProblemRaised
from events.codec import validate_object
from events.errors import EventError
from events.examples import EXAMPLES, EXAMPLES_BY_VERSION, example_event
from events.registry import REGISTRY, default_registry

SCHEMAS = REGISTRY.schemas()
TYPES = sorted(REGISTRY.latest)


def committed(event_type: str, version: int) -> dict:
    return json.loads((SCHEMA_DIR / event_type / f"v{version}.avsc").read_text(encoding="utf-8"))


# --- examples and the Avro round trip ---------------------------------------------------------


def test_every_registered_type_has_an_example():
    assert sorted(EXAMPLES) == TYPES
    assert sorted(EXAMPLES_BY_VERSION) == sorted((s.event_type, s.version) for s in SCHEMAS)


def test_an_example_is_a_fresh_copy_with_overrides():
    line = example_event("InvestmentReported", project_id="P-9", payload={"month": 4})
    line["payload"]["year"] = 1999
    assert (line["project_id"], line["payload"]["month"]) == ("P-9", 4)
    assert EXAMPLES["InvestmentReported"]["payload"] == {"year": 2025, "month": 3, "amount": "850.50"}


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: f"{s.event_type}-v{s.version}")
def test_example_round_trips_through_avro(schema):
    original = example_event(schema.event_type, schema_version=schema.version)
    event = validate_object(original)
    assert (event.event_type, event.schema_version) == (schema.event_type, schema.version)
    assert event.to_json() == original
    again = decode(encode(event), schema.event_type, event.schema_version)
    assert again == event
    assert again.to_json() == original


def test_amounts_come_back_in_canonical_form():
    original = example_event("InvestmentReported", payload={"amount": "12.5"})
    again = decode(encode(validate_object(original)), "InvestmentReported", 1)
    assert again.to_json()["payload"]["amount"] == "12.50"
    target = example_event("TargetSet", payload={"target": "-0.05"})
    assert decode(encode(validate_object(target)), "TargetSet", 1).to_json()["payload"]["target"] == "-0.0500"


def test_recorded_at_keeps_its_offset_and_may_be_absent():
    original = example_event("ConstructionStarted", recorded_at="2025-03-18T23:30:00-05:00")
    again = decode(encode(validate_object(original)), "ConstructionStarted", 1)
    assert again.to_json()["recorded_at"] == "2025-03-18T23:30:00-05:00"
    unstamped = example_event("ConstructionStarted")
    del unstamped["recorded_at"]
    assert decode(encode(validate_object(unstamped)), "ConstructionStarted", 1).recorded_at is None


@pytest.mark.parametrize("amount", [Decimal("-5.00"), Decimal("1" * 17 + ".00"), Decimal("1" * 30 + ".00")])
def test_avro_data_is_validated_like_json(amount):
    """Avro decimals have any sign and size; an amount has neither a sign nor more than 16 digits."""
    schema = committed("InvestmentReported", 1)
    payload = next(f["type"] for f in schema["fields"] if f["name"] == "payload")
    payload["fields"][-1]["type"]["precision"] = 40  # precision is not on the wire: any producer can
    schema = fastavro.parse_schema(schema)
    record = validate_object(example_event("InvestmentReported")).model_dump()
    record["recorded_at"] = None
    record["payload"]["amount"] = amount
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema, record)
    with pytest.raises(EventError) as caught:
        decode(buffer.getvalue(), "InvestmentReported", 1)
    assert (caught.value.event_id, caught.value.field) == (str(record["event_id"]), "payload.amount")


def test_decode_refuses_bytes_of_another_type_or_truncated():
    data = encode(validate_object(example_event("ProblemResolved")))
    with pytest.raises(EventError, match="the record says ProblemResolved v1"):
        decode(data, "LeaderReleased", 1)
    with pytest.raises(EventError, match="not valid Avro"):
        decode(data[:-3], "ProblemResolved", 1)
    with pytest.raises(EventError, match="bytes after the Avro record"):
        decode(data + b"\x00", "ProblemResolved", 1)


# --- models and committed .avsc files agree ---------------------------------------------------


def test_committed_files_match_the_models():
    assert check_schemas() == []
    assert main(["check"]) == 0
    assert set(load_schemas()) == {(s.event_type, s.version) for s in SCHEMAS}


def test_check_lists_every_file_that_differs(tmp_path):
    assert len(write_schemas(tmp_path)) == len(SCHEMAS)
    assert write_schemas(tmp_path) == []
    (tmp_path / "TargetSet" / "v1.avsc").write_text("{}\n")
    (tmp_path / "LeaderReleased" / "v1.avsc").unlink()
    (tmp_path / "LeaderReleased" / "v2.avsc").write_text("{}\n")
    assert check_schemas(tmp_path) == [
        "LeaderReleased/v1.avsc: missing",
        "TargetSet/v1.avsc: differs from the models",
        "LeaderReleased/v2.avsc: no registered schema",
    ]


def _decimal_from_pattern(pattern: str) -> dict | None:
    """The Avro decimal that holds exactly what a JSON decimal-string pattern allows, if it is one."""
    found = re.search(r"\[0-9\]\{1,(\d+)\}\(\\\.\[0-9\]\{1,(\d+)\}\)", pattern)
    if not found:
        return None
    digits, places = map(int, found.groups())
    return {"type": "bytes", "logicalType": "decimal", "precision": digits + places, "scale": places}


def _expected(prop: dict, defs: dict) -> object:
    """The Avro type a JSON-schema property (pydantic's own view of the annotation) calls for."""
    if "anyOf" in prop:
        (inner,) = [p for p in prop["anyOf"] if p != {"type": "null"}]
        return ["null", _expected(inner, defs)]
    if "$ref" in prop:
        definition = defs[prop["$ref"].rsplit("/", 1)[-1]]
        assert "enum" in definition, "records are walked field by field"
        name = avro_name(getattr(events.types, definition["title"]))  # CategoryV1 is Category on the wire
        enum = {"type": "enum", "name": name, "symbols": definition["enum"]}
        return {**enum, "doc": definition["description"]} if "description" in definition else enum
    if prop.get("type") == "array":
        return {"type": "array", "items": _expected(prop["items"], defs)}
    if prop.get("format") == "uuid":
        return {"type": "string", "logicalType": "uuid"}
    if prop.get("format") == "date":
        return {"type": "int", "logicalType": "date"}
    if prop.get("format") == "date-time":
        return "string"
    if prop.get("type") == "string" and (decimal := _decimal_from_pattern(prop.get("pattern", ""))):
        return decimal
    return {"string": "string", "integer": "int", "boolean": "boolean"}[prop["type"]]


def _expand(avro: object, named: dict) -> object:
    """An .avsc type with references to named types replaced by their definitions."""
    if isinstance(avro, str):
        return named.get(avro, avro)
    if isinstance(avro, list):
        return [_expand(branch, named) for branch in avro]
    if avro["type"] in ("enum", "record"):
        assert named.setdefault(avro["name"], avro) is avro, f"{avro['name']} defined twice"
    if avro["type"] == "array":
        return {**avro, "items": _expand(avro["items"], named)}
    return avro


def _assert_agree(model: type[BaseModel], record: dict, name: str, named: dict) -> None:
    assert record["type"] == "record" and record["name"] == name
    js = model.model_json_schema()
    assert record.get("doc") == js.get("description"), name
    props, defs = js["properties"], js.get("$defs", {})
    assert [f["name"] for f in record["fields"]] == list(model.model_fields), name
    for field, (field_name, info) in zip(record["fields"], model.model_fields.items()):
        where = f"{name}.{field_name}"
        assert ("default" in field) == (not info.is_required()), where
        if "default" in field:
            assert field["default"] == to_jsonable_python(info.get_default(call_default_factory=True)), where
        avro = _expand(field["type"], named)
        nested = info.annotation
        if get_origin(nested) in (Union, UnionType) and NoneType in get_args(nested):
            (inner,) = [arg for arg in get_args(nested) if arg is not NoneType]
            if isinstance(inner, type) and issubclass(inner, BaseModel):  # an optional record
                assert isinstance(avro, list) and avro[0] == "null", where
                nested, avro = inner, avro[1]
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            nested_name = f"{record['name']}Payload" if field_name == "payload" else nested.__name__
            _assert_agree(nested, avro, nested_name, named)
        else:
            assert avro == _expected(props[field_name], defs), where


def _unaliased(avro: object, version: int) -> object:
    """The schema without its aliases, checking that every named type of a vN schema is aliased by
    its full names in the namespaces of v1 … vN-1, and that a v1 schema has none."""
    if isinstance(avro, list):
        return [_unaliased(branch, version) for branch in avro]
    if not isinstance(avro, dict):
        return avro
    out = dict(avro)
    if out.get("type") in ("record", "enum"):
        expected = [f"projfacts.events.v{earlier}.{out['name']}" for earlier in range(1, version)]
        assert out.pop("aliases", []) == expected, out["name"]
        if out["type"] == "enum":  # an enum's own namespace: see test_one_full_name_is_one_definition
            out.pop("namespace", None)
    if "fields" in out:
        out["fields"] = [{**f, "type": _unaliased(f["type"], version)} for f in out["fields"]]
    if "items" in out:
        out["items"] = _unaliased(out["items"], version)
    return out


def _definitions(avro: object, namespace: str, found: dict[str, list]) -> None:
    """Every named type's definition in a schema, by its full name (Avro's namespace rules)."""
    if isinstance(avro, list):
        for branch in avro:
            _definitions(branch, namespace, found)
        return
    if not isinstance(avro, dict):
        return
    if avro.get("type") in ("record", "enum"):
        namespace = avro.get("namespace", namespace)
        full = avro["name"] if "." in avro["name"] else f"{namespace}.{avro['name']}"
        found.setdefault(full, []).append({k: v for k, v in avro.items() if k not in ("fields", "aliases", "namespace")})
    for field in avro.get("fields", []):
        _definitions(field["type"], namespace, found)
    if "items" in avro:
        _definitions(avro["items"], namespace, found)


def test_one_full_name_is_one_definition():
    """Across every committed file, a full name (`projfacts.events.v1.Procedure`) always has the same
    symbols and doc (aliases aside): code generated from all the files at once has one class per name."""
    found: dict[str, list] = {}
    for schema in SCHEMAS:
        avsc = committed(schema.event_type, schema.version)
        _definitions(avsc, avsc["namespace"], found)
    for full, definitions in found.items():
        assert all(d == definitions[0] for d in definitions), full
    assert found["projfacts.events.v1.Procedure"][0]["symbols"][-1] == "construction_permit"
    assert found["projfacts.events.v2.Procedure"][0]["symbols"][-1] == "fire_acceptance"
    planned = committed("ProcedurePlanned", 1)
    procedure = next(f["type"] for f in next(f["type"] for f in planned["fields"] if f["name"] == "payload")["fields"]
                     if f["name"] == "procedure")
    assert (procedure["namespace"], procedure["name"]) == ("projfacts.events.v2", "Procedure")


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: f"{s.event_type}-v{s.version}")
def test_model_and_avsc_agree_field_by_field(schema):
    avsc = _unaliased(committed(schema.event_type, schema.version), schema.version)
    assert avsc["namespace"] == f"projfacts.events.v{schema.version}"
    _assert_agree(schema.event_model, avsc, schema.event_type, named={})


# --- each new version reads data of the one before (Avro schema resolution) ------------------


def _sample(avro: object, named: dict) -> object:
    """A datum that fills every field of a (raw) schema, taking the richest union branch."""
    avro = _expand(avro, named)
    if isinstance(avro, list):
        return _sample(avro[-1], named)
    if isinstance(avro, str):
        return {"string": "x", "int": 1, "boolean": True}[avro]
    logical = avro.get("logicalType")
    if logical == "uuid":
        return UUID(int=1)
    if logical == "date":
        return date(2025, 1, 1)
    if logical == "decimal":
        return Decimal(1).scaleb(-avro["scale"])
    if avro["type"] == "enum":
        return avro["symbols"][-1]
    if avro["type"] == "array":
        return [_sample(avro["items"], named)]
    if avro["type"] == "record":
        return {f["name"]: _sample(f["type"], named) for f in avro["fields"]}
    return _sample(avro["type"], named)


def assert_backward_compatible(old: dict, new: dict) -> None:
    """Data written with `old` reads under `new`, keeping every field both have."""
    datum = _sample(old, {})
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(old), datum)
    buffer.seek(0)
    record = fastavro.schemaless_reader(buffer, fastavro.parse_schema(old), fastavro.parse_schema(new))
    assert [f["name"] for f in new["fields"]] == list(record)
    assert all(record[key] == value for key, value in datum.items() if key in record and key != "payload")


def test_each_new_version_reads_data_of_the_one_before():
    versions = load_schemas()
    pairs = [(t, v) for t, v in sorted(versions) if (t, v + 1) in versions]
    for event_type, version in pairs:  # none while the catalogue is all v1
        assert_backward_compatible(committed(event_type, version), committed(event_type, version + 1))


class Severity(str, Enum):
    low = "low"
    normal = "normal"
    high = "high"


class ProblemRaisedDefaulted(ProblemRaised):
    severity: Severity = Severity.normal


class ProblemRaisedRequired(ProblemRaised):
    severity: Severity


def test_the_compatibility_check_on_a_test_only_v2():
    v1 = committed("ProblemRaised", 1)
    registry = default_registry()
    defaulted = avro_schema(registry.register("ProblemRaised", 2, ProblemRaisedDefaulted))
    assert_backward_compatible(v1, defaulted)
    required = avro_schema(registry.register("ProblemRaised", 2, ProblemRaisedRequired))
    with pytest.raises(fastavro.read.SchemaResolutionError):
        assert_backward_compatible(v1, required)

"""The Avro wire format (fastavro): one record schema per (event_type, schema_version).

`avro_schema` derives a schema from the pydantic models; `python -m events.avro write` keeps
them as `schemas/<EventType>/v<N>.avsc` and `python -m events.avro check` proves the files still
match the models. The bus reads and writes with the committed files only (`load_schemas`):
a published version's file never changes — a change is a new version and an upcaster.
"""
from __future__ import annotations

import inspect
import io
import json
import sys
from datetime import datetime
from enum import Enum
from functools import cache
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

import fastavro
from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from events.codec import validate_object
from events.envelope import Event
from events.errors import EventError
from events.registry import REGISTRY, EventSchema, Registry
from events.types import (
    parse_amount,
    parse_any_target,
    parse_latitude,
    parse_local_date,
    parse_longitude,
    parse_target,
    parse_timestamp,
)

# The `schemas` package sits next to `events`, in the source tree and when installed.
SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"

AMOUNT = {"type": "bytes", "logicalType": "decimal", "precision": 18, "scale": 2}
TARGET = {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 4}
# TargetSet v2: any kind's target (an amount has 16 digits); reads v1's TARGET (same scale).
ANY_TARGET = {"type": "bytes", "logicalType": "decimal", "precision": 20, "scale": 4}
COORDINATE = {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 6}
DATE = {"type": "int", "logicalType": "date"}
UUID_STRING = {"type": "string", "logicalType": "uuid"}

# Value types of events/types.py, known by their validator; a timestamp travels as ISO text so
# that its offset survives.
_BY_VALIDATOR: dict[Any, Any] = {
    parse_amount: AMOUNT,
    parse_target: TARGET,
    parse_any_target: ANY_TARGET,
    parse_longitude: COORDINATE,
    parse_latitude: COORDINATE,
    parse_local_date: DATE,
    parse_timestamp: "string",
}
_PLAIN: dict[Any, Any] = {str: "string", int: "int", bool: "boolean", UUID: UUID_STRING}


def avro_name(cls: type) -> str:
    """The Avro name of a model or enum: its class name, unless it says otherwise (a frozen earlier
    version of an enum, `CategoryV1`, keeps its published name `Category`)."""
    return cls.__dict__.get("__avro_name__", cls.__name__)


def avro_namespace(cls: type, default: str) -> str:
    """The namespace of an enum: the schema's own, unless it says otherwise. An enum revised in
    catalogue vN lives in `projfacts.events.vN` wherever it is used, so that one full name always
    means one set of symbols: ProcedurePlanned v1 uses `projfacts.events.v2.Procedure`, not the v1
    `Procedure` of ProjectRegistered v1."""
    return cls.__dict__.get("__avro_namespace__", default)


def _with_doc(avro: dict, cls: type) -> dict:
    doc = cls.__dict__.get("__doc__")
    return {**avro, "doc": inspect.cleandoc(doc)} if doc else avro


class _Builder:
    """The Avro types of one schema: a named type is defined once, then referred to by name."""

    def __init__(self, names: dict[type, str], namespace: str) -> None:
        self.names = names
        self.namespace = namespace
        self.defined: dict[str, type] = {}

    def _first_time(self, cls: type) -> bool:
        name = self.names.get(cls, avro_name(cls))
        if name in self.defined:
            if self.defined[name] is not cls:
                raise TypeError(f"two types named {name}: {self.defined[name]!r} and {cls!r}")
            return False
        self.defined[name] = cls
        return True

    def record(self, model: type[BaseModel]) -> dict | str:
        name = self.names.get(model, avro_name(model))
        if not self._first_time(model):
            return name
        fields = [self.field(field_name, info) for field_name, info in model.model_fields.items()]
        return _with_doc({"type": "record", "name": name, "fields": fields}, model)

    def enum(self, cls: type[Enum]) -> dict | str:
        own = avro_namespace(cls, self.namespace)
        if not self._first_time(cls):
            return avro_name(cls) if own == self.namespace else f"{own}.{avro_name(cls)}"
        avro = {"type": "enum", "name": avro_name(cls), "symbols": [m.value for m in cls]}
        if own != self.namespace:
            avro["namespace"] = own
        return _with_doc(avro, cls)

    def field(self, name: str, info: FieldInfo) -> dict:
        avro = {"name": name, "type": self.type_of(info.rebuild_annotation())}
        if not info.is_required():
            avro["default"] = to_jsonable_python(info.get_default(call_default_factory=True))
        return avro

    def type_of(self, hint: Any) -> Any:
        origin, args = get_origin(hint), get_args(hint)
        if origin is Annotated:
            for meta in hint.__metadata__:
                if isinstance(meta, BeforeValidator) and meta.func in _BY_VALIDATOR:
                    return _BY_VALIDATOR[meta.func]
            return self.type_of(args[0])
        if origin in (Union, UnionType):
            (inner,) = [arg for arg in args if arg is not NoneType]
            return ["null", self.type_of(inner)]
        if origin is list:
            return {"type": "array", "items": self.type_of(args[0])}
        if origin is Literal and all(isinstance(arg, str) for arg in args):
            return "string"
        if origin is Literal and all(isinstance(arg, int) and not isinstance(arg, bool) for arg in args):
            return "int"
        if isinstance(hint, type) and issubclass(hint, Enum):
            return self.enum(hint)
        if isinstance(hint, type) and issubclass(hint, BaseModel):
            return self.record(hint)
        if hint in _PLAIN:
            return _PLAIN[hint]
        raise TypeError(f"no Avro type for {hint!r}")


def namespace(version: int) -> str:
    return f"projfacts.events.v{version}"


def _aliased(avro: Any, version: int) -> Any:
    """Every named type (record, enum) of a vN schema, also known by its names in the namespaces of
    the earlier versions: data written with v1 resolves under v2 by full name too (Avro aliases),
    not only by the unqualified name the spec and fastavro match."""
    if isinstance(avro, list):
        return [_aliased(branch, version) for branch in avro]
    if not isinstance(avro, dict):
        return avro
    out = dict(avro)
    if out.get("type") in ("record", "enum") and version > 1:
        out["aliases"] = [f"{namespace(earlier)}.{out['name']}" for earlier in range(1, version)]
    if "fields" in out:
        out["fields"] = [{**field, "type": _aliased(field["type"], version)} for field in out["fields"]]
    if "items" in out:
        out["items"] = _aliased(out["items"], version)
    return out


def avro_schema(schema: EventSchema) -> dict:
    """The Avro record schema of one (event_type, version), from its pydantic models."""
    names = {schema.event_model: schema.event_type, schema.payload_model: f"{schema.event_type}Payload"}
    record = _aliased(_Builder(names, namespace(schema.version)).record(schema.event_model), schema.version)
    return {**record, "namespace": namespace(schema.version)}


def schema_files(registry: Registry = REGISTRY) -> dict[str, str]:
    """Relative path -> the text of its `.avsc` file, for every registered schema."""
    return {f"{s.event_type}/v{s.version}.avsc": _pretty(avro_schema(s)) for s in registry.schemas()}


def _pretty(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR, registry: Registry = REGISTRY) -> list[str]:
    """Write every schema file that is missing or differs; the relative paths written."""
    written = []
    for relative, text in schema_files(registry).items():
        path = directory / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(relative)
    load_schemas.cache_clear()
    return written


def check_schemas(directory: Path = SCHEMA_DIR, registry: Registry = REGISTRY) -> list[str]:
    """Every way the committed files differ from the models: empty when all is well."""
    expected = schema_files(registry)
    problems = []
    for relative, text in expected.items():
        path = directory / relative
        if not path.exists():
            problems.append(f"{relative}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{relative}: differs from the models")
    for path in sorted(directory.glob("*/*.avsc")):
        relative = path.relative_to(directory).as_posix()
        if relative not in expected:
            problems.append(f"{relative}: no registered schema")
    return problems


@cache
def load_schemas(directory: Path = SCHEMA_DIR) -> dict[tuple[str, int], Any]:
    """(event_type, version) -> the parsed schema of its committed `.avsc` file (read-only)."""
    schemas = {}
    for path in sorted(directory.glob("*/v*.avsc")):
        key = (path.parent.name, int(path.stem.removeprefix("v")))
        schemas[key] = fastavro.parse_schema(json.loads(path.read_text(encoding="utf-8")))
    return schemas


def _committed(event_type: str, version: int) -> Any:
    try:
        return load_schemas()[(event_type, version)]
    except KeyError:
        missing = f"no committed Avro schema for {event_type} v{version}"
        raise LookupError(f"{missing}: run python -m events.avro write") from None


def _wire(value: Any) -> Any:
    """A model dump as fastavro writes it: enums as symbols, timestamps as ISO text with offset."""
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def encode(event: Event) -> bytes:
    """Schemaless Avro of an event, with the committed schema of its own type and version."""
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, _committed(event.event_type, event.schema_version), _wire(event.model_dump()))
    return buffer.getvalue()


def decode(data: bytes, event_type: str, version: int, registry: Registry = REGISTRY) -> Event:
    """Schemaless Avro written with (event_type, version) back to its validated event model."""
    registry.get(event_type, version)
    buffer = io.BytesIO(data)
    try:
        record = fastavro.schemaless_reader(buffer, _committed(event_type, version), None)
    except Exception as exc:  # fastavro raises many kinds on malformed bytes
        raise EventError(f"not valid Avro for {event_type} v{version}: {exc!r}") from None
    event_id = str(record["event_id"])
    if buffer.tell() != len(data):
        raise EventError(f"{len(data) - buffer.tell()} bytes after the Avro record", event_id=event_id)
    if (record["event_type"], record["schema_version"]) != (event_type, version):
        raise EventError(
            f"the record says {record['event_type']} v{record['schema_version']}, read as {event_type} v{version}",
            field="event_type",
            event_id=event_id,
        )
    return validate_object({**record, "event_id": event_id}, registry)


def main(argv: list[str] | None = None) -> int:
    command = (argv if argv is not None else sys.argv[1:])[:1]
    if command == ["write"]:
        for relative in write_schemas():
            print(f"wrote schemas/{relative}")
        return 0
    if command == ["check"]:
        problems = check_schemas()
        for problem in problems:
            print(f"schemas/{problem}", file=sys.stderr)
        return 1 if problems else 0
    print("usage: python -m events.avro write|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

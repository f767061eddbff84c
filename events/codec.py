"""JSON in, validated events out; every refusal names the event, the field and the reason."""
from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import orjson
from pydantic import ValidationError

from events.envelope import PROJECTLESS_TYPES, Event
from events.errors import EventError
from events.registry import REGISTRY, Registry
from events.types import shown, single_line


def _readable_id(obj: dict) -> str | None:
    """The id to name a refused event by: canonical when it is a UUID; a short string as given when
    it is not (never one with a control character: it is written to logs and the refusal audit)."""
    value = obj.get("event_id")
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        return None
    try:
        return str(UUID(value))
    except ValueError:
        pass
    try:
        return single_line(value)
    except ValueError:
        return None


def _field_path(loc: tuple) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif part.startswith("function-") or part in {"literal"}:
            continue
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts)


def _reason(error: dict) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    given = error.get("input")
    if kind not in {"value_error"} and not isinstance(given, (dict, list)):
        message = f"{message} (got {shown(given)})"
    return message


def from_validation_error(exc: ValidationError, event_id: str | None) -> EventError:
    first = exc.errors(include_url=False)[0]
    return EventError(_reason(first), field=_field_path(first["loc"]) or None, event_id=event_id)


def whole_numbers(value: Any) -> Any:
    """JSON numbers as JSON means them: `2025.0` (or `2.025e3`) is the integer 2025, as JSON Schema's
    `integer` says (the OpenAPI document's), so a year, month or schema_version written so is read as
    that integer. Any other float stays a float (and is refused where an integer or a decimal string
    is meant); no field of the catalogue takes a float."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) <= 2**53 else value
    if isinstance(value, dict):
        return {key: whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole_numbers(item) for item in value]
    return value


def validate_object(obj: Any, registry: Registry = REGISTRY, *, floats: bool = True) -> Event:
    """A JSON object (already parsed) to its event model, or EventError. `floats=False`: the caller
    knows the JSON held no number with a fraction or an exponent (`parse_line`), so none is a float."""
    if not isinstance(obj, dict):
        raise EventError(f"must be a JSON object, got {type(obj).__name__}")
    if floats:
        obj = whole_numbers(obj)
    try:  # the id to name the event by is worked out only for a refusal
        schema = registry.get(obj.get("event_type"), obj.get("schema_version"))
    except EventError as error:
        raise EventError(error.reason, field=error.field, event_id=_readable_id(obj)) from None
    if obj.get("project_id", ...) is None and schema.event_type not in PROJECTLESS_TYPES:
        raise EventError(f"may be null only for TargetSet (or a retraction of one), not for {schema.event_type}",
                         field="project_id", event_id=_readable_id(obj))
    try:
        return schema.event_model.model_validate(obj)
    except ValidationError as exc:
        raise from_validation_error(exc, _readable_id(obj)) from None


def _not_json(line: bytes | str, exc: Exception) -> str:
    """Why a line is not JSON; bytes that are not UTF-8 said as such (orjson says `surrogates not allowed`)."""
    if isinstance(line, (bytes, bytearray)):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as bad:
            return (f"not UTF-8 text: byte 0x{line[bad.start]:02X} at byte {bad.start + 1} of the line "
                    f"(save the file as UTF-8)")
    return f"not valid JSON: {exc}"


# A JSON number with a fraction or an exponent (which orjson reads as a float) starts after `:`, `,`
# or `[`. A match inside a string only costs the slow path; no float escapes it.
FLOAT_BYTES = re.compile(rb"[:,\[]\s*-?[0-9]+[.eE]")
_FLOAT_TEXT = re.compile(FLOAT_BYTES.pattern.decode())


def parse_line(line: bytes | str, registry: Registry = REGISTRY) -> Event:
    """One line of a `.jsonl` file to a validated event."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise EventError(_not_json(line, exc)) from None
    floats = (_FLOAT_TEXT if isinstance(line, str) else FLOAT_BYTES).search(line) is not None
    return validate_object(obj, registry, floats=floats)


def load_stored(obj: dict, registry: Registry = REGISTRY) -> Event:
    """An event read back from the log, upcast to the latest version of its type."""
    return validate_object(registry.upcast(obj), registry)

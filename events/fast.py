"""The quick accept path of a `.jsonl` line: the body `Event.model_dump(mode="json")` would give, or
None — and None only means "ask the models" (`events.codec.parse_line`), never "refused".

Validation by the pydantic models costs most of an import's CPU (pydantic-core, its Python
validators, then `model_dump`). Most lines of a real history are plain: no escape, no float, every
field in its usual form. For those, this path checks the same rules with the same functions where
the rule is Python's (`parse_amount`, `parse_local_date`, `parse_timestamp` …) and plain checks
where pydantic-core's is (lengths, patterns, enums, strict ints and bools), and builds the dumped
body directly. It is narrower than the models, by construction:

- a line holding a C1 control or DEL (as UTF-8), or an escape that could stand for a control
  character (`\\b \\f \\n \\r \\t`, `\\u0000`–`\\u001f`, `\\u007f`–`\\u009f`), goes to the models: so no
  string here can hold a control character (JSON has no raw C0 in a string), nor a lone surrogate
  (orjson refuses one, and the line goes to the models), and the models' control-character rules
  hold without being run. Other escapes — `\\uXXXX` of any other character, as `json.dumps` writes
  every Chinese character by default, and `\\" \\\\ \\/` — decode to the very strings the raw text
  would, and go the quick way. The search may also find an escaped backslash followed by such
  letters (`\\\\n`): that line, too, goes to the models — never the other way round;
- a line holding a float token goes to the models (their whole-number rule);
- a payload model with any validator or serializer of its own, a field of a type not listed in
  `_checker`, an unknown or a missing key, a non-canonical UUID, a project id or department with a
  character outside ASCII — each goes to the models, which accept or refuse with their wording.

Whatever this path accepts the models accept with the same dump: tests/unit/test_fast_accept.py
runs both on the province history, every catalogue example and mutations of them.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import Enum
from types import UnionType
from typing import Any, Callable, Literal, Union, get_args, get_origin, get_type_hints
from uuid import UUID

import orjson
from annotated_types import MaxLen
from pydantic import BaseModel, StrictBool, StringConstraints
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from events import catalogue, limits, types
from events.envelope import PROJECTLESS_TYPES, Department, ProjectId, Source
from events.registry import REGISTRY, Registry

Checker = Callable[[Any], Any]


class _Ask(Exception):
    """This value is for the models to judge."""


_MISSING = object()
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
# an escape that may stand for a control character (C0, DEL, C1): see the module's docstring
_CONTROL_ESCAPE = re.compile(rb"\\(?:[bfnrt]|u00[0189][0-9a-fA-F]|u007[fF])")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# ---- the value checkers ----------------------------------------------------------------------------
MEMO_MAX = 50_000  # values a string checker remembers (project ids, dates, names repeat: a project has ~30 events)


def _memo(check: Callable[[str], Any]) -> Checker:
    """A checker of strings that remembers what it vouched for (a pure function of the string).
    Only exact `str` values are looked up: no other type can be equal to one as a dict key."""
    seen: dict[str, Any] = {}

    def remembered(value: Any) -> Any:
        if type(value) is not str:
            raise _Ask
        out = seen.get(value, _MISSING)
        if out is _MISSING:
            out = check(value)
            if len(seen) >= MEMO_MAX:
                seen.clear()
            seen[value] = out
        return out
    return remembered


def _string(alias: Any) -> Checker:
    """A constrained string (text, name, code, pattern): strict str, its lengths, its pattern matched
    whole on ASCII text. Control characters: excluded by the line gate."""
    constraints = [a for a in get_args(alias)[1:] if isinstance(a, StringConstraints)]
    if get_args(alias)[0] is not str or len(constraints) != 1:
        raise TypeError(f"not a constrained string: {alias!r}")
    c = constraints[0]
    if c.strip_whitespace or c.to_upper or c.to_lower or not c.strict:
        raise TypeError(f"a string that is transformed: {alias!r}")
    low, high = c.min_length or 0, c.max_length
    pattern = re.compile(c.pattern) if c.pattern else None
    if pattern and pattern.pattern == r"^\S+$":  # Unicode \S: only the ASCII part is vouched for
        pattern = re.compile(r"[!-~]+")

    def check(value: str) -> str:
        if len(value) < low or (high is not None and len(value) > high):
            raise _Ask
        if pattern is not None and not (value.isascii() and pattern.fullmatch(value)):
            raise _Ask
        return value
    return _memo(check)


def _parsed(parse: Callable[[Any], Any], dump: Callable[[Any], Any]) -> Checker:
    def check(value: str) -> Any:
        try:
            return dump(parse(value))
        except ValueError:
            raise _Ask from None
    return _memo(check)


# A timestamp as `datetime.isoformat` writes it: seconds, six fraction digits or none, an offset of
# hours and minutes. For such text, parsing then `isoformat` gives the text back — but for a fraction
# of zeros (dropped) and `-00:00` (written `+00:00`): those, like every other form, go the long way.
_PLAIN_STAMP = re.compile(r"([0-9]{4})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?([+-])([0-9]{2}):([0-9]{2})")
_OFFSET_MAX_MINUTES = limits.OFFSET_MAX // timedelta(minutes=1)


def quick_stamp(value: Any) -> datetime:
    """`types.parse_timestamp(value)`, whose `isoformat()` is `value` itself; _Ask for any other text."""
    match = _PLAIN_STAMP.fullmatch(value) if type(value) is str else None
    if match is None:
        raise _Ask
    year, fraction, sign, hours, minutes = match.groups()
    offset = int(hours) * 60 + int(minutes)
    if not limits.YEAR_MIN <= int(year) <= limits.YEAR_MAX or fraction == ".000000" or int(minutes) >= 60 \
            or offset > _OFFSET_MAX_MINUTES or (sign == "-" and offset == 0):
        raise _Ask
    try:
        return datetime.fromisoformat(value)
    except ValueError:  # not a real date or time of day
        raise _Ask from None


def _stamp_text(value: Any) -> str:
    try:
        quick_stamp(value)
    except _Ask:
        return _long_stamp(value)
    return value


def _int_range(alias: Any) -> Checker:
    """A strict int within the alias's own bounds (its Ge and Le)."""
    bounds = {type(m).__name__: m for m in FieldInfo.from_annotation(alias).metadata}
    low, high = bounds["Ge"].ge, bounds["Le"].le

    def check(value: Any) -> int:
        if type(value) is not int or not low <= value <= high:
            raise _Ask
        return value
    return check


def _strict_bool(value: Any) -> bool:
    if type(value) is not bool:
        raise _Ask
    return value


def _uuid(value: Any) -> str:
    if type(value) is not str or not _CANONICAL_UUID.fullmatch(value):
        raise _Ask
    return value


def _enum(kind: type[Enum]) -> Checker:
    values = frozenset(member.value for member in kind)

    def check(value: Any) -> str:
        if type(value) is not str or value not in values:
            raise _Ask
        return value
    return check


def _literal(choices: tuple) -> Checker:
    if not all(type(choice) is int for choice in choices):
        raise TypeError(f"a literal of other than ints: {choices!r}")

    def check(value: Any) -> int:
        if type(value) is not int or value not in choices:
            raise _Ask
        return value
    return check


def _list_of(item: Checker, most: int) -> Checker:
    def check(value: Any) -> list:
        if type(value) is not list or len(value) > most:
            raise _Ask
        return [item(element) for element in value]
    return check


_long_stamp = _parsed(types.parse_timestamp, lambda stamp: stamp.isoformat())

# The aliases of events/types.py and events/catalogue.py a payload field may have, by identity.
_STRINGS = (types.Text, types.Name, types.OrgName, types.ProjectName, types.DocumentNo, types.SystemName,
            types.Code, types.RegionCode, types.RegionPrefix, catalogue.PeriodLabel, catalogue.Sha256,
            ProjectId, Department)
_KNOWN: list[tuple[Any, Checker]] = [
    *[(alias, _string(alias)) for alias in _STRINGS],
    (types.Amount, _parsed(types.parse_amount, types.format_amount)),
    (types.Target, _parsed(types.parse_target, types.format_target)),
    (types.Longitude, _parsed(types.parse_longitude, types.format_coordinate)),
    (types.Latitude, _parsed(types.parse_latitude, types.format_coordinate)),
    (types.LocalDate, _parsed(types.parse_local_date, lambda day: day.isoformat())),
    (types.Timestamp, _stamp_text),
    *[(alias, _int_range(alias)) for alias in (catalogue.Year, catalogue.Month, catalogue.Dekad)],
]


def _known(hint: Any) -> Checker | None:
    for alias, check in _KNOWN:
        if hint is alias:
            return check
    return None


def _checker(hint: Any, field: Any) -> Checker:
    """The checker of one payload field's type, or TypeError when this path does not know it."""
    known = _known(hint)
    if known is not None:
        return known
    origin = get_origin(hint)
    if hint is StrictBool:
        return _strict_bool
    if hint is UUID:
        return _uuid
    if isinstance(hint, type) and issubclass(hint, Enum) and issubclass(hint, str):
        return _enum(hint)
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return _model(hint)
    if origin is Literal:
        return _literal(get_args(hint))
    if origin is list:
        (item,) = get_args(hint)
        most = [m.max_length for m in field.metadata if isinstance(m, MaxLen)]
        if len(most) != 1:
            raise TypeError(f"a list without one max_length: {hint!r}")
        return _list_of(_checker(item, None), most[0])
    if origin in (Union, UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(get_args(hint)) == 2:
            inner = _checker(args[0], field)
            return lambda value: None if value is None else inner(value)
    raise TypeError(f"not known to the quick path: {hint!r}")


def _default(field: Any) -> Any:
    """The dumped default of an optional field, _MISSING when the field is required."""
    if field.default_factory is list:
        return list
    if field.default_factory is not None:
        raise TypeError("a default factory other than list")
    if field.default is PydanticUndefined:
        return _MISSING
    value = field.default
    value = value.value if isinstance(value, Enum) else value
    if value is not None and type(value) not in (int, str):
        raise TypeError(f"a default of type {type(value).__name__}")
    return value


def _given_only_with(field: str, needed: str) -> Callable[[dict], None]:
    """A rule across fields: `field` may be given only with `needed` (else the models say why)."""
    def rule(out: dict) -> None:
        if out.get(field) is not None and out.get(needed) is None:
            raise _Ask
    return rule


# The validators of the catalogue's own this path knows, by (name, fields, mode): each checks the
# payload as built, once every field has passed — as pydantic runs an "after" validator of a field
# with the fields before it already valid. Any other validator leaves its model to the models.
_ACROSS_FIELDS: dict[tuple[str, tuple[str, ...], str], Callable[[dict], None]] = {
    ("_village_within_a_township", ("village",), "after"): _given_only_with("village", "township"),
    ("_dekad_only_with_a_month", ("planned_start_dekad",), "after"): _given_only_with("planned_start_dekad",
                                                                                      "planned_start_month"),
}


def _model(model: type[BaseModel]) -> Checker:
    """A payload (or nested) model as one checker: exactly its keys (extra forbidden), each field
    checked, the defaults of the missing optional ones filled, in the model's field order; then
    its rules across fields, when this path knows them all (`_ACROSS_FIELDS`)."""
    decorators = model.__pydantic_decorators__
    if any((decorators.validators, decorators.root_validators,
            decorators.field_serializers, decorators.model_serializers, decorators.model_validators)):
        raise TypeError(f"{model.__name__} has validators or serializers of its own")
    rules = [_ACROSS_FIELDS.get((name, tuple(found.info.fields), found.info.mode))
             for name, found in decorators.field_validators.items()]
    if None in rules:
        raise TypeError(f"{model.__name__} has validators of its own")
    if model.model_config.get("extra") != "forbid":
        raise TypeError(f"{model.__name__} does not forbid extra keys")
    hints = get_type_hints(model, include_extras=True)
    fields = []
    for name, field in model.model_fields.items():
        if field.alias not in (None, name):
            raise TypeError(f"{model.__name__}.{name} has an alias")
        if get_origin(hints[name]) is not list and FieldInfo.from_annotation(hints[name]).metadata != field.metadata:
            raise TypeError(f"{model.__name__}.{name} has constraints beyond its type's")
        fields.append((name, _checker(hints[name], field), _default(field)))
    names = frozenset(name for name, _, _ in fields)

    def check(value: Any) -> dict:
        if type(value) is not dict or not names.issuperset(value):
            raise _Ask
        out = {}
        for name, field_check, default in fields:
            given = value.get(name, _MISSING)
            if given is _MISSING:
                if default is _MISSING:
                    raise _Ask
                out[name] = [] if default is list else default
            else:
                out[name] = field_check(given)
        for rule in rules:
            rule(out)
        return out
    return check


# ---- the envelope ----------------------------------------------------------------------------------
_project_id = _string(ProjectId)
_source = _model(Source)
_occurred_on = _known(types.LocalDate)
_ENVELOPE = frozenset({"event_id", "event_type", "schema_version", "project_id", "occurred_on", "recorded_at",
                       "source", "payload"})


class QuickPath:
    """The quick checkers of every (event_type, schema_version) whose payload model it knows."""

    def __init__(self, registry: Registry = REGISTRY):
        self.payloads: dict[tuple[str, int], Checker] = {}
        self.unknown: dict[tuple[str, int], str] = {}
        for schema in registry.schemas():
            key = (schema.event_type, schema.version)
            try:
                self.payloads[key] = _model(schema.payload_model)
            except TypeError as why:
                self.unknown[key] = str(why)

    def body(self, line: bytes) -> tuple[dict, datetime | None] | None:
        """(the dumped body, recorded_at as a datetime) of a plain line, or None: ask the models."""
        if (b"\\" in line and _CONTROL_ESCAPE.search(line)) or b"\x7f" in line \
                or (b"\xc2" in line and _C1.search(line)):
            return None  # a float token needs no gate: no checker here takes a float
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            return None
        try:
            return self._body(obj)
        except _Ask:
            return None

    def _body(self, obj: Any) -> tuple[dict, datetime | None]:
        if type(obj) is not dict or not _ENVELOPE.issuperset(obj):
            raise _Ask
        event_type, version = obj.get("event_type"), obj.get("schema_version")
        if type(event_type) is not str or type(version) is not int:
            raise _Ask
        payload = self.payloads.get((event_type, version))
        project_id = obj.get("project_id", _MISSING)
        if payload is None or project_id is _MISSING:
            raise _Ask
        if project_id is None:
            if event_type not in PROJECTLESS_TYPES:
                raise _Ask
        else:
            _project_id(project_id)
        recorded = obj.get("recorded_at")
        stamp = None
        if recorded is not None:
            try:
                stamp = quick_stamp(recorded)
            except _Ask:
                if type(recorded) is not str:
                    raise
                try:
                    stamp = types.parse_timestamp(recorded)
                except ValueError:
                    raise _Ask from None
                recorded = stamp.isoformat()
        body = {
            "event_id": _uuid(obj.get("event_id")),
            "event_type": event_type,
            "schema_version": version,
            "project_id": project_id,
            "occurred_on": _occurred_on(obj.get("occurred_on")),
            "recorded_at": recorded,
            "source": _source(obj.get("source")),
            "payload": payload(obj.get("payload")),
        }
        return body, stamp


QUICK = QuickPath()

"""Value limits (events/limits.py): every value validation accepts, every store accepts.

Each known hole is refused with the field and a reason: control characters (NUL above all),
non-ASCII digits, a final newline, timestamps whose offset or year no column holds, amounts out of
range (with a reason that says which rule). And, property-style: whatever string validation
accepts is within its field's limit and holds no NUL (nor any control character outside free text).
"""
from __future__ import annotations

import copy
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterator

import fastavro
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import limits
from events.avro import decode, encode, load_schemas
from events.codec import parse_line, validate_object
from events.errors import EventError
from events.examples import EXAMPLES_BY_VERSION, example_event
from events.registry import REGISTRY
from events.types import parse_amount, parse_target

DETERMINISTIC = settings(derandomize=True, database=None, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# Strings that are formatted values, not text chosen by the producer: their longest JSON form.
FORMATTED = {
    "event_id": limits.EVENT_ID_LENGTH,
    "event_type": limits.EVENT_TYPE_MAX,
    "occurred_on": 10,
    "recorded_at": limits.TIMESTAMP_TEXT_MAX,
    "payload.retracted_event_id": limits.EVENT_ID_LENGTH,
    "payload.as_of": limits.TIMESTAMP_TEXT_MAX,
    "payload.due_on": 10,
    **dict.fromkeys(["payload.total_investment", "payload.planned_investment", "payload.agreed_investment",
                     "payload.amount"], limits.AMOUNT_DIGITS + 1 + limits.AMOUNT_PLACES),
    "payload.target": 1 + limits.TARGET_DIGITS + 1 + limits.TARGET_PLACES,
    "payload.location.lng": 1 + 3 + 1 + limits.COORDINATE_PLACES,
    "payload.location.lat": 1 + 3 + 1 + limits.COORDINATE_PLACES,
    **dict.fromkeys(["payload.origin", "payload.categories[]", "payload.required_procedures[]",
                     "payload.construction", "payload.level", "payload.procedure", "payload.figure",
                     "payload.by", "payload.role", "payload.channel"], 32),  # enum symbols
}


def leaves(obj: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every scalar of a JSON object; list items as `name[]`."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from leaves(value, f"{path}.{key}" if path else key)
    elif isinstance(obj, list):
        for item in obj:
            yield from leaves(item, f"{path}[]")
    else:
        yield path, obj


def put(obj: dict, path: str, value: Any) -> dict:
    """A copy of `obj` with the leaf at `path` (dotted) replaced."""
    obj = copy.deepcopy(obj)
    *parents, last = path.split(".")
    node = obj
    for part in parents:
        node = node[part]
    node[last] = value
    return obj


def get(obj: dict, path: str) -> Any:
    for part in path.split("."):
        obj = obj[part]
    return obj


# (path, an example that has it) for every text field: the first example (type, version) with it
TEXT_FIELDS: dict[str, dict] = {}
for _key, _example in sorted(EXAMPLES_BY_VERSION.items()):
    for _path, _value in leaves(_example):
        if _path in limits.STRING_FIELDS and isinstance(_value, str):
            TEXT_FIELDS.setdefault(_path, _example)
SHORT_TEXT = sorted(p for p in TEXT_FIELDS if p not in limits.FREE_TEXT_FIELDS)
NAMES = [p for p in SHORT_TEXT if p not in {"project_id", "source.department", "payload.region", "payload.period",
                                            "payload.content_sha256"}]  # free choice of characters


def refusal(line: dict, *, json: bool = True) -> EventError:
    with pytest.raises(EventError) as caught:
        parse_line(orjson.dumps(line)) if json else validate_object(line)
    return caught.value


def assert_refused(line: dict, field: str, reason: str, *, json: bool = True) -> EventError:
    error = refusal(line, json=json)
    assert error.field == field, error
    assert reason in error.reason, error.reason
    return error


# --- the limits table covers every field ---------------------------------------------------------


def test_every_string_of_every_example_has_a_limit():
    for key, example in EXAMPLES_BY_VERSION.items():
        for path, value in leaves(example):
            if isinstance(value, str):
                assert path in limits.STRING_FIELDS or path in FORMATTED, (key, path)
    assert set(TEXT_FIELDS) == set(limits.STRING_FIELDS), "every limited field appears in some example"


def test_no_pattern_means_unicode_digits_or_lets_a_newline_through():
    """JSON-schema patterns (the ones pydantic checks with its Rust regex) say [0-9], never \\d."""
    for schema in REGISTRY.schemas():
        for path, value in leaves(schema.event_model.model_json_schema()):
            if path.endswith(".pattern"):
                assert "\\d" not in value, (schema.event_type, path, value)
                assert value.startswith("^") and value.endswith("$"), (schema.event_type, path, value)


# --- control characters --------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(TEXT_FIELDS))
def test_a_nul_is_refused_in_every_text_field(path):
    example = TEXT_FIELDS[path]
    value = get(example, path)
    error = assert_refused(put(example, path, value[:1] + "\x00" + value[1:]), path, "")
    assert error.event_id == example["event_id"]
    if path in NAMES or path in limits.FREE_TEXT_FIELDS:
        assert "control character (U+0000 at position 1)" in error.reason


@pytest.mark.parametrize("char", ["\x01", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\r", "\x0b", "\x0c"])
@pytest.mark.parametrize("path", sorted(limits.FREE_TEXT_FIELDS))
def test_free_text_refuses_control_characters_but_line_breaks_and_tabs(path, char):
    example = TEXT_FIELDS[path]
    accepted = validate_object(put(example, path, "第一行\n\t第二行"))
    assert get(accepted.to_json(), path) == "第一行\n\t第二行"
    assert_refused(put(example, path, f"第一行{char}第二行"), path, f"U+{ord(char):04X} at position 3")


@pytest.mark.parametrize("char", ["\n", "\t", "\r", "\x1f", "\u0085"])
@pytest.mark.parametrize("path", NAMES)
def test_names_refuse_line_breaks_tabs_and_controls(path, char):
    example = TEXT_FIELDS[path]
    error = refusal(put(example, path, f"凤城{char}镇"))
    assert error.field == path
    if path not in {"payload.leader_id", "payload.problem_id"}:  # a code's pattern refuses whitespace first
        assert f"U+{ord(char):04X}" in error.reason


@pytest.mark.parametrize("path", ["payload.township", "payload.description", "source.system"])
def test_a_lone_surrogate_is_refused(path):
    """JSON parsers refuse them, but the Python API may hand one over: pydantic refuses it first."""
    example = TEXT_FIELDS[path]
    assert_refused(put(example, path, "凤城\ud800镇"), path, "unicode string", json=False)


def test_control_characters_elsewhere_are_refused_too():
    line = example_event("InvestmentReported", project_id="2501-140522\x00-04")
    assert refusal(line).field == "project_id"
    line = example_event("InvestmentReported", source={"department": "stats\x00", "system": "x"})
    assert refusal(line).field == "source.department"
    line = example_event("InvestmentReported", occurred_on="2025-04-05\x00")
    assert refusal(line).field == "occurred_on"
    line = example_event("InvestmentReported", payload={"amount": "12.50\x00"})
    assert_refused(line, "payload.amount", "decimal string")


# --- non-ASCII digits and a final newline --------------------------------------------------------

UNICODE_DIGITS = ["１４０５２２", "١٤٠٥٢٢", "१४०५२२", "14０522"]


@pytest.mark.parametrize("region", UNICODE_DIGITS)
def test_a_region_of_other_digits_is_refused(region):
    assert_refused(example_event("ProjectRegistered", payload={"region": region}), "payload.region", "pattern")
    assert_refused(example_event("TargetSet", payload={"region": region}), "payload.region", "pattern")
    assert_refused(example_event("TargetSet", schema_version=2, payload={"region": region[:4]}), "payload.region",
                   "pattern")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (example_event("InvestmentReported", payload={"amount": "１００.00"}), "payload.amount"),
        (example_event("InvestmentReported", payload={"amount": "١٠٠"}), "payload.amount"),
        (example_event("TargetSet", payload={"target": "０.85"}), "payload.target"),
        (example_event("TargetSet", schema_version=2, payload={"target": "１２"}), "payload.target"),
        (example_event("ProjectRegistered", schema_version=2,
                       payload={"location": {"lng": "١١٢.4", "lat": "35.4"}}), "payload.location.lng"),
    ],
    ids=["full-width-amount", "arabic-amount", "v1-target", "v2-target", "location"],
)
def test_a_decimal_of_other_digits_is_refused(line, field):
    assert_refused(line, field, "must be written with the ASCII digits 0-9")


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        (example_event("InvestmentReported", occurred_on="２０２５-04-05"), "occurred_on", "YYYY-MM-DD"),
        (example_event("ProblemAssigned", payload={"due_on": "2025-0４-15"}), "payload.due_on", "YYYY-MM-DD"),
        (example_event("InvestmentReported", recorded_at="２０２５-04-05T09:30:00+08:00"), "recorded_at", "ISO-8601"),
        (example_event("InvestmentReported", recorded_at="2025-04-05T09:30:00+０8:00"), "recorded_at", "ISO-8601"),
        (example_event("ReportPublished", payload={"period": "２０２５Q1"}), "payload.period", "pattern"),
        (example_event("ReportPublished", payload={"region": "١٤"}), "payload.region", "pattern"),
        (example_event("InvestmentReported", project_id="２５０１-140522-04-01-000123"), "project_id", "pattern"),
    ],
    ids=["occurred_on", "due_on", "recorded_at", "offset", "period", "report-region", "project_id"],
)
def test_dates_times_periods_and_ids_of_other_digits_are_refused(line, field, reason):
    assert_refused(line, field, reason)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (example_event("InvestmentReported", payload={"amount": "100.00\n"}), "payload.amount"),
        (example_event("TargetSet", payload={"target": "0.85\n"}), "payload.target"),
        (example_event("TargetSet", schema_version=2, payload={"target": "83750.00\n"}), "payload.target"),
        (example_event("InvestmentReported", occurred_on="2025-04-05\n"), "occurred_on"),
        (example_event("ProblemAssigned", payload={"due_on": "2025-04-15\n"}), "payload.due_on"),
        (example_event("ProjectRegistered", payload={"region": "140522\n"}), "payload.region"),
        (example_event("InvestmentReported", project_id="2501-140522-04-01-000123\n"), "project_id"),
        (example_event("InvestmentReported", recorded_at="2025-04-05T09:30:00+08:00\n"), "recorded_at"),
        (example_event("ReportPublished", payload={"period": "2025Q1\n"}), "payload.period"),
        (example_event("ProblemRaised", payload={"problem_id": "P-1\n"}), "payload.problem_id"),
        (example_event("ProjectRegistered", schema_version=2,
                       payload={"location": {"lng": "112.4\n", "lat": "35.4"}}), "payload.location.lng"),
    ],
    ids=["amount", "target", "target-v2", "occurred_on", "due_on", "region", "project_id", "recorded_at",
         "period", "code", "location"],
)
def test_a_final_newline_is_refused(line, field):
    assert refusal(line).field == field


# --- timestamps and dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    ["2025-03-18T23:30:00+14:00", "2025-03-18T23:30:00-14:00", "2025-03-18T23:30:00Z",
     "2025-03-18T23:30:00.123456+05:45", "1990-01-01T00:00:00+08:00", "2199-12-31T23:59:59.999999-12:00"],
)
def test_timestamps_that_every_column_holds(stamp):
    event = validate_object(example_event("InvestmentReported", recorded_at=stamp))
    assert len(event.to_json()["recorded_at"]) <= limits.TIMESTAMP_TEXT_MAX


@pytest.mark.parametrize(
    ("stamp", "reason"),
    [
        ("2025-03-18T23:30:00+08:00:30", "whole minutes within ±14:00"),
        ("2025-03-18T23:30:00+23:59:59.5", "whole minutes within ±14:00"),
        ("2025-03-18T23:30:00+14:01", "whole minutes within ±14:00"),
        ("2025-03-18T23:30:00-15:00", "whole minutes within ±14:00"),
        ("0001-01-01T00:00:00+00:00", "between 1990 and 2199"),
        ("1989-12-31T23:59:59+08:00", "between 1990 and 2199"),
        ("2200-01-01T00:00:00+08:00", "between 1990 and 2199"),
        ("9999-12-31T23:59:59+08:00", "between 1990 and 2199"),
        ("2025-03-18T23:30:00", "time-zone offset"),
    ],
)
def test_timestamps_out_of_range_are_refused(stamp, reason):
    assert_refused(example_event("InvestmentReported", recorded_at=stamp), "recorded_at", reason)
    report = example_event("ReportPublished", payload={"as_of": stamp})
    assert_refused(report, "payload.as_of", reason)


def test_python_datetimes_are_held_to_the_same_rules():
    odd = timezone(timedelta(hours=5, minutes=30, seconds=15))
    line = example_event("InvestmentReported")
    assert_refused({**line, "recorded_at": datetime(2025, 3, 18, tzinfo=odd)}, "recorded_at", "whole minutes",
                   json=False)
    assert_refused({**line, "recorded_at": datetime(1, 1, 1, tzinfo=timezone.utc)}, "recorded_at", "1990",
                   json=False)
    assert_refused({**line, "occurred_on": date(1, 1, 1)}, "occurred_on", "between 1990 and 2199", json=False)


@pytest.mark.parametrize("day", ["0001-01-01", "1989-12-31", "2200-01-01", "9999-12-31"])
def test_dates_out_of_range_are_refused(day):
    assert_refused(example_event("InvestmentReported", occurred_on=day), "occurred_on", "between 1990 and 2199")
    assert_refused(example_event("ProblemAssigned", payload={"due_on": day}), "payload.due_on", "between 1990 and 2199")
    assert_refused(example_event("ProcedurePlanned", payload={"due_on": day}), "payload.due_on", "between 1990 and 2199")


@pytest.mark.parametrize("day", ["1990-01-01", "2199-12-31"])
def test_dates_at_the_ends_of_the_range(day):
    assert validate_object(example_event("InvestmentReported", occurred_on=day)).to_json()["occurred_on"] == day


def test_dates_from_avro_are_held_to_the_range():
    record = validate_object(example_event("ConstructionStarted")).model_dump()
    record["occurred_on"], record["recorded_at"] = date(1, 1, 1), None
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, load_schemas()[("ConstructionStarted", 1)], record)
    with pytest.raises(EventError, match="between 1990 and 2199") as caught:
        decode(buffer.getvalue(), "ConstructionStarted", 1)
    assert caught.value.field == "occurred_on"


# --- event ids -----------------------------------------------------------------------------------

CANONICAL = "0f8fafc1-1e5d-4a2b-9c3d-2b1e5f6a7b8c"
FORMS = [CANONICAL, CANONICAL.upper(), "{" + CANONICAL + "}", "urn:uuid:" + CANONICAL, CANONICAL.replace("-", "")]


@pytest.mark.parametrize("form", FORMS)
def test_an_event_id_is_stored_canonical(form):
    event = validate_object(example_event("InvestmentReported", event_id=form))
    assert event.id == event.to_json()["event_id"] == CANONICAL
    assert event.content_hash() == validate_object(example_event("InvestmentReported", event_id=CANONICAL)).content_hash()
    assert decode(encode(event), "InvestmentReported", 1).to_json()["event_id"] == CANONICAL


@pytest.mark.parametrize("form", FORMS)
def test_a_retracted_event_id_is_stored_canonical(form):
    event = validate_object(example_event("EventRetracted", payload={"retracted_event_id": form}))
    assert event.to_json()["payload"]["retracted_event_id"] == CANONICAL


def test_a_refusal_names_the_event_by_its_canonical_id():
    line = example_event("InvestmentReported", event_id=CANONICAL.upper(), payload={"amount": "-1"})
    assert refusal(line).event_id == CANONICAL
    line = example_event("InvestmentReported", event_id="id\x00with-nul", payload={"amount": "1"})
    assert refusal(line).event_id is None, "a control character never reaches a log or the audit"


# --- amounts and targets: the reason says which rule ---------------------------------------------


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("-5", "amount must be ≥ 0, got '-5'"),
        ("-0.01", "amount must be ≥ 0"),
        ("1" + "0" * 30, "amount must have at most 16 digits before the point"),
        ("1" * 17 + ".00", "amount must have at most 16 digits before the point"),
        ("12.345", "amount must have at most 2 decimal places"),
        ("1e5", "amount must be a decimal string with at most 2 decimal places"),
        ("+5", "amount must be a decimal string"),
        (" 5", "amount must be a decimal string"),
        ("5.", "amount must be a decimal string"),
        ("NaN", "amount must be a decimal string"),
    ],
)
def test_an_amount_out_of_range_says_why(amount, reason):
    assert_refused(example_event("InvestmentReported", payload={"amount": amount}), "payload.amount", reason)


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        (Decimal("-5.00"), "amount must be ≥ 0, got '-5.00'"),
        (Decimal("1" * 17 + ".00"), "amount must have at most 16 digits before the point"),
        (Decimal(10) ** 30, "amount must have at most 16 digits before the point"),
        (Decimal("1E+999999"), "amount must have at most 16 digits before the point"),
        (Decimal("0.001"), "amount must have at most 2 decimal places"),
        (Decimal("NaN"), "amount must be a finite number"),
        (Decimal("-Infinity"), "amount must be a finite number"),
    ],
)
def test_an_amount_from_the_wire_says_why(amount, reason):
    with pytest.raises(ValueError) as caught:
        parse_amount(amount)
    assert str(caught.value).startswith(reason)
    assert len(str(caught.value)) < 200


def test_wire_amounts_and_zeros():
    assert parse_amount(Decimal("1234.5000")) == Decimal("1234.50")
    assert parse_amount(Decimal("-0")) == Decimal("0.00") == parse_amount(Decimal("0E-10"))
    assert parse_amount(Decimal("9999999999999999.99")) == Decimal("9999999999999999.99")
    assert parse_target(Decimal("-12345678.1234")) == Decimal("-12345678.1234")


@pytest.mark.parametrize(
    ("amount", "reason"),
    [(Decimal("-5.00"), "must be ≥ 0"), (Decimal("1" * 17 + ".00"), "at most 16 digits before the point"),
     (Decimal("1" * 30 + ".00"), "at most 16 digits before the point")],
)
def test_avro_amounts_are_refused_with_the_rule(amount, reason):
    schema = fastavro.parse_schema(_wide_investment_schema())
    record = validate_object(example_event("InvestmentReported")).model_dump()
    record["recorded_at"], record["payload"]["amount"] = None, amount
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema, record)
    with pytest.raises(EventError) as caught:
        decode(buffer.getvalue(), "InvestmentReported", 1)
    assert caught.value.field == "payload.amount" and reason in caught.value.reason


def _wide_investment_schema() -> dict:
    import json

    from events.avro import SCHEMA_DIR

    schema = json.loads((SCHEMA_DIR / "InvestmentReported" / "v1.avsc").read_text(encoding="utf-8"))
    payload = next(f["type"] for f in schema["fields"] if f["name"] == "payload")
    payload["fields"][-1]["type"]["precision"] = 40  # precision is not on the wire: any producer can
    return schema


@pytest.mark.parametrize(
    ("target", "reason"),
    [("-123456789", "at most 8 digits before the point"), ("0.12345", "at most 4 decimal places"),
     ("1" * 40, "at most 8 digits before the point")],
)
def test_a_v1_target_says_why(target, reason):
    assert_refused(example_event("TargetSet", payload={"target": target}), "payload.target", f"target must have {reason}")


def test_a_refused_huge_value_is_not_echoed_whole():
    error = refusal(example_event("InvestmentReported", payload={"amount": "9" * 1_000_000}))
    assert len(error.reason) < 200
    error = refusal(example_event("ProblemRaised", payload={"description": "问" * 1_000_000}))
    assert "at most 2000 characters" in error.reason and len(error.reason) < 200


# --- lengths: at the limit accepted, one more refused ---------------------------------------------


@pytest.mark.parametrize("path", sorted(p for p in TEXT_FIELDS if p not in {"payload.region", "payload.period",
                                                                            "payload.content_sha256"}))
def test_each_text_field_takes_its_limit_and_not_one_more(path):
    example, limit = TEXT_FIELDS[path], limits.STRING_FIELDS[path]
    filler = "a" if path in {"project_id", "source.department"} else "镇"
    at_limit = validate_object(put(example, path, filler * limit))
    assert get(at_limit.to_json(), path) == filler * limit
    error = refusal(put(example, path, filler * (limit + 1)))
    assert error.field == path and f"at most {limit} characters" in error.reason


def test_code_lists_are_bounded():
    line = example_event("ProjectRegistered", payload={"categories": ["industrial"] * (limits.CODE_LIST_MAX + 1)})
    assert_refused(line, "payload.categories", f"at most {limits.CODE_LIST_MAX} items")


def test_names_match_the_label_column():
    """`labels.text` is String(200): township:<name>, problem:<id>, project:<id> all fit."""
    assert len("township:") + limits.NAME_MAX <= 200
    assert len("problem:") + limits.CODE_MAX <= 200
    assert len("project:") + limits.PROJECT_ID_MAX <= 200


# --- property: whatever is accepted is within the limits -----------------------------------------

ANY_CHAR = st.characters(exclude_categories=())  # surrogates and control characters too
TRICKY = st.sampled_from(["\x00", "\n", "\t", "\r", "\x7f", "\x85", "\u2028", "\ufeff", "\ud800", "1", "１", "٣",
                          "a", "镇", " ", "-", ".", "〔"])


def _assert_within_limits(event_json: dict) -> None:
    for path, value in leaves(event_json):
        if not isinstance(value, str):
            continue
        limit = limits.STRING_FIELDS.get(path, FORMATTED.get(path))
        assert limit is not None, path
        assert len(value) <= limit, (path, len(value))
        assert "\x00" not in value, path
        controls = {c for c in value if ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or 0xD800 <= ord(c) <= 0xDFFF}
        allowed = set(limits.FREE_TEXT_CONTROLS) if path in limits.FREE_TEXT_FIELDS else set()
        assert controls <= allowed, (path, controls)
        if path not in limits.STRING_FIELDS or path in {"project_id", "source.department", "payload.region",
                                                          "payload.period", "payload.content_sha256"}:
            assert value.isascii(), (path, value)
        if path not in limits.FREE_TEXT_FIELDS:
            assert "\n" not in value, path


@DETERMINISTIC
@given(data=st.data())
@pytest.mark.parametrize("path", sorted(TEXT_FIELDS))
def test_any_accepted_text_is_within_its_limit(path, data):
    limit = limits.STRING_FIELDS[path]
    text = data.draw(st.one_of(
        st.text(ANY_CHAR, max_size=limit + 3),
        st.text(TRICKY, max_size=limit + 3),
        st.builds(lambda head, tail: head * limit + tail, TRICKY, st.text(TRICKY, max_size=2)),
    ))
    try:
        event = validate_object(put(TEXT_FIELDS[path], path, text))
    except EventError as error:
        assert error.field is not None
        return
    assert get(event.to_json(), path) == text
    _assert_within_limits(event.to_json())


DECIMAL_TEXT = st.one_of(
    st.from_regex(r"-?[0-9]{1,20}(\.[0-9]{1,5})?\n?", fullmatch=True),
    st.text(st.sampled_from("0123456789.-+e １٣\n"), max_size=24),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


@DETERMINISTIC
@given(amount=st.one_of(DECIMAL_TEXT, st.decimals(allow_nan=True, allow_infinity=True)))
def test_any_accepted_amount_fits_numeric_18_2(amount):
    try:
        value = parse_amount(amount)
    except ValueError as error:
        assert "amount must" in str(error) and len(str(error)) < 200
        return
    assert Decimal(0) <= value < Decimal(10) ** limits.AMOUNT_DIGITS
    assert value == value.quantize(Decimal("0.01"))
    assert isinstance(amount, Decimal) or amount.isascii() and "\n" not in amount


@DETERMINISTIC
@given(stamp=st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31),
                 timezones=st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23, minutes=-59),
                                                             max_value=timedelta(hours=23, minutes=59)))).map(
        lambda d: d.isoformat()),
    st.text(st.sampled_from("0123456789-:T+Z.１ \n"), max_size=34),
))
def test_any_accepted_timestamp_fits_its_column(stamp):
    line = example_event("InvestmentReported", recorded_at=stamp)
    try:
        event = validate_object(line)
    except EventError as error:
        assert error.field == "recorded_at"
        return
    text = event.to_json()["recorded_at"]
    assert len(text) <= limits.TIMESTAMP_TEXT_MAX and text.isascii()
    assert limits.YEAR_MIN <= event.recorded_at.year <= limits.YEAR_MAX
    assert abs(event.recorded_at.utcoffset()) <= limits.OFFSET_MAX


@pytest.mark.parametrize("key", sorted(EXAMPLES_BY_VERSION), ids=lambda k: f"{k[0]}-v{k[1]}")
def test_every_example_is_within_the_limits(key):
    _assert_within_limits(validate_object(EXAMPLES_BY_VERSION[key]).to_json())

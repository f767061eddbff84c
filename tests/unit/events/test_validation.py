"""One test per contract rule (CONTRACT.md §1, §2): each refusal names the event, the field and why."""
from __future__ import annotations

import orjson
import pytest

from events.codec import parse_line
from events.errors import EventError
from events.examples import example_event

REPORT = example_event("InvestmentReported")
REPORT_ID = REPORT["event_id"]


def refusal(line: dict | bytes) -> EventError:
    with pytest.raises(EventError) as caught:
        parse_line(line if isinstance(line, bytes) else orjson.dumps(line))
    return caught.value


def assert_refused(line: dict | bytes, field: str | None, reason: str, event_id: str | None = REPORT_ID) -> None:
    error = refusal(line)
    assert (error.event_id, error.field) == (event_id, field)
    assert reason in error.reason


def report(**payload: object) -> dict:
    return example_event("InvestmentReported", payload=payload)


def test_a_json_float_amount_is_refused():
    assert_refused(report(amount=12.5), "payload.amount", "decimal string")


def test_an_amount_with_three_decimal_places_is_refused():
    assert_refused(report(amount="12.345"), "payload.amount", "at most 2 decimal places")


def test_an_integer_amount_is_refused():
    assert_refused(report(amount=12), "payload.amount", "got int 12")


def test_a_date_that_does_not_exist_is_refused():
    line = example_event("InvestmentReported", occurred_on="2025-02-30")
    assert_refused(line, "occurred_on", "not a real date")


def test_a_timestamp_without_offset_is_refused():
    line = example_event("InvestmentReported", recorded_at="2025-03-01T10:00:00")
    assert_refused(line, "recorded_at", "time-zone offset")


@pytest.mark.parametrize(("month", "reason"), [(0, "greater than or equal to 1"), (13, "less than or equal to 12")])
def test_a_month_outside_1_to_12_is_refused(month, reason):
    assert_refused(report(month=month), "payload.month", reason)


ENUMS = [  # (event_type, payload field, where the error points)
    ("ProjectRegistered", "origin", "payload.origin"),
    ("ProjectRegistered", "categories", "payload.categories[1]"),
    ("ProjectRegistered", "required_procedures", "payload.required_procedures[1]"),
    ("ProcedureApproved", "procedure", "payload.procedure"),
    ("AnnualPlanAdopted", "construction", "payload.construction"),
    ("KeyProjectDesignated", "level", "payload.level"),
    ("ProblemEscalated", "level", "payload.level"),
    ("TargetSet", "by", "payload.by"),
    ("TargetSet", "figure", "payload.figure"),
]


@pytest.mark.parametrize(("event_type", "name", "field"), ENUMS, ids=lambda v: str(v))
def test_an_unknown_enum_value_is_refused(event_type, name, field):
    line = example_event(event_type)
    given = line["payload"][name]
    line["payload"][name] = [given[0], "unheard_of"] if isinstance(given, list) else "unheard_of"
    assert_refused(line, field, "(got 'unheard_of')", event_id=line["event_id"])


def test_a_missing_required_field_is_refused():
    line = report()
    del line["payload"]["amount"]
    assert_refused(line, "payload.amount", "required field is missing")
    line = example_event("InvestmentReported")
    del line["source"]
    assert_refused(line, "source", "required field is missing")


def test_an_unknown_extra_field_is_refused():
    assert_refused(report(colour="red"), "payload.colour", "unknown field")
    assert_refused(example_event("InvestmentReported", colour="red"), "colour", "unknown field")


def test_a_null_project_id_is_refused_except_for_a_target():
    assert_refused(example_event("InvestmentReported", project_id=None), "project_id", "only for TargetSet")
    target = parse_line(orjson.dumps(example_event("TargetSet", project_id=None)))
    assert target.project_id is None


def test_an_unknown_event_type_is_refused():
    line = example_event("InvestmentReported", event_type="InvestmentForecast")
    assert_refused(line, "event_type", "unknown event type 'InvestmentForecast'")


def test_an_unknown_schema_version_is_refused():
    assert_refused(example_event("InvestmentReported", schema_version=2), "schema_version", "unknown schema version 2")


def test_a_schema_version_given_as_a_string_is_refused():
    assert_refused(example_event("InvestmentReported", schema_version="1"), "schema_version", "must be an integer")


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        (report(year=True), "payload.year", "valid integer"),
        (example_event("InvestmentReported", schema_version=True), "schema_version", "must be an integer"),
    ],
    ids=["payload", "schema_version"],
)
def test_a_bool_where_an_int_is_required_is_refused(line, field, reason):
    assert_refused(line, field, reason)


def test_invalid_json_is_refused():
    assert_refused(b'{"event_id": "' + REPORT_ID.encode() + b'", ', None, "not valid JSON", event_id=None)


@pytest.mark.parametrize("line", [b"[1, 2]", b'"a string"', b"42", b"null"])
def test_a_line_that_is_not_an_object_is_refused(line):
    assert_refused(line, None, "must be a JSON object", event_id=None)


def without_id() -> dict:
    line = example_event("InvestmentReported")
    del line["event_id"]
    return line


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (example_event("InvestmentReported", event_id=12), "UUID input should be a string"),
        (example_event("InvestmentReported", event_id="f" * 65), "valid UUID"),
        (without_id(), "required field is missing"),
    ],
    ids=["a number", "too long", "missing"],
)
def test_an_unreadable_id_gives_event_id_none(line, reason):
    assert_refused(line, "event_id", reason, event_id=None)


@pytest.mark.parametrize("text", [
    b'"year": 2025.0, "month": 3',      # a whole float is the integer it names (JSON Schema's integer)
    b'"year":2.025e3,"month":3E0',      # so is one written with an exponent
    b'"year": 2025, "month": 3',        # no float at all: the fast path
])
def test_whole_json_numbers_are_integers_in_every_spelling(text):
    line = (b'{"event_id":"%s","event_type":"InvestmentReported","schema_version":1.0,'
            b'"project_id":"%s","occurred_on":"2025-03-01","source":{"department":"project_center","system":"t"},'
            b'"payload":{%s,"amount":"1.00"}}') % (REPORT_ID.encode(), REPORT["project_id"].encode(), text)
    for given in (line, line.decode()):
        event = parse_line(given)
        assert (event.schema_version, event.payload.year, event.payload.month) == (1, 2025, 3)


def test_a_fractional_float_is_refused_after_a_whole_one():
    line = orjson.dumps(report(year=2025.0, month=3.5, amount="1.00"))
    assert_refused(line, "payload.month", "")


def test_a_number_like_text_inside_a_string_changes_nothing():
    ok = example_event("InvestmentReported", source={"department": "project_center", "system": "sys:1.5,[2e3"})
    assert parse_line(orjson.dumps(ok)).source.system == "sys:1.5,[2e3"

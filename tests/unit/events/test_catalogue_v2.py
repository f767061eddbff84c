"""Catalogue v2 (CONTRACT.md §5): the new versions, their upcasters, the new types, figure kinds,
owners and issuers, and Avro resolution of v1 data under the v2 schemas."""
from __future__ import annotations

import copy
import io
from decimal import Decimal

import fastavro
import orjson
import pytest

from events.avro import decode, encode, load_schemas
from events.catalogue import (
    CATALOGUE_V2, DEPARTMENTS, OWNERS, PROCEDURE_ISSUERS, UPCAST_DEFAULTS_V1, UPCASTERS_V1,
)
from events.codec import load_stored, parse_line, validate_object
from events.errors import EventError
from events.examples import EXAMPLES, example_event
from events.registry import REGISTRY
from events.types import FIGURE_KINDS, MILESTONE_MONTHS, FigureId, FigureKind, Procedure, ProcedureV1

V2_TYPES = sorted(CATALOGUE_V2)


def refused(line: dict) -> EventError:
    with pytest.raises(EventError) as caught:
        parse_line(orjson.dumps(line))
    return caught.value


def assert_refused(line: dict, field: str, reason: str) -> None:
    error = refused(line)
    assert (error.event_id, error.field) == (line["event_id"], field), error
    assert reason in error.reason, error.reason


def v2(event_type: str, **payload: object) -> dict:
    return example_event(event_type, schema_version=2, payload=payload)


# --- the registry: v1 stays valid, v2 is the latest, upcasting ----------------------------------


def test_the_new_versions_and_types_are_registered():
    assert {t: REGISTRY.latest[t] for t in V2_TYPES} == dict.fromkeys(V2_TYPES, 2)
    assert REGISTRY.latest["ProcedurePlanned"] == REGISTRY.latest["FundingSecured"] == 1
    assert V2_TYPES == ["AnnualPlanAdopted", "LeaderAssigned", "ProcedureApproved", "ProjectRegistered",
                        "ReportPublished", "TargetSet"]


@pytest.mark.parametrize("event_type", V2_TYPES)
def test_a_v1_event_stays_valid_as_v1(event_type):
    event = validate_object(example_event(event_type))
    assert event.schema_version == 1
    assert event.to_json() == EXAMPLES[event_type]


NEW_FIELDS = {
    "ProjectRegistered": {"location": None, "village": None},
    "ProcedureApproved": {},
    "AnnualPlanAdopted": {"planned_start_month": None, "planned_start_dekad": None},
    "LeaderAssigned": {"role": "leader"},
    "TargetSet": {"township": None},
    "ReportPublished": {"category": None, "format": 1},  # a v1 publication fixed the report's first format
}


@pytest.mark.parametrize("event_type", V2_TYPES)
def test_a_stored_v1_event_is_read_as_v2_with_the_new_fields_absent(event_type):
    stored = example_event(event_type)
    event = load_stored(stored)
    assert event.schema_version == 2
    assert isinstance(event, REGISTRY.get(event_type, 2).event_model)
    assert event.to_json()["payload"] == {**stored["payload"], **NEW_FIELDS[event_type]}
    assert stored == example_event(event_type), "the stored object is left as it was"


@pytest.mark.parametrize("event_type", V2_TYPES)
def test_the_upcast_payload_is_the_v2_dump(event_type):
    """What the read models keep (the raw upcast payload) is exactly the v2 event's JSON payload."""
    stored = example_event(event_type)
    raised = REGISTRY.upcast(stored)
    assert raised["schema_version"] == 2
    assert raised["payload"] == load_stored(stored).to_json()["payload"]
    assert list(raised["payload"]) == list(REGISTRY.get(event_type, 2).payload_model.model_fields)
    assert UPCASTERS_V1[event_type](dict(stored["payload"])) == raised["payload"]
    assert raised["payload"] == {**stored["payload"], **UPCAST_DEFAULTS_V1[event_type]}
    defaults = {name: info.get_default() for name, info in REGISTRY.get(event_type, 2).payload_model.model_fields.items()
                if name in UPCAST_DEFAULTS_V1[event_type]}
    assert defaults == UPCAST_DEFAULTS_V1[event_type], "an upcast adds exactly the v2 defaults"


def test_a_leader_assigned_v1_is_a_leader():
    assert load_stored(example_event("LeaderAssigned")).payload.role.value == "leader"
    assert validate_object(v2("LeaderAssigned", role="leader")).payload.role.value == "leader"
    omitted = v2("LeaderAssigned")
    del omitted["payload"]["role"]
    assert validate_object(omitted).payload.role.value == "leader"


@pytest.mark.parametrize("role", ["leader", "lead_unit", "support_unit"])
def test_every_role(role):
    assert validate_object(v2("LeaderAssigned", role=role)).payload.role.value == role


def test_an_unknown_role_is_refused():
    assert_refused(v2("LeaderAssigned", role="deputy"), "payload.role", "'deputy'")


# --- ProjectRegistered v2 ------------------------------------------------------------------------


def test_industry_and_the_new_procedures_are_v2_only():
    new_codes = ["capacity_replacement", "water_use", "cultural_relics", "fire_acceptance"]
    event = validate_object(v2("ProjectRegistered", categories=["industry"], required_procedures=new_codes))
    assert [c.value for c in event.payload.categories] == ["industry"]
    assert [p.value for p in event.payload.required_procedures] == new_codes
    assert_refused(example_event("ProjectRegistered", payload={"categories": ["industry"]}),
                   "payload.categories[0]", "'industry'")
    assert_refused(example_event("ProjectRegistered", payload={"required_procedures": ["water_use"]}),
                   "payload.required_procedures[0]", "'water_use'")


def test_procedure_codes_keep_their_positions():
    """Projections number procedures by position (bit masks): v2 only appends."""
    assert [p.value for p in Procedure][: len(ProcedureV1)] == [p.value for p in ProcedureV1]


def test_a_location_is_kept_canonical_with_six_places():
    event = validate_object(v2("ProjectRegistered", location={"lng": "112.4", "lat": "35.486421"}))
    assert event.to_json()["payload"]["location"] == {"lng": "112.400000", "lat": "35.486421"}
    assert event.payload.location.lng == Decimal("112.4")
    absent = v2("ProjectRegistered")
    del absent["payload"]["location"]
    assert validate_object(absent).payload.location is None


@pytest.mark.parametrize(
    ("location", "field", "reason"),
    [
        ({"lng": "112.4153101", "lat": "35.48"}, "payload.location.lng", "at most 6 decimal places"),
        ({"lng": 112.41, "lat": "35.48"}, "payload.location.lng", "decimal string"),
        ({"lng": "35.48", "lat": "112.41"}, "payload.location.lng", "between 73 and 136"),
        ({"lng": "112.41", "lat": "-35.48"}, "payload.location.lat", "between 3 and 54"),
        ({"lng": "0", "lat": "0"}, "payload.location.lng", "between 73 and 136"),
        ({"lng": "１１２.41", "lat": "35.48"}, "payload.location.lng", "ASCII digits"),
        ({"lng": "112.41"}, "payload.location.lat", "required field is missing"),
        ({"lng": "112.41", "lat": "35.48", "alt": "800"}, "payload.location.alt", "unknown field"),
        ("112.41,35.48", "payload.location", "valid dictionary"),
    ],
    ids=["places", "float", "swapped", "south", "zero", "full-width", "missing", "extra", "text"],
)
def test_a_bad_location_is_refused(location, field, reason):
    assert_refused(v2("ProjectRegistered", location=location), field, reason)


def test_a_village_needs_its_township():
    assert validate_object(v2("ProjectRegistered", village="东关村")).payload.village == "东关村"
    assert_refused(v2("ProjectRegistered", township=None, village="东关村"), "payload.village", "township")


# --- ProcedureApproved v2, ProcedurePlanned, FundingSecured --------------------------------------


@pytest.mark.parametrize("procedure", [p.value for p in Procedure])
def test_every_procedure_can_be_approved_and_planned(procedure):
    assert validate_object(v2("ProcedureApproved", procedure=procedure)).payload.procedure.value == procedure
    planned = validate_object(example_event("ProcedurePlanned", payload={"procedure": procedure}))
    assert planned.payload.procedure.value == procedure


def test_a_new_procedure_is_refused_in_v1():
    assert_refused(example_event("ProcedureApproved", payload={"procedure": "fire_acceptance"}),
                   "payload.procedure", "'fire_acceptance'")


@pytest.mark.parametrize("level", ["county", "city", "province", "national"])
def test_procedure_levels(level):
    assert validate_object(example_event("ProcedurePlanned", payload={"level": level})).payload.level.value == level


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"level": "township"}, "payload.level", "'township'"),
        ({"due_on": "2025-06-31"}, "payload.due_on", "not a real date"),
        ({"due_on": "0001-06-30"}, "payload.due_on", "between 1990 and 2199"),
        ({"unit": ""}, "payload.unit", "at least 1 character"),
        ({"officer": "李\x00晓燕"}, "payload.officer", "U+0000"),
        ({"leader": "王" * 101}, "payload.leader", "at most 100 characters"),
    ],
    ids=["level", "no-such-day", "year", "empty-unit", "nul", "long-leader"],
)
def test_a_bad_procedure_plan_is_refused(payload, field, reason):
    assert_refused(example_event("ProcedurePlanned", payload=payload), field, reason)


@pytest.mark.parametrize("channel", ["central_budget", "special_bond", "ultra_long_bond", "provincial", "other"])
def test_funding_channels(channel):
    assert validate_object(example_event("FundingSecured", payload={"channel": channel})).payload.channel.value == channel


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"channel": "bank_loan"}, "payload.channel", "'bank_loan'"),
        ({"amount": "-100.00"}, "payload.amount", "must be ≥ 0"),
        ({"amount": "1.005"}, "payload.amount", "at most 2 decimal places"),
        ({"amount": 8000}, "payload.amount", "decimal string"),
        ({"document_no": "晋财\n债"}, "payload.document_no", "U+000A"),
    ],
    ids=["channel", "negative", "places", "number", "newline"],
)
def test_bad_funding_is_refused(payload, field, reason):
    assert_refused(example_event("FundingSecured", payload=payload), field, reason)


# --- AnnualPlanAdopted v2 ------------------------------------------------------------------------


def test_a_planned_start_month_and_dekad():
    payload = validate_object(v2("AnnualPlanAdopted", planned_start_month=12, planned_start_dekad=3)).payload
    assert (payload.planned_start_month, payload.planned_start_dekad) == (12, 3)
    month_only = validate_object(v2("AnnualPlanAdopted", planned_start_month=4, planned_start_dekad=None)).payload
    assert (month_only.planned_start_month, month_only.planned_start_dekad) == (4, None)


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"planned_start_month": 0}, "payload.planned_start_month", "greater than or equal to 1"),
        ({"planned_start_month": 13}, "payload.planned_start_month", "less than or equal to 12"),
        ({"planned_start_month": "3"}, "payload.planned_start_month", "valid integer"),
        ({"planned_start_dekad": 4}, "payload.planned_start_dekad", "less than or equal to 3"),
        ({"planned_start_dekad": 0}, "payload.planned_start_dekad", "greater than or equal to 1"),
        ({"planned_start_month": None, "planned_start_dekad": 2}, "payload.planned_start_dekad",
         "only with planned_start_month"),
    ],
    ids=["month-0", "month-13", "month-text", "dekad-4", "dekad-0", "dekad-without-month"],
)
def test_a_bad_planned_start_is_refused(payload, field, reason):
    assert_refused(v2("AnnualPlanAdopted", **payload), field, reason)


def test_a_dekad_without_a_month_is_refused_when_the_month_is_left_out():
    line = v2("AnnualPlanAdopted")
    del line["payload"]["planned_start_month"]
    assert_refused(line, "payload.planned_start_dekad", "only with planned_start_month")


# --- TargetSet v2 and the figure kinds -----------------------------------------------------------

KINDS = {  # CONTRACT §3 and §6, written out once more
    "new_start_rate": "rate", "resume_rate": "rate", "start_or_resume_rate": "rate",
    "investment_completion_rate": "rate", "signed_same_year_start_rate": "rate",
    "reserve_conversion_rate": "rate", "procedure_completion_rate": "rate", "stats_entry_rate": "rate",
    "investment_growth": "rate", "reserve_multiple": "rate", "problem_on_time_rate": "rate",
    "investment_total": "amount", "investment_share": "rate", "signed_investment": "amount",
    "funding_secured": "amount", "reserve_investment": "amount", "landing_rate": "rate",
    "signed_count": "count", "landed_count": "count", "started_count": "count", "production_count": "count",
    "output_count": "count", "due_start_rate": "rate", "conceived_multiple": "rate",
    "conceived_count_multiple": "rate", "reserve_to_conceived": "rate",
}


def test_every_figure_has_its_kind():
    assert len(FigureId) == len(FIGURE_KINDS) == 26
    assert {figure: kind.value for figure, kind in FIGURE_KINDS.items()} == KINDS
    assert all(FIGURE_KINDS[figure.value] is FIGURE_KINDS[figure] for figure in FigureId)
    assert isinstance(FIGURE_KINDS["signed_count"], FigureKind) and FIGURE_KINDS["signed_count"] == "count"


TARGETS = {"rate": ("0.85", "0.8500"), "amount": ("83750.5", "83750.50"), "count": ("12", "12")}


@pytest.mark.parametrize("figure", sorted(KINDS))
def test_a_target_for_every_figure_in_its_kind(figure):
    given, canonical = TARGETS[KINDS[figure]]
    event = validate_object(v2("TargetSet", figure=figure, target=given))
    assert event.to_json()["payload"]["target"] == canonical
    again = decode(encode(event), "TargetSet", 2)
    assert again == event and again.to_json()["payload"]["target"] == canonical


@pytest.mark.parametrize("by", list(MILESTONE_MONTHS))
def test_every_milestone(by):
    assert validate_object(v2("TargetSet", by=by)).payload.by.value == by


def test_milestone_months():
    assert MILESTONE_MONTHS["M03"] == MILESTONE_MONTHS["Q1"] == 3
    assert [MILESTONE_MONTHS[f"M{m:02d}"] for m in range(1, 13)] == list(range(1, 13))
    assert (MILESTONE_MONTHS["H1"], MILESTONE_MONTHS["Q3"], MILESTONE_MONTHS["Y"]) == (6, 9, 12)


def test_v1_targets_keep_to_v1():
    assert_refused(example_event("TargetSet", payload={"by": "M03"}), "payload.by", "'M03'")
    assert_refused(example_event("TargetSet", payload={"figure": "signed_count"}), "payload.figure", "'signed_count'")


@pytest.mark.parametrize(
    ("figure", "target", "reason"),
    [
        ("investment_total", "-1.00", "target of amount figure must be ≥ 0"),
        ("investment_total", "100.125", "target of amount figure must have at most 2 decimal places"),
        ("investment_total", "1" * 17, "target of amount figure must have at most 16 digits before the point"),
        ("signed_count", "12.0", "must be an integer string"),
        ("signed_count", "2.5", "must be an integer string"),
        ("signed_count", "-3", "target of count figure must be ≥ 0"),
        ("signed_count", "1" * 10, "at most 9 digits"),
        ("signed_count", 12, "must be an integer string (a number of projects), got int 12"),
        ("new_start_rate", "0.12345", "target of rate figure must have at most 4 decimal places"),
        ("new_start_rate", "1" * 9, "target of rate figure must have at most 8 digits before the point"),
        ("new_start_rate", 0.85, "decimal string"),
        ("new_start_rate", "0.85\n", "decimal string"),
    ],
)
def test_a_target_out_of_its_kind_is_refused(figure, target, reason):
    assert_refused(v2("TargetSet", figure=figure, target=target), "payload.target", reason)


def test_a_bad_figure_is_reported_before_its_target():
    assert_refused(v2("TargetSet", figure="no_such_figure", target="x"), "payload.figure", "'no_such_figure'")


def test_a_rate_target_may_be_negative_and_an_amount_is_exact():
    assert validate_object(v2("TargetSet", figure="investment_growth", target="-0.05")).to_json()["payload"][
        "target"] == "-0.0500"
    big = validate_object(v2("TargetSet", figure="funding_secured", target="9999999999999999.99"))
    assert big.payload.target == Decimal("9999999999999999.99")
    assert decode(encode(big), "TargetSet", 2).to_json()["payload"]["target"] == "9999999999999999.99"


def test_a_township_target_needs_a_county():
    assert validate_object(v2("TargetSet", township="凤城镇")).payload.township == "凤城镇"
    assert validate_object(v2("TargetSet", region="1405", township=None)).payload.township is None
    assert_refused(v2("TargetSet", region="1405", township="凤城镇"), "payload.township", "6-digit")


def _avro_target(figure: str, target: Decimal) -> bytes:
    record = validate_object(v2("TargetSet", figure="new_start_rate", target="0.5")).model_dump()
    record["payload"]["figure"], record["payload"]["target"] = figure, target
    record["payload"]["by"] = record["payload"]["by"].value
    record["recorded_at"] = None
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, load_schemas()[("TargetSet", 2)], record)
    return buffer.getvalue()


def test_avro_targets_are_held_to_their_kind():
    """On the wire every target has 4 places: a count 12 arrives as 12.0000, and is one."""
    assert decode(_avro_target("signed_count", Decimal("12.0000")), "TargetSet", 2).to_json()["payload"][
        "target"] == "12"
    with pytest.raises(EventError, match="integer string") as caught:
        decode(_avro_target("signed_count", Decimal("12.5000")), "TargetSet", 2)
    assert caught.value.field == "payload.target"
    with pytest.raises(EventError, match="must be ≥ 0"):
        decode(_avro_target("investment_total", Decimal("-1.0000")), "TargetSet", 2)
    with pytest.raises(EventError, match="at most 2 decimal places"):
        decode(_avro_target("investment_total", Decimal("1.0050")), "TargetSet", 2)


# --- owners, issuers, departments ---------------------------------------------------------------


def test_owners_of_the_new_types():
    assert OWNERS["ProcedurePlanned"] == ("approval",)
    assert set(OWNERS["FundingSecured"]) == {"ndrc", "finance"}
    assert set(OWNERS) == set(REGISTRY.latest)


def test_procedure_issuers():
    assert list(PROCEDURE_ISSUERS) == [p.value for p in Procedure]
    assert set(OWNERS["ProcedureApproved"]) == {d for issuers in PROCEDURE_ISSUERS.values() for d in issuers}
    assert PROCEDURE_ISSUERS["approval_filing"] == ("approval", "ndrc")
    assert PROCEDURE_ISSUERS["construction_permit"] == ("approval", "housing")
    assert PROCEDURE_ISSUERS["fire_acceptance"] == ("housing",)
    assert PROCEDURE_ISSUERS["water_use"] == ("water", "approval")  # 行政审批局 holds it in many Shanxi counties
    assert all(PROCEDURE_ISSUERS.values())


def test_every_department_code_is_known():
    used = {d for owners in OWNERS.values() for d in owners}
    assert used <= set(DEPARTMENTS)
    assert "finance" in DEPARTMENTS
    assert all(code.isascii() and code.islower() for code in DEPARTMENTS)


# --- Avro: data written with v1 reads under v2 as the upcast event --------------------------------


def _richest_v1(event_type: str) -> dict:
    """The v1 example with every optional v1 field given and the last symbol of each v1 enum."""
    line = example_event(event_type)
    if event_type == "ProjectRegistered":
        line["payload"].update(categories=["two_new_one_heavy", "industrial"], required_procedures=["construction_permit"])
    if event_type == "TargetSet":
        line["payload"].update(figure="problem_on_time_rate", by="Y", target="-12345678.1234")
    return line


def _read_v1_with_v2(line: dict, reader: dict) -> dict:
    data = encode(validate_object(line))  # written with the committed v1 file
    return fastavro.schemaless_reader(io.BytesIO(data), load_schemas()[(line["event_type"], 1)], reader)


@pytest.mark.parametrize("event_type", V2_TYPES)
@pytest.mark.parametrize("richest", [False, True], ids=["example", "richest"])
def test_avro_written_with_v1_reads_under_v2_as_the_upcast_event(event_type, richest):
    line = _richest_v1(event_type) if richest else example_event(event_type)
    record = _read_v1_with_v2(line, load_schemas()[(event_type, 2)])
    upcast = load_stored(line)
    assert REGISTRY.get(event_type, 2).payload_model.model_validate(record["payload"]).model_dump(mode="json") \
        == upcast.to_json()["payload"]
    assert record["schema_version"] == 1, "the envelope still says what the writer wrote"
    as_v2 = REGISTRY.get(event_type, 2).event_model.model_validate({**record, "schema_version": 2})
    assert as_v2 == upcast.model_copy(update={"recorded_at": as_v2.recorded_at})
    if event_type == "LeaderAssigned":
        assert record["payload"]["role"] == "leader"


def _renamed(avro: object) -> object:
    """A schema whose named types all have other names: only their aliases can match a writer."""
    if isinstance(avro, list):
        return [_renamed(branch) for branch in avro]
    if not isinstance(avro, dict):
        return avro
    out = dict(avro)
    if out.get("type") in ("record", "enum"):
        out["name"] = "Renamed" + out["name"]
    if "fields" in out:
        out["fields"] = [{**f, "type": _renamed(f["type"])} for f in out["fields"]]
    if "items" in out:
        out["items"] = _renamed(out["items"])
    return out


@pytest.mark.parametrize("event_type", V2_TYPES)
def test_the_v2_aliases_name_the_v1_types(event_type):
    """Resolution by full name (Avro aliases), not only by the unqualified names fastavro matches."""
    import json

    from events.avro import SCHEMA_DIR

    v2_schema = json.loads((SCHEMA_DIR / event_type / "v2.avsc").read_text(encoding="utf-8"))
    reader = fastavro.parse_schema(_renamed(copy.deepcopy(v2_schema)))
    record = _read_v1_with_v2(_richest_v1(event_type), reader)
    assert REGISTRY.get(event_type, 2).payload_model.model_validate(record["payload"]).model_dump(mode="json") \
        == load_stored(_richest_v1(event_type)).to_json()["payload"]

"""The quick accept path (events/fast.py) against the models: whatever it vouches for, the models
accept with the same dump (the same line in the log, the same content hash); whatever the models
refuse, it leaves to them. Run on every example, the demo county's history and mutations of both."""
from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.codec import parse_line
from events.errors import EventError
from events.examples import EXAMPLES_BY_VERSION
from events.fast import QUICK
from services.ingest.importer import prepare_line
from services.log.store import prepare, prepare_body

HISTORY = Path(__file__).parents[2] / "data" / "yangcheng-2024-wave-one.jsonl.gz"
EXAMPLES = sorted(EXAMPLES_BY_VERSION.items())


def _line(obj, encoding: str = "utf-8") -> bytes:
    """A line as orjson writes it (UTF-8), or as Python's `json.dumps` does by default ("ascii":
    every character outside ASCII, and every control character, as an escape)."""
    if encoding == "ascii":
        return json.dumps(obj).encode() + b"\n"
    return orjson.dumps(obj) + b"\n"


ENCODINGS = ("utf-8", "ascii")


def _agree(line: bytes) -> bool:
    """Both paths on one line; True when the quick path vouched for it."""
    quick = QUICK.body(line)
    try:
        slow = prepare(parse_line(line))
    except EventError:
        assert quick is None, f"the quick path accepts what the models refuse: {line!r}"
        return False
    if quick is None:
        return False
    assert prepare_body(*quick) == slow, line
    return True


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("key", [key for key, _ in EXAMPLES], ids=lambda key: f"{key[0]}-v{key[1]}")
def test_every_example_goes_the_quick_way_where_it_can(key, encoding):
    obj = dict(EXAMPLES_BY_VERSION[key])
    vouched = _agree(_line(obj, encoding))
    assert vouched == (key not in QUICK.unknown)


def test_only_the_models_with_rules_across_fields_it_does_not_know_are_left_to_the_models():
    assert set(QUICK.unknown) == {("TargetSet", 2)}  # a target's rules are its figure's (events.types)


RULES = [(("ProjectRegistered", 2), {"township": None, "village": "城关村"}, False),
         (("ProjectRegistered", 2), {"township": "城关镇", "village": "城关村"}, True),
         (("ProjectRegistered", 2), {"township": None, "village": None}, True),
         (("AnnualPlanAdopted", 2), {"planned_start_month": None, "planned_start_dekad": 2}, False),
         (("AnnualPlanAdopted", 2), {"planned_start_month": 4, "planned_start_dekad": 2}, True),
         (("AnnualPlanAdopted", 2), {"planned_start_month": 4, "planned_start_dekad": None}, True)]


@pytest.mark.parametrize("key,given,accepted", RULES)
def test_the_rules_across_fields_it_knows(key, given, accepted):
    """A village only with its township, a 旬 only with its month: what the rule refuses goes to the
    models (which say why); what it allows goes the quick way with the models' row."""
    obj = orjson.loads(orjson.dumps(EXAMPLES_BY_VERSION[key]))
    obj["payload"].update(given)
    line = _line(obj)
    assert _agree(line) == accepted
    if not accepted:
        with pytest.raises(EventError, match="may be given only with"):
            prepare_line(line)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_demo_history_goes_the_quick_way_line_for_line(encoding):
    with gzip.open(HISTORY, "rb") as stream:
        lines = [line for line in stream if line.strip()]
    if encoding == "ascii":
        lines = [_line(orjson.loads(line), "ascii") for line in lines]
        assert sum(b"\\u" in line for line in lines) > len(lines) / 10  # the Chinese names, escaped
    vouched = sum(_agree(line) for line in lines)
    assert vouched >= 0.95 * len(lines)
    assert [prepare_line(line) for line in lines] == [prepare(parse_line(line)) for line in lines]


# ---- mutations ----------------------------------------------------------------------------------------
ODD = [None, "", " ", "x" * 129, "y" * 201, "z" * 2001, 0, -1, 1, 2, 12, 13, 1989, 2025, 2200, True, False,
       1.5, 2025.0, [], {}, [1], "2025-02-30", "2025-13-01", "1989-12-31", "2025-03-31", "20250331",
       "2025-03-31T10:00:00+08:00", "2025-03-31T10:00:00", "2025-03-31T10:00:00Z", "2025-03-31T10:00:00+08:00:30",
       "140522", "１４０５２２", "14052", "14", "1405", "14052a", "0.00", "1.5", "1.505", "-1.00", "-0",
       "12345678901234567", "1e3", "٣", "a b", "L-007", "ndrc", "NDRC", "nd-rc", "leader", "lead_unit",
       "industry", "eia", "water_use", "Q1", "M01", "2025Q1", "2025-05", "2025Q5", "a" * 64, "A" * 64,
       "0f" * 32, "b2f9c4a1-8e2d-4c1b-9a77-3f6e5d4c2b10", "B2F9C4A1-8E2D-4C1B-9A77-3F6E5D4C2B10",
       "b2f9c4a18e2d4c1b9a773f6e5d4c2b10", "{b2f9c4a1-8e2d-4c1b-9a77-3f6e5d4c2b10}", "tab\there", "line\nbreak",
       "bell\x07", "c1\x85", "del\x7f", "名" * 100, "名" * 101, "112.5", "200.000001", "35.1234567", "-35.1",
       {"lng": "112.5", "lat": "35.5"}, {"lng": "112.5"}, {"lng": "190", "lat": "35"},
       ["industrial", "private"], ["industry"], ["eia"] * 33, ["nope"], "approval-service", 1, 2, 3]
LENGTHS = (0, 1, 32, 33, 36, 63, 64, 65, 100, 101, 128, 129, 200, 201, 2000, 2001)
BOUNDARY = [*ODD, *range(-1, 15), 1989, 1990, 2199, 2200, *("x" * n for n in LENGTHS), *("名" * n for n in LENGTHS),
            *(f"{'9' * digits}.{'9' * places}" for digits in (1, 3, 8, 9, 16, 17) for places in (1, 2, 3, 4, 5, 6, 7)),
            "73.5", "73.499999", "135.1", "3.8", "53.6", "54", "1990-01-01", "2199-12-31", "2200-01-01",
            "1990-01-01T00:00:00+14:00", "2025-03-31T10:00:00+14:01", "2025-03-31T10:00+08:00",
            "2025-03-31 10:00:00+08:00", "2025-03-31T10:00:00.5+08:00", "2025-03-31T10:00:00+0800",
            # timestamps at the edges of the quick form (events.fast.quick_stamp)
            "2025-03-31T10:00:00.000000+08:00", "2025-03-31T10:00:00.000001+08:00", "2025-03-31T10:00:00.123456-05:30",
            "2025-03-31T10:00:00-00:00", "2025-03-31T10:00:00+00:00", "2025-03-31T10:00:00-14:00",
            "2025-03-31T10:00:00-14:01", "2025-03-31T10:00:00+08:60", "2025-03-31T10:00:00+13:59",
            "2025-03-31T24:00:00+08:00", "2025-03-31T10:60:00+08:00", "2025-02-29T10:00:00+08:00",
            "2024-02-29T10:00:00+08:00", "1990-01-01T00:00:00+01:00", "1989-12-31T23:00:00-01:00",
            "2199-12-31T23:59:59-01:00", "2200-01-01T00:00:00+08:00", "2025-03-31T10:00:00.1234567+08:00",
            "２０２５-03-31T10:00:00+08:00"]
ENVELOPE_KEYS = ["event_id", "event_type", "schema_version", "project_id", "occurred_on", "recorded_at", "source",
                 "payload", "extra"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("key", [key for key, _ in EXAMPLES], ids=lambda key: f"{key[0]}-v{key[1]}")
def test_every_field_with_every_boundary_value(key, encoding):
    """Each field of the envelope, the source and the payload (and a few absent ones), one at a time,
    given each boundary value, and taken away."""
    example = EXAMPLES_BY_VERSION[key]
    places = [("envelope", name) for name in ENVELOPE_KEYS] + [("source", name) for name in ("department", "system")]
    places += [("payload", name) for name in _payload_keys(example)]
    for where, name in places:
        for value in [*BOUNDARY, ...]:
            obj = orjson.loads(orjson.dumps(example))
            target = obj if where == "envelope" else obj[where]
            if value is ...:
                target.pop(name, None)
            else:
                target[name] = value
            _agree(_line(obj, encoding))


KEYS = st.sampled_from(["event_id", "event_type", "schema_version", "project_id", "occurred_on", "recorded_at",
                        "source", "payload", "extra"])


def _payload_keys(obj) -> list[str]:
    payload = obj.get("payload")
    return [*payload, "extra", "location", "village", "township", "role", "format"] if isinstance(payload, dict) else []


@st.composite
def mutated(draw):
    key, obj = draw(st.sampled_from(EXAMPLES))
    obj = orjson.loads(orjson.dumps(obj))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["envelope", "payload", "source", "delete"]))
        value = copy.deepcopy(draw(st.sampled_from(ODD)))  # ODD's dicts and lists are shared: never change them
        if where == "envelope":
            obj[draw(KEYS)] = value
        elif where == "payload" and isinstance(obj.get("payload"), dict) and _payload_keys(obj):
            obj["payload"][draw(st.sampled_from(_payload_keys(obj)))] = value
        elif where == "source" and isinstance(obj.get("source"), dict):
            obj["source"][draw(st.sampled_from(["department", "system", "extra"]))] = value
        elif where == "delete" and isinstance(obj.get("payload"), dict) and obj["payload"]:
            target = obj["payload"] if draw(st.booleans()) else obj
            target.pop(draw(st.sampled_from(sorted(target))), None)
    return obj


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from(ENCODINGS))
def test_mutations_never_pass_the_quick_way_where_the_models_refuse(obj, encoding):
    _agree(_line(obj, encoding))


@pytest.mark.parametrize("raw", [
    b'{"event_id": "b2f9c4a1-8e2d-4c1b-9a77-3f6e5d4c2b10", "name": "a\\u0007"}',  # an escaped control
    "名\u0085".encode(),  # a C1 control as UTF-8
    b"del\x7f",
    b"not json",
    b"[1, 2]",
])
def test_lines_the_gate_leaves_to_the_models(raw):
    assert QUICK.body(raw) is None


def test_a_float_year_is_the_models_to_accept_and_a_quoted_name_goes_the_quick_way():
    example = EXAMPLES_BY_VERSION[("InvestmentReported", 1)]
    floated = _line(example).replace(b'"year":2025', b'"year":2025.0')
    assert floated != _line(example)
    assert QUICK.body(floated) is None and prepare_line(floated) == prepare(parse_line(floated))
    named = dict(EXAMPLES_BY_VERSION[("AgreementSigned", 1)])
    named["payload"] = {**named["payload"], "investor": 'A "quoted" name'}
    assert QUICK.body(_line(named)) is not None and _agree(_line(named))  # \" stands for no control


ESCAPED = [("a tab", "投资\t方", False), ("a line break", "投资\n方", False), ("a bell", "投资\x07方", False),
           ("DEL", "投资\x7f方", False), ("a C1 control", "投资\x85方", False), ("NBSP", "投资\xa0方", True),
           ("a backslash", "投资\\方", True), ("a slash", "投资/方", True), ("an astral character", "𠮷野家", True),
           ("a backslash then n", "C:\\new", False)]


@pytest.mark.parametrize("what,investor,quick", ESCAPED, ids=[e[0] for e in ESCAPED])
def test_escaped_lines_go_the_quick_way_unless_an_escape_may_be_a_control(what, investor, quick):
    """`json.dumps` escapes every character outside ASCII: such a line goes the quick way, with the
    same row in the log as its UTF-8 twin, unless an escape may stand for a control character — a
    backslash followed by `n` too (the search does not tell it from a line break): the models
    decide those."""
    obj = dict(EXAMPLES_BY_VERSION[("AgreementSigned", 1)])
    obj["payload"] = {**obj["payload"], "investor": investor}
    escaped = _line(obj, "ascii")
    assert b"\\" in escaped
    assert (QUICK.body(escaped) is not None) == quick
    assert _agree(escaped) == quick  # vouched for only what the models accept, with their row
    if quick:
        assert prepare_line(escaped) == prepare_line(_line(obj))

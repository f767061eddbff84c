"""Every value validation accepts, every store accepts — and projects, and reads back.

The values that bricked PostgreSQL in wave one (a township of 192 characters: the label
`township:<name>` outgrew VARCHAR(200) and every read failed; a 201-character source.system, a NUL,
a 42-character recorded_at: an import lost its whole transaction) are either refused by validation
with a reason naming the field, or stored and projected on SQLite and PostgreSQL alike. A value that
passed validation and still failed in the store would be isolated and refused alone (bisection in
the accept path), never taking good lines with it.
"""
from __future__ import annotations

import string

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import limits
from events.codec import validate_object
from events.errors import EventError
from helpers import LIMITS_PROJECT as P, at_the_limits, event, write_jsonl, writer_for
from services.ingest.importer import import_file
from services.query.figures import explain_for, make_query, rank_for, report_for
from services.query.views import dossier_for, make_view_query, stage_for

def test_values_at_every_limit_are_stored_projected_and_read_on_every_backend(store_url, tmp_path):
    history = at_the_limits()
    writer = writer_for(store_url)
    rejected = []
    summary = import_file(write_jsonl(tmp_path / "limits.jsonl", history), writer.acceptor,
                          lambda n, e: rejected.append((n, e.describe())))
    assert (summary.appended, rejected) == (len(history), [])
    store = writer.events
    query = make_query("140522", "2025Q1", "2030-01-01")
    assert report_for(store, query)["figures"]["new_start_rate"]["numerator"] == 1
    assert explain_for(store, "problem_on_time_rate", query)["denominator"]["items"][0]["project_id"] == P
    rows = rank_for(store, "new_start_rate", query, "township")["rows"]
    assert [r["township"] for r in rows] == [history[0]["payload"]["township"]]
    view = make_view_query("140522", "2025-03-31", "2030-01-01")
    assert stage_for(store, view)["projects"][0]["township"] == history[0]["payload"]["township"]
    assert len(dossier_for(store, P, view.on, view.as_of)["facts"]) == len(history)


@pytest.mark.parametrize("change, field", [
    ({"payload": {"township": "镇" * 192}}, "payload.township"),  # wave one's brick
    ({"source": {"department": "ndrc", "system": "s" * 201}}, "source.system"),
    ({"source": {"department": "ndrc", "system": "sys\x00tem"}}, "source.system"),
    ({"recorded_at": "2025-01-02T10:00:00.123456+05:45:30.123456"}, "recorded_at"),
    ({"payload": {"region": "１４０５２２"}}, "payload.region"),
    ({"payload": {"total_investment": "100.00\n"}}, "payload.total_investment"),
])
def test_beyond_the_limits_a_line_is_refused_by_name_and_the_good_lines_stay(store_url, tmp_path, change, field):
    bad = event("ProjectRegistered", project_id="2501-140522-04-01-000009", occurred_on="2025-01-02",
                recorded_at="2025-01-02T10:00:00+08:00")
    for key, value in change.items():
        bad[key] = {**bad[key], **value} if isinstance(value, dict) and key == "payload" else value
    with pytest.raises(EventError) as refused:
        validate_object(bad)
    assert refused.value.field == field
    good = at_the_limits()
    lines = good[:2] + [bad] + good[2:]
    writer = writer_for(store_url)
    rejected = []
    summary = import_file(write_jsonl(tmp_path / "mixed.jsonl", lines), writer.acceptor,
                          lambda n, e: rejected.append((n, e.field)))
    assert (summary.appended, summary.rejected, rejected) == (len(good), 1, [(3, field)])
    assert report_for(writer.events, make_query("140522", "2025Q1", "2030-01-01"))["figures"]["new_start_rate"][
        "numerator"] == 1


printable = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"), max_codepoint=0x2FFFF)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(township=st.text(printable, min_size=1, max_size=limits.NAME_MAX),
       name=st.text(printable, min_size=1, max_size=limits.PROJECT_NAME_MAX),
       system=st.text(string.ascii_letters + string.digits + "-_. 中文系统", min_size=1, max_size=limits.SYSTEM_MAX),
       amount=st.decimals(min_value=0, max_value=10 ** limits.AMOUNT_DIGITS - 1, places=2, allow_nan=False))
def test_whatever_validation_accepts_the_stores_take(store_url, tmp_path_factory, township, name, system, amount):
    obj = event("ProjectRegistered", project_id=P, occurred_on="2025-01-02", recorded_at="2025-01-02T10:00:00+08:00",
                township=township, name=name, total_investment=f"{amount:.2f}",
                source={"department": "ndrc", "system": system})
    try:
        validate_object(obj)
    except EventError:
        return  # refused at the envelope, with its reason: nothing reaches a store
    path = tmp_path_factory.mktemp("prop") / "one.jsonl"
    path.write_bytes(orjson.dumps(obj) + b"\n")
    url = store_url if not store_url.startswith("sqlite") else f"sqlite:///{path.parent / 's.sqlite'}"
    writer = writer_for(url)
    before = writer.events.head()
    rejected = []
    summary = import_file(path, writer.acceptor, lambda n, e: rejected.append(e.describe()))
    assert rejected == [] and summary.appended + summary.duplicates == 1
    rows = rank_for(writer.events, "start_or_resume_rate", make_query("140522", "2025Q1", "2030-01-01"),
                    "township")["rows"]
    assert township in {r["township"] for r in rows} or writer.events.head() == before
    writer.close()

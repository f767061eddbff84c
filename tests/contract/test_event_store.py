"""The EventStore contract: one suite, run on every backend (SQLite file, PostgreSQL schema)."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect

from events.codec import validate_object
from events.errors import EventError
from helpers import PROJECT, assert_physical_schema, event, retraction
from services.log import EventStore, migrate
from services.log.store import AppendOutcome, to_micros
from services.log.tables import events as events_table
from services.log.tables import metadata
import services.ingest.tables  # noqa: F401,E402  (their tables join the one metadata)
import services.readmodel.tables  # noqa: F401,E402

OTHER = "2501-140522-04-01-000456"
APPENDED, DUPLICATE, REJECTED = AppendOutcome.APPENDED, AppendOutcome.DUPLICATE, AppendOutcome.REJECTED


@pytest.fixture
def store(store_url):
    store = EventStore(store_url)
    yield store
    store.engine.dispose()


def parsed(*objs: dict):
    return [validate_object(obj) for obj in objs]


def ids(stored) -> list[str]:
    return [s.event_id for s in stored]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# ---- append and read back ------------------------------------------------------------------
def test_appended_events_read_back_as_the_same_json(store):
    sent = [
        event("ProjectRegistered", recorded_at="2025-01-05T09:00:00+08:00"),
        event("InvestmentReported", occurred_on="2025-03-31", recorded_at="2025-04-02T10:15:30.123456+08:00"),
        event("TargetSet", recorded_at="2025-01-02T00:00:00+00:00"),
        event("ProblemFollowedUp", recorded_at="2025-05-01T08:00:00+08:00", satisfied=False),
    ]
    result = store.append(parsed(*sent), keep_recorded_at=True)
    assert result.outcomes == [APPENDED] * 4
    stored = list(store.read())
    assert [s.to_json() for s in stored] == sent
    assert [s.as_appended() for s in stored] == parsed(*sent)  # as sent; to_event() reads them at the latest version
    assert store.get(sent[1]["event_id"]).to_json() == sent[1]
    assert store.get("00000000-0000-4000-8000-000000000001") is None


def test_stamped_events_read_back_equal_but_for_recorded_at(store):
    sent = [event("ConstructionStarted"), event("AgreementSigned", project_id=OTHER)]
    store.append(parsed(*sent))
    for original, stored in zip(sent, store.read()):
        back = stored.to_json()
        assert back.pop("recorded_at")
        assert back == original


# ---- positions -------------------------------------------------------------------------------
def test_positions_are_gap_free_in_commit_order_across_appends(store):
    batches = [[event() for _ in range(3)], [event("ConstructionStarted")], [event("TargetSet") for _ in range(4)]]
    repeated = batches[0][1]
    positions = []
    for batch in batches:
        result = store.append(parsed(*batch))
        positions += [result.positions[i] for i in range(len(batch))]
        # a duplicate between appends takes no position
        assert store.append(parsed(repeated)).positions == {}
    assert positions == list(range(1, 9))
    stored = list(store.read())
    assert [s.position for s in stored] == list(range(1, 9))
    assert ids(stored) == [e["event_id"] for batch in batches for e in batch]
    assert store.head() == 8 and store.count() == 8


def test_project_sequence_continues_after_another_writer_and_after_a_rollback(store, store_url):
    """The writer remembers the heads it wrote (services/log/memory.py): a row appended by another
    writer, or its own transaction rolled back after numbering, must make it ask the log again."""
    store.append(parsed(event(project_id=PROJECT)))
    other = EventStore(store_url)
    try:
        other.append(parsed(event("ConstructionStarted", project_id=PROJECT), event("AgreementSigned", project_id=OTHER)))
    finally:
        other.engine.dispose()
    store.append(parsed(event("InvestmentReported", project_id=PROJECT), event("ProjectLanded", project_id=OTHER)))

    remember = store._memory.wrote

    def numbered_then_failed(*args):
        remember(*args)
        raise RuntimeError("the transaction fails after numbering")
    store._memory.wrote = numbered_then_failed
    failed = event("ProjectCompleted", project_id=PROJECT)
    with pytest.raises(RuntimeError):
        store.append(parsed(failed))
    store._memory.wrote = remember
    store.append(parsed(failed, event("ProjectLanded", project_id="p-new")))
    seqs = [(s.project_id, s.project_seq) for s in store.read()]
    assert seqs == [(PROJECT, 1), (PROJECT, 2), (OTHER, 1), (PROJECT, 3), (OTHER, 2), (PROJECT, 4), ("p-new", 1)]


def test_duplicates_are_told_whoever_wrote_the_first_copy(store, store_url):
    """The writer remembers the ids it wrote on a log it saw empty: its own earlier events, and those
    another writer appended in between, are still told duplicate (same content) or refused."""
    mine, theirs = event(project_id=PROJECT), event("AgreementSigned", project_id=OTHER)
    assert store.append(parsed(mine)).outcomes == [APPENDED]
    assert store.append(parsed(mine)).outcomes == [DUPLICATE]
    other = EventStore(store_url)
    try:
        assert other.append(parsed(theirs, mine)).outcomes == [APPENDED, DUPLICATE]
    finally:
        other.engine.dispose()
    changed = {**theirs, "payload": {**theirs["payload"], "agreed_investment": "1.00"}}
    result = store.append(parsed(theirs, changed, event("ProjectLanded", project_id=OTHER)))
    assert result.outcomes == [DUPLICATE, REJECTED, APPENDED]
    assert store.count() == 3


def test_project_sequence_counts_per_project_and_is_none_for_targets(store):
    store.append(parsed(event(project_id=PROJECT), event("TargetSet"), event("AgreementSigned", project_id=OTHER)))
    store.append(parsed(event("ConstructionStarted", project_id=PROJECT), event("TargetSet", year=2026)))
    store.append(parsed(event("InvestmentReported", project_id=PROJECT), event("ProjectLanded", project_id=OTHER)))
    seqs = [(s.project_id, s.project_seq) for s in store.read()]
    assert seqs == [(PROJECT, 1), (None, None), (OTHER, 1), (PROJECT, 2), (None, None), (PROJECT, 3), (OTHER, 2)]
    assert [(s.project_seq, s.event_type) for s in store.read_project(PROJECT)] == [
        (1, "ProjectRegistered"), (2, "ConstructionStarted"), (3, "InvestmentReported")]
    assert list(store.read_project("no-such-project")) == []


# ---- idempotence by event_id ---------------------------------------------------------------------
def test_event_id_is_unique_in_the_log(store):
    first = event()
    store.append(parsed(first))
    row = {c.name: None for c in events_table.columns}
    row.update(position=99, event_id=first["event_id"], event_type="ProjectLanded", schema_version=1,
               occurred_on="2025-01-01", recorded_at="2025-01-01T00:00:00+08:00", recorded_us=0,
               department="ndrc", system="x", payload="{}", content_hash="0" * 64)
    with pytest.raises(sa_exc.IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(events_table.insert(), row)
    assert store.count() == 1


def test_same_id_same_content_is_a_duplicate_and_appends_nothing(store):
    original = event(recorded_at="2025-01-05T09:00:00+08:00")
    store.append(parsed(original), keep_recorded_at=True)
    again = dict(original, recorded_at="2025-06-01T09:00:00+08:00")  # recorded_at is not content
    for batch, keep in [([original], True), ([again], True), ([original], False)]:
        result = store.append(parsed(*batch), keep_recorded_at=keep)
        assert (result.outcomes, result.duplicates, result.appended, result.reasons) == ([DUPLICATE], 1, 0, {})
    assert store.count() == 1
    assert store.get(original["event_id"]).recorded_at == "2025-01-05T09:00:00+08:00"


def test_same_id_other_content_is_rejected_naming_event_id(store):
    original = event("InvestmentReported", amount="100.00")
    store.append(parsed(original))
    changed = dict(original, payload={**original["payload"], "amount": "100.01"})
    result = store.append(parsed(changed, event("ProjectLanded")))
    assert result.outcomes == [REJECTED, APPENDED]
    error = result.reasons[0]
    assert isinstance(error, EventError)
    assert (error.field, error.event_id) == ("event_id", original["event_id"])
    assert store.count() == 2
    assert store.get(original["event_id"]).payload["amount"] == "100.00"


def test_duplicates_and_conflicts_inside_one_batch(store):
    a, b = event("InvestmentReported", month=1), event("InvestmentReported", month=2)
    a_conflict = dict(a, payload={**a["payload"], "month": 7})
    result = store.append(parsed(a, b, a, a_conflict, b))
    assert result.outcomes == [APPENDED, APPENDED, DUPLICATE, REJECTED, DUPLICATE]
    assert (result.appended, result.duplicates, result.rejected) == (2, 2, 1)
    assert set(result.reasons) == {3}
    assert (result.reasons[3].field, result.reasons[3].event_id) == ("event_id", a["event_id"])
    assert sorted(result.positions) == [0, 1]
    assert ids(store.read()) == [a["event_id"], b["event_id"]]
    assert store.get(a["event_id"]).payload["month"] == 1


# ---- recorded_at -----------------------------------------------------------------------------------
def test_recorded_at_is_stamped_at_append_unless_kept(store):
    given = "2024-12-31T23:59:59+08:00"
    stamped_one, kept, no_value = event(recorded_at=given), event(recorded_at=given), event()
    before = datetime.now(timezone.utc)
    store.append(parsed(stamped_one))
    store.append(parsed(kept, no_value), keep_recorded_at=True)
    after = datetime.now(timezone.utc)
    for obj in (stamped_one, no_value):
        stored = store.get(obj["event_id"])
        stamp = at(stored.recorded_at)
        assert stamp.tzinfo is not None and stamp.utcoffset() is not None
        assert before - timedelta(seconds=1) <= stamp <= after + timedelta(seconds=1)
        assert stored.recorded_us == to_micros(stamp)
    stored = store.get(kept["event_id"])
    assert stored.recorded_at == given
    assert stored.recorded_us == to_micros(at(given))


# ---- reads --------------------------------------------------------------------------------------
def test_read_by_position_range(store):
    sent = [event("TargetSet", year=2000 + i) for i in range(10)]
    store.append(parsed(*sent[:4]))
    store.append(parsed(*sent[4:]))
    assert [s.position for s in store.read(3, 7)] == [4, 5, 6, 7]
    assert [s.position for s in store.read(8)] == [9, 10]
    assert [s.position for s in store.read(10)] == []
    assert [s.position for s in store.read(2, 2)] == []
    assert ids(store.read(0, 3)) == [e["event_id"] for e in sent[:3]]
    assert [s.position for s in store.read(batch=3)] == list(range(1, 11))


def test_read_recorded_until_is_inclusive_and_in_log_order(store):
    late = event("InvestmentReported", recorded_at="2025-04-02T10:00:00+08:00")
    early = event("ProjectRegistered", recorded_at="2025-01-05T09:00:00+08:00")
    exact = event("ConstructionStarted", recorded_at="2025-03-01T12:00:00.000001+08:00")
    store.append(parsed(late, early, exact), keep_recorded_at=True)
    t = at("2025-03-01T04:00:00.000001+00:00")  # = exact, in another offset
    assert ids(store.read_recorded_until(t)) == [early["event_id"], exact["event_id"]]
    assert ids(store.read_recorded_until(t - timedelta(microseconds=1))) == [early["event_id"]]
    assert ids(store.read_recorded_until(at("2030-01-01T00:00:00+08:00"))) == [
        late["event_id"], early["event_id"], exact["event_id"]]
    assert list(store.read_recorded_until(at("2020-01-01T00:00:00+08:00"))) == []


# ---- retractions ----------------------------------------------------------------------------------
def test_a_retraction_of_a_retraction_is_refused(store):
    target = event("InvestmentReported")
    first = retraction(target)
    store.append(parsed(target, first))
    result = store.append(parsed(retraction(first)))
    assert result.outcomes == [REJECTED]
    assert result.reasons[0].field == "payload.retracted_event_id"
    # also when both retractions arrive in one batch
    other = event("ConstructionStarted")
    second = retraction(other)
    result = store.append(parsed(other, second, retraction(second)))
    assert result.outcomes == [APPENDED, APPENDED, REJECTED]
    assert store.count() == 4


def test_a_retraction_in_another_project_is_refused(store):
    target = event("AgreementSigned", project_id=PROJECT)
    store.append(parsed(target))
    wrong = retraction(target, project_id=OTHER)
    result = store.append(parsed(wrong))
    assert result.outcomes == [REJECTED]
    assert (result.reasons[0].field, result.reasons[0].event_id) == ("project_id", wrong["event_id"])
    in_batch = event("ProjectLanded", project_id=OTHER)
    result = store.append(parsed(in_batch, retraction(in_batch, project_id=PROJECT)))
    assert result.outcomes == [APPENDED, REJECTED]
    assert store.count() == 2


def test_a_retraction_of_an_unknown_event_is_accepted(store):
    unknown = event("ProjectLanded")  # never appended
    result = store.append(parsed(retraction(unknown)))
    assert result.outcomes == [APPENDED]
    assert [s.event_type for s in store.read_project(PROJECT)] == ["EventRetracted"]


# ---- concurrency ----------------------------------------------------------------------------------
def test_two_writers_interleave_without_gaps_or_losses(store_url):
    writers = [EventStore(store_url), EventStore(store_url)]
    rounds, size = 25, 4
    batches = {w: [[event("InvestmentReported", month=1 + (r % 12)) if (r + i) % 2 else event("TargetSet")
                    for i in range(size)] for r in range(rounds)] for w in range(2)}
    start, errors = threading.Barrier(2), []

    def write(w: int) -> None:
        try:
            start.wait(timeout=30)
            for batch in batches[w]:
                result = writers[w].append(parsed(*batch))
                assert result.outcomes == [APPENDED] * size
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert not any(t.is_alive() for t in threads) and errors == []
        stored = list(writers[0].read())
        total = 2 * rounds * size
        assert [s.position for s in stored] == list(range(1, total + 1))
        assert sorted(ids(stored)) == sorted(e["event_id"] for w in batches.values() for b in w for e in b)
        assert [s.project_seq for s in writers[1].read_project(PROJECT)] == list(range(1, total // 2 + 1))
        # each batch stays contiguous in the log: one transaction, one run of positions
        runs = [ids(stored[i:i + size]) for i in range(0, total, size)]
        assert sorted(map(sorted, runs)) == sorted(sorted(e["event_id"] for e in b) for w in batches.values() for b in w)
    finally:
        for w in writers:
            w.engine.dispose()


# ---- schema ----------------------------------------------------------------------------------------
def test_migrated_schema_matches_the_table_definitions(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert_physical_schema(store.engine)


def test_upgrade_twice_is_a_no_op(store):
    kept = event()
    store.append(parsed(kept))

    def snapshot():
        with store.engine.connect() as conn:
            version = MigrationContext.configure(conn).get_current_revision()
            schema = inspect(conn)
            tables = {name: ([c["name"] for c in schema.get_columns(name)],
                             sorted(i["name"] for i in schema.get_indexes(name)))
                      for name in schema.get_table_names()}
        return version, tables

    before = snapshot()
    migrate.upgrade(store.engine)
    migrate.upgrade(store.engine)
    assert snapshot() == before
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert before[0] == head and {"events", "alembic_version"} <= set(before[1])
    assert ids(store.read()) == [kept["event_id"]]
    EventStore(store.engine)  # opening a store again migrates again: still fine
    assert store.count() == 1

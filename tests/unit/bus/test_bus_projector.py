"""The projection step and the department producer, without a broker."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from events.codec import validate_object
from helpers import event
from services.bus.producer import DepartmentProducer, PublishError, publish_file
from services.bus.worker import Projector, checkpoint_name
from services.bus.records import Record, fact_headers, fact_key, stored_event
from services.bus.wire import EventSerde
from services.readmodel.sql import checkpoint_of
from services.log import EventStore
from services.readmodel.tables import facts


@pytest.fixture
def store(tmp_path):
    store = EventStore(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield store
    store.engine.dispose()


def facts_records(store, serde, topic="f", partition=0):
    return [Record(topic, partition, offset, None, serde.encode(s.as_appended()), fact_headers(s.position, s.project_seq))
            for offset, s in enumerate(store.read())]


def test_a_fact_record_is_its_event_store_row(store):
    serde = EventSerde()
    store.append([validate_object(event("ProjectRegistered")), validate_object(event("TargetSet"))])
    for record, row in zip(facts_records(store, serde), store.read()):
        assert stored_event(serde.decode(record.value), record.headers) == row
    assert fact_key(validate_object(event("TargetSet"))) == b"140522"


def test_batches_are_idempotent_and_move_the_partition_checkpoint(store):
    serde = EventSerde()
    store.append([validate_object(event(t)) for t in ("ProjectRegistered", "AnnualPlanAdopted", "ConstructionStarted")])
    records = facts_records(store, serde)
    projector = Projector(store, "g", serde)
    assert projector.apply(records[:2]) == 2
    assert checkpoint_of(store.engine, checkpoint_name("g", "f", 0)) == 2
    again = Projector(store, "g", serde)  # a restarted worker, re-delivered everything
    assert again.stored_offsets([("f", 0), ("f", 1)]) == {("f", 0): 2, ("f", 1): 0}
    assert again.apply(records) == 1  # the first two are skipped by offset …
    assert Projector(store, "g", serde).apply(records) == 3  # … and are harmless anyway
    assert checkpoint_of(store.engine, checkpoint_name("g", "f", 0)) == 3
    assert projector.reset() == 1


def test_an_unreadable_fact_is_dead_lettered_and_does_not_block(store):
    serde = EventSerde()
    store.append([validate_object(event("ProjectRegistered"))])
    good = facts_records(store, serde)[0]
    bad = Record("f", 0, 1, None, b"garbage", [])
    missing_position = Record("f", 0, 2, None, good.value, [])
    letters = []
    projector = Projector(store, "g", serde, dead_letter=lambda r, why: letters.append((r.offset, why)))
    assert projector.apply([good, bad, missing_position]) == 1
    assert projector.refused == 2 and [o for o, _ in letters] == [1, 2]
    assert checkpoint_of(store.engine, checkpoint_name("g", "f", 0)) == 3


def test_a_record_the_log_does_not_back_is_never_projected(store):
    """A forged InvestmentReported at the position the genuine fact will take, then one claiming a
    logged position with other content: both dead-lettered; the genuine fact still projected."""
    serde = EventSerde()
    store.append([validate_object(event("ProjectRegistered"))])
    forged = validate_object(event("InvestmentReported", amount="5000.00")).stamped(datetime.now(timezone.utc))
    letters = []
    projector = Projector(store, "g", serde, dead_letter=lambda r, why: letters.append(why))
    ahead = Record("f", 0, 0, None, serde.encode(forged), fact_headers(2, 2))
    assert projector.apply([ahead]) == 0 and "holds no fact at position 2" in letters[0]
    genuine = validate_object(event("InvestmentReported", amount="300.50"))
    store.append([genuine])
    row = store.at_positions([2])[2]
    same_id = forged.model_copy(update={"event_id": genuine.event_id})
    tampered = Record("f", 0, 1, None, serde.encode(same_id), fact_headers(2, 2))
    assert projector.apply([tampered]) == 0 and "content differs" in letters[1]
    relayed = Record("f", 0, 2, None, serde.encode(row.as_appended()), fact_headers(2, 2))
    assert projector.apply([relayed]) == 1
    with store.engine.connect() as conn:
        assert conn.execute(select(facts.c.event_id).where(facts.c.position == 2)).scalar() == genuine.id


class FakeKafka:
    def __init__(self):
        self.sent = []

    def send(self, topic, key=None, value=None):
        self.sent.append((topic, key, value))

        class Done:
            def add_errback(self, _):
                pass
        return Done()

    def flush(self, timeout=None):
        pass

    def close(self):
        pass


def test_the_producer_validates_before_sending(tmp_path):
    kafka = FakeKafka()
    producer = DepartmentProducer(department="ndrc", producer=kafka)
    producer.publish(event("ProjectRegistered"))
    with pytest.raises(PublishError, match="field payload.total_investment") as refused:
        producer.publish(event("ProjectRegistered", total_investment=12.5))
    assert refused.value.field == "payload.total_investment"
    with pytest.raises(PublishError, match=r"publishes for ndrc \(channel projfacts.submissions.ndrc\), not for stats"):
        producer.publish(event("StatsEntryApproved"))
    assert len(kafka.sent) == 1 and kafka.sent[0][1] == b"2501-140522-04-01-000123"
    assert kafka.sent[0][0] == "projfacts.submissions.ndrc"  # the department's own channel
    with pytest.raises(ValueError, match="no submissions channel"):
        DepartmentProducer(department="nobody", producer=kafka)
    router = DepartmentProducer(producer=kafka)  # simulations: each event onto its declared department's channel
    router.publish(event("StatsEntryApproved"))
    assert kafka.sent[-1][0] == "projfacts.submissions.stats"
    kafka.sent.pop()

    from helpers import write_jsonl

    path = write_jsonl(tmp_path / "in.jsonl", [event("TargetSet"), b"{not json", "", event("AnnualPlanAdopted", year=1)])
    refused_lines = []
    summary = publish_file(path, producer, lambda n, e: refused_lines.append((n, e.reason)))
    assert (summary.sent, summary.refused) == (1, 2)
    assert [n for n, _ in refused_lines] == [2, 4]


def test_a_newer_epoch_reads_the_partition_again_from_its_start(store):
    """The facts topic lost and published again from the log (relay epoch 0 → 1): a worker whose stored
    offset is past the new topic's records, or equal to its length, reads the partition again."""
    from services.bus.records import EPOCH
    from services.bus.worker import epoch_name, resume_offset

    serde = EventSerde()
    store.append([validate_object(event(t)) for t in ("ProjectRegistered", "AnnualPlanAdopted", "ConstructionStarted",
                                                      "InvestmentReported")])

    def records(epoch, rows, start=0):
        return [Record("f", 0, start + i, None, serde.encode(s.as_appended()),
                       fact_headers(s.position, s.project_seq) + [(EPOCH, str(epoch).encode())])
                for i, s in enumerate(rows)]

    rows = list(store.read())
    projector = Projector(store, "g", serde)
    projector.stored_offsets([("f", 0)])
    assert projector.apply(records(0, rows[:3])) == 3  # the old topic held three facts, all projected
    with store.engine.begin() as conn:
        conn.execute(facts.delete().where(facts.c.position == 3))  # pretend the third was never projected
    restarted = Projector(store, "g", serde)
    assert restarted.stored_offsets([("f", 0)]) == {("f", 0): 3} and resume_offset(3) == 2
    again = records(1, rows)  # the new incarnation: the whole log, epoch 1
    assert restarted.apply(again[2:4]) == 0  # resumed one back: offset 2 says epoch 1 → start over
    assert restarted.take_seeks() == {("f", 0): 0} and restarted.resets == 1
    assert checkpoint_of(store.engine, checkpoint_name("g", "f", 0)) == 0
    assert checkpoint_of(store.engine, epoch_name("g", "f", 0)) == 1
    assert restarted.apply(again) == 4  # read again from offset 0: the lost fact is projected
    with store.engine.connect() as conn:
        assert sorted(conn.execute(select(facts.c.position)).scalars()) == [1, 2, 3, 4]
    assert restarted.apply(records(0, rows[:1], start=4)) == 1  # a stale relay's older epoch: no reset, harmless
    assert restarted.take_seeks() == {} and restarted.resets == 1
    same = Projector(store, "g", serde)
    same.stored_offsets([("f", 0)])
    assert same.apply(records(1, rows[3:4], start=4)) == 0 and same.take_seeks() == {}  # the probe record: skipped
    assert Projector(store, "g", serde).reset() == 1
    assert checkpoint_of(store.engine, epoch_name("g", "f", 0)) == 0


def test_a_fact_twice_in_one_batch_is_projected_once(store):
    """Two relays (or a re-delivery) can put both copies of a fact in one fetched batch: the figure
    columns must still hold it once, or sums count it twice."""
    from services.readmodel import columns as figure_columns

    serde = EventSerde()
    store.append([validate_object(event(t)) for t in ("ProjectRegistered", "AnnualPlanAdopted")])
    records = facts_records(store, serde)
    twice = records + [Record("f", 0, 2 + r.offset, r.key, r.value, r.headers) for r in records]
    assert Projector(store, "g", serde).apply(twice) == 4
    figure_columns.forget()
    positions = list(figure_columns.load(store.engine).position)
    assert sorted(positions) == sorted(set(positions)) and len(positions) == 2

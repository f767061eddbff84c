"""The ingest crashing between the store append and the facts publish: the re-delivered
submissions are duplicates in the store, and are published to the facts topic all the same."""
from __future__ import annotations

import pytest

from events.codec import validate_object
from helpers import event
from services.bus.submissions import Ingest
from services.bus.worker import Projector
from bus_pipeline import count
from services.bus.records import Record, stored_event
from services.readmodel.tables import facts
from services.bus.topics import read_topic
from services.bus.wire import EventSerde
from services.log import EventStore


class Crash(BaseException):
    """The process dying: nothing after it runs."""


class DiesOnFirstSend:
    def __init__(self, real):
        self.real = real

    def send(self, *args, **kwargs):
        raise Crash()

    def flush(self, timeout=None):
        pass


def test_redelivered_duplicates_are_republished(bus, tmp_path):
    store = EventStore(f"sqlite:///{tmp_path / 'store.sqlite'}")
    serde = EventSerde()
    history = [event("ProjectRegistered"), event("AnnualPlanAdopted"), event("ConstructionStarted"),
               event("TargetSet")]
    submissions = [Record(bus.submissions_topic, 0, offset, None, serde.encode(validate_object(e)), [])
                   for offset, e in enumerate(history)]

    from services.bus.producer import kafka_producer

    real = kafka_producer(bus)
    with pytest.raises(Crash):
        Ingest(bus, store, producer=DiesOnFirstSend(real)).process(submissions)
    assert store.count() == len(history)  # appended, never published

    stats = Ingest(bus, store, producer=real).process(submissions)  # the re-delivery after a restart
    assert (stats.appended, stats.duplicates, stats.published) == (0, len(history), len(history))
    real.close()

    published = read_topic(bus, bus.facts_topic, expect=len(history))
    from_topic = sorted((stored_event(serde.decode(r.value), r.headers) for r in published), key=lambda s: s.position)
    assert from_topic == list(store.read())  # each fact is exactly its event-store row, recorded_at included

    projector = Projector(store.engine, bus.worker_group)
    assert projector.apply([Record(r.topic, r.partition, r.offset, r.key, r.value, list(r.headers))
                            for r in published]) == len(history)
    assert count(store.engine, facts) == len(history)
    store.engine.dispose()

"""The read-model contract (services/readmodel/store.py): one suite, run on every adapter (SQLite
file, PostgreSQL schema). What a projector writes, what a query reads back."""
from __future__ import annotations

from datetime import datetime

import pytest

from events.codec import validate_object
from helpers import event, retraction
from projections.facts import fact_from_json
from projections.figures.columns import MemoryLabels, from_facts
from projections.ledger import fold_all, visible
from projections.periods import to_micros
from services.log import EventStore
from services.readmodel.store import SqlReadModel

P1, P2 = "2501-140522-04-01-000001", "2501-140581-04-01-000002"


def at(day: str) -> str:
    return f"{day}T10:00:00+08:00"


@pytest.fixture
def log(store_url):
    store = EventStore(store_url)
    history = [
        event("ProjectRegistered", project_id=P1, occurred_on="2025-01-02", recorded_at=at("2025-01-02"),
              township="凤城镇" * 30),  # a long name: 90 characters, valid, storable everywhere
        event("AnnualPlanAdopted", project_id=P1, occurred_on="2025-01-05", recorded_at=at("2025-01-05")),
        event("ProjectRegistered", project_id=P2, occurred_on="2025-01-03", recorded_at=at("2025-01-03"),
              region="140581", township="北城街道"),
        event("ConstructionStarted", project_id=P1, occurred_on="2025-02-10", recorded_at=at("2025-02-11")),
        event("InvestmentReported", project_id=P1, occurred_on="2025-03-05", recorded_at=at("2025-03-05"),
              year=2025, month=2, amount="12.50"),
        event("TargetSet", occurred_on="2025-01-15", recorded_at=at("2025-01-15"), by="Q1", target="0.5000"),
        event("SiteVisitRecorded", project_id=P1, occurred_on="2025-03-09", recorded_at=at("2025-03-09")),
    ]
    history.append(retraction(history[3], recorded_at=at("2025-04-01"), occurred_on="2025-04-01",
                              source={"department": "project_center", "system": "t"}))
    result = store.append([validate_object(e) for e in history], keep_recorded_at=True)
    assert result.appended == len(history)
    yield store, history
    store.engine.dispose()


@pytest.fixture
def model(log):
    return SqlReadModel(log[0].engine)


def test_a_batch_and_its_checkpoint_are_taken_together_once(log, model):
    store, history = log
    batch = list(store.read())
    assert model.checkpoint("w") == 0 and model.projected() == 0
    assert model.apply(batch[:3], "w") == 3
    assert model.checkpoint("w") == 3 and model.projected() == 3
    assert model.apply(batch, "w") == len(batch) - 3  # what was taken is not taken again
    assert model.apply(batch, "w") == 0
    assert model.checkpoint("w") == batch[-1].position and model.projected() == len(batch)


def test_two_writers_share_the_model_without_doubling_a_fact(log, model):
    store, _ = log
    batch = list(store.read())
    assert model.apply(batch, "a") == len(batch)
    assert model.apply(batch, "b") == 0  # the facts are held; only b's checkpoint moves
    assert model.checkpoint("b") == batch[-1].position and model.projected() == len(batch)


def test_the_columns_are_those_of_the_facts(log, model):
    store, history = log
    model.apply(list(store.read()), "w")
    held = model.columns()
    facts = [fact_from_json(s.position, s.to_event().to_json(), s.recorded_us) for s in store.read()]
    labels = MemoryLabels()
    expected = from_facts(facts, labels.__getitem__)
    assert sorted(held.position.tolist()) == sorted(expected.position.tolist())
    assert sorted(held.cents.tolist()) == sorted(expected.cents.tolist())
    texts = {model.label(int(k)) for k in held.project.tolist()}
    assert texts == {f"project:{P1}", f"project:{P2}"}
    registration = held.township[held.position == 1][0]
    assert model.label(int(registration)) == "township:" + "凤城镇" * 30


def test_what_queries_read_back(log, model):
    store, history = log
    model.apply(list(store.read()), "w")
    assert model.event_ids([1, 4, 99]) == {1: history[0]["event_id"], 4: history[3]["event_id"]}
    before, after = to_micros(datetime.fromisoformat(at("2025-03-31"))), to_micros(datetime.fromisoformat(at("2025-04-02")))
    assert [f.data["target"] for f in model.targets(2025, before)] == ["0.5000"]
    assert model.targets(2024, before) == [] and model.targets(2025, to_micros(datetime.fromisoformat(at("2025-01-10")))) == []
    started = lambda facts: [f for f in facts if f.event_type == "ConstructionStarted"]  # noqa: E731
    assert len(started(model.region_facts("140522", before, 2025))) == 1
    assert started(model.region_facts("140522", after, 2025)) == []  # retracted by then
    assert {f.project_id for f in model.region_facts("1405", after, 2025)} == {P1, P2}
    assert {f.project_id for f in model.region_facts("140581", after, 2025)} == {P2}
    dossier = model.project_facts(P1, after)
    assert [f.event_type for f in dossier].count("ConstructionStarted") == 1  # the file keeps it, marked retracted
    reference = list(visible(fold_all(
        fact_from_json(s.position, s.to_event().to_json(), s.recorded_us) for s in store.read()), after))
    assert {f.event_id for f in model.region_facts("14", after, 2025)} == \
        {f.event_id for f in reference if f.project_id is not None}

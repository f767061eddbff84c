"""Late retractions in a replay: a retraction the log holds *before* the fact it names gets its
figure row when that fact is projected. A replay worker finds them from the retractions it has
written (services/readmodel/replay/late.py) instead of probing for each fact; the read models it
builds must equal the live projector's whichever window or worker the two fall in."""
from __future__ import annotations

import pytest

from events.codec import validate_object
from helpers import event, read_models as tables
from services.bus.inprocess import catch_up
from services.log import EventStore
from services.readmodel.replay import late as late_module
from services.readmodel.replay import replay

SOURCE = {"department": "project_center", "system": "t"}


def _on(day: str) -> dict:
    return {"occurred_on": day, "recorded_at": f"{day}T10:00:00+08:00"}


def history() -> list[dict]:
    """Twelve projects; retractions of investment reports and starts appended before them (valid
    ones, and ones naming another project's fact: those withdraw nothing), fillers between, so that
    a retraction and what it names fall in the same window or in different ones."""
    projects = [f"2501-140522-04-01-{n:06d}" for n in range(12)]
    first, later, targets = [], [], []
    for n, pid in enumerate(projects):
        first += [event("ProjectRegistered", project_id=pid, **_on("2025-01-02")),
                  event("AnnualPlanAdopted", project_id=pid, **_on("2025-01-05"))]
        invested = event("InvestmentReported", project_id=pid, year=2025, month=1, amount=f"{100 + n}.00",
                         **_on("2025-02-03"))
        started = event("ConstructionStarted", project_id=pid, **_on("2025-02-01"))
        targets += [invested, started]
        if n % 3 != 2:  # a valid retraction, logged before the report it withdraws
            first.append(event("EventRetracted", project_id=pid, retracted_event_id=invested["event_id"],
                               reason="重报", source=SOURCE, **_on("2025-01-20")))
        if n % 4 == 0:  # one naming another project's start: withdraws nothing
            other = (n + 5) % len(projects)
            first.append({"other": other})
        later += [event("InvestmentReported", project_id=pid, year=2025, month=m, amount="1.00",
                        **_on(f"2025-0{m}-10")) for m in (2, 3)]
    starts = {e["project_id"]: e for e in targets if e["event_type"] == "ConstructionStarted"}
    resolved = []
    for e in first:
        if "other" in e:
            named = starts[projects[e["other"]]]
            e = event("EventRetracted", project_id=projects[(e["other"] - 5) % len(projects)],
                      retracted_event_id=named["event_id"], reason="错项目", source=SOURCE, **_on("2025-01-21"))
        resolved.append(e)
    return resolved + later + targets


@pytest.fixture
def store(store_url):
    store = EventStore(store_url)
    events = [validate_object(e) for e in history()]
    for start in range(0, len(events), 9):  # in chunks, the live projector catching up after each
        store.append(events[start:start + 9], keep_recorded_at=True)
        catch_up(store)
    yield store
    store.engine.dispose()


@pytest.mark.parametrize("workers,batch", [(1, 5), (1, 1000), (2, 7)])
def test_a_replay_gives_the_late_retractions_the_rows_the_live_projector_gave(store, workers, batch, monkeypatch):
    before = tables(store)
    emitted = []
    real = late_module.LateRetractions.rows

    def rows(self, *args):
        found = real(self, *args)
        emitted.extend(found)
        return found

    monkeypatch.setattr(late_module.LateRetractions, "rows", rows)
    replay(store, workers=workers, batch=batch, fresh=True)
    assert tables(store) == before
    if workers == 1:  # (two workers run in processes of their own)
        assert len(emitted) == 8  # the valid late retractions, each once; the other project's none


def test_a_worker_resumed_mid_way_still_gives_the_late_retractions_their_rows(store):
    """The retractions of the windows written before a crash are read back from the shadow."""
    before = tables(store)

    def crash(index, batches):
        if batches == 4:
            raise RuntimeError("killed mid-way")

    with pytest.raises(RuntimeError, match="killed mid-way"):
        replay(store, workers=1, batch=5, on_batch=crash, fresh=True)
    assert replay(store, batch=5).resumed_from == 20
    assert tables(store) == before

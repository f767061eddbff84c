"""The views as the store answers them (services/query) equal the pure folds over every visible
fact: the reads that leave facts out — 领导包联's site visits (only each leader's latest and the
month's, services/readmodel/sql.py `shown_visits`), the types each view declares — change no byte.
A sample of the province history, with visits retracted before and after the as-of time."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import islice

import pytest

from events.registry import REGISTRY
from projections.facts import fact_from_json
from projections.ledger import fold_all, visible
from projections.views.lagging import lagging_view
from projections.views.leaders import leaders_view
from services.log.store import to_micros
from services.query import desk, views
from services.query.lights import load_lights
from tests.helpers import append_history, reader_for, retraction, writer_for
from tools.history.province import province


def _history() -> list[dict]:
    events = list(islice(province(7, projects=120, years=(2024, 2025)), 12_000))
    visits = sorted((e for e in events if e["event_type"] == "SiteVisitRecorded"),
                    key=lambda e: (e["occurred_on"], e["recorded_at"]))
    extra = []
    for target in visits[-40::4]:  # late visits withdrawn, some before the as-of times below, some after
        recorded = datetime.fromisoformat(target["recorded_at"]) + timedelta(days=3)
        extra.append(retraction(target, occurred_on=recorded.date().isoformat(), recorded_at=recorded.isoformat()))
    return events + extra


@pytest.fixture(scope="module")
def store_and_facts(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('views') / 'store.sqlite'}"
    history = _history()
    writer = writer_for(url)
    append_history(writer, history)
    store = reader_for(url).events
    facts = [fact_from_json(s.position, REGISTRY.upcast(s.to_event().to_json()), s.recorded_us) for s in store.read()]
    return store, facts


CASES = [("14", "2025-06-30T23:59:59+08:00"), ("14", "2024-12-15T12:00:00+08:00"), ("14", "2024-11-20T12:00:00+08:00")]


@pytest.mark.parametrize("region,as_of", CASES)
def test_leaders_and_lagging_from_the_store_equal_the_folds_over_every_fact(store_and_facts, region, as_of):
    store, facts = store_and_facts
    as_of_us = to_micros(datetime.fromisoformat(as_of))
    every = list(visible(fold_all(f for f in facts if f.recorded_us <= as_of_us), as_of_us))
    on = date.fromisoformat(as_of[:10])
    lights = load_lights()
    vq = views.make_view_query(region, on.isoformat(), as_of)
    assert views.leaders_for(store, vq, lights=lights) == views._stamped(
        leaders_view(every, region, on, lights=lights), vq)
    dq = desk.make_desk_query(region, on=on.isoformat(), as_of=as_of)
    assert desk.ledger_view(store, "leaders", dq, lights)["leaders"] == leaders_view(every, region, on, lights=lights)["leaders"]
    assert desk.lagging_for(store, dq, lights)["projects"] == lagging_view(every, region, on, lights)["projects"]

"""projections/views/reads.py: each view, given only the fact types it declares (and retractions),
answers exactly what it answers given every fact; and no fold looks at a type its view leaves out.

Histories: the demo county (阳城 2024) and a small sample of the province generator, each at
several business dates and recorded times."""
from __future__ import annotations

from datetime import date, datetime
from itertools import islice

import pytest

from events.registry import REGISTRY
from projections import standing
from projections.facts import fact_from_json
from projections.ledger import RETRACTION, fold_all, visible
from projections.views.board import board_view
from projections.views.coverage import coverage_view
from projections.views.funding import funding_view
from projections.views.lagging import lagging_view
from projections.views.leaders import leaders_view
from projections.views.problems import problems_view
from projections.views.procedures import procedures_view, weekly_view
from projections.views.reads import VIEWS
from projections.views.stage import stage_view
from projections.views.starts import starts_view
from projections.views.stats_entry import stats_entry_view
from services.log.store import to_micros
from tools.history.county import demo_county
from tools.history.province import province

FOLDS = {
    "stage": stage_view, "stats-entry": stats_entry_view, "problems": problems_view, "starts": starts_view,
    "procedures": procedures_view, "procedures-weekly": weekly_view, "coverage": coverage_view,
    "funding": funding_view, "board": board_view, "leaders": leaders_view, "lagging": lagging_view,
}


def _facts(events) -> list:
    out = []
    for position, obj in enumerate(events, start=1):
        obj = REGISTRY.upcast(obj)
        out.append(fact_from_json(position, obj, to_micros(datetime.fromisoformat(obj["recorded_at"]))))
    return out


@pytest.fixture(scope="module")
def histories() -> dict[str, list]:
    return {"140522": _facts(demo_county()),
            "14": _facts(islice(province(7, projects=400, years=(2024, 2025)), 60_000))}


CASES = [("140522", "2024-03-31", "2024-04-10T12:00:00+08:00"), ("140522", "2024-09-30", "2025-03-01T00:00:00+08:00"),
         ("14", "2024-06-30", "2024-07-10T12:00:00+08:00"), ("14", "2025-05-31", "2026-01-01T00:00:00+08:00")]


def test_every_view_declares_what_it_reads():
    assert set(VIEWS) == set(FOLDS)
    assert all(types and RETRACTION not in types for types in VIEWS.values())


@pytest.mark.parametrize("view", sorted(FOLDS))
@pytest.mark.parametrize("region,on,as_of", CASES)
def test_a_view_on_its_declared_types_equals_the_view_on_every_fact(histories, view, region, on, as_of,
                                                                    monkeypatch):
    as_of_us = to_micros(datetime.fromisoformat(as_of))
    every = [f for f in histories[region] if f.recorded_us <= as_of_us]
    declared = VIEWS[view] | {RETRACTION}
    fold, day = FOLDS[view], date.fromisoformat(on)

    looked_at: set[str] = set()
    original = standing.ProjectFacts.of

    def of(self, event_type):
        looked_at.add(event_type)
        return original(self, event_type)

    monkeypatch.setattr(standing.ProjectFacts, "of", of)
    whole = fold(list(visible(fold_all(every), as_of_us)), region, day)
    assert looked_at <= VIEWS[view], f"{view} looks at {sorted(looked_at - VIEWS[view])} it does not declare"
    assert looked_at, "the instrumented accessor saw nothing: the check would prove nothing"
    only = fold(list(visible(fold_all([f for f in every if f.event_type in declared]), as_of_us)), region, day)
    assert only == whole
    assert any(f.event_type not in declared for f in every) or view in ("leaders", "lagging")

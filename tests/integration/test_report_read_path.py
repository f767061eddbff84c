"""The read path — reports, rankings and explanations over the read model's figure columns
(services/readmodel/columns.py, labels and event ids looked up in SQL), and the facts vintages read
(readmodel.report_facts) — give byte-identical JSON to the declarations evaluated over the whole
log folded in memory, on a history with late reports, corrections, retractions and amendments."""
from __future__ import annotations

import pytest

from events.codec import validate_object
from projections.facts import fact_from_json
from projections.figures import FIGURES
from projections.ledger import fold_all, visible
from projections.report import explain, rank, report
from services.readmodel.sql import report_facts
from services.entry.render import tables as render
from tools.history.county import demo_county
from services.query.figures import explain_for, make_query, rank_for, report_for
from services.bus.inprocess import catch_up
from services.log import EventStore
from services.log.store import to_micros

CASES = [
    ("140522", "2024Q1", "2024-04-10", None),
    ("140522", "2024Q1", "2024-05-31T12:00:00+08:00", None),
    ("140522", "2024-02", "2024-03-08", None),
    ("1405", "2024H1", "2024-07-15T08:00:00+08:00", None),
    ("14", "2024Q3", None, None),
    ("14", "2024-05", "2024-06-10", "province"),
    ("140522", "2024", None, "county"),
    ("140522", "2025Q1", None, None),
    ("140522", "2024Q3", "2024-10-01", "city"),
]


@pytest.fixture(scope="module")
def events():
    return [validate_object(e) for e in demo_county()]


def facts_for(store: EventStore, query, before: int | None = None):
    return report_facts(store.engine, query.region, query.period.year, to_micros(query.as_of), before)


@pytest.fixture
def store(store_url, events):
    store = EventStore(store_url)
    for start in range(0, len(events), 1500):  # in chunks, as a live system receives them
        store.append(events[start:start + 1500], keep_recorded_at=True)
        catch_up(store)
    yield store
    store.engine.dispose()


def in_memory(store: EventStore, as_of_us: int, before: int | None = None):
    """The reference: every event of the log, folded by the pure ledger, filtered by visibility."""
    facts = [fact_from_json(e.position, e.to_event().to_json(), e.recorded_us)
             for e in store.read(until=None if before is None else before - 1)]
    return list(visible(fold_all(facts), as_of_us))


@pytest.mark.parametrize("region, period, as_of, level", CASES)
def test_report_explain_and_rank_equal_the_pure_fold(store, region, period, as_of, level):
    query = make_query(region, period, as_of, level)
    everything = in_memory(store, to_micros(query.as_of))
    assert render.dumps(report_for(store, query)) == render.dumps(report(everything, query))
    for figure_id in FIGURES:
        assert explain_for(store, figure_id, query) == explain(everything, figure_id, query), figure_id
    for by in ("county", "township"):
        assert rank_for(store, "new_start_rate", query, by) == rank(everything, "new_start_rate", query, by)
    assert render.dumps(report(facts_for(store, query), query)) == render.dumps(report(everything, query))


def test_a_bounded_read_is_the_log_as_it_stood(store):
    query = make_query("140522", "2024Q1", "2024-12-31")
    bound = store.head() // 2
    subset = facts_for(store, query, before=bound)
    assert all(f.position < bound for f in subset)
    assert render.dumps(report(subset, query)) == render.dumps(report(in_memory(store, to_micros(query.as_of),
                                                                                bound), query))

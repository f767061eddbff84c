"""The figure columns in SQL (services/figure_index.py): each fact once, whatever is re-applied;
chunks merged without losing or doubling a row; equal to the columns of the log folded in memory;
and a database migrated from before the columns gets them rebuilt by the projector."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import NoResultFound

from events.codec import validate_object
from projections.figures.columns import NAMES, Columns, from_facts
from projections.facts import fact_from_json
from projections.ledger import fold_all
from services.readmodel import columns as figure_index
from services.entry.render import tables as render
from tools.history.county import demo_county
from services.query.figures import make_query, report_for
from services.bus.inprocess import catch_up
from services.readmodel.sql import EMBEDDED
from services.log import EventStore
from services.log.migrate import alembic_config
from services.readmodel.tables import checkpoints, figure_chunks, labels


@pytest.fixture(scope="module")
def events():
    return [validate_object(e) for e in demo_county()]


@pytest.fixture
def store(store_url, events):
    store = EventStore(store_url)
    store.append(events, keep_recorded_at=True)
    yield store
    store.engine.dispose()


def rows(columns: Columns) -> list[tuple]:
    return sorted(zip(*(getattr(columns, name).tolist() for name in NAMES)))


def expected(store: EventStore) -> Columns:
    """The columns of every fact in the log, folded in memory, keyed as the store's `labels` keys them."""
    with store.engine.connect() as conn:
        keys = dict(conn.execute(select(labels.c.text, labels.c.key)).all())
    facts = [fact_from_json(e.position, e.to_event().to_json(), e.recorded_us) for e in store.read()]
    return from_facts(fold_all(facts).facts.values(), keys.__getitem__)


def chunk_count(store: EventStore) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(figure_chunks)).scalar_one()


def test_small_batches_merge_and_keep_every_row_once(store):
    catch_up(store, batch=40)  # ≈ 130 batches, each one chunk before merging
    loaded = figure_index.load(store.engine)
    assert len(np.unique(loaded.position)) == len(loaded) > 3000
    assert rows(loaded) == rows(expected(store))
    assert chunk_count(store) < 30


def test_reapplying_the_log_adds_nothing(store):
    catch_up(store)
    before = rows(figure_index.load(store.engine))
    with store.engine.begin() as conn:  # as if the checkpoint had not been saved: everything comes again
        conn.execute(update(checkpoints).where(checkpoints.c.name == EMBEDDED).values(position=0))
    assert catch_up(store) == store.count()
    assert rows(figure_index.load(store.engine)) == before


def test_a_database_from_before_the_columns_is_rebuilt(store):
    """A read model projected before migration 0005 (downgraded to 0004 here): 0005 empties it and
    the projector rebuilds it from the log, figure columns included, to the same report."""
    from alembic import command

    query = make_query("140522", "2024H1", "2024-07-15")
    catch_up(store)
    before = render.dumps(report_for(store, query))
    config = alembic_config()
    for revision, step in (("0004", command.downgrade), ("head", command.upgrade)):
        with store.engine.connect() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
            connection.commit()
    assert chunk_count(store) == 0
    catch_up(store)  # what the next writer (or projfacts project) does; reads never project
    assert render.dumps(report_for(store, query)) == before
    assert rows(figure_index.load(store.engine)) == rows(expected(store))


def test_labels_are_looked_up_one_by_one_then_all_at_once(store):
    """A few labels are read one by one; past ONE_BY_ONE misses the table at once — the same texts."""
    catch_up(store)
    with store.engine.connect() as conn:
        every = dict(conn.execute(select(labels.c.key, labels.c.text)).all())
    keys = sorted(every)
    assert len(keys) > figure_index.Lookup.ONE_BY_ONE + 10
    few = figure_index.Lookup(store.engine)
    assert [few.text(k) for k in keys[:5]] == [every[k] for k in keys[:5]]
    assert len(few._texts) == 5  # read one by one, nothing more
    many = figure_index.Lookup(store.engine)
    assert [many.text(k) for k in keys] == [every[k] for k in keys]
    assert len(many._texts) == len(every)
    with pytest.raises(NoResultFound):
        few.text(max(keys) + 1)

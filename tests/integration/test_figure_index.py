"""The figure columns in SQL (services/figure_index.py): each fact once, whatever is re-applied;
chunks merged without losing or doubling a row; equal to the columns of the log folded in memory;
and a database migrated from before the columns gets them rebuilt by the projector."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from sqlalchemy import func, select, text, update
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
from services.readmodel.tables import MIXED, checkpoints, figure_chunks, labels
from projections.figures.vocabulary import Evaluation
from projections.periods import to_micros
from projections.report import report_json
from services.readmodel.sql import load_targets


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


def chunks(store: EventStore) -> list[tuple[int, Columns]]:
    """(year, columns) of every chunk."""
    with store.engine.connect() as conn:
        found = conn.execute(select(figure_chunks.c.year, figure_chunks.c.data)).all()
    return [(year, Columns.from_bytes(bytes(data))) for year, data in found]


def test_small_batches_merge_and_keep_every_row_once(store):
    catch_up(store, batch=40)  # ≈ 130 batches, each one chunk per year before merging
    loaded = figure_index.load(store.engine)
    assert len(np.unique(loaded.position)) == len(loaded) > 3000
    assert rows(loaded) == rows(expected(store))
    years = Counter(year for year, _ in chunks(store))
    assert len(years) >= 3 and max(years.values()) < 30, years


def test_a_chunk_holds_one_payload_year_and_a_report_reads_only_its_own(store):
    """Every chunk holds the rows of one payload year (0: rows naming none); `load(years)` gives
    exactly the rows of those years and the year-less ones; a report over them equals one over every
    row, for periods of each year, as of several times (the years a report skips change nothing)."""
    catch_up(store, batch=300)
    for year, columns in chunks(store):
        assert year != MIXED and set(columns.year.tolist()) == {year}
    every = rows(expected(store))
    year_at = NAMES.index("year")
    for years in ({2024, 2023}, {2025, 2024}, {2030}):
        figure_index.forget()
        assert rows(figure_index.load(store.engine, years)) == [r for r in every if r[year_at] in years | {0}]
    all_columns = figure_index.load(store.engine)
    for period, as_of in (("2024", "2024-12-31"), ("2024H1", "2024-08-01"), ("2025Q1", "2025-04-20"),
                          ("2025-03", "2025-12-31"), ("2023", "2025-12-31")):
        query = make_query("1405", period, as_of)
        over_every_row = report_json(Evaluation(all_columns, query.period, query.scope, to_micros(query.as_of)),
                                     load_targets(store.engine, query.period.year, to_micros(query.as_of)), query)
        assert report_for(store, query) == over_every_row, period


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


def test_chunks_from_before_the_years_are_read_by_every_report_and_split_when_merged(store):
    """Migration 0012 keeps the chunks it finds as MIXED (every year): a report reads them whatever
    its period, and a merge splits them by year, row for row."""
    from alembic import command

    catch_up(store)
    query = make_query("140522", "2024H1", "2024-07-15")
    before, every = report_for(store, query), rows(figure_index.load(store.engine))
    legacy = Columns.concat([columns for _, columns in chunks(store)])
    config = alembic_config()
    with store.engine.connect() as connection:  # the migration itself: a chunk without a year becomes MIXED
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
        connection.execute(text("INSERT INTO figure_chunks (last_position, rows, token, data) "
                                "VALUES (:last, :rows, 'legacy', :data)"),
                           {"last": 7, "rows": 1, "data": legacy.rows(0, 1).to_bytes()})
        command.upgrade(config, "head")
        connection.commit()
    assert [(year, rows(columns)) for year, columns in chunks(store)] == [(MIXED, rows(legacy.rows(0, 1)))]
    catch_up(store)  # the downgrade emptied the read model: projected again
    with store.engine.begin() as conn:  # the store's columns as one chunk of every year
        conn.execute(figure_chunks.delete())
        conn.execute(figure_chunks.insert().values(year=MIXED, last_position=int(legacy.position.max()),
                                                   rows=len(legacy), token="mixed", data=legacy.to_bytes()))
    figure_index.forget()
    assert report_for(store, query) == before
    with store.engine.begin() as conn:
        figure_index.merge(conn, store.engine, everything=True)
    split = chunks(store)
    assert len(split) >= 3 and all(year != MIXED and set(c.year.tolist()) == {year} for year, c in split)
    figure_index.forget()
    assert rows(figure_index.load(store.engine)) == every
    assert report_for(store, query) == before

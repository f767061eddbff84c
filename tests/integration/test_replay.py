"""`projfacts replay`: the read models rebuilt from the log equal the incrementally maintained ones,
on SQLite and PostgreSQL, with one worker or several, fresh or resumed after a crash or a SIGKILL."""
from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, event as sa_event, func, select, text
from sqlalchemy.dialects import postgresql, sqlite as sqlite_dialect
from sqlalchemy.exc import OperationalError

from events.catalogue import InvestmentReported
from events.codec import validate_object
from events.registry import REGISTRY
from helpers import assert_physical_schema, event, read_models as tables
from tools.history.county import demo_county
from services.bus.inprocess import catch_up
from services.readmodel.sql import EMBEDDED, checkpoint_of
from services.readmodel.replay import worker as replay_worker
from services.readmodel.columns import late_query
from services.readmodel.replay import current_plan, replay, run_worker, start
from services.log.engine import (INDEX_SORT_CACHE_KIB, INDEX_SORT_THREADS, READER_SORT_THREADS, WRITER_CACHE_KIB,
                                 _sqlite_transactions, sorting_for_index_builds, sqlite_file)
from services.log import EventStore
from services.log.tables import metadata
import services.ingest.tables  # noqa: F401,E402  (their tables join the one metadata)
import services.readmodel.tables  # noqa: F401,E402
from services.readmodel.tables import checkpoints, facts, facts_shadow, project_regions, replays

PROJFACTS = Path(sys.executable).with_name("projfacts")


def history() -> list:
    """The demo county (late reports, corrections, retractions, amendments, duplicates), validated once."""
    global _HISTORY
    if _HISTORY is None:
        _HISTORY = [validate_object(e) for e in demo_county()]
    return _HISTORY


_HISTORY = None


def import_in_chunks(store: EventStore, chunks: int = 4) -> None:
    """Append the history in chunks, the in-process projector catching up after each."""
    events = history()
    size = len(events) // chunks + 1
    for start in range(0, len(events), size):
        store.append(events[start:start + size], keep_recorded_at=True)
        catch_up(store)


def assert_swapped_cleanly(store: EventStore) -> None:
    """After a replay: no plan, no replay checkpoints, empty shadows, schema as migrated."""
    assert current_plan(store.engine) is None
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(replays)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(facts_shadow)).scalar_one() == 0
        names = [r[0] for r in conn.execute(select(checkpoints.c.name))]
        assert not [n for n in names if n.startswith("replay:")]
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    assert_physical_schema(store.engine)  # the new shadows too
    assert checkpoint_of(store.engine, EMBEDDED) == store.head()


@pytest.fixture
def store(store_url):
    store = EventStore(store_url)
    import_in_chunks(store)
    yield store
    store.engine.dispose()


@pytest.mark.parametrize("workers", [1, 2])
def test_rebuilt_models_equal_the_incremental_ones(store, workers):
    before = tables(store)
    assert len(before["facts"]) == store.count() > 5000
    result = replay(store, workers=workers, batch=1000)
    assert result.workers == workers and result.events == store.count() and result.resumed_from == 0
    assert tables(store) == before
    assert_swapped_cleanly(store)
    if store.engine.dialect.name == "postgresql":  # every rebuilt table analysed before it is read
        with store.engine.connect() as conn:
            analysed = set(conn.execute(text("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = "
                                             "current_schema()")).scalars())
        assert {"facts", "project_regions", "figure_chunks"} <= analysed
    # the live projector carries on from the swapped-in checkpoint
    late = validate_object(event("ConstructionStarted", occurred_on="2025-02-01"))
    store.append([late])
    assert catch_up(store) == 1
    replay(store, workers=workers)
    assert len(tables(store)["facts"]) == len(before["facts"]) + 1


def test_a_replay_that_crashed_resumes_and_ends_identical(store):
    before = tables(store)

    def crash(index, batches):
        if batches == 3:
            raise RuntimeError("killed mid-way")

    with pytest.raises(RuntimeError):
        replay(store, workers=1, batch=500, on_batch=crash)
    plan = current_plan(store.engine)
    assert plan is not None and plan.target == store.head()
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(facts_shadow)).scalar_one() == 1500
    assert tables(store) == before  # the live models served on, untouched
    result = replay(store, workers=4)  # resumes with the plan's one worker
    assert result.resumed_from == 1500 and result.workers == 1
    assert tables(store) == before
    assert_swapped_cleanly(store)


def test_events_appended_during_a_replay_are_in_the_swapped_models(store):
    appended = []

    def append_meanwhile(index, batches):
        if batches == 1:
            extra = [validate_object(event("InvestmentReported", month=m, amount="10.00")) for m in (1, 2)]
            store.append(extra)
            appended.extend(extra)

    replay(store, workers=1, batch=1000, on_batch=append_meanwhile)
    assert len(appended) == 2
    rebuilt = tables(store)
    catch_up(store)  # nothing left for the live projector: the swap moved its checkpoint
    assert tables(store) == rebuilt
    assert {e.id for e in appended} <= {row[1] for row in rebuilt["facts"]}
    assert_swapped_cleanly(store)


def test_fresh_discards_an_interrupted_replay(store):
    before = tables(store)

    def crash(index, batches):
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        replay(store, workers=1, batch=100, on_batch=crash)
    assert replay(store, workers=2, fresh=True).resumed_from == 0
    assert tables(store) == before


def test_windows_are_written_by_one_other_thread_in_order_while_the_next_is_read(store, monkeypatch):
    """run_worker's writer thread: every window's transaction in a thread other than the caller's,
    in window order, and the next window read before the one before it is written."""
    caller, written, happened = threading.get_ident(), [], []
    real_write, real_read = replay_worker.write_window, replay_worker.read_figures

    def write_window(conn, window, *args):
        written.append((threading.get_ident(), window.upto))
        time.sleep(0.05)  # a write long enough for the caller to read the next window meanwhile
        added = real_write(conn, window, *args)
        happened.append(("written", window.upto))
        return added

    def read_figures(conn, window):
        happened.append(("read", window.upto))
        return real_read(conn, window)

    monkeypatch.setattr(replay_worker, "write_window", write_window)
    monkeypatch.setattr(replay_worker, "read_figures", read_figures)
    before = tables(store)
    replay(store, workers=1, batch=300, fresh=True)
    assert len(written) == -(-store.head() // 300) > 2
    assert {thread for thread, _ in written} != {caller} and len({thread for thread, _ in written}) == 1
    assert [upto for _, upto in written] == sorted(upto for _, upto in written)
    uptos = [upto for _, upto in written]
    for previous, this in zip(uptos, uptos[1:]):  # this window read before the previous one was written
        assert happened.index(("read", this)) < happened.index(("written", previous))
    assert tables(store) == before


def test_a_window_that_fails_to_write_stops_the_worker_with_the_windows_before_it_kept(store, monkeypatch):
    before = tables(store)
    real_write, calls = replay_worker.write_window, []

    def write_window(conn, window, *args):
        calls.append(window.upto)
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return real_write(conn, window, *args)

    monkeypatch.setattr(replay_worker, "write_window", write_window)
    with pytest.raises(RuntimeError, match="the disk is full"):
        replay(store, workers=1, batch=500)
    plan = current_plan(store.engine)
    assert checkpoint_of(store.engine, plan.checkpoint(0)) == 1000 == calls[1]
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(facts_shadow)).scalar_one() == 1000
    monkeypatch.setattr(replay_worker, "write_window", real_write)
    assert replay(store).resumed_from == 1000
    assert tables(store) == before
    assert_swapped_cleanly(store)


KILLABLE = """
import sys, time
from services.readmodel.replay import replay
from services.log import EventStore


def slowly(index, batches):
    time.sleep(0.05)


if __name__ == "__main__":
    replay(EventStore(sys.argv[1]), workers=2, batch=200, on_batch=slowly)
"""


def test_sigkill_mid_replay_then_projfacts_replay_resumes(store, tmp_path):
    before = tables(store)
    url = store.engine.url.render_as_string(hide_password=False)
    script = tmp_path / "killable.py"
    script.write_text(textwrap.dedent(KILLABLE))
    child = subprocess.Popen([sys.executable, str(script), url], start_new_session=True,
                             stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until both workers have committed some batches
            with store.engine.connect() as conn:
                done = dict(conn.execute(select(checkpoints.c.name, checkpoints.c.position)
                                         .where(checkpoints.c.name.like("replay:%/2"))).all())
            if len(done) == 2 and all(p > 0 for p in done.values()):
                break
            assert child.poll() is None, "the replay ended before it could be killed"
            time.sleep(0.02)
        else:
            pytest.fail("the replay made no progress")
        os.killpg(child.pid, signal.SIGKILL)  # the replay and its worker processes, at once
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
    plan = current_plan(store.engine)
    assert plan is not None and plan.workers == 2
    assert tables(store) == before
    env = {k: v for k, v in os.environ.items() if k != "PROJFACTS_DB"}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    done = subprocess.run([str(PROJFACTS), "replay", "--db", url], env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "resumed after" in done.stdout and "2 workers" in done.stdout
    assert tables(store) == before
    assert_swapped_cleanly(store)


def test_replay_of_an_empty_log(sqlite_url):
    store = EventStore(sqlite_url)
    result = replay(store)
    assert (result.events, result.position) == (0, 0)
    assert_swapped_cleanly(store)


def test_a_writer_frees_pages_without_overwriting_them(sqlite_url):
    """secure_delete=FAST on a writer's connections (services/log/engine.py): the swap's DROP of the
    old read model frees its pages without writing them all again (SQLite built with SECURE_DELETE)."""
    store = EventStore(sqlite_url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 2  # 2: FAST
    store.engine.dispose()


class InvestmentReportedV2(InvestmentReported):
    """A test-only v2: where the figure came from."""

    source: str = "monthly"


@pytest.fixture
def upcast_registry(monkeypatch):
    """InvestmentReported gains a v2; every stored report (v1) is then upcast on read."""
    monkeypatch.setattr(REGISTRY, "_schemas", dict(REGISTRY._schemas))
    monkeypatch.setattr(REGISTRY, "_upcasters", dict(REGISTRY._upcasters))
    monkeypatch.setattr(REGISTRY, "latest", dict(REGISTRY.latest))
    REGISTRY.register("InvestmentReported", 2, InvestmentReportedV2)
    REGISTRY.add_upcaster("InvestmentReported", 1, lambda payload: {**payload, "source": "monthly"})


@pytest.mark.parametrize("workers", [1, 2])
def test_facts_stored_at_an_older_version_are_rebuilt_upcast(upcast_registry, store_url, workers):
    store = EventStore(store_url)
    import_in_chunks(store)
    before = tables(store)
    upcast = [row for row in before["facts"] if row[2] == "InvestmentReported"]
    assert upcast and all(b'"source":"monthly"' in row[-1].encode() for row in upcast)
    # the shares run here, in this process (a spawned worker would not see the test-only v2)
    plan = start(store.engine, workers)
    for index in range(workers):
        run_worker("", plan, index, batch=1000, engine=store.engine)
    replay(store)  # every share done: the tail and the swap
    assert tables(store) == before
    assert_swapped_cleanly(store)
    store.engine.dispose()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_retraction_logged_before_its_older_version_target_is_rebuilt_alike(upcast_registry, store_url, workers):
    """A retraction in the log before the fact it names, that fact stored at an older version (upcast
    in Python by replay): the rebuilt figure columns hold the retraction's row once, as the live ones do."""
    store = EventStore(store_url)
    import_in_chunks(store)
    report = next(e for e in history() if e.event_type == "InvestmentReported")
    target = event("InvestmentReported", project_id=report.project_id, year=2025, month=1, amount="100.00",
                   occurred_on="2025-02-03", recorded_at="2025-02-04T10:00:00+08:00")
    withdrawn = event("EventRetracted", project_id=report.project_id, retracted_event_id=target["event_id"],
                      reason="重报", source={"department": "project_center", "system": "t"},
                      occurred_on="2025-02-03", recorded_at="2025-02-03T10:00:00+08:00")
    store.append([validate_object(withdrawn)], keep_recorded_at=True)  # first, naming what is not yet logged
    store.append([validate_object(target)], keep_recorded_at=True)
    catch_up(store)
    before = tables(store)
    head = store.head()  # the retraction's row: at its own position, naming the target's (NAMES: cents)
    assert [row for row in before["figure columns"] if row[0] == head - 1 and row[7] == head] != []
    plan = start(store.engine, workers)
    for index in range(workers):
        run_worker("", plan, index, batch=1000, engine=store.engine)
    replay(store)
    assert tables(store) == before
    store.engine.dispose()


class _OnBusy(logging.Handler):
    """Runs `then` each time a replay worker says the write lock was busy (in the worker's writer thread)."""

    def __init__(self, then):
        super().__init__(logging.WARNING)
        self.then, self.times = then, 0

    def emit(self, record):
        self.times += 1
        self.then()


@pytest.fixture
def busy_store(sqlite_url):
    """A SQLite store with its history, a fresh replay plan, a worker engine with a short busy timeout,
    and another connection holding the write lock."""
    store = EventStore(sqlite_url)
    import_in_chunks(store)
    before = tables(store)
    plan = start(store.engine, 1)
    worker = create_engine(sqlite_url, connect_args={"timeout": 0.05})
    _sqlite_transactions(worker, read_only=False)
    holder = sqlite3.connect(sqlite_file(sqlite_url), isolation_level=None,
                             check_same_thread=False)  # committed by the worker's writer thread
    holder.execute("BEGIN IMMEDIATE")
    yield store, before, plan, worker, holder
    holder.close()
    worker.dispose()
    store.engine.dispose()


def test_a_replay_worker_waits_again_for_a_busy_write_lock(busy_store):
    store, before, plan, worker, holder = busy_store
    busy = _OnBusy(lambda: holder.execute("COMMIT") if holder.in_transaction else None)
    logging.getLogger("projfacts.replay").addHandler(busy)
    try:
        run_worker("", plan, 0, batch=1000, engine=worker)
    finally:
        logging.getLogger("projfacts.replay").removeHandler(busy)
    assert busy.times == 1
    replay(store)
    assert tables(store) == before


def test_a_write_lock_busy_for_good_stops_the_worker_with_its_work_kept(busy_store, monkeypatch):
    store, before, plan, worker, holder = busy_store
    monkeypatch.setattr(replay_worker, "BUSY_ATTEMPTS", 3)
    busy = _OnBusy(lambda: None)
    logging.getLogger("projfacts.replay").addHandler(busy)
    try:
        with pytest.raises(OperationalError, match="locked"):
            run_worker("", plan, 0, batch=1000, engine=worker)
    finally:
        logging.getLogger("projfacts.replay").removeHandler(busy)
    assert busy.times == 2  # tried three times, said so between the tries
    holder.execute("COMMIT")
    replay(store)  # resumes from the plan and the checkpoint
    assert tables(store) == before


def test_the_tail_finds_its_late_retractions_through_the_shadow_index(store):
    """A replay's tail probes the shadow's retraction index for the retractions recorded before its
    facts: no scan of the whole shadow (SQLite built a transient index of it each time, which made
    a rebuild grow with the square of the log when every window probed so)."""
    query, f = late_query(facts_shadow)
    query = query.where(f.c.position.in_([11, 12, 20]))
    sqlite = store.engine.dialect.name == "sqlite"
    compiled = query.compile(dialect=sqlite_dialect.dialect() if sqlite else postgresql.dialect(),
                             compile_kwargs={"literal_binds": True})
    with store.engine.connect() as conn:
        if not sqlite:
            conn.execute(text("SET LOCAL enable_seqscan = off"))  # an empty shadow: seq scans cost nothing
        plan = " ".join(str(row[-1]) for row in conn.execute(text(f"EXPLAIN {'QUERY PLAN ' if sqlite else ''}{compiled}")))
    assert "ix_facts_shadow_retracts" in plan and "AUTOMATIC" not in plan, plan


@pytest.mark.postgres
def test_the_shadow_is_analysed_while_it_is_loaded(pg_url):
    """PostgreSQL plans each window's late-retraction query from the shadow's statistics: never
    analysed, the shadow looks empty and the query scans all of it for retractions each window
    (quadratic). The first worker analyses it as the log passes batch × 2^k."""
    store = EventStore(pg_url)
    import_in_chunks(store)
    seen: list[float] = []

    def statistics(index: int, batches: int) -> None:
        with store.engine.connect() as conn:
            seen.append(conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'facts_shadow'::regclass")).scalar())

    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'facts_shadow'::regclass")).scalar() < 0
    replay(store, workers=1, batch=1000, on_batch=statistics, verify=False)
    assert seen[0] > 0  # analysed after its first window (1000 log positions)
    # again as the log passes 2000 and 4000, not at 3000 (seen after each window)
    assert seen[1] > seen[0] and seen[2] == seen[1] and seen[3] > seen[2]
    store.engine.dispose()


def test_reads_go_through_a_memory_map_and_sort_with_helpers_and_writes_do_not(sqlite_url):
    """services/log/engine.py: a read-only store maps the file (a province's view reads ~1 GB of
    facts: pages as memory, not one `pread` each) and lets SQLite's sorter use helper threads (a
    region's read sorts by project); a writer keeps SQLite's own reads and sorts alone."""
    EventStore(sqlite_url).engine.dispose()  # the store's file, migrated
    reader = EventStore.reader(sqlite_url)
    writer = EventStore(sqlite_url)
    with reader.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() > 2**30
        assert conn.exec_driver_sql("PRAGMA threads").scalar() == READER_SORT_THREADS > 0
    with writer.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == 0
        assert conn.exec_driver_sql("PRAGMA threads").scalar() == 0
    reader.engine.dispose()
    writer.engine.dispose()


def _sort_pragmas(raw) -> tuple[int, int]:
    return raw.execute("PRAGMA threads").fetchone()[0], raw.execute("PRAGMA cache_size").fetchone()[0]


def test_the_swap_builds_indexes_with_sort_helpers_and_a_small_cache_then_gives_the_writer_its_own(sqlite_url):
    """services/log/engine.py `sorting_for_index_builds`: SQLite sorts an index's rows in runs on
    helper threads when its page cache is small (the province's facts indexes 6.1-7.3 s -> 2.8-3.8 s);
    the writer's connection gets its 64 MiB cache and no helpers back, also when a build fails."""
    store = EventStore(sqlite_url)
    import_in_chunks(store)
    seen = []

    @sa_event.listens_for(store.engine, "before_cursor_execute")
    def spy(conn, cursor, statement, *_):
        if statement.startswith("CREATE INDEX") and '"facts"' in statement:
            seen.append(_sort_pragmas(conn.connection.driver_connection))

    replay(store, workers=1, verify=False, fresh=True)
    sa_event.remove(store.engine, "before_cursor_execute", spy)
    assert len(seen) == 3 and set(seen) == {(INDEX_SORT_THREADS, -INDEX_SORT_CACHE_KIB)}
    own = (0, -WRITER_CACHE_KIB)
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert _sort_pragmas(raw) == own
        with sorting_for_index_builds(conn):
            assert _sort_pragmas(raw) == (INDEX_SORT_THREADS, -INDEX_SORT_CACHE_KIB)
        assert _sort_pragmas(raw) == own
        with pytest.raises(OperationalError), sorting_for_index_builds(conn):
            conn.execute(text("CREATE INDEX ix_nowhere ON no_such_table (x)"))
        assert _sort_pragmas(raw) == own
    assert_swapped_cleanly(store)
    store.engine.dispose()

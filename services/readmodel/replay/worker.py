"""A replay worker: its share of the log rebuilt into the shadows window by window (`window`),
each window and its checkpoint in one transaction, written by a thread of its own while the worker
reads and computes the next; and the read-model rows of log rows taken one by one (the tail, facts
stored at an older schema version)."""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

import orjson
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from events.catalogue import CATALOGUE_V1
from events.registry import REGISTRY
from projections.figures.columns import KINDS
from services.gcpause import gc_paused
from services.log.engine import is_sqlite, make_engine
from services.readmodel import columns as figure_index
from services.readmodel.replay.late import LateRetractions
from services.readmodel.replay.plan import Plan, checkpoints_of, writer
from services.readmodel.replay.window import Window, read_figures, window_columns, write_window
from services.readmodel.sql import fact_row_of, save_checkpoint
from services.readmodel.tables import facts, facts_shadow, figure_chunks_shadow, project_regions_shadow

log = logging.getLogger("projfacts.replay")

BATCH = 20000
OnBatch = Callable[[int, int], None]  # (worker index, batches committed so far): a hook for tests


# The types whose payload feeds a column (year, month, retracts) or project_regions; for the others
# the row is the log's columns and its payload text as stored, without decoding it.
_DECODED = frozenset(t for t, model in CATALOGUE_V1.items()
                     if {"year", "month", "retracted_event_id"} & set(model.model_fields)) | {"ProjectRegistered"} \
    | frozenset(KINDS)  # and every type the figure columns read
_FACT_COLUMNS = tuple(c.name for c in facts.columns)


@dataclass
class Rows:
    """What one batch of log rows writes: facts, project regions, and the facts for the figure columns."""

    facts: list[tuple]
    regions: list[tuple]
    figure_facts: list[tuple]


def rows_of(batch: list) -> Rows:
    """The read-model rows of log rows taken one by one (the tail; facts at an older schema version),
    as `readmodel.fact_row_of` makes them (the payload text is the one orjson wrote at append; an
    upcast payload is re-encoded)."""
    out, latest, loads, wanted = Rows([], [], []), REGISTRY.latest, orjson.loads, figure_index.wanted
    for position, event_id, event_type, version, project_id, occurred_on, recorded_us, department, payload in batch:
        if version != latest.get(event_type, version):
            row = fact_row_of(position, event_id, event_type, version, project_id, occurred_on, recorded_us,
                              department, loads(payload))
            out.facts.append(tuple(row[c] for c in _FACT_COLUMNS))
            data = loads(row["payload"])
        elif event_type in _DECODED:
            data = loads(payload)
            retracts = data.get("retracted_event_id") if event_type == "EventRetracted" else None
            out.facts.append((position, event_id, event_type, project_id, occurred_on, recorded_us, department,
                              retracts, data.get("year"), data.get("month"), payload))
        else:
            out.facts.append((position, event_id, event_type, project_id, occurred_on, recorded_us, department,
                              None, None, None, payload))
            continue
        if event_type == "ProjectRegistered":
            out.regions.append((project_id, data["region"]))
        if wanted(event_type, project_id):
            out.figure_facts.append((position, event_type, project_id, occurred_on, recorded_us, data))
    return out


def write_rows(conn, engine: Engine, batch: Rows, names: figure_index.Labels, late: bool = True) -> None:
    """Bulk-write into the shadows: COPY on PostgreSQL, executemany on SQLite. `late=False`: the
    caller looks up the late retractions naming these facts itself (`window.write_window`)."""
    rows, regions = batch.facts, batch.regions
    if not rows and not regions:
        return
    cursor = conn.connection.driver_connection.cursor()
    if is_sqlite(engine):
        marks = ", ".join("?" for _ in _FACT_COLUMNS)
        cursor.executemany(f"INSERT INTO {facts_shadow.name} VALUES ({marks})", rows)
        # a project registered twice in one region gives one row, as in the live model
        cursor.executemany(f"INSERT OR IGNORE INTO {project_regions_shadow.name} VALUES (?, ?)", regions)
    else:
        columns = ", ".join(_FACT_COLUMNS)
        with cursor.copy(f"COPY {facts_shadow.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if regions:
            cursor.executemany(f"INSERT INTO {project_regions_shadow.name} (project_id, region) VALUES (%s, %s) "
                               f"ON CONFLICT DO NOTHING", regions)
    # after the facts: the columns of earlier retractions naming them come from the shadow
    figure_index.write(conn, engine, batch.figure_facts, names, figure_chunks_shadow, merging=False, held=facts_shadow,
                       late=late)


def run_worker(url: str, plan: Plan, index: int, batch: int = BATCH, on_batch: OnBatch | None = None,
               engine: Engine | None = None, late: LateRetractions | None = None) -> int:
    """Rebuild worker `index`'s share up to the plan's target, from its checkpoint, `batch` log
    positions per transaction (`services.readmodel.replay.window`). Returns how many events.

    Two threads: this one reads each window's figure facts from the log and makes their columns
    (Python), while a writer thread (`WindowWriter`) writes the window before it — facts and project
    regions by the database's `INSERT … SELECT`, which runs without Python's lock — and its
    checkpoint, in one transaction, in window order. New labels are written by the writer too,
    after the windows queued before them, so their keys come in the order a single thread gives.
    `late`: the late retractions of the windows before (a follower's, run after run); by default
    read again from the shadow."""
    own = engine is None
    engine = engine or make_engine(url)
    name = plan.checkpoint(index)
    done = batches = 0
    try:
        after = checkpoints_of(engine, [name]).get(name, 0)
        names = figure_index.Labels(engine)
        low, high = plan.share(index)
        late = late if late is not None else LateRetractions((low, high))
        with WindowWriter(engine) as windows:
            def landed() -> None:  # the window in flight is written: count it, then the hook
                nonlocal done, batches
                done += windows.collect()
                batches += 1
                if on_batch is not None:
                    on_batch(index, batches)

            while after < plan.target:
                upto = min(after + batch, plan.target)
                window = Window(after, upto, low, high)
                with gc_paused(), engine.connect() as reader:
                    figures = read_figures(reader, window)
                    texts = figures.texts()
                    if names.unknown(texts):
                        names.recall(reader, texts)
                if names.unknown(texts):
                    windows.call(lambda conn, texts=texts: names.ensure(conn, texts))
                with gc_paused(), engine.connect() as reader:
                    columns = window_columns(reader, figures, names)
                if windows.pending:  # the window before this one lands before this one is handed over
                    landed()
                windows.submit(_window_job(engine, plan, index, window, columns, figures.retractions(), names, batch, late))
                after = upto
            if windows.pending:
                landed()
            windows.call(lambda conn: save_checkpoint(conn, engine, name, plan.target))  # the share is complete
        return done
    finally:
        if own:
            engine.dispose()


def _window_job(engine: Engine, plan: Plan, index: int, window: Window, columns, retractions: list[tuple],
                names: figure_index.Labels, batch: int, late: LateRetractions) -> Callable[[], int]:
    """The writer's work for one window: its rows and checkpoint in one transaction (facts written at
    an older version are upcast in Python), then the shadow's statistics when due."""
    def job() -> int:
        with write_lock(engine) as conn:
            added = write_window(conn, window, columns, names, figure_chunks_shadow,
                                 lambda stale: write_rows(conn, engine, rows_of(stale), names, late=False), late,
                                 retractions)
            save_checkpoint(conn, engine, plan.checkpoint(index), window.upto)
        if index == 0 and _statistics_due(engine, window.after, window.upto, batch):
            with engine.begin() as conn:  # a small sample: the planner needs its size, not fine histograms
                conn.execute(text(f"SET LOCAL default_statistics_target = {INTERIM_STATISTICS}"))
                conn.execute(text(f"ANALYZE {facts_shadow.name}"))
        return added
    return job


class WindowWriter:
    """One thread that runs a replay worker's writes in the order they are given: at most one
    window in flight (`submit`, then `collect` its count or its error) and short writes the caller
    waits for (`call`). Leaving the block waits for what is in flight; an error in it is raised by
    `collect` (or on leaving, if never collected)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay-writer")
        self._future = None

    @property
    def pending(self) -> bool:
        return self._future is not None

    def submit(self, job: Callable[[], int]) -> None:
        assert self._future is None, "collect the window in flight first"
        self._future = self._pool.submit(job)

    def collect(self) -> int:
        future, self._future = self._future, None
        return future.result()

    def call(self, write: Callable) -> None:
        """`write(conn)` in a writing transaction of its own, after the window in flight."""
        def job() -> None:
            with write_lock(self.engine) as conn:
                write(conn)
        self._pool.submit(job).result()

    def __enter__(self) -> "WindowWriter":
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=True)
        if self._future is not None and exc[0] is None:
            self.collect()


# PostgreSQL's statistics target for the shadow's interim ANALYZE (the default is 100: 30,000 rows
# sampled, 0.2-0.4 s each; 10 samples 3,000, ~0.02 s). They only keep the planner from taking the
# growing shadow for empty; the shadows' statistics after the last window (shadows.build_next_indexes)
# keep the server's default: the live views are planned with those.
INTERIM_STATISTICS = 10


def _statistics_due(engine: Engine, after: int, upto: int, batch: int) -> bool:
    """PostgreSQL: whether the window (after, upto] took the log past batch × 2^k, when the shadow's
    statistics are taken again. Never analysed, the shadow looks empty to the planner, and a query
    of each window's (then the late-retraction probe, columns.late_query; now the window's
    retractions, late.LateRetractions) scanned the whole shadow instead of its index or the window's
    positions: quadratic (36 of 51 s of the province rebuild's server time).
    By doubling: ~7 times for a province, by the first worker (the follower of an import is one)."""
    if is_sqlite(engine):
        return False
    mark = batch
    while mark <= after:
        mark *= 2
    return mark <= upto


BUSY_ATTEMPTS = 10  # SQLite: each attempt waits the engine's busy timeout (60 s) for the write lock


@contextmanager
def write_lock(engine: Engine) -> Iterator:
    """A writing transaction for a worker's window. On SQLite another worker (or a live writer) may
    hold the write lock longer than the busy timeout: taking it is tried again, up to `attempts`
    times, rather than stopping the replay (nothing was written yet; a window is one transaction)."""
    attempts = BUSY_ATTEMPTS
    for attempt in range(1, attempts + 1):
        conn = writer(engine)
        try:
            transaction = conn.begin()
        except OperationalError as error:
            conn.close()
            if not is_sqlite(engine) or "locked" not in str(error.orig) or attempt == attempts:
                raise
            log.warning("replay: the store's write lock is held by another writer; waiting again (%d of %d)",
                        attempt, attempts)
            continue
        with conn, transaction:
            yield conn
        return


def worker_process(url: str, plan: Plan, index: int, batch: int, on_batch: OnBatch | None) -> int:
    return run_worker(url, plan, index, batch, on_batch)

"""Replay: rebuild the read models (`facts`, `project_regions`) from the log, then swap them in.

    log ─▶ N worker processes, each one share of the projects ─▶ facts_shadow, project_regions_shadow
        ─▶ tail: what was appended meanwhile ─▶ one transaction: rename the shadows over the live tables

The live tables keep serving reports until the swap. Each worker writes one window of log
positions and its checkpoint (`replay:i/N`) in one transaction, and the plan (how many workers,
up to which log position) sits in `replays`; so a replay killed at any point resumes where each
worker stopped and ends with the same tables. A window is rebuilt mostly by the database itself
(`services.readmodel.rebuild`: `INSERT … SELECT` from the log); facts stored at an older schema version, and
the tail, go the incremental projector's way (`readmodel.fact_row_of`, here `_rows`). Either way
the rebuilt models equal the incrementally maintained ones (tests/integration/test_replay.py).

Workers split the projects into N contiguous ranges of project ids with about as many events
each (the filter runs in SQL, so a worker reads only its own share). On SQLite the writers take
turns on one file and a second worker does not help, so the default there is 1; on PostgreSQL one
per two cores, up to two (`default_workers`). Within a worker a writer thread writes each window
while the worker reads and computes the next (`WindowWriter`), and the log's check (`verify_log`)
runs beside the rebuild, awaited before the swap.
"""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Callable, Iterator

import orjson
from sqlalchemy import Engine, delete, func, insert, select, text
from sqlalchemy.exc import OperationalError

from events.catalogue import CATALOGUE_V1
from events.registry import REGISTRY
from projections.figures.columns import KINDS
from services.children import die_with_parent, pool_options
from services.readmodel import columns as figure_index
from services.readmodel.sql import COUNT, EMBEDDED, fact_row_of, save_checkpoint
from services.readmodel.rebuild import Window, read_figures, window_columns, write_window
from services.log.engine import is_sqlite, make_engine
from services.log.store import EventStore, now_local
from services.log.tables import events
from services.readmodel.tables import (checkpoints, facts, facts_shadow, figure_chunks, figure_chunks_shadow, parked_facts,
                                       project_regions, project_regions_shadow, replays, SHADOW_ONLY_INDEXES)

log = logging.getLogger("projfacts.replay")

PLAN = "current"
TAIL = "replay:tail"
BATCH = 20000
SHADOWS = ((facts, facts_shadow), (project_regions, project_regions_shadow), (figure_chunks, figure_chunks_shadow))
_COLUMNS = (events.c.position, events.c.event_id, events.c.event_type, events.c.schema_version,
            events.c.project_id, events.c.occurred_on, events.c.recorded_us, events.c.department,
            events.c.payload)

OnBatch = Callable[[int, int], None]  # (worker index, batches committed so far): a hook for tests


@dataclass(frozen=True)
class Plan:
    workers: int
    target: int  # the log position the workers rebuild up to; the tail does the rest
    bounds: tuple[str, ...]  # worker i takes bounds[i-1] <= project_id < bounds[i]

    def checkpoint(self, index: int) -> str:
        return f"replay:{index}/{self.workers}"

    def share(self, index: int) -> tuple[str | None, str | None]:
        """Worker `index`'s projects: low <= project_id < high (None: open-ended)."""
        if self.workers <= 1:
            return None, None
        return (self.bounds[index - 1] if index > 0 else None,
                self.bounds[index] if index < self.workers - 1 else None)


@dataclass
class ReplayResult:
    events: int
    position: int
    workers: int
    resumed_from: int  # events already in the shadow when this run started (0: a fresh replay)
    seconds: float

    def line(self) -> str:
        resumed = f", resumed after {self.resumed_from}" if self.resumed_from else ""
        rate = self.events / self.seconds if self.seconds else 0
        workers = f"{self.workers} worker{'s' if self.workers > 1 else ''}"
        return (f"replayed {self.events} events into facts, project_regions, figure columns "
                f"up to position {self.position} ({workers}{resumed}) in {self.seconds:.1f} s ({rate:,.0f} events/s)")


def default_workers(engine: Engine) -> int:
    """One on SQLite (its writers take turns on one file); on PostgreSQL one per two cores, up to
    two: a worker keeps two busy (its own Python, its writer thread's server backend). Province,
    2 cores: one worker 36.9/39.2 s, two 42.0/40.3 s (bench/README.md, ninth session)."""
    import os

    return 1 if is_sqlite(engine) else max(1, min(2, (os.cpu_count() or 1) // 2))


# ---- the plan ----------------------------------------------------------------------------------
def _writer(engine: Engine):
    return engine.connect().execution_options(projfacts_writer=True)


def partition(conn, workers: int, target: int) -> tuple[str, ...]:
    """N-1 project ids cutting the log (up to target) into ranges of about equal event counts.
    The log is append-only, so the same (workers, target) always gives the same bounds."""
    if workers <= 1:
        return ()
    counts = conn.execute(
        select(events.c.project_id, func.count()).where(events.c.position <= target,
                                                           events.c.project_id.is_not(None))
        .group_by(events.c.project_id).order_by(events.c.project_id)).all()
    total = sum(n for _, n in counts)
    bounds, seen = [], 0
    for project_id, n in counts:
        if len(bounds) < workers - 1 and seen >= total * (len(bounds) + 1) / workers:
            bounds.append(project_id)
        seen += n
    return tuple(bounds)


def current_plan(engine: Engine) -> Plan | None:
    with engine.connect() as conn:
        row = conn.execute(select(replays).where(replays.c.name == PLAN)).first()
        if row is None:
            return None
        return Plan(row.workers, row.target, partition(conn, row.workers, row.target))


def start(engine: Engine, workers: int) -> Plan:
    """A fresh plan: empty shadows, the log's head as the target, zeroed checkpoints."""
    with _writer(engine) as conn, conn.begin():
        if not is_sqlite(engine):
            conn.execute(text("LOCK TABLE replays IN EXCLUSIVE MODE"))
        _drop_next_indexes(conn, engine)
        for _, shadow in SHADOWS:
            conn.execute(delete(shadow))
        _forget_plan(conn)
        target = conn.execute(select(func.coalesce(func.max(events.c.position), 0))).scalar_one()
        conn.execute(insert(replays).values(name=PLAN, workers=workers, target=target,
                                            started_at=now_local().isoformat()))
        plan = Plan(workers, target, partition(conn, workers, target))
        for index in range(workers):
            save_checkpoint(conn, engine, plan.checkpoint(index), 0)
    return plan


def _checkpoints(engine: Engine, names: list[str]) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(checkpoints.c.name, checkpoints.c.position)
                            .where(checkpoints.c.name.in_(names))).all()
    return dict(rows)


# ---- the workers -------------------------------------------------------------------------------
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


def _rows(batch: list) -> Rows:
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


def _write(conn, engine: Engine, batch: Rows, names: figure_index.Labels, late: bool = True) -> None:
    """Bulk-write into the shadows: COPY on PostgreSQL, executemany on SQLite. `late=False`: the
    caller looks up the late retractions naming these facts itself (`rebuild.write_window`)."""
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
               engine: Engine | None = None) -> int:
    """Rebuild worker `index`'s share up to the plan's target, from its checkpoint, `batch` log
    positions per transaction (`services.readmodel.rebuild`). Returns how many events.

    Two threads: this one reads each window's figure facts from the log and makes their columns
    (Python), while a writer thread (`WindowWriter`) writes the window before it — facts and project
    regions by the database's `INSERT … SELECT`, which runs without Python's lock — and its
    checkpoint, in one transaction, in window order. New labels are written by the writer too,
    after the windows queued before them, so their keys come in the order a single thread gives."""
    own = engine is None
    engine = engine or make_engine(url)
    name = plan.checkpoint(index)
    done = batches = 0
    try:
        after = _checkpoints(engine, [name]).get(name, 0)
        names = figure_index.Labels(engine)
        low, high = plan.share(index)
        with WindowWriter(engine) as writer:
            def landed() -> None:  # the window in flight is written: count it, then the hook
                nonlocal done, batches
                done += writer.collect()
                batches += 1
                if on_batch is not None:
                    on_batch(index, batches)

            while after < plan.target:
                upto = min(after + batch, plan.target)
                window = Window(after, upto, low, high)
                with engine.connect() as reader:
                    figures = read_figures(reader, window)
                    texts = figures.texts()
                    if names.unknown(texts):
                        names.recall(reader, texts)
                if names.unknown(texts):
                    writer.call(lambda conn, texts=texts: names.ensure(conn, texts))
                with engine.connect() as reader:
                    columns = window_columns(reader, figures, names)
                if writer.pending:  # the window before this one lands before this one is handed over
                    landed()
                writer.submit(_window_job(engine, plan, index, window, columns, names, batch))
                after = upto
            if writer.pending:
                landed()
            writer.call(lambda conn: save_checkpoint(conn, engine, name, plan.target))  # the share is complete
        return done
    finally:
        if own:
            engine.dispose()


def _window_job(engine: Engine, plan: Plan, index: int, window: Window, columns, names: figure_index.Labels,
                batch: int) -> Callable[[], int]:
    """The writer's work for one window: its rows and checkpoint in one transaction (facts written at
    an older version are upcast in Python), then the shadow's statistics when due."""
    def job() -> int:
        with _write_lock(engine) as conn:
            added = write_window(conn, window, columns, names, figure_chunks_shadow,
                                 lambda stale: _write(conn, engine, _rows(stale), names, late=False))
            save_checkpoint(conn, engine, plan.checkpoint(index), window.upto)
        if index == 0 and _statistics_due(engine, window.after, window.upto, batch):
            with engine.begin() as conn:
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
            with _write_lock(self.engine) as conn:
                write(conn)
        self._pool.submit(job).result()

    def __enter__(self) -> "WindowWriter":
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=True)
        if self._future is not None and exc[0] is None:
            self.collect()


def _statistics_due(engine: Engine, after: int, upto: int, batch: int) -> bool:
    """PostgreSQL: whether the window (after, upto] took the log past batch × 2^k, when the shadow's
    statistics are taken again. Never analysed, the shadow looks empty to the planner, and each
    window's late-retraction query (columns.late_query) scanned the whole shadow for retractions
    instead of probing their index: quadratic (36 of 51 s of the province rebuild's server time).
    By doubling: ~7 times for a province, by the first worker (the follower of an import is one)."""
    if is_sqlite(engine):
        return False
    mark = batch
    while mark <= after:
        mark *= 2
    return mark <= upto


BUSY_ATTEMPTS = 10  # SQLite: each attempt waits the engine's busy timeout (60 s) for the write lock


@contextmanager
def _write_lock(engine: Engine) -> Iterator:
    """A writing transaction for a worker's window. On SQLite another worker (or a live writer) may
    hold the write lock longer than the busy timeout: taking it is tried again, up to `attempts`
    times, rather than stopping the replay (nothing was written yet; a window is one transaction)."""
    attempts = BUSY_ATTEMPTS
    for attempt in range(1, attempts + 1):
        conn = _writer(engine)
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


def _worker_process(url: str, plan: Plan, index: int, batch: int, on_batch: OnBatch | None) -> int:
    return run_worker(url, plan, index, batch, on_batch)


# ---- following a history import ------------------------------------------------------------------
def retarget(engine: Engine, plan: Plan, target: int) -> Plan:
    """The plan, rebuilding up to `target` now (a follower's: the log has grown)."""
    with _writer(engine) as conn, conn.begin():
        conn.execute(replays.update().where(replays.c.name == PLAN).values(target=target))
    return Plan(plan.workers, target, plan.bounds)


def follow(url: str, ticks, batch: int = BATCH, parent: int | None = None) -> None:
    """A replay that follows a history import into a store whose read model holds nothing, in its
    own process: a tick after each of the importer's transactions, None when it is done. It
    rebuilds the shadows by whole windows of `batch` log positions as the log grows (the windows a
    replay started afterwards would take: same tables, same figure chunks), and at the end up to
    the log's head; `replay(fresh=False)` then only swaps. Uses the importer's spare core: the
    validation workers wait on the writer. It dies with the importer (`parent`)."""
    die_with_parent(parent)
    engine = make_engine(url)
    log_store = EventStore(engine, migrate_schema=False)
    try:
        plan = start(engine, 1)
        while True:
            final = ticks.recv() is None
            head = log_store.head()
            target = head if final else head // batch * batch
            if target > plan.target:
                plan = retarget(engine, plan, target)
                run_worker(url, plan, 0, batch, engine=engine)
            if final:
                return
    finally:
        engine.dispose()


# ---- the tail and the swap ---------------------------------------------------------------------
def _apply_tail(conn, engine: Engine, after: int, batch: int, until: int | None = None) -> int:
    """Apply the events after `after` (up to `until`) to the shadows, checkpoint `replay:tail`."""
    position, names = after, figure_index.Labels(engine)
    while True:
        query = select(*_COLUMNS).where(events.c.position > position)
        if until is not None:
            query = query.where(events.c.position <= until)
        chunk = conn.execute(query.order_by(events.c.position).limit(batch)).all()
        if not chunk:
            return position
        _write(conn, engine, _rows(chunk), names)
        position = chunk[-1][0]
        save_checkpoint(conn, engine, TAIL, position)


def _next_name(index_name: str) -> str:
    return f"{index_name}_next"


def _drop_next_indexes(conn, engine: Engine) -> None:
    if is_sqlite(engine):
        return
    for live, _ in SHADOWS:
        for index in live.indexes:
            conn.execute(text(f'DROP INDEX IF EXISTS "{_next_name(index.name)}"'))


def _index_sql(index, table: str, name: str, dialect: str) -> str:
    columns = ", ".join(f'"{c.name}"' for c in index.columns)
    unique = "UNIQUE " if index.unique else ""
    where = index.dialect_options[dialect]["where"]
    partial = f" WHERE {where}" if where is not None else ""
    return f'CREATE {unique}INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns}){partial}'


def _build_next_indexes(engine: Engine, workers: int) -> None:
    """PostgreSQL: the live tables' indexes, built on the shadows under temporary names, `workers`
    at a time (each in its own connection; a crash leaves them for `start` to drop or the next
    call to skip)."""
    if is_sqlite(engine):
        return

    def build(statement: str) -> None:
        with engine.begin() as conn:
            conn.execute(text(statement))

    statements = [_index_sql(index, shadow.name, _next_name(index.name), "postgresql")
                  for live, shadow in SHADOWS for index in sorted(live.indexes, key=lambda i: i.name)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(build, statements))
    for _, shadow in SHADOWS:  # the planner's statistics of the rebuilt tables, before they are read
        build(f"ANALYZE {shadow.name}")


def swap(engine: Engine, batch: int = BATCH) -> int:
    """In one transaction: the last of the tail, then the shadows renamed over the live tables,
    fresh empty shadows, the embedded projector's checkpoint and the plan cleared. Returns the position."""
    sqlite = is_sqlite(engine)
    with _writer(engine) as conn, conn.begin():
        if not sqlite:  # the live projector waits for the swap, then goes on from the new checkpoint
            conn.execute(text("LOCK TABLE facts, project_regions, replays IN ACCESS EXCLUSIVE MODE"))
        done = conn.execute(select(checkpoints.c.position).where(checkpoints.c.name == TAIL)).scalar()
        plan_target = conn.execute(select(replays.c.target).where(replays.c.name == PLAN)).scalar_one()
        position = _apply_tail(conn, engine, max(done or 0, plan_target), batch)
        for name in SHADOW_ONLY_INDEXES:
            conn.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
        for live, shadow in SHADOWS:
            conn.execute(text(f'DROP TABLE "{live.name}"'))
            conn.execute(text(f'ALTER TABLE "{shadow.name}" RENAME TO "{live.name}"'))
            if sqlite:
                for index in live.indexes:
                    conn.execute(text(_index_sql(index, live.name, index.name, "sqlite")))
            else:
                conn.execute(text(f'ALTER INDEX "{shadow.name}_pkey" RENAME TO "{live.name}_pkey"'))
                for index in live.indexes:
                    conn.execute(text(f'ALTER INDEX "{_next_name(index.name)}" RENAME TO "{index.name}"'))
            shadow.create(conn)
        save_checkpoint(conn, engine, EMBEDDED, position)
        _forget_plan(conn)
        conn.execute(delete(checkpoints).where(checkpoints.c.name.like(COUNT + "%")))  # the model is new
        conn.execute(delete(parked_facts))  # and holds every fact: nothing is parked in it
        save_checkpoint(conn, engine, COUNT + "replay", conn.execute(select(func.count()).select_from(facts)).scalar_one())
    return position


# ---- the whole replay --------------------------------------------------------------------------
def replay(store: EventStore, *, workers: int | None = None, batch: int = BATCH, progress: bool = False,
           on_batch: OnBatch | None = None, fresh: bool = False, verify: bool = True) -> ReplayResult:
    """Rebuild every read model from the log; resumes an interrupted replay unless `fresh`. `verify`:
    check the log is what was appended (services/log/verify.py) and refuse it otherwise — in
    processes of its own while the shadows are rebuilt, its verdict awaited before the swap, so
    that a refused log changes nothing anyone reads (and its plan is dropped: never resumed)."""
    started = time.perf_counter()
    engine = store.engine
    with _verifying(store, verify) as verdict:
        plan = None if fresh else current_plan(engine)
        if plan is None:
            plan = start(engine, workers or default_workers(engine))
        names = [plan.checkpoint(i) for i in range(plan.workers)]
        before = _progress(engine, plan, names)
        bar = _bar(plan, before) if progress else None
        try:
            _run_workers(store, plan, batch, on_batch, bar, names)
        finally:
            if bar is not None:
                bar.close()
        with engine.begin() as conn:  # most of the tail outside the lock; the swap takes the rest
            done = conn.execute(select(checkpoints.c.position).where(checkpoints.c.name == TAIL)).scalar()
        with _writer(engine) as conn, conn.begin():
            _apply_tail(conn, engine, max(done or 0, plan.target), batch)
        verdict()
    _build_next_indexes(engine, plan.workers)
    position = swap(engine, batch)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(facts)).scalar_one()
    return ReplayResult(events=total, position=position, workers=plan.workers, resumed_from=before,
                        seconds=time.perf_counter() - started)


VERIFY_WORKERS = 2  # processes hashing the log beside a replay (reads: SQLite serves them side by side)


@contextmanager
def _verifying(store: EventStore, verify: bool) -> Iterator[Callable[[], None]]:
    """The log checked in the background (`verify_log` in a thread that waits on its hashing
    processes) while the block rebuilds; the block calls the verdict before it swaps. A tampered
    log raises TamperedLog — also when the rebuild failed meanwhile — with the plan dropped."""
    if not verify:
        yield lambda: None
        return
    from services.log.verify import TamperedLog, verify_log

    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay-verify")
    checking = background.submit(verify_log, store, VERIFY_WORKERS)

    def verdict() -> None:
        check = checking.result()
        if not check.sound:
            with _writer(store.engine) as conn, conn.begin():
                _forget_plan(conn)  # the next replay starts afresh
            raise TamperedLog("\n".join(check.lines() + ["replay refused: a read model rebuilt from this log would "
                                                          "show figures nobody reported"]))
    try:
        yield verdict
    except Exception:
        verdict()  # a tampered log is the news, whatever it made the rebuild do
        raise
    finally:
        background.shutdown(wait=True)


def _forget_plan(conn) -> None:
    """In the caller's transaction: no replay plan, no replay checkpoints."""
    conn.execute(delete(checkpoints).where(checkpoints.c.name.like("replay:%")))
    conn.execute(delete(replays).where(replays.c.name == PLAN))


def _run_workers(store: EventStore, plan: Plan, batch: int, on_batch: OnBatch | None, bar, names) -> None:
    engine = store.engine
    if plan.workers == 1:
        def hook(index, batches):
            _update(bar, engine, plan, names)
            if on_batch is not None:
                on_batch(index, batches)

        run_worker("", plan, 0, batch, hook, engine=engine)
        _update(bar, engine, plan, names)
        return
    url = engine.url.render_as_string(hide_password=False)
    with ProcessPoolExecutor(max_workers=plan.workers, mp_context=get_context("spawn"),
                             **pool_options()) as pool:
        futures = [pool.submit(_worker_process, url, plan, i, batch, on_batch) for i in range(plan.workers)]
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
            _update(bar, engine, plan, names)
            for future in finished:
                future.result()  # a worker's failure stops the replay; its checkpoint keeps its work


def _progress(engine: Engine, plan: Plan, names: list[str]) -> int:
    """Events already rebuilt, counted in the shadow (a resumed replay starts from there)."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(facts_shadow)).scalar_one()


def _bar(plan: Plan, before: int):
    from tqdm import tqdm

    return tqdm(total=plan.target, initial=0, unit="pos", unit_scale=True, desc="replay", leave=False)


def _update(bar, engine: Engine, plan: Plan, names: list[str]) -> None:
    """The bar shows the slowest-moving share's log position, averaged over the workers."""
    if bar is None:
        return
    reached = _checkpoints(engine, names)
    bar.n = sum(reached.values()) // max(1, plan.workers)
    bar.refresh()

"""`projfacts replay`: the read models rebuilt from the log by workers (`worker`) following a plan
(`plan`), while the log is checked, then swapped in (`swap`)."""
from __future__ import annotations

import os
import time
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Callable, Iterator

from sqlalchemy import Engine, func, select

from services.children import pool_options
from services.log.engine import is_sqlite
from services.log.store import EventStore
from services.readmodel.replay.plan import Plan, checkpoints_of, current_plan, forget_plan, start, writer
from services.readmodel.replay.shadows import build_next_indexes
from services.readmodel.replay.swap import apply_tail, swap, tail_done
from services.readmodel.replay.worker import BATCH, OnBatch, run_worker, worker_process
from services.readmodel.tables import facts, facts_shadow


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
    return 1 if is_sqlite(engine) else max(1, min(2, (os.cpu_count() or 1) // 2))


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
        done = tail_done(engine)  # most of the tail outside the lock; the swap takes the rest
        with writer(engine) as conn, conn.begin():
            apply_tail(conn, engine, max(done or 0, plan.target), batch)
        verdict()
    build_next_indexes(engine, plan.workers)
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
            with writer(store.engine) as conn, conn.begin():
                forget_plan(conn)  # the next replay starts afresh
            raise TamperedLog("\n".join(check.lines() + ["replay refused: a read model rebuilt from this log would "
                                                          "show figures nobody reported"]))
    try:
        yield verdict
    except Exception:
        verdict()  # a tampered log is the news, whatever it made the rebuild do
        raise
    finally:
        background.shutdown(wait=True)


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
        futures = [pool.submit(worker_process, url, plan, i, batch, on_batch) for i in range(plan.workers)]
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
    reached = checkpoints_of(engine, names)
    bar.n = sum(reached.values()) // max(1, plan.workers)
    bar.refresh()

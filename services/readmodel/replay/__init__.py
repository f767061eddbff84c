"""Replay: rebuild the read models (`facts`, `project_regions`, the figure columns) from the log,
then swap them in.

    log ─▶ N worker processes, each one share of the projects ─▶ facts_shadow, project_regions_shadow
        ─▶ tail: what was appended meanwhile ─▶ one transaction: rename the shadows over the live tables

    plan.py     how many workers, up to which position, their shares and checkpoints
    window.py   one window of the log rebuilt, mostly by the database (`INSERT … SELECT`)
    worker.py   a worker: its share window by window, written by a thread of its own
    follow.py   the worker that follows a history import
    shadows.py  the shadow tables and their indexes
    swap.py     the tail and the swap
    run.py      `replay()`: the whole of it, with the log checked beside it

The live tables keep serving reports until the swap. Each worker writes one window of log
positions and its checkpoint (`replay:i/N`) in one transaction, and the plan sits in `replays`;
so a replay killed at any point resumes where each worker stopped and ends with the same tables.
Facts stored at an older schema version, and the tail, go the incremental projector's way
(`readmodel.fact_row_of`, here `worker.rows_of`). Either way the rebuilt models equal the
incrementally maintained ones (tests/integration/test_replay.py).

Workers split the projects into N contiguous ranges of project ids with about as many events
each (the filter runs in SQL, so a worker reads only its own share). On SQLite the writers take
turns on one file and a second worker does not help, so the default there is 1; on PostgreSQL one
per two cores, up to two (`run.default_workers`). Within a worker a writer thread writes each
window while the worker reads and computes the next (`worker.WindowWriter`), and the log's check
(`verify_log`) runs beside the rebuild, awaited before the swap.
"""
from services.readmodel.replay.follow import follow
from services.readmodel.replay.plan import Plan, current_plan, start
from services.readmodel.replay.run import ReplayResult, default_workers, replay
from services.readmodel.replay.worker import BATCH, run_worker

__all__ = ["BATCH", "Plan", "ReplayResult", "current_plan", "default_workers", "follow", "replay", "run_worker",
           "start"]

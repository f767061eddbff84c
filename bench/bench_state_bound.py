"""What a province view could cost if each project's state were kept by the projector (issue 16.4).

    .venv/bin/python bench/bench_state_bound.py --db sqlite:///bench/data/province.sqlite
    .venv/bin/python bench/bench_state_bound.py --db URL --region 14 --as-of 2025-12-31T23:59:59+08:00 --runs 5

Not a feature: a bound, to decide on. Today a view folds the region's facts (bench_views.py); the
design proposed instead keeps each project's state, versioned by recorded time, and a view reads one
state per project. This bench builds that store in a scratch SQLite file, sized from the history
in `--db` — the region's projects, each with as many versions as it has distinct recorded times
among the facts 领导包联 reads, each version a real 领导包联 project row of that history (~the state
a view would evaluate) — and times the least a view could then do: fetch each project's state as of
`--as-of`, decode it, make one dict per project. Two layouts:

- **a version per change**: `(project_id, valid_from, valid_to, state)`, as of any recorded time;
- **snapshots**: one row per project at each month's end (`--months` of them) and now, as of those
  times only — any other time would fold the facts as today.

Beside them, in the same run, the 领导包联 view as it is answered today (from the facts). Results go
to their section of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

import orjson
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import write_section  # noqa: E402 (bench/, the script's own folder)
from projections.periods import LOCAL  # noqa: E402
from projections.views.reads import LEADERS  # noqa: E402
from services.log import EventStore  # noqa: E402
from services.log.store import to_micros  # noqa: E402
from services.query import views  # noqa: E402
from services.readmodel.tables import facts, project_regions  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- state-bound:begin -->", "<!-- state-bound:end -->"
DATA = ROOT / "bench" / "data"  # the scratch store goes in a directory of its own here, removed after
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-65536")


def versions_per_project(store: EventStore, region: str) -> dict[str, list[int]]:
    """project_id -> the distinct recorded times (µs, ascending) of its facts that 领导包联 reads."""
    in_region = select(project_regions.c.project_id).where(project_regions.c.region.like(f"{region}%"))
    query = (select(facts.c.project_id, facts.c.recorded_us).distinct()
             .where(facts.c.project_id.in_(in_region), facts.c.event_type.in_(sorted(LEADERS)))
             .order_by(facts.c.project_id, facts.c.recorded_us))
    found: dict[str, list[int]] = {}
    with store.engine.connect() as conn:
        for project_id, recorded_us in conn.execute(query):
            found.setdefault(project_id, []).append(recorded_us)
    return found


def real_states(store: EventStore, region: str, on: str, as_of: str) -> list[bytes]:
    """领导包联 project rows of one county of the history, as JSON: the states' contents."""
    with store.engine.connect() as conn:
        county = conn.execute(select(func.min(project_regions.c.region))
                              .where(project_regions.c.region.like(f"{region}%"))).scalar_one()
    view = views.leaders_for(store, views.make_view_query(county[:6], on, as_of))
    return [orjson.dumps(row) for leader in view["leaders"] for row in leader["projects"]]


def month_ends(first_us: int, last_us: int) -> list[int]:
    """Every month's last microsecond (Asia/Shanghai) from the month of `first_us` to that of `last_us`."""
    ends, day = [], datetime.fromtimestamp(first_us / 1e6, LOCAL).replace(day=1, hour=0, minute=0, second=0,
                                                                         microsecond=0)
    while to_micros(day) <= last_us:
        following = day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)
        ends.append(to_micros(following) - 1)
        day = following
    return ends


def build(path: Path, versions: dict[str, list[int]], states: list[bytes], snapshots: list[int]) -> None:
    conn = sqlite3.connect(path)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.execute("CREATE TABLE versions (project_id TEXT, valid_from INTEGER, valid_to INTEGER, state BLOB)")
    conn.execute("CREATE TABLE snapshots (snapshot INTEGER, project_id TEXT, state BLOB)")
    forever, n = 2 ** 62, 0
    for project_id, times in versions.items():
        rows = []
        for i, start in enumerate(times):
            rows.append((project_id, start, times[i + 1] if i + 1 < len(times) else forever, states[n % len(states)]))
            n += 1
        conn.executemany("INSERT INTO versions VALUES (?, ?, ?, ?)", rows)
    conn.execute("CREATE INDEX versions_by_project ON versions (project_id, valid_from)")
    for snapshot in snapshots:
        conn.executemany("INSERT INTO snapshots VALUES (?, ?, ?)",
                         [(snapshot, p, states[(snapshot + i) % len(states)]) for i, p in enumerate(versions)])
    conn.execute("CREATE INDEX snapshots_by_time ON snapshots (snapshot, project_id)")
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def read_versions(conn: sqlite3.Connection, as_of_us: int) -> int:
    rows = conn.execute("SELECT project_id, max(valid_from), state FROM versions WHERE valid_from <= ? "
                        "GROUP BY project_id", (as_of_us,)).fetchall()
    return len([{"project_id": p, **orjson.loads(state)} for p, _, state in rows])


def read_versions_by_seek(conn: sqlite3.Connection, projects: list[str], as_of_us: int) -> int:
    """The same, one index seek a project (its latest version by `as_of_us`)."""
    seek = "SELECT state FROM versions WHERE project_id = ? AND valid_from <= ? ORDER BY valid_from DESC LIMIT 1"
    found = []
    for project_id in projects:
        row = conn.execute(seek, (project_id, as_of_us)).fetchone()
        if row is not None:
            found.append({"project_id": project_id, **orjson.loads(row[0])})
    return len(found)


def read_snapshot(conn: sqlite3.Connection, snapshot: int) -> int:
    rows = conn.execute("SELECT project_id, state FROM snapshots WHERE snapshot = ? ORDER BY project_id",
                        (snapshot,)).fetchall()
    return len([{"project_id": p, **orjson.loads(state)} for p, state in rows])


def timed(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a store holding a province history")
    parser.add_argument("--region", default="14")
    parser.add_argument("--as-of", default="2025-12-31T23:59:59+08:00")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--months", type=int, default=36, help="month-end snapshots kept before --as-of")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    store = EventStore.reader(args.db)
    as_of_us, on = to_micros(datetime.fromisoformat(args.as_of)), args.as_of[:10]
    versions = versions_per_project(store, args.region)
    states = real_states(store, args.region, on, args.as_of)
    all_times = [t for times in versions.values() for t in times]
    snapshots = [t for t in month_ends(min(all_times), as_of_us) if t < as_of_us][-args.months:] + [as_of_us]
    DATA.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="state-scratch-", dir=DATA))
    try:
        build(scratch / "state.sqlite", versions, states, snapshots)
        size_mb = os.path.getsize(scratch / "state.sqlite") / 2 ** 20
        conn = sqlite3.connect(scratch / "state.sqlite")
        read_versions(conn, as_of_us), read_snapshot(conn, as_of_us)  # warm the page cache
        per_version = timed(lambda: read_versions(conn, as_of_us), args.runs)
        per_seek = timed(lambda: read_versions_by_seek(conn, sorted(versions), as_of_us), args.runs)
        per_snapshot = timed(lambda: read_snapshot(conn, as_of_us), args.runs)
        conn.close()
    finally:
        shutil.rmtree(scratch)
    query = views.make_view_query(args.region, on, args.as_of)
    today = timed(lambda: views.leaders_for(store, query), max(1, args.runs // 2))
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    n_versions = len(all_times)
    state_bytes = statistics.median(len(s) for s in states)
    lines = [BEGIN, "## A province view from kept per-project state: the bound (`bench/bench_state_bound.py`)\n",
             f"nproc {os.cpu_count()}, commit {git.stdout.strip() or '?'}, region {args.region}, as of {args.as_of}; "
             f"{len(versions):,} projects, {n_versions:,} versions (distinct recorded times of the facts 领导包联 "
             f"reads), states of a median {state_bytes:,.0f} bytes (real 领导包联 project rows), the scratch store "
             f"{size_mb:,.0f} MiB; medians of {args.runs} runs (today's view of {max(1, args.runs // 2)}), warm; "
             f"load average at end {load}.\n",
             "| read | seconds |", "|---|---:|",
             f"| a version per change, as of any time: each project's state fetched, decoded, one dict each | "
             f"{per_version:.3f} |",
             f"| the same, one index seek a project | {per_seek:.3f} |",
             f"| a snapshot at month ends and now ({len(snapshots)} snapshots): the same | {per_snapshot:.3f} |",
             f"| today: 领导包联 folded from the facts (`views.leaders_for`) | {today:.3f} |",
             "", "The first three are the least a view could cost with each project's state kept (no evaluation at "
             "`on`, no leaders grouped, nothing rendered).", END]
    write_section(args.results, "\n".join(lines), BEGIN, END)
    print("\n".join(lines[1:-1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Every view, ledger and the bulletin on a province history, as of several recorded times (issue 16.4).

    .venv/bin/python bench/bench_views.py --db sqlite:///bench/data/province.sqlite
    .venv/bin/python bench/bench_views.py --db URL --regions 14,1405,140522 --runs 3

The store must hold a history already (`python -m tools.history province OUT.jsonl` then
`projfacts --db URL import OUT.jsonl`). Each case is timed in this process, warm (the way
`projfacts serve` answers) — medians of --runs — and the slowest case is named. Results go to their
section of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import write_section  # noqa: E402 (bench/, the script's own folder)
from services.query import bulletin, desk, views  # noqa: E402
from services.log import EventStore  # noqa: E402
from services.query.figures import make_query  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- views:begin -->", "<!-- views:end -->"
GOAL_SECONDS = 1.0


def cases(store, region: str, as_of: str, on: str, period: str) -> dict[str, Callable[[], object]]:
    """Name → a call answering what the CLI/HTTP view of that name answers."""
    vq = views.make_view_query(region, on, as_of)
    dq = desk.make_desk_query(region, on=on, as_of=as_of)
    out: dict[str, Callable[[], object]] = {
        "stage": lambda: views.stage_for(store, vq),
        "stats-entry": lambda: views.stats_entry_for(store, vq),
        "leaders": lambda: views.leaders_for(store, vq),
        "problems": lambda: views.problems_for(store, vq),
        "starts": lambda: desk.starts_for(store, dq),
        "procedures": lambda: desk.procedures_for(store, dq),
        "procedures-weekly": lambda: desk.weekly_for(store, dq),
        "lagging": lambda: desk.lagging_for(store, dq),
        "coverage": lambda: desk.coverage_for(store, dq),
        "funding": lambda: desk.funding_for(store, dq),
        "lights (board)": lambda: desk.board_for(store, dq),
        "bulletin": lambda: bulletin.build(store, make_query(region, period, as_of)),
    }
    return out


LONG_SECONDS = 5.0  # a case this slow is timed once (a province's views): the table says so


def median_seconds(call: Callable[[], object], runs: int) -> tuple[float, int]:
    """(median seconds, runs made): `runs` runs, or one when the first takes LONG_SECONDS or more."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
        if times[0] >= LONG_SECONDS:
            break
    return statistics.median(times), len(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a store holding a province history")
    parser.add_argument("--regions", default="14,1405,140522")
    parser.add_argument("--as-of", default="2025-06-30T23:59:59+08:00,2025-12-31T23:59:59+08:00",
                        help="recorded times, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="comma-separated case names")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    store = EventStore.reader(args.db)  # read-only, as every read is
    head = store.head()
    rows = []
    for as_of in args.as_of.split(","):
        on = datetime.fromisoformat(as_of).date().isoformat()
        period = f"{on[:7]}"
        for region in args.regions.split(","):
            for name, call in cases(store, region, as_of, on, period).items():
                if args.only and name not in args.only.split(","):
                    continue
                seconds, made = median_seconds(call, args.runs)
                rows.append((name, region, as_of, seconds, made))
                print(f"{name:<18} {region:<7} {as_of}  {seconds:6.3f} s ({made} run{'s' if made > 1 else ''})",
                      flush=True)
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    slowest = max(rows, key=lambda r: r[3])
    over = [r for r in rows if r[3] >= GOAL_SECONDS]
    lines = [BEGIN, "## Views, ledgers and the bulletin on a province (`bench/bench_views.py`)\n",
             f"commit {git.stdout.strip() or '?'}, {head:,} events in the log, warm process, medians of "
             f"{args.runs} runs (one when the first takes {LONG_SECONDS:.0f} s or more), load average at end {load}.\n",
             "| view | region | as of | seconds | runs |", "|---|---|---|---:|---:|"]
    lines += [f"| {n} | {r} | {a} | {s:.3f} | {m} |" for n, r, a, s, m in rows]
    lines += ["", f"Slowest: {slowest[0]} for {slowest[1]} as of {slowest[2]}, {slowest[3]:.2f} s; "
                  f"{len(over)} of {len(rows)} cases at or over {GOAL_SECONDS:.0f} s.", END]
    write_section(args.results, "\n".join(lines), BEGIN, END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

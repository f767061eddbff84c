"""A decade of a province (issue 16.5): import, rebuild, reports and views as of several times, each
as the command a user runs (`projfacts …`, a whole process), with its wall time, CPU and peak memory.

    .venv/bin/python -m tools.history province bench/data/decade.jsonl --decade     # ≈ 20M events, 7 GB
    .venv/bin/python bench/bench_decade.py --file bench/data/decade.jsonl --db sqlite:///bench/data/decade.sqlite
    .venv/bin/python bench/bench_decade.py --db URL --steps reads                   # the reads only, again

Import (`projfacts import`, log and the embedded read model) and the full rebuild (`projfacts replay`)
run once each — an hour on the 2-core machine; each report and view --runs times (median). Peak
memory is the process's maximum resident set (`wait4`'s ru_maxrss). Results go to their section of
bench/RESULTS.md; the sizing in deploy/README.md is worked out from them.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import write_section  # noqa: E402 (bench/, the script's own folder)

RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- decade:begin -->", "<!-- decade:end -->"
PROJFACTS = str(Path(sys.executable).parent / "projfacts")  # the console script of this interpreter's venv

# (label, arguments): reports early, mid and late in the decade, for a county, a city and the province,
# as known at the period's end and as corrected since; then the views of the desk.
REPORTS = (
    ("report 140522 2017Q2, as of 2017-07-15", ["report", "--region", "140522", "--period", "2017Q2",
                                                 "--as-of", "2017-07-15"]),
    ("report 1405 2020, as of 2021-03-31", ["report", "--region", "1405", "--period", "2020",
                                            "--as-of", "2021-03-31"]),
    ("report 14 2020, as of 2025-12-31", ["report", "--region", "14", "--period", "2020", "--as-of", "2025-12-31"]),
    ("report 14 2025H1, as of 2025-07-20", ["report", "--region", "14", "--period", "2025H1",
                                            "--as-of", "2025-07-20"]),
    ("report 14 2025, as of 2025-12-31", ["report", "--region", "14", "--period", "2025", "--as-of", "2025-12-31"]),
)
VIEWS = ("stage", "stats-entry", "leaders", "problems", "starts", "procedures", "lagging", "coverage", "funding")
VIEW_CASES = tuple(
    (f"{view} {region}, on {on}", [view, "--region", region, "--on", on, "--as-of", on])
    for region, on in (("140522", "2018-06-30"), ("1405", "2025-06-30"), ("14", "2025-06-30")) for view in VIEWS)


def run(args: list[str], db: str) -> tuple[float, float, int]:
    """(wall s, CPU s, peak resident MiB) of one `projfacts` process; its output discarded (its
    stderr kept in a file, not a pipe: a full pipe would stall the process this waits for)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen([PROJFACTS, "--db", db, *args], stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"projfacts {' '.join(args)} failed ({process.returncode}): "
                             f"{errors.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


LONG_SECONDS = 5.0  # a read this slow is run once (a province's views): the table says so


def measured(label: str, args: list[str], db: str, runs: int) -> tuple[str, float, float, int, int]:
    results = [run(args, db)]
    while len(results) < runs and results[0][0] < LONG_SECONDS:
        results.append(run(args, db))
    runs = len(results)
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    peak = max(r[2] for r in results)
    print(f"{label:<48} {wall:8.2f} s wall {cpu:8.2f} s CPU {peak:6d} MiB ({runs} run{'s' if runs > 1 else ''})",
          flush=True)
    return label, wall, cpu, peak, runs


IMPORT, REPLAY = "import (`projfacts import`)", "full rebuild (`projfacts replay --fresh`)"
LABELS = [IMPORT, REPLAY] + [label for label, _ in REPORTS + VIEW_CASES]


def row_line(events: int, label: str, wall: float, cpu: float, peak: int, made: int) -> str:
    rate = f"{events / wall:,.0f}" if label in (IMPORT, REPLAY) else ""
    return f"| {label} | {wall:.2f} | {cpu:.2f} | {rate} | {peak:,} | {made} |"


def label_of(line: str) -> str:
    """The step of a table row `| step | …`."""
    return line.split(" | ")[0][2:]


def kept_rows(results: Path, measured_now: set[str]) -> list[str]:
    """The section's rows of the steps not measured in this run (a run of one step keeps the others')."""
    text = results.read_text() if results.exists() else ""
    if BEGIN not in text:
        return []
    section = text.split(BEGIN, 1)[1].split(END, 1)[0]
    return [line for line in section.splitlines()
            if line.startswith("| ") and label_of(line) in LABELS and label_of(line) not in measured_now]


def order(line: str) -> int:
    return LABELS.index(label_of(line))


def events_in(db: str) -> int:
    from services.log import EventStore

    store = EventStore.reader(db)
    try:
        return store.head()
    finally:
        store.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of the store (a new one for the import step)")
    parser.add_argument("--file", type=Path, help="the decade's .jsonl (python -m tools.history province OUT --decade)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each report and view (median; default 3)")
    parser.add_argument("--steps", default="import,replay,reads",
                        help="which of import, replay, reads (default all; the section keeps the other steps' rows)")
    parser.add_argument("--only", help="comma-separated label prefixes of the reads to run (e.g. 'report,stage 14')")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    steps = set(args.steps.split(","))
    rows = []
    if "import" in steps:
        if args.file is None:
            parser.error("--file is needed for the import step")
        rows.append(measured(IMPORT, ["import", str(args.file)], args.db, 1))
    events = events_in(args.db)
    if "replay" in steps:
        rows.append(measured(REPLAY, ["replay", "--fresh"], args.db, 1))
    for label, command in (REPORTS + VIEW_CASES) if "reads" in steps else ():
        if args.only and not any(label.startswith(p) for p in args.only.split(",")):
            continue
        rows.append(measured(label, [*command, "--format", "json"], args.db, args.runs))
    rows = kept_rows(args.results, {r[0] for r in rows}) + [row_line(events, *r) for r in rows]
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [BEGIN, "## A decade of a province (`bench/bench_decade.py`)\n",
             f"commit {git.stdout.strip() or '?'}, {events:,} events in the log ({args.db.split('://')[0]}), "
             f"every step a whole `projfacts` process (interpreter start included); reads: median of "
             f"{args.runs} runs (one when the first takes {LONG_SECONDS:.0f} s or more) as of the date given, peak memory the largest of them; load average at end {load}.\n",
             "| step | wall s | CPU s | events/s | peak memory MiB | runs |", "|---|---:|---:|---:|---:|---:|"]
    lines += sorted(rows, key=order) + [END]
    write_section(args.results, "\n".join(lines), BEGIN, END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

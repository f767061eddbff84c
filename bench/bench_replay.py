"""Benchmark replay and as-of reports on the province history, side by side in one run.

    .venv/bin/python bench/bench_replay.py                       # 35,000 projects (≈ 2.2M events), 3 runs
    .venv/bin/python bench/bench_replay.py --projects 2000 --runs 1 --backends sqlite

On the same events, per backend: the history import; the live (incremental) projector; the raw
read-and-decode rate of the store (the limit), read lean through the driver and through
`EventStore.read`; the full rebuild (`projfacts replay`, 1 and 2 workers); reports as of random
past times (county, city, province). On PostgreSQL also the `eventsourcing` library projecting
the same events into an equivalent read model, its view in PostgreSQL and in memory (bench/bench_es.py;
`pip install -e .[bench]`). Medians of `--runs`. Results are printed and written to their own
section of bench/RESULTS.md (between the `replay` markers; the rest of the file is left alone).
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from gen_province import province_file  # noqa: E402
from results import write_section  # noqa: E402
from services.bus.inprocess import catch_up  # noqa: E402
from services.entry.bootstrap import Settings, open_writer  # noqa: E402
from services.ingest.accept import Acceptor  # noqa: E402
from services.ingest.importer import import_file  # noqa: E402
from services.log import EventStore  # noqa: E402
from services.log.verify import verify_log  # noqa: E402
from services.query.figures import make_query, report_for  # noqa: E402
from services.readmodel import columns as figure_index  # noqa: E402
from services.readmodel.replay import replay  # noqa: E402

OUT = ROOT / "bench" / "data" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- replay:begin -->", "<!-- replay:end -->"
PG_DSN = os.environ.get("PROJFACTS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_replay"
ES_SCHEMA = "bench_es"
TZ = timezone(timedelta(hours=8))


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def median(values):
    return statistics.median(values)


# ---- stores -------------------------------------------------------------------------------------
def pg_admin():
    return psycopg.connect(PG_DSN, autocommit=True)


def fresh_store(backend: str, projects: int) -> str:
    if backend == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"replay-{projects}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    with pg_admin() as admin:
        admin.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
        admin.execute(f'CREATE SCHEMA "{SCHEMA}"')
    base = PG_DSN.split("://", 1)[1]
    return f"postgresql+psycopg://{base}?options=-csearch_path%3D{SCHEMA}"


def lean_read(store: EventStore) -> int:
    """The limit: every event's columns through the driver, payload decoded, nothing kept."""
    count, loads = 0, orjson.loads
    with store.engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        if store.engine.dialect.name == "postgresql":
            cursor = conn.connection.driver_connection.cursor(name="bench_lean_read")
            cursor.itersize = 20000
        cursor.execute("SELECT position, event_id, event_type, schema_version, project_id, occurred_on, "
                       "recorded_us, department, payload FROM events ORDER BY position")
        while True:
            rows = cursor.fetchmany(20000)
            if not rows:
                break
            for row in rows:
                loads(row[8])
            count += len(rows)
    return count


def report_cases(seed: int, count: int) -> list[tuple[str, str, str]]:
    """(region, period, as-of) at random: a county, a city, the province; a past period of the
    history and a recorded time after its end."""
    rng = random.Random(seed)
    scopes = ["140522", "1405", "14"]
    periods = ["2024Q1", "2024H1", "2024Q3", "2024", "2025Q1", "2025H1", "2025-05", "2024-10"]
    cases = []
    for i in range(count):
        period = rng.choice(periods)
        query = make_query("14", period)
        end = datetime.combine(query.period.through, datetime.min.time(), TZ)
        as_of = end + timedelta(days=rng.randint(5, 200), seconds=rng.randint(0, 86399))
        cases.append((scopes[i % len(scopes)], period, as_of.isoformat()))
    return cases


# ---- one backend --------------------------------------------------------------------------------
def bench_backend(backend: str, path: Path, args) -> dict:
    url = fresh_store(backend, args.projects)
    store = EventStore(url)
    out: dict = {"backend": backend}
    appending = Acceptor(store)  # the log only: the projectors are measured one by one below
    seconds, summary = timed(lambda: import_file(path, appending, lambda n, e: None))
    out["events"] = store.count()
    out["import"] = (seconds, summary.appended)
    print(f"[{backend}] import {summary.line()} in {seconds:.1f} s", flush=True)
    seconds, done = timed(lambda: catch_up(store, batch=20000))
    out["incremental"] = (seconds, done)
    print(f"[{backend}] live projector {done} in {seconds:.1f} s", flush=True)
    runs = range(args.runs)
    out["lean"] = [timed(lambda: lean_read(store))[0] for _ in runs]
    out["store_read"] = [timed(lambda: sum(1 for _ in store.read(batch=20000)))[0] for _ in runs]
    print(f"[{backend}] read {median(out['lean']):.1f} s lean, {median(out['store_read']):.1f} s EventStore.read",
          flush=True)
    out["verify"] = [timed(lambda: verify_log(store, workers=max(args.workers)))[0] for _ in runs]
    print(f"[{backend}] verify-log {median(out['verify']):.1f} s ({max(args.workers)} workers)", flush=True)
    for workers in args.workers:
        key = f"rebuild_{workers}"
        out[key] = []
        for _ in runs:
            result = replay(store, workers=workers, fresh=True, verify=False)  # verify-log is measured above
            out[key].append(result.seconds)
            print(f"[{backend}] {result.line()}", flush=True)
    cases = report_cases(args.seed, args.reports)
    out["reports"] = {}
    for region, period, as_of in cases:
        query = make_query(region, period, as_of)
        cold = []
        for _ in runs:  # as a fresh process (the CLI) finds it: the figure columns read from the database
            figure_index.forget()
            cold.append(timed(lambda: report_for(store, query))[0])
        warm = [timed(lambda: report_for(store, query))[0] for _ in runs]  # as `projfacts serve` finds it
        out["reports"][(region, period, as_of)] = (cold, warm)
        print(f"[{backend}] report {region} {period} as of {as_of}: {median(cold):.2f} s cold, "
              f"{median(warm):.2f} s warm", flush=True)
    if backend == "postgresql" and not args.no_eventsourcing:
        out["eventsourcing"] = bench_eventsourcing(store, args)
    store.engine.dispose()
    return out


def bench_eventsourcing(store: EventStore, args) -> dict:
    from bench_es import copy_events, pg_env, project

    with pg_admin() as admin:
        admin.execute(f'DROP SCHEMA IF EXISTS "{ES_SCHEMA}" CASCADE')
        admin.execute(f'CREATE SCHEMA "{ES_SCHEMA}"')
    dbname = PG_DSN.rsplit("/", 1)[1]
    env = pg_env(dbname, ES_SCHEMA)
    total = max(args.es_memory_events, args.es_postgres_events)
    rows = ((e.project_seq, e.to_json()) for e in store.read(until=total, batch=20000))
    seconds, copied = timed(lambda: copy_events(rows, env))
    print(f"[eventsourcing] copied {copied} events in {seconds:.1f} s", flush=True)
    out = {"memory": [], "postgres": [], "memory_events": min(copied, args.es_memory_events),
           "postgres_events": min(copied, args.es_postgres_events)}
    for _ in range(args.runs):
        _drop_views()
        out["memory"].append(project(env, "memory", out["memory_events"]))
        print(f"[eventsourcing] in-memory view: {out['memory_events'] / out['memory'][-1]:,.0f} events/s", flush=True)
    for _ in range(args.runs):
        _drop_views()
        out["postgres"].append(_project_prefix(env, out["postgres_events"]))
        print(f"[eventsourcing] PostgreSQL view: {out['postgres_events'] / out['postgres'][-1]:,.0f} events/s",
              flush=True)
    return out


def _drop_views() -> None:
    with pg_admin() as admin:
        admin.execute(f'DROP TABLE IF EXISTS "{ES_SCHEMA}".es_facts')
        admin.execute(f'DROP TABLE IF EXISTS "{ES_SCHEMA}".es_facts_tracking')  # the view's tracking records


def _project_prefix(env: dict, events: int) -> float:
    from bench_es import project

    return project(env, "postgres", events)


# ---- the report ---------------------------------------------------------------------------------
def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    except OSError:
        commit, dirty = "unknown", ""
    with pg_admin() as admin:
        pg = admin.execute("SHOW server_version").fetchone()[0]
    load = os.getloadavg()
    return (f"{os.cpu_count()} × {cpu}, {memory} GiB; Python {platform.python_version()}, SQLite "
            f"{sqlite3.sqlite_version}, PostgreSQL {pg}; commit {commit}{' + uncommitted changes' if dirty else ''}; "
            f"load average at start {load[0]:.1f} (a shared machine: other work was running)")


def rate(events: int, seconds: float) -> str:
    return f"{events / seconds:,.0f}"


def markdown(results: list[dict], args, started: str, info: str) -> str:
    lines = [BEGIN, "## Replay, as-of reports and `eventsourcing` (bench/bench_replay.py)", "",
             f"Run {started}: {info}.", "",
             f"History: `tools.history.province(seed {args.seed}, projects {args.projects})` "
             f"— {results[0]['events']:,} events in the log. Medians of {args.runs} runs unless marked *1 run*.",
             "", "| backend | step | seconds | events/s | vs raw read+decode |", "|---|---|---:|---:|---:|"]
    for r in results:
        n, b = r["events"], r["backend"]
        lean = median(r["lean"])
        rows = [("import (`projfacts import`), 1 run", r["import"][0]),
                ("live projector from empty (`catch_up`), 1 run", r["incremental"][0]),
                ("raw read+decode, lean (driver cursor + orjson) — the limit", lean),
                ("read through `EventStore.read` (StoredEvent)", median(r["store_read"]))]
        rows += [(f"full rebuild `projfacts replay --workers {w}`", median(r[f"rebuild_{w}"])) for w in args.workers]
        for step, seconds in rows:
            lines.append(f"| {b} | {step} | {seconds:.1f} | {rate(n, seconds)} | {lean / seconds:.0%} |")
        es = r.get("eventsourcing")
        if es:
            for view in ("memory", "postgres"):
                events, seconds = es[f"{view}_events"], median(es[view])
                where = "in memory (POPOTrackingRecorder)" if view == "memory" else "PostgreSQL (PostgresTrackingRecorder)"
                lines.append(f"| {b} | `eventsourcing` ProjectionRunner, view {where}, first {events:,} events "
                             f"| {seconds:.1f} | {rate(events, seconds)} | {(events / seconds) / (n / lean):.0%} |")
    es = next((r["eventsourcing"] for r in results if r.get("eventsourcing")), None)
    if es:
        es_rate = es["memory_events"] / median(es["memory"])
        best = ", ".join(f"{r['backend']} {r['events'] / min(median(r[f'rebuild_{w}']) for w in args.workers) / es_rate:.1f}×"
                         for r in results)
        lines += ["", f"Full rebuild (the faster worker count) ÷ `eventsourcing` with its view in memory: {best}."]
    lines += ["", "What bounds the rebuild, and what was tried: bench/README_REPLAY.md."]
    lines += ["", "As-of reports (`report_for`, catch-up included), medians. *Cold*: the figure columns read "
              "from the database first (as a fresh `projfacts report` process does); *warm*: already read by "
              "this process (as `projfacts serve` has them after its first request).", "",
              "| backend | region | period | as of | cold s | warm s |", "|---|---|---|---|---:|---:|"]
    for r in results:
        for (region, period, as_of), (cold, warm) in r["reports"].items():
            lines.append(f"| {r['backend']} | {region} | {period} | {as_of[:19]} | {median(cold):.2f} "
                         f"| {median(warm):.2f} |")
    lines += ["", END]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=35000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--reports", type=int, default=6)
    parser.add_argument("--es-memory-events", type=int, default=200000)
    parser.add_argument("--es-postgres-events", type=int, default=20000)
    parser.add_argument("--no-eventsourcing", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    args.workers = [int(w) for w in args.workers.split(",")]
    if "postgresql" in args.backends and not args.no_eventsourcing:
        try:  # fail now, not after twenty minutes of the other measurements
            import bench_es  # noqa: F401
        except ImportError as missing:
            parser.error(f"{missing}: pip install -e .[bench], or pass --no-eventsourcing")
    started = datetime.now(TZ).strftime("%Y-%m-%d %H:%M %z")
    info = machine()
    path = province_file(args.projects, args.seed)
    results = [bench_backend(b, path, args) for b in args.backends.split(",")]
    section = markdown(results, args, started, info)
    print(section)
    if not args.no_write:
        write_section(RESULTS, section, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())

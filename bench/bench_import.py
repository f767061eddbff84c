"""Benchmark `projfacts import` against a raw insert of the same file (see bench/README.md).

    .venv/bin/python bench/bench_import.py                 # 1,000,000 events, 3 runs, both backends
    .venv/bin/python bench/bench_import.py --events 100000 --runs 1 --backends sqlite
    .venv/bin/python bench/bench_import.py --events 240000 --encodings utf-8,ascii   # also as json.dumps escapes it

The events file is generated once into bench/data/ (git-ignored) and reused. Results are printed
and written to their section of bench/RESULTS.md (other benchmarks keep theirs).
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import orjson
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import write_section  # noqa: E402 (bench/, the script's own folder)
from services.ingest.accept import Acceptor  # noqa: E402
from services.ingest.importer import import_file  # noqa: E402
from services.log import EventStore  # noqa: E402

DATA = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "data" / "import-scratch"
CHUNK_LINES = 5000  # lines per transaction of the baseline
RESULTS = ROOT / "bench" / "RESULTS.md"  # this benchmark's section, between BEGIN and END
BEGIN, END = "<!-- import:begin -->", "<!-- import:end -->"
PG_DSN = os.environ.get("PROJFACTS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")

# ---- the events file ------------------------------------------------------------------------------
def events_file(count: int) -> Path:
    """Shanxi province history from `tools.history.province`, the first `count` events; made once."""
    from tools.history import province, write_jsonl

    path = DATA / f"province-events-{count}.jsonl"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        written = write_jsonl(province(), partial, limit=count)
        partial.rename(path)
        print(f"generated {path.name}: {written:,} events, {path.stat().st_size / 2**20:.0f} MiB, "
              f"in {time.perf_counter() - started:.1f}s", flush=True)
    return path


def escaped_file(path: Path) -> Path:
    """The same events as Python's `json.dumps` writes them by default (every character outside
    ASCII as a `\\uXXXX` escape) — the way a history exported by another system may come; made once."""
    import json

    out = path.with_name(path.stem + "-ascii.jsonl")
    if not out.exists():
        partial = out.with_suffix(".partial")
        with path.open(encoding="utf-8") as lines, partial.open("w", encoding="ascii") as written:
            for line in lines:
                written.write(json.dumps(json.loads(line)) + "\n")
        partial.rename(out)
    return out


# ---- fresh stores ------------------------------------------------------------------------------------
@contextmanager
def fresh_sqlite() -> Iterator[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        yield Path(tmp) / "store.sqlite"


@contextmanager
def fresh_pg_schema() -> Iterator[tuple[str, str]]:
    """(psycopg conninfo, SQLAlchemy URL) of a new schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            options = f"options=-csearch_path%3D{schema}"
            yield f"{PG_DSN}?{options}", f"postgresql+psycopg://{PG_DSN.split('://', 1)[1]}?{options}"
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def chunks(path: Path) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    """(lines read, [(event_id, line)]) per CHUNK_LINES lines, parsed with orjson.

    The history resends some events (same event_id): the raw baseline keeps the first of each id,
    so that a UNIQUE column (and COPY) can take the rows; every line read counts in its rate.
    """
    chunk, read, seen = [], 0, set()
    with open(path, "rb") as stream:
        for line in stream:
            if not line.strip():
                continue
            read += 1
            event_id = orjson.loads(line)["event_id"]
            if event_id not in seen:
                seen.add(event_id)
                chunk.append((event_id, line.decode().rstrip("\n")))
            if read == CHUNK_LINES:
                yield read, chunk
                chunk, read = [], 0
    if read:
        yield read, chunk


# ---- the measurements ---------------------------------------------------------------------------------
def baseline_sqlite(path: Path) -> int:
    with fresh_sqlite() as db:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE raw (event_id TEXT UNIQUE, body TEXT)")
        rows = 0
        for read, chunk in chunks(path):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO raw (event_id, body) VALUES (?, ?)", chunk)
            conn.execute("COMMIT")
            rows += read
        conn.close()
        return rows


def baseline_postgres(path: Path) -> int:
    with fresh_pg_schema() as (conninfo, _url), psycopg.connect(conninfo) as conn:
        conn.execute("CREATE TABLE raw (event_id TEXT UNIQUE, body TEXT)")
        conn.commit()
        rows = 0
        for read, chunk in chunks(path):
            with conn.cursor() as cursor, cursor.copy("COPY raw (event_id, body) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row(row)
            conn.commit()
            rows += read
        return rows


def _ours(url: str, path: Path) -> int:
    store = EventStore(url)
    try:
        summary = import_file(path, Acceptor(store), lambda number, error: None)  # the log only
        print(f"    {summary.line()}", flush=True)
        return summary.appended + summary.duplicates + summary.rejected
    finally:
        store.engine.dispose()


def ours_sqlite(path: Path) -> int:
    with fresh_sqlite() as db:
        return _ours(f"sqlite:///{db}", path)


def ours_postgres(path: Path) -> int:
    with fresh_pg_schema() as (_conninfo, url):
        return _ours(url, path)


def _cli(url: str, path: Path) -> int:
    cli = Path(sys.executable).with_name("projfacts")
    done = subprocess.run([str(cli), "import", str(path), "--db", url], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    assert done.returncode in (0, 1) and done.stdout.startswith("appended"), done.stderr[-2000:]
    print(f"    {done.stdout.strip()}", flush=True)
    return sum(int(word.rstrip(",")) for word in done.stdout.split()[1::2])


def cli_sqlite(path: Path) -> int:
    with fresh_sqlite() as db:
        return _cli(f"sqlite:///{db}", path)


def cli_postgres(path: Path) -> int:
    with fresh_pg_schema() as (_conninfo, url):
        return _cli(url, path)


def timed(name: str, run: Callable[[Path], int], path: Path, number: int) -> float:
    """Events (lines) per second of one run."""
    started = time.perf_counter()
    rows = run(path)
    seconds = time.perf_counter() - started
    print(f"  {name:<22} run {number}: {rows} events in {seconds:7.1f}s = {rows / seconds:9,.0f} events/s", flush=True)
    return rows / seconds


def measure(backend: str, path: Path, runs: int, cli: bool) -> tuple[float, float, float | None]:
    """Median events/s of the baseline, of import_file and of the whole `projfacts import`, runs
    interleaved (the machine's load drifts; interleaving lets it weigh on all alike)."""
    baseline, ours, console = SUITES[backend]
    base_rates, our_rates, cli_rates = [], [], []
    for number in range(1, runs + 1):
        base_rates.append(timed(f"baseline {backend}", baseline, path, number))
        our_rates.append(timed(f"import_file {backend}", ours, path, number))
        if cli:
            cli_rates.append(timed(f"projfacts import {backend}", console, path, number))
    cli_rate = statistics.median(cli_rates) if cli_rates else None
    return statistics.median(base_rates), statistics.median(our_rates), cli_rate


SUITES = {"sqlite": (baseline_sqlite, ours_sqlite, cli_sqlite),
          "postgres": (baseline_postgres, ours_postgres, cli_postgres)}


def machine(load_at_start: str) -> str:
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    commit = git.stdout.strip()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"nproc {os.cpu_count()}, commit {commit or '?'}, Python {sys.version.split()[0]}, "
            f"SQLite {sqlite3.sqlite_version}, load average at start {load_at_start} / at end {load}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--no-cli", action="store_true", help="skip the timed CLI runs")
    parser.add_argument("--encodings", default="utf-8",
                        help="utf-8 (the generator's lines), ascii (the same as json.dumps escapes them), or both")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_at_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    path = events_file(args.events)
    files = {"utf-8": path, "ascii": escaped_file(path) if "ascii" in args.encodings.split(",") else None}
    rows = []
    for backend in args.backends.split(","):
        for encoding in args.encodings.split(","):
            name = backend if encoding == "utf-8" else f"{backend}, \\uXXXX escapes"
            print(f"{name}:", flush=True)
            base_rate, our_rate, cli_rate = measure(backend, files[encoding], args.runs, not args.no_cli)
            rows.append((name, base_rate, our_rate, cli_rate))
            whole = f", projfacts import {cli_rate:,.0f}/s, ratio {cli_rate / base_rate:.3f}" if cli_rate else ""
            print(f"  => baseline {base_rate:,.0f}/s, ours {our_rate:,.0f}/s, ratio {our_rate / base_rate:.3f}{whole}",
                  flush=True)
    size = path.stat().st_size / 2**20
    report = [BEGIN, "## Import (`bench/bench_import.py`)\n",
              f"{machine(load_at_start)}; {args.events:,} events ({size:.0f} MiB), medians of {args.runs} runs, "
              f"interleaved. Produced by `bench/bench_import.py`; see bench/README.md.\n",
              "| backend | baseline events/s | import_file events/s | ratio | `projfacts import` events/s (whole process) "
              "| ratio |",
              "|---|---:|---:|---:|---:|---:|"]
    for backend, base_rate, our_rate, cli_rate in rows:
        cli_text = f"{cli_rate:,.0f} | {cli_rate / base_rate:.3f}" if cli_rate else "– | –"
        report.append(f"| {backend} | {base_rate:,.0f} | {our_rate:,.0f} | {our_rate / base_rate:.3f} | {cli_text} |")
    report.append(END)
    write_section(args.results, "\n".join(report), BEGIN, END)
    print("\n".join(report))


if __name__ == "__main__":
    main()

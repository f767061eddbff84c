"""Freshness on the Kafka path: publish → visible in a report, under a sustained rate (issue 16 item 3).

    .venv/bin/python bench/bench_freshness.py                          # 1,000 events/s for 5 minutes, SQLite
    .venv/bin/python bench/bench_freshness.py --rate 200 --seconds 5 --json   # a smoke run

The whole path runs as processes (`projfacts ingest`, `relay`, one batch `worker`, on a tansu broker
it starts; bench_kafka.whole_path). The department producers send the province history paced at
--rate events/s: each due event goes out as soon as its tick comes (a tick every 10 ms), and its
publish time is taken just before `publish` (validate, Avro, send). A poller (a process of its own)
reads the read model every 20 ms and notes when each fact first appears in `facts` — the worker writes a fact, its
figure columns and its offsets in one transaction, so a fact there is a fact a report counts. The
freshness of an event is (first seen) − (published): the poll adds up to 20 ms. A resent event
(the history has ~0.3 % duplicates) counts from its first send. Results go to bench/RESULTS_KAFKA.md.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_kafka import OUT, RESULTS, events_file, whole_path  # noqa: E402 (bench/, the script's own folder)
from results import write_section  # noqa: E402

BEGIN, END = "<!-- freshness:begin -->", "<!-- freshness:end -->"
TICK, POLL = 0.010, 0.020


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


def watch(url: str, stop, out) -> None:
    """In a process of its own (so that polling never takes the producer's GIL): the moment each
    event id first shows in `facts`, put on `out` as one dict once `stop` is set. Workers commit
    partitions in any order, so a poll reads every fact above the highest position below which
    all have been seen (log positions are dense), not above the highest seen."""
    from sqlalchemy import select

    from services.log.engine import make_engine
    from services.readmodel.tables import facts

    engine = make_engine(url, read_only=True)
    at, after, positions = {}, 0, set()
    while True:
        last = stop.is_set()  # one more poll after the stop: nothing committed before it is missed
        with engine.connect() as conn:
            rows = conn.execute(select(facts.c.position, facts.c.event_id).where(facts.c.position > after)
                                .order_by(facts.c.position)).all()
        now = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process of the machine
        for position, event_id in rows:
            at.setdefault(event_id, now)
            positions.add(position)
        while after + 1 in positions:
            positions.discard(after + 1)
            after += 1
        if last:
            break
        stop.wait(POLL)
    engine.dispose()
    out.put(at)


def measure(bootstrap: str, path: Path, backend: str, rate: int, seconds: int) -> dict:
    import orjson

    from services.bus.producer import DepartmentProducer

    lines = [line for line in path.read_bytes().splitlines() if line.strip()][: rate * seconds]
    objs = [orjson.loads(line) for line in lines]
    published: dict[str, float | None] = {}
    spawn = multiprocessing.get_context("spawn")
    with whole_path(bootstrap, backend, prefix="fresh") as (config, store, counts, wait, _var):
        stop, out = spawn.Event(), spawn.Queue()
        watcher = spawn.Process(target=watch, args=(store.engine.url.render_as_string(hide_password=False), stop, out),
                                daemon=True)
        with DepartmentProducer(config) as producer:
            producer.publish(objs[0])  # warm-up through the whole path (a resend of it later is not timed)
            published[objs[0]["event_id"]] = None
            producer.flush()
            wait(lambda: counts() == (1, 1), "warm-up")
            watcher.start()
            started = time.monotonic()
            sent, late = 1, 0.0
            while sent < len(objs):
                due = min(len(objs), 1 + int((time.monotonic() - started) * rate))
                late = max(late, (due - sent) / rate)  # how far the producer itself fell behind its pace
                while sent < due:
                    obj = objs[sent]
                    published.setdefault(obj["event_id"], time.monotonic())
                    producer.publish(obj)
                    sent += 1
                time.sleep(TICK)
            paced = time.monotonic() - started
        wait(lambda: counts()[1] >= len(published), "every published event projected")
        stop.set()
        seen = out.get(timeout=600)
        watcher.join()
    latencies = sorted(seen[event_id] - at for event_id, at in published.items() if at is not None)
    return {"backend": backend, "rate": rate, "seconds": seconds, "events": len(latencies),
            "achieved_rate": round((sent - 1) / paced), "producer_behind_max_s": round(late, 3),
            "p50_s": round(percentile(latencies, 50), 3), "p90_s": round(percentile(latencies, 90), 3),
            "p99_s": round(percentile(latencies, 99), 3), "max_s": round(latencies[-1], 3),
            "mean_s": round(statistics.fmean(latencies), 3)}


def main() -> None:
    from services.bus import broker as tansu

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=1000, help="events per second (default 1000)")
    parser.add_argument("--seconds", type=int, default=300, help="how long (default 300: five minutes)")
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--json", action="store_true", help="print the results as JSON, write no results file")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_at_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    path = events_file(max(args.rate * args.seconds, 30_000))
    OUT.mkdir(parents=True, exist_ok=True)
    broker = tansu.start(log_path=OUT / "tansu-freshness.log", tied=True)
    try:
        results = [measure(broker.bootstrap, path, backend, args.rate, args.seconds)
                   for backend in args.backends.split(",")]
    finally:
        tansu.stop_pid(broker.pid)
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        print(r)
    write_results(args.results, results, load_at_start)


def write_results(path: Path, results: list[dict], load_at_start: str) -> None:
    from bench_kafka import machine

    rows = "\n".join(f"| {r['backend']} | {r['rate']:,} ({r['achieved_rate']:,} sent) | {r['seconds']} | "
                     f"{r['events']:,} | {r['p50_s']:.3f} | {r['p90_s']:.3f} | {r['p99_s']:.3f} | {r['max_s']:.3f} |"
                     for r in results)
    met = all(r["p99_s"] < 2 for r in results)
    section = (f"{BEGIN}\n## Freshness: publish → visible in a report (`bench/bench_freshness.py`)\n\n"
               f"{machine(load_at_start)}. One batch worker, the ingest and the relay as processes on tansu; "
               f"seconds from just before `publish` to the fact's first sight in the read model (polled every "
               f"{POLL * 1000:.0f} ms).\n\n"
               f"| backend | events/s asked | seconds | events | p50 s | p90 s | p99 s | max s |\n"
               f"|---|---:|---:|---:|---:|---:|---:|---:|\n{rows}\n\n"
               f"Goal p99 < 2 s: {'met' if met else 'not met'}.\n{END}")
    write_section(path, section, BEGIN, END)


if __name__ == "__main__":
    main()

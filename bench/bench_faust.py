"""faust's own cost per record, against the plain engine, on the same records (issue 16 item 3).

    .venv/bin/python bench/bench_faust.py                          # 60,000 records, 3 runs
    .venv/bin/python bench/bench_faust.py --records 5000 --runs 1 --results /tmp/f.md   # a smoke run

Starts its own tansu broker, writes `--records` records shaped like the facts topic's (Avro-sized
values, the relay's headers, 6 partitions), then reads them all, each reader in its own process
and a new consumer group, timed from its first record to its last (start-up and the group's join
left out: from the partitions' assignment), with no projection at all, so that only the engines' own work is timed:

- raw: kafka-python, no group, no decoding (the ratio's denominator, as in bench_kafka.py);
- batch engine: `services.bus.worker_batch.run` with a projector that only counts — the default
  engine's consumer, batches, linger and executor hop;
- faust engine: `services.bus.worker_faust.make_app` with the same counting projector — the faust
  app, its `take_events` batches and the same executor hop;
- faust, empty agent: an agent that iterates the stream record by record and does nothing.

Then one more faust-engine run under cProfile (the child's event loop from its first record): the
functions with the most time of their own, written beside the rates in bench/RESULTS_KAFKA.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import write_section  # noqa: E402 (bench/, the script's own folder)

RESULTS = ROOT / "bench" / "RESULTS_KAFKA.md"
BEGIN, END = "<!-- faust:begin -->", "<!-- faust:end -->"
PARTITIONS = 6
VALUE_BYTES = 420  # a facts record's Avro body, framed, for a province's typical event
HEADERS = [("projfacts.epoch", b"1"), ("projfacts.content-hash", b"0" * 64)]
MODES = ("raw", "batch", "faust", "faust-empty")


# ---- the children: each reads `count` records and prints {"rate": …} -----------------------------
class Counting:
    """A projector that projects nothing: the engines' own work, timed from the group's assignment
    (both engines ask the projector for the stored offsets then) to the `count`th record."""

    def __init__(self, count: int, done, assigned=lambda: None):
        self.count, self.done, self.assigned = count, done, assigned
        self.applied = self.refused = 0
        self.first: float | None = None

    def stored_offsets(self, tps):
        if self.first is None:
            self.assigned()
            self.first = time.perf_counter()
        return {tp: 0 for tp in tps}

    def take_seeks(self):
        return {}

    def forget(self, tps):
        list(tps)

    def apply(self, records) -> int:
        self.applied += len(records)
        if self.applied >= self.count:
            self.done(self.applied / (time.perf_counter() - self.first))
        return len(records)


def report(rate: float, profile=None) -> None:
    out = {"rate": rate}
    if profile is not None:
        profile.disable()
        out["profile"] = top_functions(profile)
    print(json.dumps(out), flush=True)
    os._exit(0)  # the engines' shutdown (group leave, faust's services) is not what is measured


def top_functions(profile, limit: int = 14) -> list[tuple[str, int, float, float]]:
    """(function, calls, own seconds, cumulative seconds) of the most own time."""
    import pstats

    stats = pstats.Stats(profile).stats
    rows = []
    for (path, line, name), (_, calls, own, cumulative, _) in stats.items():
        where = f"{Path(path).parent.name}/{Path(path).name}:{line}" if line else path
        rows.append((f"{where}({name})", calls, own, cumulative))
    return sorted(rows, key=lambda r: -r[2])[:limit]


def child(mode: str, bootstrap: str, topic: str, count: int, profiled: bool) -> None:
    from services.bus.config import BusConfig

    config = BusConfig(bootstrap=bootstrap, facts_topic=topic, worker_group=f"bench-{uuid.uuid4().hex[:8]}")
    profile = None
    if profiled:
        import cProfile

        profile = cProfile.Profile()

    def done(rate: float) -> None:
        report(rate, profile)

    def first_seen() -> None:
        if profile is not None:
            profile.enable()

    if mode == "raw":
        raw(config, count)
    elif mode == "batch":
        import asyncio

        from services.bus import worker_batch

        projector = Counting(count, done, first_seen)
        asyncio.run(worker_batch.run(config, projector, asyncio.Event()))
    elif mode == "faust":
        import faust

        from services.bus.worker_faust import make_app

        loop = []

        def done_in_loop(rate: float) -> None:  # apply runs in the executor: report from the loop's thread
            loop[0].call_soon_threadsafe(done, rate)

        projector = Counting(count, done_in_loop)
        with tempfile.TemporaryDirectory() as datadir:
            app = make_app(config, projector, datadir)
            _on_assignment(app, loop, first_seen)
            faust.Worker(app, loglevel="warning", quiet=True, redirect_stdouts=False).execute_from_commandline()
    elif mode == "faust-empty":
        empty_agent(config, count, done)
    raise SystemExit(f"unknown mode {mode}")


def _on_assignment(app, loop: list, first_seen) -> None:
    """At the first assignment, in the event loop's thread (the projector's calls run in the
    executor's): keep the loop, start the profile."""

    @app.on_partitions_assigned.connect
    async def assigned(app, assigned, **kwargs):
        if not loop:
            import asyncio

            loop.append(asyncio.get_running_loop())
            first_seen()


def raw(config, count: int) -> None:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(group_id=None, enable_auto_commit=False, auto_offset_reset="earliest",
                             max_poll_records=5000, fetch_max_bytes=64 * 1024 * 1024,
                             max_partition_fetch_bytes=8 * 1024 * 1024, **config.client_options())
    tps = [TopicPartition(config.facts_topic, p) for p in sorted(consumer.partitions_for_topic(config.facts_topic))]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    got, first = 0, time.perf_counter()
    while got < count:
        for records in consumer.poll(timeout_ms=1000).values():
            got += len(records)
    report(got / (time.perf_counter() - first))


def empty_agent(config, count: int, done) -> None:
    import faust

    app = faust.App(config.worker_group, broker=f"kafka://{config.bootstrap}", processing_guarantee="at_least_once",
                    broker_max_poll_records=500, consumer_auto_offset_reset="earliest", topic_disable_leader=True,
                    topic_allow_declare=False, web_enabled=False, store="memory://",
                    datadir=tempfile.mkdtemp(prefix="bench-faust-"))
    topic = app.topic(config.facts_topic, key_serializer="raw", value_serializer="raw")
    state = {"got": 0, "first": None}

    @app.on_partitions_assigned.connect
    async def assigned(app, assigned, **kwargs):
        if state["first"] is None:
            state["first"] = time.perf_counter()

    @app.agent(topic, name="empty")
    async def empty(stream):
        async for _ in stream.events():
            state["got"] += 1
            if state["got"] >= count:
                done(state["got"] / (time.perf_counter() - state["first"]))

    faust.Worker(app, loglevel="warning", quiet=True, redirect_stdouts=False).execute_from_commandline()


# ---- the parent ----------------------------------------------------------------------------------
def fill(bootstrap: str, topic: str, count: int) -> None:
    from kafka import KafkaProducer
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=20, batch_size=256 * 1024)
    value = bytes(range(256)) * (VALUE_BYTES // 256) + bytes(VALUE_BYTES % 256)
    for i in range(count):
        producer.send(topic, key=f"p-{i % 5000:05d}".encode(), value=value, headers=HEADERS)
    producer.flush()
    producer.close()


def run_child(mode: str, bootstrap: str, topic: str, count: int, profiled: bool = False,
              timeout: float = 600) -> dict:
    args = [sys.executable, __file__, "--child", mode, "--bootstrap", bootstrap, "--topic", topic,
            "--records", str(count)] + (["--profile"] if profiled else [])
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    found = done.stdout.rfind('{"rate"')  # after whatever faust's terminal handling wrote
    if found < 0:
        raise RuntimeError(f"{mode}: no result (exit {done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout[found:].splitlines()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--child", choices=MODES)
    parser.add_argument("--bootstrap")
    parser.add_argument("--topic")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.bootstrap, args.topic, args.records, args.profile)
        return 0

    from services.bus import broker

    load_at_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    started = broker.start(tied=True)
    try:
        topic = f"bench.facts.{uuid.uuid4().hex[:8]}"
        fill(started.bootstrap, topic, args.records)
        rates: dict[str, list[float]] = {mode: [] for mode in MODES}
        ratios: dict[str, list[float]] = {mode: [] for mode in MODES}
        for run in range(args.runs):
            got = {mode: run_child(mode, started.bootstrap, topic, args.records)["rate"] for mode in MODES}
            for mode in MODES:
                rates[mode].append(got[mode])
                ratios[mode].append(got[mode] / got["batch"])
            print(f"run {run + 1}: " + ", ".join(f"{m} {got[m]:,.0f}/s" for m in MODES), flush=True)
        profiled = run_child("faust", started.bootstrap, topic, args.records, profiled=True)
    finally:
        broker.stop_pid(started.pid)
    write_results(args, rates, ratios, profiled, load_at_start)
    return 0


LABELS = {
    "raw": "raw kafka-python consume, no decoding",
    "batch": "batch engine (aiokafka getmany, linger, executor hop), counting projector",
    "faust": "faust engine (faust app, `take_events`, executor hop), counting projector",
    "faust-empty": "faust, an empty agent iterating record by record",
}


def write_results(args, rates, ratios, profiled, load_at_start: str) -> None:
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [BEGIN, "## faust's own cost per record (`bench/bench_faust.py`)\n",
             f"nproc {os.cpu_count()}, commit {git.stdout.strip() or '?'}, {args.records:,} records of "
             f"{VALUE_BYTES} bytes, {PARTITIONS} partitions, tansu; each reader in its own process and group, "
             f"timed from the partitions' assignment to its last record, projecting nothing; medians of {args.runs} runs "
             f"(ratios per run, then their median); load average at start {load_at_start} / at end {load}.\n",
             "| reader | records/s | of the batch engine | of raw |", "|---|---:|---:|---:|"]
    for mode in MODES:
        of_raw = statistics.median(r / raw for r, raw in zip(rates[mode], rates["raw"]))
        lines.append(f"| {LABELS[mode]} | {statistics.median(rates[mode]):,.0f} | "
                     f"{statistics.median(ratios[mode]):.0%} | {of_raw:.0%} |")
    lines += ["", f"One more faust-engine run under cProfile ({profiled['rate']:,.0f} records/s profiled), its "
                  "event loop's thread from the partitions' assignment on: the functions with the most time of "
                  "their own.\n",
              "| function | calls | own s | cumulative s |", "|---|---:|---:|---:|"]
    lines += [f"| `{name}` | {calls:,} | {own:.3f} | {cumulative:.3f} |" for name, calls, own, cumulative in
              profiled["profile"]]
    lines.append(END)
    write_section(args.results, "\n".join(lines), BEGIN, END)
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())

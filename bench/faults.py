"""Fault injection on the Kafka path, scripted and repeatable (issue 15 item 7).

    .venv/bin/python bench/faults.py                        # seed 1, 50 kills, 2 broker restarts
    .venv/bin/python bench/faults.py --seed 7 --kills 80 --restarts 3 --db postgresql+psycopg://…

The whole path runs as real processes on a tansu broker of its own (loopback, a free port):
department producers → submissions.<department> → `projfacts ingest` → the log → `projfacts relay`
→ facts → two `projfacts worker` processes (one group) → the read model, in one SQLite file (or the
PostgreSQL database given). The history is the demo county (tools.history.county, 10,092 events).
Faults, all drawn from `random.Random(seed)`:

- **kills**: the file is fed in `--kills` chunks; after each chunk the ingest or one of the workers
  (at random) is SIGKILLed at a random moment once it has made progress since its last start (or
  has nothing left to do), and started again at once;
- **every record delivered twice**: every submission is published twice (the file in order, then
  again shuffled), and a second relay (in this process, its own checkpoint) publishes every fact a
  second time, each batch shuffled;
- **partitions consumed out of order**: the shuffled duplicates, two workers splitting the
  partitions, and every restart re-assigning them;
- **the broker restarted empty** `--restarts` times (at random chunks, once the log holds what was
  submitted so far: tansu forgets unconsumed submissions too): every bus process is frozen
  (SIGSTOP), the broker SIGKILLed and started again empty on the same port, the topics created, the
  processes thawed. The relay finds a new incarnation of the facts topic and publishes the log
  again; the workers see the new epoch and read it again.

Afterwards the log must hold each event of the history once (no more, no fewer), the read model
exactly the log's positions, and `projfacts report` / `explain` JSON (several regions and periods)
must be byte-identical to the embedded path's on the same events: the log exported in its order
with its stamps and imported (`projfacts import`) into a new SQLite store. (Not the history file
itself: its order is not the log's — departments' topics and partitions interleave, duplicates and
shuffles arrive first — and the log's order is what every path projects.) Prints the
numbers (kills, events, records, duration, identical yes/no) and exits 1 when anything differs.
Every process it starts is stopped by PID; they die with it if it is killed.
"""
from __future__ import annotations

import argparse
import json

import orjson
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROJFACTS = Path(sys.executable).with_name("projfacts")
AS_OF = "2099-01-01T00:00:00+08:00"  # after every stamp of either path: the Kafka path stamps at ingest
QUERIES = [
    ("report", "--region", "140522", "--period", "2024"),
    ("report", "--region", "140522", "--period", "2024H1"),
    ("report", "--region", "140522", "--period", "2024Q3"),
    ("report", "--region", "140522", "--period", "2024-05"),
    ("report", "--region", "1405", "--period", "2024"),
    ("report", "--region", "14", "--period", "2024Q4"),
    ("report", "--region", "140522", "--period", "2024", "--level", "county"),
    ("explain", "investment_completion_rate", "--region", "140522", "--period", "2024"),
    ("explain", "new_start_rate", "--region", "140522", "--period", "2024H1"),
]
# Processing slowed a little, so that kills land with work in flight; group joins fast (BROKER.md).
SETTINGS = {"batch_size": 100, "batch_pause_ms": 30, "batch_wait_ms": 100, "session_timeout_ms": 3000,
            "heartbeat_interval_ms": 500}


@dataclass
class Result:
    seed: int
    events: int = 0  # distinct events in the history
    submissions: int = 0  # records published to the submissions topics (each event twice, and more after restarts)
    kills: dict = field(default_factory=lambda: {"ingest": 0, "worker": 0})
    kills_with_work_in_flight: int = 0
    broker_restarts: int = 0
    relay_republications: int = 0  # times a relay found a new incarnation of the facts topic
    worker_partition_resets: int = 0  # partitions read again from offset 0 after a new epoch
    logged: int = 0
    projected: int = 0
    queries: int = 0
    identical: bool = False
    differences: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.identical and self.logged == self.events == self.projected

    def lines(self) -> str:
        kills = self.kills["ingest"] + self.kills["worker"]
        return "\n".join([
            f"seed {self.seed}: {self.events:,} events, {self.submissions:,} submissions published "
            f"(every event at least twice), every fact relayed twice (one copy shuffled)",
            f"kills: {kills} SIGKILLs (ingest {self.kills['ingest']}, workers {self.kills['worker']}), "
            f"{self.kills_with_work_in_flight} with work in flight; broker restarted empty {self.broker_restarts}×, "
            f"relay republished the log {self.relay_republications}×, workers re-read "
            f"{self.worker_partition_resets} partitions from offset 0",
            f"log {self.logged:,} events (once each: {self.logged == self.events}), read model {self.projected:,} "
            f"facts (= log: {self.projected == self.logged})",
            f"{self.queries} report/explain answers byte-identical to the embedded path: "
            f"{'yes' if self.identical else 'NO: ' + ', '.join(self.differences)}",
            f"duration {self.seconds:.0f} s",
        ])


def _env(config, db: str, var: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROJFACTS_")}
    env.update({"PROJFACTS_DB": db, "PROJFACTS_BOOTSTRAP": config.bootstrap, "PROJFACTS_VAR": str(var),
                "PROJFACTS_SUBMISSIONS_PREFIX": config.submissions_prefix, "PROJFACTS_FACTS_TOPIC": config.facts_topic,
                "PROJFACTS_REJECTED_TOPIC": config.rejected_topic, "PROJFACTS_INGEST_GROUP": config.ingest_group,
                "PROJFACTS_WORKER_GROUP": config.worker_group, "PROJFACTS_BUS": "kafka",
                "XDG_DATA_HOME": str(var / "xdg")})
    env.update({f"PROJFACTS_{k.upper()}": str(v) for k, v in SETTINGS.items()})
    return env


class Processes:
    """The bus processes by name, each started in its own session and dying with this one."""

    def __init__(self, env: dict, logs: Path):
        from services.bus import broker as tansu

        self.env, self.logs, self.tansu = env, logs, tansu
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str]) -> None:
        with open(self.logs / f"{name}.log", "ab") as log:
            self.running[name] = subprocess.Popen(
                [str(PROJFACTS), *args], env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=self.tansu.die_with_parent)

    def kill(self, name: str) -> None:
        process = self.running[name]
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def signal_all(self, sig: int) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.kill(process.pid, sig)

    def check(self) -> None:
        for name, process in self.running.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}: "
                                   f"{(self.logs / f'{name}.log').read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        self.signal_all(signal.SIGCONT)
        for process in self.running.values():
            if process.poll() is None:
                self.tansu.stop_pid(process.pid, timeout=15)
            process.wait(timeout=30)
        self.running.clear()

    def log_count(self, text: str) -> int:
        return sum(path.read_text(errors="replace").count(text) for path in self.logs.glob("*.log"))


class DuplicateRelay:
    """A second relay in this process, with its own checkpoint: every fact published again, each
    batch shuffled. Stopped around broker restarts (its producer is made anew after one)."""

    def __init__(self, config, store, rng: random.Random):
        self.config, self.store, self.rng = config, store, rng
        self.thread: threading.Thread | None = None
        self.stop_flag = threading.Event()
        self.republications = 0

    def start(self) -> None:
        from services.bus.relay import KafkaFactSink, Relay

        rng = self.rng

        class Shuffled(KafkaFactSink):
            def take(self, batch):
                batch = list(batch)
                rng.shuffle(batch)
                super().take(batch)  # the checkpoint moves to the batch's highest position

        self.stop_flag = threading.Event()

        def run() -> None:
            sink = None
            while not self.stop_flag.is_set():
                try:
                    sink = sink or Shuffled(self.config, self.store, name=f"faults-duplicate:{self.config.facts_topic}")
                    relay = Relay(self.store, sink, batch=500)
                    relay.run(self.stop_flag)
                except Exception:  # the broker away: start again with a new producer
                    if sink is not None:
                        self.republications += sink.resets
                        try:
                            sink.close()
                        except Exception:
                            pass
                    sink = None
                    self.stop_flag.wait(0.5)
            if sink is not None:
                self.republications += sink.resets
                sink.close()

        self.thread = threading.Thread(target=run, name="duplicate-relay", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_flag.set()
        if self.thread:
            self.thread.join(timeout=180)


def run_query(db: str, args, env: dict) -> str:
    """`projfacts ARGS --db DB --as-of AS_OF --format json` in this process (click's runner): its stdout."""
    from click.testing import CliRunner

    from services.entry.cli.main import main

    settings = {k: None for k in os.environ if k.startswith("PROJFACTS_")}
    settings.update({k: v for k, v in env.items() if k.startswith("PROJFACTS_")})
    result = CliRunner().invoke(main, [*args, "--db", db, "--as-of", AS_OF, "--format", "json"], env=settings,
                                catch_exceptions=False)
    if result.exit_code != 0:
        raise RuntimeError(f"{args}: exit {result.exit_code}: {result.output[-2000:]}")
    return result.stdout


def wait_for(predicate, timeout: float, what: str, check=None, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if check:
            check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not reached within {timeout:.0f} s")
        time.sleep(interval)


def run(seed: int = 1, kills: int = 50, restarts: int = 2, db: str | None = None, workdir: Path | None = None,
        log=print, keep: Path | None = None, engine: str = "batch") -> Result:
    from sqlalchemy import func, select

    from services.bus import broker as tansu
    from services.bus.config import BusConfig
    from services.bus.producer import DepartmentProducer
    from services.bus.topics import ensure_topics
    from services.log import EventStore
    from services.log.tables import events as log_table
    from services.readmodel.tables import facts
    from tools.history.county import demo_county, write_jsonl

    if restarts > kills:
        raise ValueError("at most one broker restart per kill round")
    rng = random.Random(seed)
    result = Result(seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="faults-", dir=workdir) as tmp:
        tmp = Path(tmp)

        path = tmp / "history.jsonl"
        write_jsonl(demo_county(), path)
        lines = [line for line in path.read_bytes().splitlines() if line.strip()]
        result.events = len({json.loads(line)["event_id"] for line in lines})  # the history repeats a few lines
        shuffled = lines[:]
        rng.shuffle(shuffled)
        feed = lines + shuffled  # every submission twice
        chunks = [feed[i * len(feed) // kills:(i + 1) * len(feed) // kills] for i in range(kills)]

        db = db or f"sqlite:///{tmp / 'kafka.sqlite'}"
        store = EventStore(db)  # migrated here, before the processes race to
        port = tansu.free_port()
        broker = tansu.start(port, log_path=tmp / "broker.log", tied=True)
        tag = f"f{uuid.uuid4().hex[:6]}"
        config = BusConfig(bootstrap=broker.bootstrap, submissions_prefix=f"{tag}.submissions",
                           facts_topic=f"{tag}.facts", rejected_topic=f"{tag}.rejected", partitions=6,
                           ingest_group=f"{tag}-ingest", worker_group=f"{tag}-projector")
        ensure_topics(config)
        (tmp / "var").mkdir()
        env = _env(config, db, tmp / "var")
        procs = Processes(env, tmp)
        duplicate = DuplicateRelay(config, store, random.Random(seed + 1))
        producer = None
        def count(table) -> int:
            with store.engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(table)).scalar_one()

        def counts() -> tuple[int, int]:
            with store.engine.connect() as conn:
                return (conn.execute(select(func.count()).select_from(log_table)).scalar_one(),
                        conn.execute(select(func.count()).select_from(facts)).scalar_one())

        try:
            procs.start("ingest", ["ingest"])
            procs.start("relay", ["relay"])
            worker = ["worker", "--engine", engine]
            for name in ("worker-1", "worker-2"):
                procs.start(name, worker)
            duplicate.start()
            producer = DepartmentProducer(config)  # each event onto its declared department's channel
            restart_at = set(rng.sample(range(kills // 3, kills), restarts)) if restarts else set()
            published_ids: set[str] = set()
            since = {name: (0, 0) for name in ("ingest", "worker-1", "worker-2")}  # counts at each one's last start
            for round_no, chunk in enumerate(chunks):
                for line in chunk:
                    producer.publish(json.loads(line))
                producer.flush()
                result.submissions += len(chunk)
                published_ids.update(json.loads(line)["event_id"] for line in chunk)
                if round_no in restart_at:  # the log must hold what was submitted: tansu forgets submissions too
                    wait_for(lambda: count(log_table) >= len(published_ids), 600, "the log to hold the submissions",
                             procs.check)
                    producer.close()
                    duplicate.stop()
                    procs.signal_all(signal.SIGSTOP)
                    tansu.stop_pid(broker.pid, timeout=5)
                    broker = tansu.start(port, log_path=tmp / "broker.log", tied=True)
                    ensure_topics(config)
                    procs.signal_all(signal.SIGCONT)
                    duplicate.start()
                    producer = DepartmentProducer(config)
                    result.broker_restarts += 1
                    log(f"round {round_no + 1}: broker restarted empty")
                victim = rng.choice(["ingest", "worker-1", "worker-2"])
                # let the victim get going since its last start (or run out of work), then pick a random moment
                index = 0 if victim == "ingest" else 1
                before = since[victim][index]
                wait_for(lambda: (lambda c: c[index] > before
                                  or c[index] >= (len(published_ids) if index == 0 else c[0]))(counts()),
                         120, f"{victim} to make progress", procs.check, interval=0.02)
                time.sleep(rng.uniform(0.0, 0.15))  # a random moment of the processing: the fault's timing
                logged, projected = counts()
                busy = logged < len(published_ids) if victim == "ingest" else projected < logged
                result.kills_with_work_in_flight += busy
                procs.check()
                procs.kill(victim)
                since[victim] = counts()
                procs.start(victim, ["ingest"] if victim == "ingest" else worker)
                result.kills["ingest" if victim == "ingest" else "worker"] += 1
                if (round_no + 1) % 10 == 0:
                    log(f"round {round_no + 1}/{kills}: logged {logged:,}, projected {projected:,}")
            producer.close()
            producer = None

            def settled() -> bool:
                from services.log.tables import relay_checkpoints

                logged, projected = counts()
                if logged != result.events or projected != logged:
                    return False
                with store.engine.connect() as conn:
                    marks = dict(conn.execute(select(relay_checkpoints.c.name, relay_checkpoints.c.position)).all())
                head = store.head()
                return all(marks.get(name) == head for name in (f"facts:{config.facts_topic}",
                                                                f"faults-duplicate:{config.facts_topic}"))

            wait_for(settled, 900, "every event logged once and projected once, both relays caught up", procs.check)
            # both relays' last batches are acknowledged; let the workers take them too
            wait_for(lambda: _positions(store, facts) == _positions(store, log_table), 300, "the read model = the log",
                     procs.check)
        finally:
            if producer is not None:
                producer.close()
            duplicate.stop()
            procs.stop()
            tansu.stop_pid(broker.pid)

        result.logged, result.projected = counts()
        with open(path, "rb") as handle:
            wanted = {json.loads(line)["event_id"] for line in handle if line.strip()}
        logged_ids = {stored.event_id for stored in store.read()}
        if logged_ids != wanted:
            result.differences.append(f"the log's events are not the history's: {len(wanted - logged_ids)} missing, "
                                      f"{len(logged_ids - wanted)} extra")
        # The embedded path on the same events: the log exported in its order (recorded_at as stamped)
        # and imported into a new SQLite store with `projfacts import`, which projects in-process.
        exported = tmp / "log.jsonl"
        with open(exported, "wb") as out:
            for stored in store.read():
                out.write(orjson.dumps(stored.to_json()) + b"\n")
        reference = f"sqlite:///{tmp / 'embedded.sqlite'}"
        plain = {k: v for k, v in os.environ.items() if not k.startswith("PROJFACTS_")}
        plain["XDG_DATA_HOME"] = str(tmp / "xdg")
        imported = subprocess.run([str(PROJFACTS), "import", str(exported), "--db", reference], env=plain,
                                  capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        if imported.returncode != 0 or f"appended {result.logged}," not in imported.stdout:
            raise RuntimeError(f"reference import failed: {imported.stdout[-500:]} {imported.stderr[-2000:]}")
        result.relay_republications = procs.log_count("publishing the log again from its start") + duplicate.republications
        result.worker_partition_resets = procs.log_count("reading it again from offset 0")
        kafka_env = dict(env)
        differences = result.differences
        for query in QUERIES:
            if run_query(db, query, kafka_env) != run_query(reference, query, plain):
                differences.append(" ".join(query))
        result.queries = len(QUERIES)
        result.identical = not differences
        result.differences = differences
        store.engine.dispose()
        if keep and differences:  # for a post-mortem: the stores and the processes' logs
            import shutil

            shutil.copytree(tmp, keep, dirs_exist_ok=True)
    result.seconds = time.monotonic() - started
    return result


def _positions(store, table) -> set[int]:
    from sqlalchemy import select

    with store.engine.connect() as conn:
        return set(conn.execute(select(table.c.position)).scalars())


def main() -> None:
    import logging
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop every process it started on the way out
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kills", type=int, default=50, help="SIGKILLs of the ingest or a worker (one per round)")
    parser.add_argument("--restarts", type=int, default=2, help="times the broker is restarted empty")
    parser.add_argument("--db", default=None, help="the Kafka path's store (default: a new SQLite file)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON too")
    parser.add_argument("--engine", choices=["batch", "faust"], default="batch", help="the workers' engine")
    parser.add_argument("--keep", type=Path, default=None, help="copy the stores and logs here when differences show")
    args = parser.parse_args()
    result = run(args.seed, args.kills, args.restarts, args.db, keep=args.keep, engine=args.engine)
    print(result.lines())
    if args.json:
        print(json.dumps({**asdict(result), "ok": result.ok}, indent=2))
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()

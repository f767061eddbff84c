"""The Kafka path's real processes for one test (`Pipeline`), the embedded path's answers on the
same history (`Reference`), and polling helpers: waits are loops with deadlines on observable
state (event-store and read-model counts, checkpoints), never bare sleeps."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from services.bus import broker as tansu
from services.bus.config import BusConfig
from services.bus.stack import wait_for
from services.log import EventStore
from services.log.tables import events
from services.readmodel.tables import checkpoints, facts

PROJFACTS = Path(sys.executable).with_name("projfacts")
AS_OF = "2099-01-01T00:00:00+08:00"  # after every stamp of either path: see test_equivalence.py


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def positions(engine, table) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(select(table.c.position)).scalars())


def offsets(engine, group: str) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(checkpoints.c.name, checkpoints.c.position)
                            .where(checkpoints.c.name.like(f"kafka:{group}:%"))).all()
    return dict(rows)


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """The stack's own polling wait; a time-out fails the test."""
    try:
        return wait_for(predicate, timeout, interval, what)
    except TimeoutError as error:
        raise AssertionError(str(error)) from None


class Pipeline:
    """The real processes of the Kafka path for one test, each remembered by PID."""

    def __init__(self, config: BusConfig, db: str, tmp: Path):
        self.config = config
        self.db = db
        self.tmp = tmp
        self.processes: dict[str, subprocess.Popen] = {}
        self.store = EventStore(db)  # migrated once here, before the processes start
        self.engine = self.store.engine

    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROJFACTS_")}
        env.update({
            "PROJFACTS_DB": self.db, "PROJFACTS_BOOTSTRAP": self.config.bootstrap,
            "PROJFACTS_SUBMISSIONS_PREFIX": self.config.submissions_prefix,
            "PROJFACTS_FACTS_TOPIC": self.config.facts_topic, "PROJFACTS_REJECTED_TOPIC": self.config.rejected_topic,
            "PROJFACTS_INGEST_GROUP": self.config.ingest_group, "PROJFACTS_WORKER_GROUP": self.config.worker_group,
            "PROJFACTS_BATCH_WAIT_MS": str(self.config.batch_wait_ms), "PROJFACTS_VAR": str(self.tmp / "var"),
            "XDG_DATA_HOME": str(self.tmp / "xdg"), "PROJFACTS_BUS": "kafka",
        })
        env.update({f"PROJFACTS_{k.upper()}": str(v) for k, v in extra.items()})
        return env

    def start(self, name: str, args: list[str], **settings) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")
        process = subprocess.Popen([str(PROJFACTS), *args], env=self.env(**settings), stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                   preexec_fn=tansu.die_with_parent)  # never outlives a killed test session
        log.close()
        self.processes[name] = process
        return process

    def ingest(self, name: str = "ingest", **settings) -> subprocess.Popen:
        return self.start(name, ["ingest"], **settings)

    def relay(self, name: str = "relay", **settings) -> subprocess.Popen:
        return self.start(name, ["relay"], **settings)

    def doors(self, **settings) -> None:
        """The submissions consumer and the relay: every fact of the log onto the facts topic."""
        self.ingest(**settings)
        self.relay(**settings)

    def worker(self, name: str = "worker", engine: str = "batch", **settings) -> subprocess.Popen:
        return self.start(name, ["worker", "--engine", engine], **settings)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(name)
        if process.poll() is None:
            os.kill(process.pid, sig)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.processes):
            process = self.processes[name]
            if process.poll() is None:
                tansu.stop_pid(process.pid, timeout=10)
            process.wait(timeout=30)
            self.processes.pop(name)
        self.engine.dispose()

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{self.log(name)[-3000:]}")

    def submit(self, path: Path, department: str | None = None) -> subprocess.CompletedProcess:
        """A department's producer: `projfacts submit FILE --department D` onto D's submissions topic;
        without a department, every event onto the channel of the department it declares (the
        demo county is all departments' history)."""
        which = ["--department", department] if department else ["--each-department"]
        return self.command("submit", str(path), *which)

    def command(self, *args: str) -> subprocess.CompletedProcess:
        """`projfacts ARGS` with this pipeline's settings (PROJFACTS_BUS=kafka), to completion."""
        return subprocess.run([str(PROJFACTS), *args], env=self.env(), capture_output=True, text=True,
                              timeout=300, stdin=subprocess.DEVNULL)

    def wait_stored(self, n: int, timeout: float = 120) -> None:
        def done():
            self.check_alive()
            return count(self.engine, events) >= n
        wait_until(done, timeout, f"{n} events in the store")

    def wait_projected(self, n: int, timeout: float = 120) -> None:
        """The read model holds exactly the store's n events (same positions)."""
        def done():
            self.check_alive()
            return count(self.engine, facts) >= n and positions(self.engine, facts) == positions(self.engine, events)
        wait_until(done, timeout, f"{n} facts projected")

    def same_log(self, history: "Reference") -> "Reference":
        """The embedded path on this pipeline's own log, after checking that the log holds exactly the
        history's events (ids and content). Departments publish on their own topics, which the ingest
        consumes independently, so events of one project from two departments may be logged in
        another order than the file's — and figures such as 'the investment report recorded last'
        follow the log. What the bus path must match, byte for byte, is the embedded path on the same
        log: exported in log order with its stamps and imported (`projfacts import`, in-process bus)."""
        import orjson

        theirs = EventStore(history.db)
        try:
            assert contents(self.store) == contents(theirs), "the log does not hold the history's events"
        finally:
            theirs.engine.dispose()
        exported = self.tmp / "log.jsonl"
        with open(exported, "wb") as out:
            for stored in self.store.read():
                out.write(orjson.dumps(stored.to_json()) + b"\n")
        db = f"sqlite:///{self.tmp / 'same-log.sqlite'}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROJFACTS_")}
        env["XDG_DATA_HOME"] = str(self.tmp / "xdg-same-log")
        done = subprocess.run([str(PROJFACTS), "import", str(exported), "--db", db], env=env, capture_output=True,
                              text=True, timeout=300, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr
        return Reference(exported, db, self.store.count(), env)

    def query(self, *args: str) -> str:
        """`projfacts <args> --db <this store> --as-of AS_OF --format json`, read-only (PROJFACTS_BUS=kafka)."""
        return run_query(self.db, args, self.env())


def contents(store: EventStore) -> set[tuple[str, str]]:
    """(event_id, content_hash) of every logged event: what was said, not when it was recorded."""
    return {(e.event_id, e.content_hash) for e in store.read()}


def run_query(db: str, args, env: dict) -> str:
    """The real `projfacts` command line, in-process (click's runner): its exact stdout."""
    from click.testing import CliRunner

    from services.entry.cli.main import main

    command = [*args, "--db", db, "--as-of", AS_OF, "--format", "json"]
    settings = {k: None for k in os.environ if k.startswith("PROJFACTS_")}  # only `env`'s settings count
    settings.update({k: v for k, v in env.items() if k.startswith("PROJFACTS_")})
    result = CliRunner().invoke(main, command, env=settings, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


QUERIES = [
    ("report", "--region", "140522", "--period", "2024"),
    ("report", "--region", "140522", "--period", "2024H1"),
    ("report", "--region", "140522", "--period", "2024Q3"),
    ("report", "--region", "1405", "--period", "2024-05"),
    ("report", "--region", "140522", "--period", "2024", "--level", "county"),
    ("explain", "investment_completion_rate", "--region", "140522", "--period", "2024"),
    ("explain", "new_start_rate", "--region", "140522", "--period", "2024H1"),
]


def embedded(path: Path, folder: Path) -> "Reference":
    """The history at `path` imported on the embedded path (`projfacts import`, SQLite in `folder`)."""
    import re

    db = f"sqlite:///{folder / 'embedded.sqlite'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROJFACTS_")}
    env["XDG_DATA_HOME"] = str(folder / "xdg")
    result = subprocess.run([str(PROJFACTS), "import", str(path), "--db", db], env=env, capture_output=True,
                            text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    return Reference(path, db, int(re.search(r"appended (\d+)", result.stdout).group(1)), env)


class Reference:
    """The embedded path on the same history: `projfacts import` into its own SQLite store."""

    def __init__(self, path: Path, db: str, appended: int, env: dict):
        self.path, self.db, self.appended, self.env = path, db, appended, env
        self._answers: dict = {}

    def answer(self, args) -> str:
        if args not in self._answers:
            self._answers[args] = run_query(self.db, args, self.env)
        return self._answers[args]

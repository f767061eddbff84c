"""The local stack, one command up and one down: tansu broker + ingest + relay + workers, by PID.

    projfacts stack start [--workers N] [--engine batch|faust]   # writes var/stack.json, logs in var/log/
    projfacts stack stop                                          # SIGTERM each PID, SIGKILL after a grace
    projfacts stack start --broker-only / stop --broker-only      # scripts/broker.sh

Every process is started in its own session and remembered by PID in `var/` (PROJFACTS_VAR);
nothing is ever stopped by name. The broker listens on 127.0.0.1:9092 when that port is free,
else on a free port (printed, and in var/stack.json).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from services.bus import broker as tansu


SINGLES = ("ingest", "relay")  # one process each; the workers are many


def var_dir(path: str | Path | None = None) -> Path:
    directory = Path(path or os.environ.get("PROJFACTS_VAR") or "var").resolve()
    (directory / "log").mkdir(parents=True, exist_ok=True)
    return directory


def _state_path(var: Path) -> Path:
    return var / "stack.json"


def read_state(var: Path) -> dict:
    path = _state_path(var)
    return json.loads(path.read_text()) if path.exists() else {}


def _write_state(var: Path, state: dict) -> None:
    _state_path(var).write_text(json.dumps(state, indent=2))


def start_broker(var: Path, port: int | None = None) -> dict:
    state = read_state(var)
    known = state.get("broker")
    if known and tansu.alive(known["pid"]):
        return known
    if port is None:
        port = 9092 if not tansu.accepts(9092) else tansu.free_port()
    started = tansu.start(port, log_path=var / "log" / "broker.log")
    state["broker"] = {"pid": started.pid, "port": started.port, "bootstrap": started.bootstrap}
    (var / "broker.pid").write_text(str(started.pid))
    _write_state(var, state)
    return state["broker"]


def _spawn(var: Path, name: str, args: list[str], env: dict) -> int:
    log = open(var / "log" / f"{name}.log", "ab")
    try:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, start_new_session=True)
    finally:
        log.close()
    (var / f"{name}.pid").write_text(str(process.pid))
    return process.pid


def projfacts_command() -> list[str]:
    """This interpreter's `projfacts` (the console script beside it), else `python -m services.entry.cli.main`."""
    script = Path(sys.executable).with_name("projfacts")
    return [str(script)] if script.exists() else [sys.executable, "-m", "services.entry.cli.main"]


def start(var: Path, db: str, *, workers: int = 1, engine: str = "batch", port: int | None = None,
          env: dict | None = None) -> dict:
    """Broker, topics, one ingest, one relay and `workers` projection workers; returns the state written."""
    from services.bus.config import BusConfig
    from services.bus.topics import ensure_topics
    from services.log import EventStore

    broker = start_broker(var, port)
    env = {**os.environ, **(env or {}), "PROJFACTS_BOOTSTRAP": broker["bootstrap"], "PROJFACTS_DB": db}
    ensure_topics(BusConfig.load(bootstrap=broker["bootstrap"]))
    EventStore(db).engine.dispose()  # migrate once, before the processes race to
    state = read_state(var)
    command = projfacts_command()
    for name in SINGLES:
        if not (state.get(name) and tansu.alive(state[name])):
            state[name] = _spawn(var, name, command + [name], env)
    alive = [pid for pid in state.get("workers", []) if tansu.alive(pid)]
    for index in range(len(alive), workers):
        alive.append(_spawn(var, f"worker-{index + 1}", command + ["worker", "--engine", engine], env))
    state.update(workers=alive, db=db, engine=engine)
    _write_state(var, state)
    return state


def stop(var: Path, *, broker_only: bool = False, timeout: float = 15.0) -> list[int]:
    """Stop what var/stack.json names: workers, then the ingest and the relay, then the broker. Returns the PIDs stopped."""
    state = read_state(var)
    stopped = []
    pids = [] if broker_only else [*state.get("workers", []), *(state[n] for n in SINGLES if state.get(n))]
    for pid in pids:
        if tansu.stop_pid(pid, timeout):
            stopped.append(pid)
    if not broker_only:
        state.pop("workers", None)
        for name in SINGLES:
            state.pop(name, None)
    broker = state.pop("broker", None)
    if broker and tansu.stop_pid(broker["pid"], timeout):
        stopped.append(broker["pid"])
    (var / "broker.pid").unlink(missing_ok=True)
    if not broker_only:
        for path in [*(var / f"{n}.pid" for n in SINGLES), *var.glob("worker-*.pid")]:
            path.unlink(missing_ok=True)
    if state.get("workers") or any(state.get(n) for n in SINGLES):
        _write_state(var, state)
    else:
        _state_path(var).unlink(missing_ok=True)
    return stopped


def status(var: Path) -> dict:
    state = read_state(var)
    out = {}
    if state.get("broker"):
        out["broker"] = {**state["broker"], "alive": tansu.alive(state["broker"]["pid"])}
    for name in SINGLES:
        if state.get(name):
            out[name] = {"pid": state[name], "alive": tansu.alive(state[name])}
    out["workers"] = [{"pid": pid, "alive": tansu.alive(pid)} for pid in state.get("workers", [])]
    return out


def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Poll `predicate` until it returns a truthy value; TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout:.0f} s")
        time.sleep(interval)

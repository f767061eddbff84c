"""`projfacts stack start` brings up broker, ingest, relay and workers; `stack stop` ends each by PID."""
from __future__ import annotations

import json
import os
import subprocess

from bus_pipeline import PROJFACTS, wait_until
from services.bus import broker as tansu


def run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(PROJFACTS), "stack", *args], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_one_command_starts_the_stack_and_one_stops_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROJFACTS_")}
    env.update(PROJFACTS_VAR=str(tmp_path / "var"), XDG_DATA_HOME=str(tmp_path / "xdg"),
               PROJFACTS_DB=f"sqlite:///{tmp_path / 'stack.sqlite'}")
    port = tansu.free_port()
    started = run("start", "--workers", "2", "--port", str(port), env=env)
    assert started.returncode == 0, started.stderr
    state = json.loads(started.stdout)
    pids = [state["broker"]["pid"], state["ingest"], state["relay"], *state["workers"]]
    assert state["broker"]["bootstrap"] == f"127.0.0.1:{port}" and len(state["workers"]) == 2
    try:
        status = json.loads(run("status", env=env).stdout)
        assert status["broker"]["alive"] and status["ingest"]["alive"] and status["relay"]["alive"]
        assert all(w["alive"] for w in status["workers"])
        wait_until(lambda: "assigned" in (tmp_path / "var" / "log" / "worker-1.log").read_text(), 60,
                   "a worker to join the group")
    finally:
        stopped = run("stop", env=env)
    assert stopped.returncode == 0, stopped.stderr
    assert sorted(map(int, stopped.stdout.split(":")[1].split())) == sorted(pids)
    assert not any(tansu.alive(pid) for pid in pids)
    assert not (tmp_path / "var" / "stack.json").exists()

"""Fault injection on the Kafka path (bench/faults.py, shortened): the ingest and the workers
SIGKILLed at random points, the broker restarted empty once, every submission and every fact
delivered twice (one copy shuffled), two workers splitting the partitions — afterwards the log holds
each event once, the read model exactly the log, and the reports are byte-identical to the embedded
path's on the same events. The script's default run (50 kills, 2 restarts) is the full version."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

FAULTS = Path(__file__).resolve().parents[3] / "bench" / "faults.py"


@pytest.fixture(scope="module")
def faults():
    spec = importlib.util.spec_from_file_location("bench_faults", FAULTS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_kills_a_lost_broker_and_duplicates_change_no_figure(faults, tmp_path):
    result = faults.run(seed=11, kills=8, restarts=1, workdir=tmp_path, log=lambda *_: None)
    print(result.lines())
    assert result.kills["ingest"] + result.kills["worker"] == 8
    assert result.broker_restarts == 1
    assert result.relay_republications >= 1  # the relay found the new facts topic and published the log again
    assert result.worker_partition_resets >= 1  # and the workers read it again
    assert result.submissions >= 2 * result.events
    assert result.logged == result.events == result.projected  # nothing lost, nothing twice
    assert result.queries >= 9 and result.identical, result.differences

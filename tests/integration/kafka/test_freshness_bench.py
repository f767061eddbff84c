"""bench/bench_freshness.py, shortened: the whole Kafka path as processes under a paced producer;
every published event becomes visible, and the latencies it reports are ordered and plausible."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_freshness.py"


def test_a_short_paced_run_sees_every_event_and_reports_its_percentiles():
    done = subprocess.run([sys.executable, str(BENCH), "--rate", "100", "--seconds", "3", "--json"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    [result] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["events"] >= 295  # 300 sent, less the history's few resent ids
    assert 0 < result["p50_s"] <= result["p90_s"] <= result["p99_s"] <= result["max_s"] < 60
    assert result["achieved_rate"] >= 90

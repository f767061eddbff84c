"""bench/bench_state_bound.py on the demo county: the three state reads and today's view are timed
in one section of the results, sized from the store's own projects, and the scratch store is gone."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import append_history, writer_for
from tools.history.county import demo_county

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_state_bound.py"
DATA = BENCH.parent / "data"


def section(results: Path) -> str:
    return results.read_text().split("<!-- state-bound:begin -->", 1)[1].split("<!-- state-bound:end -->", 1)[0]


def test_the_state_reads_and_todays_view_are_timed_on_the_stores_own_projects(tmp_path):
    db = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    writer = writer_for(db)
    append_history(writer, demo_county(2024))
    writer.close()
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmarks\n\n<!-- other:begin -->kept<!-- other:end -->\n")
    done = subprocess.run([sys.executable, str(BENCH), "--db", db, "--region", "14", "--as-of",
                           "2024-12-31T23:59:59+08:00", "--runs", "1", "--months", "3", "--results", str(results)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    text = section(results)
    rows = [line.strip("|").split("|") for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    seconds = {label.strip(): float(value) for label, value in rows[1:]}  # the header row first
    assert len(seconds) == 4 and all(s > 0 for s in seconds.values()), seconds
    assert "(4 snapshots)" in text  # three month ends and the as-of time itself
    assert " 0 projects" not in text and " 0 versions" not in text
    assert "<!-- other:begin -->kept<!-- other:end -->" in results.read_text()
    assert not list(DATA.glob("state-scratch-*"))

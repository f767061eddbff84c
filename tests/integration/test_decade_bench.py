"""bench/bench_decade.py on the demo county instead of a decade: every step a whole `projfacts`
process with its time and peak memory in the results section, and a run of one step keeps the
rows of the others."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tools.history.county import demo_county, write_jsonl

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_decade.py"


def rows(results: Path) -> dict[str, list[str]]:
    section = results.read_text().split("<!-- decade:begin -->", 1)[1].split("<!-- decade:end -->", 1)[0]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in section.splitlines() if line.startswith("| ")]
    return {c[0]: c[1:] for c in cells[1:]}  # the header row first


def bench(*args: str) -> None:
    done = subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]


def test_each_step_is_timed_with_its_memory_and_a_later_run_keeps_the_others(tmp_path):
    history, results = tmp_path / "demo.jsonl", tmp_path / "RESULTS.md"
    write_jsonl(demo_county(2024), history)
    db = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    bench("--file", str(history), "--db", db, "--runs", "1", "--only", "report 140522,stage 140522",
          "--results", str(results))
    first = rows(results)
    assert list(first) == ["import (`projfacts import`)", "full rebuild (`projfacts replay --fresh`)",
                           "report 140522 2017Q2, as of 2017-07-15", "stage 140522, on 2018-06-30"]
    for label, (wall, cpu, rate, peak, runs) in first.items():
        assert float(wall) > 0 and float(cpu) > 0 and int(peak.replace(",", "")) > 20 and runs == "1", label
    assert int(first["import (`projfacts import`)"][2].replace(",", "")) > 0  # events/s of the import
    bench("--db", db, "--steps", "reads", "--runs", "2", "--only", "stage 140522", "--results", str(results))
    second = rows(results)
    assert list(second) == list(first)
    assert second["import (`projfacts import`)"] == first["import (`projfacts import`)"]
    assert second["stage 140522, on 2018-06-30"][-1] == "2"

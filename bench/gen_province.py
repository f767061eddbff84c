"""Write the province-scale history (tools.history.province) to bench/data/ (git-ignored).

    .venv/bin/python bench/gen_province.py                      # 35,000 projects, 2023-2025 (≈ 2.2M events)
    .venv/bin/python bench/gen_province.py --projects 3500      # a smaller one for a quick look

Prints the file, the number of events and each event type's share. The file is kept and reused
for the same projects, seed and years: delete it after changing the generator.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.history import province, write_jsonl  # noqa: E402

DATA = ROOT / "bench" / "data"


def province_file(projects: int = 35000, seed: int = 14, years: tuple[int, ...] = (2023, 2024, 2025)) -> Path:
    """The history's file, generated once and reused (same seed, same events)."""
    path = DATA / f"province-{projects}-{seed}-{'_'.join(map(str, years))}.jsonl"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        write_jsonl(_counted(province(seed, projects, years)), partial)
        partial.rename(path)
    return path


_COUNTS: Counter = Counter()


def _counted(events):
    for event in events:
        _COUNTS[event["event_type"]] += 1
        yield event


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=35000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--years", default="2023,2024,2025")
    args = parser.parse_args()
    started = time.perf_counter()
    path = province_file(args.projects, args.seed, tuple(int(y) for y in args.years.split(",")))
    total = sum(_COUNTS.values())
    print(f"{path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    if total:
        print(f"{total} events")
        for event_type, n in _COUNTS.most_common():
            print(f"  {event_type:24} {n:9d}  {100 * n / total:5.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())

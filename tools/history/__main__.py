"""`python -m tools.history demo|province OUT.jsonl`: write a generated event history as JSON lines."""
from __future__ import annotations

import argparse
import sys

from tools.history.county import demo_county, write_jsonl
from tools.history.province import DECADE, DECADE_PROJECTS, province


def parse_years(text: str) -> tuple[int, ...]:
    """``2023,2024,2025`` or a range ``2016-2025``."""
    if "-" in text:
        first, last = (int(y) for y in text.split("-"))
        return tuple(range(first, last + 1))
    return tuple(int(y) for y in text.split(","))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.history",
                                     description="Write a generated event history as JSON lines.")
    parser.add_argument("history", choices=("demo", "province"))
    parser.add_argument("out", help="output .jsonl file")
    parser.add_argument("--seed", type=int, help="random seed (demo 2024, province 14)")
    parser.add_argument("--projects", type=int,
                        help="province only: number of projects (default 35000, or with --decade "
                             "the decade's number)")
    parser.add_argument("--years", default="2023,2024,2025",
                        help="province only: comma-separated years or a range, e.g. 2016-2025")
    parser.add_argument("--decade", action="store_true",
                        help="province only: 2016-2025 at full density (over 20 million events)")
    parser.add_argument("--limit", type=int, help="stop after this many events")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.history == "demo":
        events = demo_county(2024 if args.seed is None else args.seed)
    else:
        years = DECADE if args.decade else parse_years(args.years)
        projects = args.projects or (DECADE_PROJECTS if args.decade else 35000)
        events = province(14 if args.seed is None else args.seed, projects, years)
    count = write_jsonl(events, args.out, args.limit)
    print(f"wrote {count} events to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""bench/RESULTS.md holds one section per benchmark between its own markers; each run replaces its own."""
from __future__ import annotations

from pathlib import Path


def write_section(results: Path, section: str, begin: str, end: str) -> None:
    """Replace the section between `begin` and `end` (or append it); other benchmarks' sections stay."""
    text = results.read_text() if results.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    results.write_text(text)

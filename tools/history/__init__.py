"""Deterministic event histories for tests, benchmarks and the shipped demo (not installed):
`demo_county()` — 阳城 2024 (county.py); `province()` — Shanxi at scale, streamed (province.py);
`python -m tools.history demo|province OUT.jsonl` writes one."""
from tools.history.county import demo_county, write_jsonl
from tools.history.province import province

__all__ = ["demo_county", "province", "write_jsonl"]

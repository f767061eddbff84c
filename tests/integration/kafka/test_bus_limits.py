"""Every value validation accepts, the Kafka path takes too (issue 15.1): a history whose every
string sits at its limit (CJK names, 2,000-character descriptions, ±14:00 offsets, the longest
amounts and systems) goes producer → submissions → ingest → log → relay → facts → worker into the
read model, and answers there byte for byte what the embedded path answers on the same log."""
from __future__ import annotations

from bus_pipeline import embedded, run_query
from helpers import LIMITS_PROJECT as P, at_the_limits, write_jsonl

QUERIES = [
    ("report", "--region", "140522", "--period", "2025Q1"),
    ("explain", "problem_on_time_rate", "--region", "140522", "--period", "2025Q1"),
    ("rank", "new_start_rate", "--region", "140522", "--period", "2025Q1", "--by", "township"),
    ("stage", "--region", "140522", "--on", "2025-03-31"),
    ("dossier", P, "--on", "2025-03-31"),
]


def test_values_at_every_limit_travel_the_bus_and_read_as_on_the_embedded_path(pipeline):
    history = at_the_limits()
    pipeline.doors()
    pipeline.worker()
    path = write_jsonl(pipeline.tmp / "limits.jsonl", history)
    sent = pipeline.submit(path)
    assert sent.returncode == 0, sent.stderr
    pipeline.wait_stored(len(history))
    pipeline.wait_projected(len(history))
    folder = pipeline.tmp / "embedded"
    folder.mkdir()
    same = pipeline.same_log(embedded(path, folder))
    for query in QUERIES:
        over_the_bus = pipeline.query(*query)
        assert over_the_bus == run_query(same.db, query, same.env), query
    rank = pipeline.query(*QUERIES[2])
    assert history[0]["payload"]["township"] in rank  # the 40-character CJK township, not truncated

"""The Kafka path gives the embedded path's figures, byte for byte, on the same history.

"Byte for byte" here: the exact output of `projfacts report|explain --format json --as-of T` on
both stores, with T after every event is in. The bus path stamps `recorded_at` at ingest (CONTRACT
§1) while the import keeps the file's values, so the two stores agree on every event but not on
when each became known: a report as of a time *before* the bus run has nothing to compare. As of
any time after both runs, every event and retraction is visible in both, and the figures (and
explanations, down to event ids) must be identical bytes, `as_of` included.

"The same history": the bus path's log must hold exactly the history's events (ids and content).
Each department publishes on its own topic and the ingest consumes them independently, so a
project's events from two departments may be logged in another order than the file's, and figures
that take "the report recorded last" follow the log; the figures are therefore compared with the
embedded path on the bus path's own log (exported and imported: `Pipeline.same_log`).
"""
from __future__ import annotations

import re

import pytest

from bus_pipeline import QUERIES


def assignments(log: str) -> list[list[int]]:
    return [[int(p) for p in found.split(",") if p.strip()] for found in re.findall(r"assigned \[([0-9, ]*)\]", log)]


@pytest.mark.parametrize(("engine", "workers", "store_kind"), [
    pytest.param("batch", 1, "sqlite", id="batch-1-sqlite"),
    pytest.param("batch", 2, "postgres", id="batch-2-postgres", marks=pytest.mark.postgres),
    pytest.param("faust", 1, "sqlite", id="faust-1-sqlite"),
])
def test_bus_path_equals_embedded_path(pipeline, demo, engine, workers, store_kind):
    pipeline.doors()
    for index in range(workers):
        pipeline.worker(f"worker-{index}", engine)
    submitted = pipeline.submit(demo.path)
    assert submitted.returncode == 0, submitted.stderr
    assert submitted.stdout.strip() == (f"sent {sum(1 for _ in open(demo.path))}, refused 0 "
                                        f"(to {pipeline.config.submissions_prefix}.<department>)")

    pipeline.wait_stored(demo.appended)
    pipeline.wait_projected(demo.appended)

    same = pipeline.same_log(demo)

    for query in QUERIES:
        assert pipeline.query(*query) == same.answer(query), query
    if workers == 2 and engine == "batch":
        last = [assignments(pipeline.log(f"worker-{i}"))[-1] for i in range(workers)]
        assert all(last), last  # both hold partitions …
        assert sorted(last[0] + last[1]) == list(range(pipeline.config.partitions))  # … and split them


def test_every_event_published_twice_gives_the_same_figures(pipeline, demo):
    pipeline.doors()
    pipeline.worker()
    for _ in range(2):
        submitted = pipeline.submit(demo.path)
        assert submitted.returncode == 0, submitted.stderr
    pipeline.wait_stored(demo.appended)
    pipeline.wait_projected(demo.appended)
    # the second copy of the file is all duplicates: nothing more in the store, nothing rejected
    same = pipeline.same_log(demo)
    for query in QUERIES[:3]:
        assert pipeline.query(*query) == same.answer(query), query
    assert pipeline.store.count() == demo.appended

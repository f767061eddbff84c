"""Workers and the ingest killed with SIGKILL mid-stream, at several points, then restarted:
the read model ends with exactly the store's events and the embedded path's figures."""
from __future__ import annotations

import signal

import pytest

from bus_pipeline import QUERIES, count, offsets, wait_until
from services.log.tables import events
from services.readmodel.tables import facts

SLOW = {"batch_size": 100, "batch_pause_ms": 40}  # ~60 batches: room to kill in the middle


def _kill_at(pipeline, name: str, table, threshold: int, restart, timeout: float = 120) -> int:
    """SIGKILL `name` once `table` holds `threshold` rows, restart it; returns the count at the kill."""
    wait_until(lambda: pipeline.check_alive() or count(pipeline.engine, table) >= threshold, timeout,
               f"{threshold} rows in {table.name} before killing {name}", interval=0.02)
    seen = count(pipeline.engine, table)
    pipeline.kill(name)
    restart()
    return seen


@pytest.mark.parametrize("engine", ["batch", "faust"])
def test_workers_killed_mid_stream_resume_from_stored_offsets(pipeline, demo, engine):
    total = demo.appended
    pipeline.doors()
    submitted = pipeline.submit(demo.path)
    assert submitted.returncode == 0, submitted.stderr
    pipeline.wait_stored(total)  # the facts topic is full; now project it, with kills

    start = lambda: pipeline.worker("worker", engine, **SLOW)  # noqa: E731
    start()
    shares = (20, 50, 80) if engine == "batch" else (30, 70)  # a faust restart takes longer
    kills = [_kill_at(pipeline, "worker", facts, total * share // 100, start) for share in shares]
    assert all(0 < seen < total for seen in kills), f"kills must land mid-stream: {kills} of {total}"
    pipeline.wait_projected(total)
    assert sum(offsets(pipeline.engine, pipeline.config.worker_group).values()) >= total
    same = pipeline.same_log(demo)
    for query in QUERIES[:4]:
        assert pipeline.query(*query) == same.answer(query), query
    assert "resuming at stored offsets" in pipeline.log("worker")


def test_ingest_killed_mid_stream_loses_and_duplicates_nothing(pipeline, demo):
    total = demo.appended
    start = lambda: pipeline.ingest("ingest", **SLOW)  # noqa: E731
    start()
    pipeline.relay()
    pipeline.worker()
    submitted = pipeline.submit(demo.path)
    assert submitted.returncode == 0, submitted.stderr
    kills = [_kill_at(pipeline, "ingest", events, total * share // 100, start) for share in (25, 60)]
    assert all(0 < seen < total for seen in kills), f"kills must land mid-stream: {kills} of {total}"
    pipeline.wait_stored(total)
    pipeline.wait_projected(total)
    assert pipeline.store.count() == total  # re-delivered submissions were duplicates, not new events
    same = pipeline.same_log(demo)
    for query in QUERIES[:4]:
        assert pipeline.query(*query) == same.answer(query), query


def test_the_relay_killed_mid_stream_resumes_from_its_checkpoint(pipeline, demo):
    """The relay publishes from the log in batches of 100 and is SIGKILLed twice: what it sent but
    had not checkpointed is sent again, and the workers' insert-by-position takes it once."""
    total = demo.appended
    pipeline.ingest()
    pipeline.worker()
    submitted = pipeline.submit(demo.path)
    assert submitted.returncode == 0, submitted.stderr
    pipeline.wait_stored(total)
    start = lambda: pipeline.relay("relay", **SLOW)  # noqa: E731
    start()
    kills = [_kill_at(pipeline, "relay", facts, total * share // 100, start) for share in (30, 70)]
    assert all(0 < seen < total for seen in kills), f"kills must land mid-stream: {kills} of {total}"
    pipeline.wait_projected(total)
    same = pipeline.same_log(demo)
    for query in QUERIES[:4]:
        assert pipeline.query(*query) == same.answer(query), query


def test_a_worker_rebuilds_the_read_model_from_the_event_store(pipeline, demo):
    """The read model lost (or a new one), the facts topic still there: `worker --rebuild`."""
    from sqlalchemy import delete

    from services.readmodel.tables import checkpoints

    total = demo.appended
    pipeline.doors()
    pipeline.worker()
    assert pipeline.submit(demo.path).returncode == 0
    pipeline.wait_projected(total)
    pipeline.kill("worker", signal.SIGTERM)
    with pipeline.engine.begin() as conn:  # the read model is gone; the worker's offsets say "done"
        conn.execute(delete(facts))
    assert count(pipeline.engine, facts) == 0

    pipeline.start("worker", ["worker", "--rebuild"])
    pipeline.wait_projected(total)
    group = pipeline.config.worker_group
    wait_until(lambda: sum(offsets(pipeline.engine, group).values()) >= total, 60,
               "the facts topic re-read after the rebuild")  # its offsets were forgotten, then re-earned
    same = pipeline.same_log(demo)
    for query in QUERIES[:2]:
        assert pipeline.query(*query) == same.answer(query), query
    with pipeline.engine.connect() as conn:
        assert conn.execute(checkpoints.select().where(checkpoints.c.name.like("replay:%"))).first() is None

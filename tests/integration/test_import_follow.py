"""A large history import into an empty read model: a replay follows it in its own process
(services.bus.inprocess.InProcessBus.following), and what it leaves is what a replay of the whole
log builds — the same facts, regions and figure columns, the same figure chunks — on SQLite and
PostgreSQL; a follower that dies never fails the import."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from helpers import assert_spawned_die_with, read_models
from services.bus.inprocess import InProcessBus
from services.ingest.accept import Acceptor
from services.ingest.importer import import_file
from services.log import EventStore
from services.readmodel.replay import current_plan, replay
from services.readmodel.tables import figure_chunks
from tools.history.county import demo_county

WINDOW = 700  # log positions per replay window: several windows, and a partial last one


def _history(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in demo_county()))
    return path


def _chunks(store: EventStore) -> list[tuple]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(figure_chunks.c.year, figure_chunks.c.last_position,
                                                      figure_chunks.c.rows, figure_chunks.c.data)
                                               .order_by(figure_chunks.c.year, figure_chunks.c.last_position))]


def _import(store: EventStore, path, on_tick=None):
    """Import with the follower; returns (summary, whether it was followed to the end, its exit code)."""
    bus = InProcessBus(store, replay_batch=WINDOW)
    acceptor = Acceptor(store, appended=bus.appended)
    seen = {}

    @contextmanager
    def watched():
        with bus.following() as tick:
            def ticking():
                if on_tick:
                    on_tick(bus)
                tick()
            yield ticking if tick else None
        seen["followed"], seen["exit"] = bus._followed, bus._follower.exitcode

    summary = import_file(path, acceptor, lambda n, e: None, follower=watched, follow_from_bytes=0, workers=1,
                          transaction=WINDOW // 2)
    return summary, seen["followed"], seen["exit"]


def test_a_followed_import_leaves_what_a_replay_of_the_log_builds(store_url, tmp_path):
    store = EventStore(store_url)
    summary, followed, code = _import(store, _history(tmp_path))
    assert followed and code == 0 and summary.appended == store.count() > 5 * WINDOW
    assert current_plan(store.engine) is None  # swapped in: no plan left
    followed_models, followed_chunks = read_models(store), _chunks(store)
    assert len(followed_models["facts"]) == store.count()
    replay(store, fresh=True, batch=WINDOW, verify=False, workers=1)  # the follower's one share
    assert read_models(store) == followed_models
    assert _chunks(store) == followed_chunks
    store.engine.dispose()


def test_a_follower_killed_mid_import_never_fails_it(sqlite_url, tmp_path, caplog):
    store = EventStore(sqlite_url)

    def kill(bus):
        if bus._follower.is_alive():
            os.kill(bus._follower.pid, signal.SIGKILL)
            bus._follower.join()

    with caplog.at_level(logging.WARNING, logger="projfacts.bus"):
        summary, followed, code = _import(store, _history(tmp_path), on_tick=kill)
    assert not followed and code == -signal.SIGKILL and "rebuilt after the import instead" in caplog.text
    assert summary.appended == store.count()
    models = read_models(store)
    assert len(models["facts"]) == store.count()
    replay(store, fresh=True, batch=WINDOW, verify=False)
    assert read_models(store) == models
    store.engine.dispose()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_follower_dies_with_a_killed_import(sqlite_url, tmp_path):
    script = textwrap.dedent(f"""
        from services.bus.inprocess import InProcessBus
        from services.ingest.accept import Acceptor
        from services.ingest.importer import import_file
        from services.log import EventStore
        if __name__ == "__main__":
            store = EventStore({sqlite_url!r})
            bus = InProcessBus(store, replay_batch=50)
            import_file({str(_history(tmp_path))!r}, Acceptor(store, appended=bus.appended), lambda n, e: None,
                        follower=bus.following, follow_from_bytes=0, workers=1, transaction=5)
        """)
    importer = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[2],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert_spawned_die_with(importer, 1, "import's follower", forked=True)  # workers=1: its only child


def test_a_retraction_imported_windows_before_the_fact_it_names_gets_its_row(store_url, tmp_path):
    """A retraction the follower projects before the importer has even appended the fact it names
    (windows apart): the fact's window still gives it its figure row, as a replay of the log does."""
    from helpers import event

    history = list(demo_county())
    project = next(e["project_id"] for e in history if e["event_type"] == "ProjectRegistered")
    invested = event("InvestmentReported", project_id=project, year=2025, month=1, amount="12.00",
                     occurred_on="2025-02-03", recorded_at="2025-02-03T10:00:00+08:00")
    retraction = event("EventRetracted", project_id=project, retracted_event_id=invested["event_id"], reason="重报",
                       source={"department": "project_center", "system": "t"}, occurred_on="2025-01-20",
                       recorded_at="2025-01-20T10:00:00+08:00")
    path = tmp_path / "history.jsonl"
    objs = history[:100] + [retraction] + history[100:] + [invested]
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in objs))
    store = EventStore(store_url)
    summary, followed, code = _import(store, path)
    assert followed and code == 0 and summary.appended == store.count() > 5 * WINDOW
    followed_models = read_models(store)
    replay(store, fresh=True, batch=WINDOW, verify=False, workers=1)
    assert read_models(store) == followed_models
    store.engine.dispose()

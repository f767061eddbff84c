"""The log is append-only by the database itself, and `verify-log` finds what was done anyway.

Wave one: the application's role could UPDATE, DELETE and TRUNCATE `events`; after one changed
amount and one deleted row, replay raised investment_completion_rate from 0.0654 to 0.7722 without a
word. Now the database refuses (triggers; on PostgreSQL also privileges), and a log changed with
the guards switched off is named by `projfacts verify-log`, and replay refuses it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from helpers import read_models, writer_for
from services.ingest.importer import import_file
from services.log.verify import TamperedLog, verify_log
from services.readmodel.replay import current_plan, replay

PROJFACTS = Path(sys.executable).with_name("projfacts")
PG_DSN = os.environ.get("PROJFACTS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
HISTORY = Path(__file__).parents[1] / "data" / "yangcheng-2024-wave-one.jsonl.gz"


@pytest.fixture
def store(store_url):
    writer = writer_for(store_url)
    summary = import_file(HISTORY, writer.acceptor, lambda n, e: pytest.fail(e.describe()))
    assert summary.rejected == 0
    yield writer.events
    writer.close()


def _raw(store, sql: str) -> None:
    with store.engine.connect() as conn:
        conn.execute(text(sql))
        conn.commit()


@pytest.mark.parametrize("sql", ["UPDATE events SET payload = '{}' WHERE position = 7",
                                 "DELETE FROM events WHERE position = 8"])
def test_the_database_refuses_to_change_or_delete_a_fact(store, sql):
    with pytest.raises(Exception, match="append-only"):
        _raw(store, sql)
    assert verify_log(store).sound


@pytest.mark.postgres
def test_postgresql_refuses_truncate_and_the_apps_role_may_only_read_and_append(pg_url):
    writer = writer_for(pg_url)
    store = writer.events
    with pytest.raises(Exception, match="append-only"):
        _raw(store, "TRUNCATE events")
    schema = pg_url.split("search_path%3D")[1].split("&")[0]
    role = f"pf_app_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(PG_DSN, autocommit=True)
    try:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
        admin.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
        admin.execute(f'GRANT SELECT, INSERT ON "{schema}".events TO "{role}"')  # deploy/postgresql/roles.sql
        app = psycopg.connect(PG_DSN.replace("postgres@", f"{role}@"), autocommit=True,
                              options=f"-csearch_path={schema}")
        try:
            app.execute("SELECT count(*) FROM events")
            for sql in ("UPDATE events SET system = 'x'", "DELETE FROM events", "TRUNCATE events"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app.execute(sql)
        finally:
            app.close()
    finally:
        admin.execute(f'DROP OWNED BY "{role}"')
        admin.execute(f'DROP ROLE "{role}"')
        admin.close()
        writer.close()


def test_a_log_changed_with_the_guards_off_is_named_and_replay_refuses_it(store, store_url):
    sqlite = store.engine.dialect.name == "sqlite"
    changed = next(s for s in store.read() if s.event_type == "InvestmentReported")
    off = ["DROP TRIGGER events_append_only_update", "DROP TRIGGER events_append_only_delete"] if sqlite \
        else ["ALTER TABLE events DISABLE TRIGGER USER"]
    for sql in off:  # what only the database's superuser can do
        _raw(store, sql)
    _raw(store, f"UPDATE events SET payload = replace(payload, '\"amount\":\"', '\"amount\":\"9') "
                f"WHERE position = {changed.position}")
    _raw(store, "DELETE FROM events WHERE position = 100")
    check = verify_log(store, workers=2)
    assert not check.sound
    assert check.altered == [(changed.position, changed.event_id)] and check.gaps == [(100, 100)]
    assert any("sequence" in line for line in check.sequences)
    before = read_models(store)
    with pytest.raises(TamperedLog, match=f"position {changed.position}"):
        replay(store, fresh=True)
    assert read_models(store) == before  # the shadows were rebuilt meanwhile, never swapped in
    assert current_plan(store.engine) is None  # and the refused rebuild is not resumed
    out = subprocess.run([str(PROJFACTS), "verify-log", "--db", store_url], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 1 and f"position {changed.position}: event {changed.event_id}" in out.stderr
    assert "position 100: missing" in out.stderr
    refused = subprocess.run([str(PROJFACTS), "replay", "--db", store_url], capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode == 1 and "replay refused" in refused.stderr


def test_replay_checks_the_log_while_it_rebuilds(store, monkeypatch):
    """The verdict is awaited before the swap, not before the rebuild: the check here waits for the
    rebuild's first window (run one after the other, it would wait in vain)."""
    import services.log.verify as verify_module

    real, rebuilding, waited = verify_module.verify_log, threading.Event(), []

    def verify_log_meanwhile(store, workers=1):
        waited.append(rebuilding.wait(timeout=60))
        return real(store, workers)

    monkeypatch.setattr(verify_module, "verify_log", verify_log_meanwhile)
    before = read_models(store)
    replay(store, fresh=True, workers=1, batch=1000, on_batch=lambda index, batches: rebuilding.set())
    assert waited == [True]
    assert read_models(store) == before


def test_a_sound_log_says_so(store, store_url):
    out = subprocess.run([str(PROJFACTS), "verify-log", "--db", store_url], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and "the log is sound: 5270 events" in out.stdout

"""A fact the log holds but the read model cannot take is parked, not fatal (issue 15.1): the rest
of its batch is projected, the writer and every read go on, the read model is not "behind" for
ever, `projfacts parked` lists it with its reason, a second delivery parks nothing twice, and a
replay — once the cause is fixed — projects it. The poison is made here by breaking the projection
of one chosen event (a Python error on both stores; on PostgreSQL also a value its column refuses),
since validation lets no such value in (tests/integration/test_poison_values.py)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from helpers import append_history, event, writer_for
from services.bus.inprocess import catch_up
from services.entry.cli.main import main
from services.query.figures import make_query, report_for
from services.readmodel import sql
from services.readmodel.replay import replay

P1, P2 = "2501-140522-04-01-000001", "2501-140522-04-01-000002"


def history() -> list[dict]:
    out = []
    for n, project in enumerate((P1, P2), start=1):
        out += [event("ProjectRegistered", project_id=project, occurred_on="2025-01-02",
                      recorded_at=f"2025-01-02T10:0{n}:00+08:00"),
                event("AnnualPlanAdopted", project_id=project, occurred_on="2025-01-05",
                      recorded_at=f"2025-01-05T10:0{n}:00+08:00"),
                event("ConstructionStarted", project_id=project, occurred_on="2025-03-01",
                      recorded_at=f"2025-03-01T10:0{n}:00+08:00")]
    return out


def poisoning(monkeypatch, event_id: str, how: str) -> None:
    real = sql.fact_row

    def fact_row(stored):
        row = real(stored)
        if stored.event_id == event_id:
            if how == "python":
                raise ValueError("this fact cannot be projected (a test's poison)")
            row["event_type"] = "X" * 200  # VARCHAR(64): PostgreSQL refuses it (DataError)
        return row

    monkeypatch.setattr(sql, "fact_row", fact_row)


@pytest.mark.parametrize("how", ["python", "database"])
def test_a_fact_that_cannot_be_projected_is_parked_and_the_rest_goes_on(store_url, monkeypatch, how):
    if how == "database" and store_url.startswith("sqlite"):
        pytest.skip("SQLite takes a long text in any column: the database poison is PostgreSQL's")
    events = history()
    poison = events[5]  # P2's start
    poisoning(monkeypatch, poison["event_id"], how)
    writer = writer_for(store_url)
    store = writer.events
    append_history(writer, events)  # appended and projected in one batch by the in-process bus

    assert store.count() == 6
    assert [(p["position"], p["event_id"]) for p in sql.parked(store.engine)] == [(6, poison["event_id"])]
    reason = sql.parked(store.engine)[0]["reason"]
    assert ("ValueError" if how == "python" else "StringDataRightTruncation: value too long") in reason
    assert sql.projected(store.engine) == 6 and store.head() == 6  # taken: not "behind" for ever
    figure = report_for(store, make_query("140522", "2025Q1", "2030-01-01"))["figures"]["new_start_rate"]
    assert (figure["numerator"], figure["denominator"]) == (1, 2)  # P1's start counts, P2's is parked

    assert catch_up(store) == 0  # delivered again: nothing added, nothing parked twice
    assert len(sql.parked(store.engine)) == 1 and sql.projected(store.engine) == 6

    listed = CliRunner().invoke(main, ["parked", "--db", store_url])
    assert listed.exit_code == 1 and poison["event_id"] in listed.stdout and "ConstructionStarted" in listed.stdout

    monkeypatch.undo()  # the cause fixed: a replay projects every fact and parks none
    replay(store, fresh=True)
    assert sql.parked(store.engine) == []
    figure = report_for(store, make_query("140522", "2025Q1", "2030-01-01"))["figures"]["new_start_rate"]
    assert (figure["numerator"], figure["denominator"]) == (2, 2)
    assert CliRunner().invoke(main, ["parked", "--db", store_url]).exit_code == 0
    writer.close()

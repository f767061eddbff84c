"""The views read a region project by project (services/readmodel/sql.py `region_projects`), so that a
view holds one project's facts at a time: the stream is each project's visible facts, the projects in
the order of their ids as Python orders them — whatever the database's own collation — on every
backend, and a view's rows come out in that order."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import create_engine, text

from helpers import append_history, event, reader_for, retraction, writer_for
from projections.facts import Fact
from projections.standing import ByProject
from services.log.store import to_micros
from services.query import desk, views
from services.readmodel.sql import region_facts, region_projects

# code-point order ("B1" < "a-3" < "a1" < "a_2") is not a linguistic collation's ("a_2" < "a-3" < "a1" < "B1")
IDS = ["a1", "B1", "b0", "a_2", "a-3", "A9", "Z.1"]
AS_OF = "2025-12-31T23:59:59+08:00"


def _history() -> list[dict]:
    events = []
    for n, project_id in enumerate(IDS):
        region = "140522" if n % 2 else "140581"
        events.append(event(project_id=project_id, occurred_on="2025-01-10", recorded_at="2025-01-10T09:00:00+08:00",
                            region=region, name=f"项目{n}"))
        events.append(event("AnnualPlanAdopted", project_id=project_id, occurred_on="2025-01-20",
                            recorded_at="2025-01-20T09:00:00+08:00"))
        started = event("ConstructionStarted", project_id=project_id, occurred_on="2025-03-01",
                        recorded_at="2025-03-02T09:00:00+08:00")
        events.append(started)
        if project_id == "b0":  # a start withdrawn: the project's stream leaves it out
            events.append(retraction(started, occurred_on="2025-03-05", recorded_at="2025-03-05T09:00:00+08:00"))
    return events


@pytest.fixture
def store(store_url):
    append_history(writer_for(store_url), _history())
    if store_url.startswith("postgresql"):  # as in a database whose collation is linguistic
        engine = create_engine(store_url)
        with engine.begin() as conn:
            if conn.execute(text("SELECT 1 FROM pg_collation WHERE collname = 'en-US-x-icu'")).scalar() is None:
                pytest.skip("PostgreSQL without ICU's en-US collation")
            conn.execute(text('ALTER TABLE facts ALTER COLUMN project_id TYPE varchar(64) COLLATE "en-US-x-icu"'))
        engine.dispose()
    return reader_for(store_url).events


@pytest.mark.parametrize("region", ["14", "1405", "140522"])
def test_projects_stream_in_code_point_order_each_with_its_own_visible_facts(store, region):
    as_of_us = to_micros(datetime.fromisoformat(AS_OF))
    groups = list(region_projects(store.engine, region, as_of_us, 2025))
    ids = [g[0].project_id for g in groups]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert all(isinstance(f, Fact) and f.project_id == g[0].project_id for g in groups for f in g)
    assert all([f.position for f in g] == sorted(f.position for f in g) for g in groups)
    flat = [f for g in groups for f in g]
    assert sorted(flat, key=lambda f: f.position) == region_facts(store.engine, region, as_of_us, 2025)
    b0 = [g for g in groups if g[0].project_id == "b0"]
    if b0:
        assert [f.event_type for f in b0[0]] == ["ProjectRegistered", "AnnualPlanAdopted", "EventRetracted"]


@pytest.mark.parametrize("region,expected", [("14", sorted(IDS)), ("140522", sorted(IDS[1::2]))])
def test_a_view_lists_projects_in_the_order_of_their_ids_on_every_backend(store, region, expected):
    vq = views.make_view_query(region, AS_OF[:10], AS_OF)
    assert [row["project_id"] for row in views.stage_for(store, vq)["projects"]] == expected
    dq = desk.make_desk_query(region, on=AS_OF[:10], as_of=AS_OF)
    assert [row["project_id"] for row in desk.starts_for(store, dq)["projects"]] == expected


def test_a_stream_out_of_order_is_refused_not_folded():
    def facts(project_id: str) -> list[Fact]:
        return [Fact(1, "e", "ProjectRegistered", project_id, None, 0, "ndrc", {})]

    with pytest.raises(ValueError, match="out of order"):
        list(ByProject([facts("b"), facts("a")]))
    assert [p.project_id for p in ByProject([facts("A"), [], facts("a")])] == ["A", "a"]


def test_a_region_holding_every_project_reads_them_all_without_the_semijoin_and_answers_the_same(store, store_url, monkeypatch):
    """Where every region the model knows lies in the prefix (a province's own store), the read takes
    every project's facts instead of joining `project_regions` per row: a project with facts and no
    registration, and project-less facts, change nothing a view shows."""
    from services.readmodel import sql

    append_history(writer_for(store_url), [
        event("ConstructionStarted", project_id="never-registered", occurred_on="2025-03-01",
              recorded_at="2025-03-02T09:00:00+08:00"),
        event("TargetSet", recorded_at="2025-01-05T09:00:00+08:00")])
    with store.engine.connect() as conn:
        assert "IS NOT NULL" in str(sql._of_region(conn, "14")) and "IN" not in str(sql._of_region(conn, "14"))
        assert "IN" in str(sql._of_region(conn, "140522"))  # 140581 lies outside it
    as_of_us = to_micros(datetime.fromisoformat(AS_OF))
    groups = list(region_projects(store.engine, "14", as_of_us, 2025))
    assert all(f.project_id is not None for g in groups for f in g)
    vq = views.make_view_query("14", AS_OF[:10], AS_OF)
    dq = desk.make_desk_query("14", on=AS_OF[:10], as_of=AS_OF)
    answers = views.stage_for(store, vq), desk.starts_for(store, dq), views.problems_for(store, vq)
    monkeypatch.setattr(sql, "_of_region", lambda conn, region: sql.facts.c.project_id.in_(sql._in_region(region)))
    assert (views.stage_for(store, vq), desk.starts_for(store, dq), views.problems_for(store, vq)) == answers
    assert [row["project_id"] for row in answers[0]["projects"]] == sorted(IDS)

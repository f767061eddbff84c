"""Paging (`limit`, `cursor`) on every list the API returns: the pages of one snapshot, put end to
end, are the whole list; `page` says where it is; a bad cursor or limit is refused in the one error
body. On the demo county (阳城 2024, ≈10k events), SQLite: paging is the HTTP layer's, after the
view (services/entry/http/paging.py), the same on every store."""
from __future__ import annotations

import os
import subprocess
import sys
import warnings
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from helpers import reader_headers
from services.entry.http.paging import page

PROJFACTS = Path(sys.executable).with_name("projfacts")
DEMO = Path(__file__).resolve().parents[3] / "services" / "entry" / "data" / "yangcheng-2024.jsonl.gz"
AS_OF = "2024-12-31T23:59:59+08:00"
COUNTY = {"region": "140522", "as_of": AS_OF}

# path, its parameters, the lists it pages (the first is the one `page` names)
PAGED = [
    ("/v1/explain/new_start_rate", {**COUNTY, "period": "2024Q3"}, ("numerator.items", "denominator.items")),
    ("/v1/rank/new_start_rate", {**COUNTY, "period": "2024Q3", "by": "township"}, ("rows",)),
    ("/v1/stages", {**COUNTY, "on": "2024-09-30"}, ("projects",)),
    ("/v1/stats-entry", {**COUNTY, "on": "2024-09-30"}, ("projects", "not_entered")),
    ("/v1/leaders", {**COUNTY, "on": "2024-09-30"}, ("leaders", "units")),
    ("/v1/problems", {**COUNTY, "on": "2024-09-30"}, ("problems", "near_deadline", "overdue")),
    ("/v1/desk/starts", {**COUNTY, "on": "2024-09-30"}, ("projects", "overdue")),
    ("/v1/desk/procedures", {**COUNTY, "on": "2024-09-30"}, ("procedures", "overdue_list")),
    ("/v1/desk/lagging", {**COUNTY, "on": "2024-09-30"}, ("projects",)),
    ("/v1/desk/coverage", {**COUNTY, "on": "2024-09-30"}, ("projects", "missing")),
    ("/v1/desk/funding", {**COUNTY, "on": "2024-09-30"}, ("items",)),
    ("/v1/desk/lights", {**COUNTY, "on": "2024-09-30"}, ("rows",)),
]


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> str:
    work = tmp_path_factory.mktemp("paging")
    url = f"sqlite:///{work / 'store.sqlite'}"
    env = {k: v for k, v in os.environ.items() if k not in ("PROJFACTS_BUS", "PROJFACTS_DB")}
    env["XDG_DATA_HOME"] = str(work / "xdg")
    done = subprocess.run([str(PROJFACTS), "import", str(DEMO), "--db", url], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=600)
    assert done.returncode == 0, done.stderr
    return url


@contextmanager
def serving(url: str):
    """An in-process client of the API on `url`, reading as an admin."""
    from services.entry.http import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    with TestClient(create_app(url)) as test_client:
        test_client.headers.update(reader_headers(url))
        yield test_client


@pytest.fixture(scope="module")
def client(county):
    with serving(county) as test_client:
        yield test_client


def _at(body: dict, path: str):
    for key in path.split("."):
        body = body[key]
    return body


@pytest.mark.parametrize("path, params, lists", PAGED, ids=[p for p, _, _ in PAGED])
def test_pages_end_to_end_are_the_whole_list(client, path, params, lists):
    whole = client.get(path, params=params)
    assert whole.status_code == 200, whole.text
    whole = whole.json()
    assert "page" not in whole  # without limit or cursor: the answer as before paging
    longest = max(len(_at(whole, name)) for name in lists)
    limit = max(1, (longest + 2) // 3)  # three pages or so of the longest list
    seen = {name: [] for name in lists}
    cursor, pages = None, 0
    while True:
        answer = client.get(path, params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages += 1
        assert body["page"]["list"] == lists[0] and body["page"]["limit"] == limit
        assert body["page"]["total"] == len(_at(whole, lists[0]))
        for name in lists:
            assert len(_at(body, name)) <= limit
            seen[name] += _at(body, name)
        # everything else in the answer is the whole view's
        rest = {k: v for k, v in body.items() if k not in {"page", *(n.split(".")[0] for n in lists)}}
        assert rest == {k: v for k, v in whole.items() if k in rest}
        cursor = body["page"]["next_cursor"]
        if cursor is None:
            break
        assert pages < 50
    for name in lists:
        assert seen[name] == _at(whole, name), name
    assert pages == max(1, -(-longest // limit))
    assert longest > limit or path in ("/v1/desk/funding",), f"{path}: the demo county gives one page only"


@pytest.mark.parametrize("params, field", [({"cursor": "-1"}, "cursor"), ({"cursor": "abc"}, "cursor"),
                                           ({"limit": "0"}, "limit"), ({"limit": "5001"}, "limit")])
def test_a_bad_cursor_or_limit_is_refused(client, params, field):
    for path in ("/v1/stages", "/v1/desk/starts"):
        answer = client.get(path, params={**COUNTY, **params})
        assert answer.status_code in (400, 422), answer.text
        body = answer.json()
        assert set(body) == {"event_id", "field", "reason"} and field in (body["field"] or "")


def test_page_is_pure_and_leaves_its_input_alone():
    view = {"region": "140522", "projects": list(range(5)), "numerator": {"items": [1, 2, 3], "value": 3}}
    first = page(view, ("projects", "numerator.items"), 2, None)
    assert first["projects"] == [0, 1] and first["numerator"] == {"items": [1, 2], "value": 3}
    assert first["page"] == {"list": "projects", "cursor": "0", "limit": 2, "total": 5, "next_cursor": "2"}
    last = page(view, ("projects", "numerator.items"), 2, "4")
    assert last["projects"] == [4] and last["numerator"]["items"] == [] and last["page"]["next_cursor"] is None
    assert view["projects"] == list(range(5)) and view["numerator"]["items"] == [1, 2, 3]
    assert page(view, "projects", None, None) is view


def test_the_pages_of_one_snapshot_are_computed_once_until_the_read_model_grows(county, tmp_path, monkeypatch):
    """Paging through one snapshot (the first page's `as_of` passed along) folds the view once: the
    next pages come from the kept answer (services/entry/http/answers.py). Without `as_of` (now, after
    everything the log records) the pages share one complete answer, restamped with each request's
    own now; once the read model holds a new fact — here one recorded before that `as_of`, as a
    history import keeps it — the answer is computed again and shows it."""
    import shutil

    from helpers import append_history, event, writer_for
    from services.query import desk, views

    store = tmp_path / "store.sqlite"
    shutil.copy(county.removeprefix("sqlite:///"), store)
    url = f"sqlite:///{store}"
    calls = []
    for module, name in ((views, "stage_for"), (desk, "starts_for")):
        original = getattr(module, name)

        def counted(*args, _original=original, **kwargs):
            calls.append(_original.__name__)
            return _original(*args, **kwargs)
        counted.__name__ = original.__name__
        monkeypatch.setattr(module, name, counted)
    with serving(url) as client:
        params = {"region": "140522", "on": "2024-09-30", "as_of": AS_OF, "limit": 7}
        first = client.get("/v1/stages", params=params).json()
        second = client.get("/v1/stages", params={**params, "cursor": first["page"]["next_cursor"]}).json()
        client.get("/v1/desk/starts", params=params)
        client.get("/v1/desk/starts", params={**params, "cursor": "7"})
        assert calls == ["stage_for", "starts_for"]
        assert second["page"]["cursor"] == "7" and second["projects"] != first["projects"]
        now = client.get("/v1/stages", params={"region": "140522", "on": "2024-09-30", "limit": 7}).json()
        now_next = client.get("/v1/stages", params={"region": "140522", "on": "2024-09-30", "limit": 7,
                                                     "cursor": "7"}).json()
        assert calls == ["stage_for", "starts_for", "stage_for"]  # as of now: one complete answer
        assert datetime.fromisoformat(now["as_of"]) < datetime.fromisoformat(now_next["as_of"])  # its own now
        assert now_next["projects"] != now["projects"]

        project = "2409-140522-04-01-777777"
        written = writer_for(url)
        try:
            append_history(written, [event("ProjectRegistered", project_id=project, occurred_on="2024-09-01",
                                           recorded_at="2024-09-02T10:00:00+08:00")])
        finally:
            written.close()
        again = client.get("/v1/stages", params=params).json()
        assert calls[-1] == "stage_for" and len(calls) == 4
        assert again["page"]["total"] == first["page"]["total"] + 1
        whole = client.get("/v1/stages", params={**params, "limit": 5000}).json()
        assert project in {p["project_id"] for p in whole["projects"]}


def test_a_kept_answer_as_of_now_is_the_one_computed_afresh(county):
    """As of now (no `as_of`), a kept complete answer, restamped, is byte for byte what a server that
    keeps nothing computes — but for the `as_of` it names, the request's own. (The second server
    computes later than the first: a field that depended on the clock would differ.)"""
    def without_as_of(body: dict) -> dict:
        return {k: v for k, v in body.items() if k != "as_of"}

    with serving(county) as first, serving(county) as fresh:
        for path, params, _ in PAGED:
            now = {k: v for k, v in params.items() if k != "as_of"}
            computed = first.get(path, params=now)
            kept = first.get(path, params=now)
            again = fresh.get(path, params=now)
            assert computed.status_code == kept.status_code == again.status_code == 200, path
            assert without_as_of(kept.json()) == without_as_of(again.json()) == without_as_of(computed.json()), path
            if "as_of" in computed.json():  # every view names it (an explanation does not)
                assert kept.json()["as_of"] != computed.json()["as_of"], path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_ledger_after_the_latest_fact_is_folded_once_and_is_the_file_computed_afresh(county, monkeypatch,
                                                                                        suffix):
    """台账 downloads share the views' kept answers: two as-of times after everything the log records
    (the demo's latest is 2025-02-16) fold the region once; the second file, from the kept answer
    restamped, is byte for byte the one a server that keeps nothing writes for that time."""
    from services.query import desk

    calls = []
    original = desk.ledger_view

    def counted(*args, **kwargs):
        calls.append(args[1])
        return original(*args, **kwargs)
    monkeypatch.setattr(desk, "ledger_view", counted)
    path = f"/v1/ledgers/starts{suffix}"
    params = {"region": "140522", "period": "2024Q4"}
    with serving(county) as first, serving(county) as fresh:
        earlier = first.get(path, params={**params, "as_of": "2025-03-01"})
        kept = first.get(path, params={**params, "as_of": "2025-04-01"})
        assert calls == ["starts"]
        again = fresh.get(path, params={**params, "as_of": "2025-04-01"})
        assert calls == ["starts", "starts"]
    assert earlier.status_code == kept.status_code == again.status_code == 200
    assert kept.content == again.content


def test_the_bulletin_after_the_latest_fact_is_built_once_for_its_three_files(county, monkeypatch):
    """通报 downloads keep their data as the views do (Bulletin.restamped): its .md, .html and .xlsx
    at two as-of times after everything the log records build it once, and each file is byte for
    byte what a server that keeps nothing writes for that time — the as-of time it names included."""
    from services.query import bulletin

    calls = []
    original = bulletin.build

    def counted(*args, **kwargs):
        calls.append(args[1].period.label)
        return original(*args, **kwargs)
    monkeypatch.setattr(bulletin, "build", counted)
    params = {"region": "140522", "period": "2024-12"}
    with serving(county) as first, serving(county) as fresh:
        files = {}
        for suffix, as_of in (("md", "2025-03-01"), ("html", "2025-04-01"), ("xlsx", "2025-04-01"),
                              ("md", "2025-04-01")):
            response = first.get(f"/v1/bulletin.{suffix}", params={**params, "as_of": as_of})
            assert response.status_code == 200, response.text
            files[suffix, as_of] = response.content
        assert calls == ["2024-12"]
        for suffix in ("md", "html", "xlsx"):  # built once there too, as of 2025-04-01 itself
            again = fresh.get(f"/v1/bulletin.{suffix}", params={**params, "as_of": "2025-04-01"})
            assert again.content == files[suffix, "2025-04-01"], suffix
        assert calls == ["2024-12", "2024-12"]
    assert files["md", "2025-03-01"] != files["md", "2025-04-01"]  # each names its own as-of time

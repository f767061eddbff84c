"""Who may read (issue 17) and the HTTP edges (issue 15 item 5), on SQLite and PostgreSQL:
every read endpoint with no token, a wrong one, a revoked one, one of another county and a good
one; a county token asking for its city or province; township tokens; readers and statisticians
for explain and revisions; the dashboard's login session; the audit of refused reads; the body
limit before parsing; poison in the path and query; one error body for every error."""
from __future__ import annotations

import subprocess

import orjson
import pytest

from api_scenario import OTHER, REGION, build, pid
from conftest import PROJFACTS, anonymous, cli_env, load
from helpers import event
from services.entry.http.access import COOKIE
from services.ingest.readers import create_reader, list_readers, revoke_reader, verify_reader
from services.ingest.tables import reader_tokens
from services.ingest.tokens import refusals

AS_OF = "2025-06-01T12:00:00+08:00"
ON = "2025-05-20"
VIEW = {"region": REGION, "on": ON, "as_of": AS_OF}
FIGURES = {"region": REGION, "period": "2025Q1", "as_of": AS_OF}
DESK = {"region": REGION, "on": ON, "as_of": AS_OF}
LEDGER = {"region": REGION, "period": "2025Q2", "as_of": AS_OF}

# every read of the API (path, params), with 140522 as its region; the dossier's project is in 140522
READS = [
    ("/v1/report", FIGURES),
    ("/v1/explain/new_start_rate", FIGURES),
    ("/v1/rank/new_start_rate", {**FIGURES, "by": "township"}),
    ("/v1/stages", VIEW),
    ("/v1/stats-entry", VIEW),
    ("/v1/leaders", VIEW),
    ("/v1/problems", VIEW),
    (f"/v1/projects/{pid(2)}/dossier", {"on": ON, "as_of": AS_OF}),
    ("/v1/revisions", {**FIGURES, "from": "2025-04-01", "to": AS_OF}),
    ("/v1/desk/starts", DESK),
    ("/v1/desk/procedures", DESK),
    ("/v1/desk/procedures/weekly", DESK),
    ("/v1/desk/lagging", DESK),
    ("/v1/desk/coverage", DESK),
    ("/v1/desk/funding", DESK),
    ("/v1/desk/lights", DESK),
    ("/v1/ledgers/starts.csv", LEDGER),
    ("/v1/ledgers/problems.xlsx", LEDGER),
    ("/v1/bulletin.xlsx", {"region": REGION, "period": "2025-05", "as_of": AS_OF}),
    ("/v1/bulletin.md", {"region": REGION, "period": "2025-05", "as_of": AS_OF}),
    ("/v1/bulletin.html", {"region": REGION, "period": "2025-05", "as_of": AS_OF}),
    ("/", {}),
]
ITEMS = ("/v1/explain/", "/v1/revisions")
ERROR_KEYS = {"event_id", "field", "reason"}


@pytest.fixture
def scenario(api_store):
    s = build()
    load(api_store, s.events)
    return s


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(api_store, client, scenario):
    """A token of each kind (the app exists, so the store is migrated); the revoked one revoked."""
    made = {
        "county_reader": create_reader(api_store, "reader", REGION, label="阳城 reader")[1],
        "county_statistician": create_reader(api_store, "statistician", REGION)[1],
        "city_reader": create_reader(api_store, "reader", "1405")[1],
        "other_county": create_reader(api_store, "statistician", OTHER)[1],
        "township": create_reader(api_store, "statistician", REGION, "凤城镇")[1],
        "other_township": create_reader(api_store, "reader", REGION, "町店镇")[1],
        "revoked": create_reader(api_store, "admin", None)[1],
    }
    assert revoke_reader(api_store, verify_reader(api_store, made["revoked"]).token_id)
    return made


def read(client, path: str, params: dict, token: str | None):
    if token is None:
        return anonymous(client, "GET", path, params=params, follow_redirects=False)
    return client.get(path, params=params, headers=bearer(token), follow_redirects=False)


def assert_error(response, status: int, field: str | None = None, reason_part: str = "") -> dict:
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.json()
    assert set(body) == ERROR_KEYS and body["event_id"] is None and reason_part in body["reason"], body
    if field is not None:
        assert body["field"] == field, body
    return body


def last_refusal(api_store) -> dict:
    return refusals(api_store, 1)[0]


@pytest.mark.parametrize("path, params", READS, ids=[path for path, _ in READS])
def test_every_read_needs_a_good_token_inside_its_territory(client, api_store, tokens, path, params):
    dashboard = path == "/"
    # no token: 401 (the dashboard page sends people to the login instead)
    nobody = read(client, path, params, None)
    if dashboard:
        assert nobody.status_code == 303 and nobody.headers["location"] == "/login?next=%2F"
    else:
        assert_error(nobody, 401, "Authorization", "missing reader token")
        assert nobody.headers["www-authenticate"] == "Bearer"
        logged = last_refusal(api_store)
        assert (logged["status"], logged["token_id"], logged["field"]) == (401, None, "Authorization")
        assert logged["request"].startswith(f"GET {path}")
    for bad in ("pfr_not-a-token", tokens["revoked"]):
        assert_error(read(client, path, params, bad), 401, "Authorization", "unknown or revoked reader token")
        assert last_refusal(api_store)["request"].startswith(f"GET {path}")
    # a token of another county: 403, recorded with the token and its role
    other = read(client, path, params, tokens["other_county"])
    if dashboard:
        assert other.status_code == 200  # the page itself holds no figure; its reads are refused
    else:
        assert_error(other, 403, "project_id" if "dossier" in path else "region", "outside this token's territory")
        logged = last_refusal(api_store)
        assert (logged["status"], logged["role"]) == (403, "statistician") and logged["token_id"].startswith("r")
    # a good one
    good = tokens["county_statistician" if path.startswith(ITEMS) else "county_reader"]
    answer = read(client, path, params, good)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.content
    city = read(client, path, params, tokens["city_reader"])  # a city's token reads its counties
    assert city.status_code == (403 if path.startswith(ITEMS) else 200), city.text[:300]


@pytest.mark.parametrize("region", ["1405", "14"])
def test_a_county_token_never_gets_its_city_or_province(client, api_store, tokens, region):
    for path in ("/v1/report", "/v1/rank/new_start_rate", "/v1/bulletin.md"):
        response = read(client, path, {**FIGURES, "region": region, "by": "county"}, tokens["county_reader"])
        assert_error(response, 403, "region", f"region {region} is outside this token's territory (140522)")
    stages = read(client, "/v1/stages", {**VIEW, "region": region}, tokens["county_reader"])
    assert_error(stages, 403, "region")
    # a region given twice is judged on every value, not on the one FastAPI would take
    twice = client.get("/v1/report", params=[("region", REGION), ("region", region), ("period", "2025Q1")],
                       headers=bearer(tokens["county_reader"]))
    assert_error(twice, 403, "region")
    # the city's token reads the city and its counties, and the admin every region
    assert read(client, "/v1/report", {**FIGURES, "region": "1405"}, tokens["city_reader"]).status_code == 200
    assert client.get("/v1/report", params={**FIGURES, "region": "14"}).status_code == 200  # the fixture's admin


def test_a_dossier_outside_the_territory_is_refused(client, api_store, tokens):
    theirs = read(client, f"/v1/projects/{pid(9, OTHER)}/dossier", {"on": ON}, tokens["county_reader"])
    assert_error(theirs, 403, "project_id", "outside this token's territory")
    assert last_refusal(api_store)["request"].startswith(f"GET /v1/projects/{pid(9, OTHER)}/dossier")
    # not registered: placed by the region in its code
    assert_error(read(client, f"/v1/projects/{pid(77, OTHER)}/dossier", {}, tokens["county_reader"]), 403,
                 "project_id")
    assert read(client, f"/v1/projects/{pid(9, OTHER)}/dossier", {}, tokens["other_county"]).status_code == 200
    assert read(client, f"/v1/projects/{pid(9, OTHER)}/dossier", {}, tokens["city_reader"]).status_code == 200


def test_explain_items_and_revisions_are_for_statisticians(client, api_store, tokens):
    for path, params in READS:
        if path.startswith(ITEMS):
            assert_error(read(client, path, params, tokens["county_reader"]), 403, "Authorization",
                         "for statisticians and admins; this token is a reader")
            assert last_refusal(api_store)["role"] == "reader"
            answer = read(client, path, params, tokens["county_statistician"])
            assert answer.status_code == 200
            assert client.get(path, params=params).status_code == 200  # admin
    explained = read(client, "/v1/explain/new_start_rate", FIGURES, tokens["county_statistician"]).json()
    assert explained["numerator"]["items"] or explained["denominator"]["items"]


def test_a_township_token_sees_its_township_only(client, api_store, tokens):
    mine, other = tokens["township"], tokens["other_township"]
    assert read(client, f"/v1/projects/{pid(1)}/dossier", {"on": ON}, mine).status_code == 200
    assert_error(read(client, f"/v1/projects/{pid(1)}/dossier", {"on": ON}, other), 403, "project_id",
                 "is not in township 町店镇")
    # its own row of the township ranking, never its neighbours'
    everyone = client.get("/v1/rank/new_start_rate", params={**FIGURES, "by": "township"}).json()["rows"]
    assert [r["township"] for r in everyone] == ["凤城镇"]
    own = read(client, "/v1/rank/new_start_rate", {**FIGURES, "by": "township"}, mine).json()
    assert own["rows"] == everyone
    assert read(client, "/v1/rank/new_start_rate", {**FIGURES, "by": "township"}, other).json()["rows"] == []
    # what is the whole county's cannot be cut to a township: refused, with why
    for path, params in READS:
        if path == "/" or "dossier" in path or path.startswith("/v1/rank/"):
            continue
        assert_error(read(client, path, params, mine), 403, "Authorization",
                     "cannot be restricted to one township")
    assert_error(read(client, "/v1/rank/new_start_rate", {**FIGURES, "by": "county"}, mine), 403, "Authorization")
    assert read(client, "/", {}, mine).status_code == 200


def test_the_dashboard_login_sets_an_httponly_session(client, api_store, tokens):
    anonymous_page = anonymous(client, "GET", "/login")
    assert anonymous_page.status_code == 200 and 'name="token"' in anonymous_page.text
    client.headers.pop("Authorization")  # from here on, the cookie only
    wrong = client.post("/login", data={"token": "pfr_wrong", "next": "/"}, follow_redirects=False)
    assert wrong.status_code == 401 and "令牌无效或已撤销" in wrong.text and COOKIE not in client.cookies
    assert (last_refusal(api_store)["status"], last_refusal(api_store)["request"]) == (401, "POST /login")
    logged_in = client.post("/login", data={"token": tokens["county_reader"], "next": "/?region=140522"},
                            follow_redirects=False)
    assert logged_in.status_code == 303 and logged_in.headers["location"] == "/?region=140522"
    cookie = logged_in.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=pfs_") and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    page = client.get("/")
    assert page.status_code == 200 and 'data-territory="140522"' in page.text and 'data-role="reader"' in page.text
    assert client.get("/v1/report", params=FIGURES).status_code == 200
    assert_error(client.get("/v1/report", params={**FIGURES, "region": "1405"}), 403, "region")
    # a bad bearer header is not rescued by the cookie
    assert_error(client.get("/v1/report", params=FIGURES, headers=bearer("pfr_x")), 401)
    # an open redirect is not offered
    elsewhere = client.post("/login", data={"token": tokens["county_reader"], "next": "//evil.example/"},
                            follow_redirects=False)
    assert elsewhere.headers["location"] == "/"
    # logout ends the session; the cookie sent again is refused
    session = client.cookies[COOKIE]
    assert client.post("/logout", follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE, session)
    assert_error(client.get("/v1/report", params=FIGURES), 401)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_revoking_a_token_ends_its_sessions(client, api_store, tokens):
    client.headers.pop("Authorization")
    client.post("/login", data={"token": tokens["city_reader"]}, follow_redirects=False)
    assert client.get("/v1/report", params=FIGURES).status_code == 200
    assert revoke_reader(api_store, verify_reader(api_store, tokens["city_reader"]).token_id)
    assert_error(client.get("/v1/report", params=FIGURES), 401)


def test_reader_tokens_are_stored_hashed_and_listed(api_store, tokens):
    with api_store.engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(reader_tokens.select())]
    assert stored and all(t not in str(v) for t in tokens.values() for row in stored for v in row)
    listed = list_readers(api_store)
    assert {(r["role"], r["territory"], r["township"]) for r in listed} >= {
        ("reader", REGION, None), ("statistician", REGION, "凤城镇"), ("admin", "", None)}
    assert sum(1 for r in listed if r["revoked_at"]) == 1 and all("token_hash" not in r for r in listed)
    with pytest.raises(ValueError, match="territory is required"):
        create_reader(api_store, "reader", None)
    with pytest.raises(ValueError, match="6-digit"):
        create_reader(api_store, "reader", "1405", "凤城镇")
    with pytest.raises(ValueError, match="role"):
        create_reader(api_store, "viewer", REGION)


# ---- the HTTP edges (issue 15 item 5) -----------------------------------------------------------
def test_a_body_over_the_limit_is_refused_before_it_is_read(client, api_store, scenario):
    from services.ingest.tokens import create_token

    token = create_token(api_store, "project_center", REGION)[1]
    huge = b'{"event_id": "' + b"x" * (2 << 20) + b'"}'
    declared = client.post("/v1/events", content=huge, headers={**bearer(token), "Content-Type": "application/json"})
    assert_error(declared, 413, "body", "at most 1048576")
    assert (last_refusal(api_store)["status"], last_refusal(api_store)["request"]) == (413, "POST /v1/events")

    def chunks():  # no Content-Length: counted while read, refused at the limit
        for _ in range(40):
            yield b"x" * 65536
    streamed = client.post("/v1/events", content=chunks(), headers=bearer(token))
    assert_error(streamed, 413, "body")
    assert last_refusal(api_store)["status"] == 413
    # unauthenticated: refused before the body is read (no event named, whatever the body)
    nobody = anonymous(client, "POST", "/v1/events", content=orjson.dumps(event("ConstructionStarted")))
    assert_error(nobody, 401, "Authorization")
    assert last_refusal(api_store)["event_id"] is None


@pytest.mark.parametrize("path, params", [
    ("/v1/report", {"region": "140522\x00", "period": "2025Q1"}),
    ("/v1/report", {"region": REGION, "period": "2025\nQ1"}),
    ("/v1/desk/starts", {"region": REGION, "on": "2025-05-20\x7f"}),
    ("/v1/projects/2501-140522%00/dossier", {}),
    ("/v1/projects/%ff%fe/dossier", {}),
], ids=["nul-query", "newline-query", "del-query", "nul-path", "not-utf8-path"])
def test_poison_in_the_path_or_query_is_a_400_and_audited(client, api_store, scenario, path, params):
    response = client.get(path, params=params)
    body = assert_error(response, 400)
    assert body["field"] in ("path", "query")
    logged = last_refusal(api_store)
    assert logged["status"] == 400 and logged["reason"] == body["reason"]
    assert "\x00" not in (logged["request"] or "")
    # nobody, with the same poison: refused the same way (before the token is looked at)
    assert anonymous(client, "GET", path, params=params).status_code == 400


def test_one_error_body_for_every_error(client, api_store, scenario, monkeypatch):
    assert_error(client.get("/v1/report", params={"region": "14x", "period": "2025Q1"}), 400, "region")
    assert_error(client.get("/v1/report", params={"region": REGION, "period": "2025Q1", "level": "town"}), 422,
                 "level", "level:")
    assert_error(client.get("/v1/report", params={"period": "2025Q1"}), 422, "region")
    assert_error(client.get("/v1/explain/no_such_figure", params=FIGURES), 422, "figure")
    assert_error(client.get("/v1/no/such/path"), 404, None, "Not Found")
    assert_error(client.delete("/v1/report"), 405)
    assert_error(client.get("/v1/desk/starts", params={**DESK, "period": "2025Q2"}), 400)
    assert_error(anonymous(client, "GET", "/v1/report", params=FIGURES), 401)
    assert_error(client.post("/v1/events", content=b"{}", headers=bearer("pf_wrong")), 401)

    from services.query import figures

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(figures, "report_for", broken)
    from fastapi.testclient import TestClient

    as_a_server = TestClient(client.app, raise_server_exceptions=False, headers=dict(client.headers))
    failed = as_a_server.get("/v1/report", params=FIGURES)
    body = assert_error(failed, 500, None, "internal error")
    assert "boom" not in body["reason"]


def test_open_paths_stay_open(client):
    for path in ("/healthz", "/openapi.json", "/docs", "/redoc", "/login", "/static/vendor/echarts/echarts.min.js"):
        assert anonymous(client, "GET", path).status_code == 200, path


def test_the_reader_commands(store_url, tmp_path, client, api_store, scenario):
    env = cli_env(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(PROJFACTS), *args, "--db", store_url], env=env, capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)

    made = run("reader", "create", "--role", "statistician", "--territory", "1405", "--label", "市统计局")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("pfr_") and "statistician of 1405" in made.stderr
    viewer = verify_reader(api_store, token)
    assert (viewer.role, viewer.territory) == ("statistician", "1405")
    assert client.get("/v1/explain/new_start_rate", params=FIGURES, headers=bearer(token)).status_code == 200
    admin = run("reader", "create", "--role", "admin")
    assert admin.returncode == 0 and "admin of every region" in admin.stderr
    refused = run("reader", "create", "--role", "reader")
    assert refused.returncode == 2 and "territory is required" in refused.stderr
    listed = orjson.loads(run("reader", "list", "--format", "json").stdout)
    assert {r["token_id"] for r in listed} >= {viewer.token_id}
    assert token not in run("reader", "list").stdout
    assert run("reader", "revoke", viewer.token_id).returncode == 0
    assert run("reader", "revoke", viewer.token_id).returncode == 1
    assert_error(client.get("/v1/report", params=FIGURES, headers=bearer(token)), 401)
    audit = run("audit", "--format", "json")
    assert audit.returncode == 0
    (row, *_) = orjson.loads(audit.stdout)
    assert row["status"] == 401 and row["request"].startswith("GET /v1/report?")


def test_on_a_real_server_refusals_come_before_the_body(server, store_url, api_store, client, tokens):
    """Over loopback (uvicorn): nobody reads nothing, a declared 2 MiB body is refused with 413, a
    poisoned query is a 400, and a good token reads."""
    import httpx

    base = server(store_url)
    with httpx.Client(base_url=base, timeout=30) as http:
        assert_error(http.get("/v1/report", params=FIGURES), 401, "Authorization")
        assert http.get("/", follow_redirects=False).headers["location"].startswith("/login?next=")
        big = http.post("/v1/events", content=b"{" + b" " * (2 << 20) + b"}",
                        headers={"Content-Type": "application/json"})
        assert_error(big, 413, "body")
        assert_error(http.get("/v1/report?region=14%00&period=2025Q1"), 400, "query")
        assert http.get("/v1/report", params=FIGURES, headers=bearer(tokens["county_reader"])).status_code == 200
        assert_error(http.get("/v1/report", params={**FIGURES, "region": "14"},
                              headers=bearer(tokens["county_reader"])), 403, "region")
    statuses = [row["status"] for row in refusals(api_store, 4)]
    assert statuses == [403, 400, 413, 401]

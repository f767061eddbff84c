"""The OpenAPI description is as strict as the server: schemathesis, in process against the ASGI
app over a store holding a small county (api_scenario), generates requests from the document —
data it allows (positive) and data it forbids (negative) — and checks every answer:

- not_a_server_error: no 5xx, whatever is sent;
- status_code_conformance: every status answered is declared for the operation;
- response_schema_conformance: a JSON answer matches its declared schema;
- negative_data_rejection: what the document forbids is refused (4xx);
- positive_data_acceptance: what the document allows is accepted (2xx) — or refused for who sent it
  (401, 403), for what the store holds (404 an unknown region or project, 409 an event id used with
  other content), schemathesis's own list of statuses that say "valid, but not here".

Reads carry an admin reader token (`read_headers`); who may read what is tested in test_api_access.py.
"""
from __future__ import annotations

import re
import warnings
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from api_scenario import REGION, build
from conftest import load
from helpers import reader_headers
from projections.periods import parse_as_of
from services.entry.http import create_app
from services.ingest.tokens import create_token
from services.log import EventStore

MAX_EXAMPLES = 40  # per operation and mode: 22 operations × 2 modes, about a minute on 2 cores
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, negative_data_rejection,
          positive_data_acceptance]


@pytest.fixture
def store(sqlite_url):
    """SQLite: the document and the checks are the same on PostgreSQL (the reads' SQL is tested there
    by the other API tests)."""
    opened = EventStore(sqlite_url)
    load(opened, build().events)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def read_headers(store) -> dict[str, str]:
    """Headers every GET carries: an admin reader token of every region."""
    return reader_headers(store)


@pytest.fixture
def write_headers(store) -> dict[str, str]:
    """A department's token for POST /v1/events (ndrc in the scenario's county)."""
    return {"Authorization": f"Bearer {create_token(store, 'ndrc', REGION, 'schemathesis')[1]}"}


@pytest.fixture
def api_schema(store):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(store))
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=MAX_EXAMPLES, deterministic=True)
    return schema


def _documented_refusal(case) -> bool:
    """Rules the document states in words because OpenAPI cannot say them of parameters: the desk
    views take `on` or `period`, not both (400, tested in test_desk_api.py); revisions' `to` comes
    after `from` (400, tested in test_api_access.py's revisions)."""
    query = case.query or {}
    if case.path.startswith("/v1/desk/") and {"on", "period"} <= set(query):
        return True
    if case.path == "/v1/revisions" and "from" in query:
        try:
            return parse_as_of(query.get("to")) <= parse_as_of(query["from"])
        except ValueError:
            return False
    return False


def failures(schema, mode: GenerationMode, read: dict, write: dict) -> tuple[dict[str, int], list[str]]:
    """Every operation, MAX_EXAMPLES cases each in `mode`; (cases run per operation, failures found)."""
    runs, found = {}, []
    statuses: Counter = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        name = f"{operation.method.upper()} {operation.path}"
        if mode is GenerationMode.NEGATIVE and not list(operation.iter_parameters()) and not operation.body:
            continue  # nothing to send wrong (GET /healthz)
        strategy = operation.as_strategy(generation_mode=mode)
        if mode is GenerationMode.POSITIVE:
            strategy = strategy.filter(lambda case: not _documented_refusal(case))
        runs[name] = 0

        @given(case=strategy)
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def check(case):
            runs[name] += 1
            headers = write if case.method.upper() == "POST" else read
            response = case.call_and_validate(headers=dict(headers), checks=CHECKS)
            statuses[response.status_code] += 1

        try:
            check()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - every operation is tried
            found.append(f"{name}: {str(failure).strip()[:1500]}")
    print(f"\n{mode.value}: {sum(runs.values())} cases over {len(runs)} operations; statuses {dict(sorted(statuses.items()))}")
    return runs, found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_the_app_answers_as_its_openapi_document_says(api_schema, mode, read_headers, write_headers):
    runs, found = failures(api_schema, mode, read_headers, write_headers)
    assert not found, "\n\n".join(found)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    expected = [op for op in operations if mode is GenerationMode.POSITIVE or list(op.iter_parameters()) or op.body]
    assert len(runs) == len(expected), runs
    assert all(runs[op.label] >= MAX_EXAMPLES // 2 for op in expected if list(op.iter_parameters()) or op.body), runs


def test_known_good_reads_answer_200_in_their_declared_shape(api_schema, read_headers):
    """Generated regions are mostly unknown (404): every read once more with the scenario's county,
    so that each 200 body is checked against its declared schema."""
    from test_api_openapi_and_server import CALLS

    good = [(template, path, params) for method, template, path, params, status in CALLS if status == 200]
    assert {template for template, *_ in good} == {op.path for op in
                                                    (r.ok() for r in api_schema.get_all_operations())
                                                    if op.method.upper() == "GET"}
    for template, path, params in good:
        operation = api_schema[template]["GET"]
        names = re.findall(r"{(\w+)}", template)
        values = re.fullmatch(re.sub(r"\\{\w+\\}", "([^/]+)", re.escape(template)), path).groups()
        case = operation.Case(path_parameters=dict(zip(names, values)), query=params)
        response = case.call_and_validate(headers=dict(read_headers), checks=CHECKS)
        assert response.status_code == 200, (path, response.text)

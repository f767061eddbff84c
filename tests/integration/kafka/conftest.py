"""The Kafka path's tests: the broker and fresh topics per test come from tests/conftest.py (one
tansu per session); here the demo county imported once on the embedded path, for comparison, and a
`Pipeline` of real processes per test."""
from __future__ import annotations

from pathlib import Path

import pytest

from bus_pipeline import Pipeline, Reference, embedded


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.kafka)


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Reference:
    """The demo county (tools.history.county.demo_county) as a .jsonl file, imported on the embedded path."""
    from tools.history.county import demo_county, write_jsonl

    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.jsonl"
    write_jsonl(demo_county(), path)
    return embedded(path, folder)


@pytest.fixture
def pipeline(bus, tmp_path, request):
    """A Pipeline on a fresh store: SQLite by default; `@pytest.mark.parametrize('store_kind', ...)`
    with 'postgres' gives it a PostgreSQL schema."""
    callspec = getattr(request.node, "callspec", None)
    kind = callspec.params.get("store_kind", "sqlite") if callspec else "sqlite"
    url = request.getfixturevalue("pg_url") if kind == "postgres" else f"sqlite:///{tmp_path / 'bus.sqlite'}"
    line = Pipeline(bus, url, tmp_path)
    yield line
    line.stop_all()

"""A report published before Part two still verifies byte-identical (CONTRACT §5).

The digests below are of `projfacts report --format json` as wave one printed it (commit 1551ab1,
its `projfacts` run on the wave-one demo county, tests/data/yangcheng-2024-wave-one.jsonl.gz). A
publication of that time is a ReportPublished v1 — read as v2 with format 1 — and `verify`
recomputes it in that format: the eleven rates, no kinds, no region name.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from helpers import append_history, event, writer_for
from services.ingest.importer import import_file
from services.query.figures import make_query, report_for
from services.query.vintages import content_bytes, sha256, verify

HISTORY = Path(__file__).parents[1] / "data" / "yangcheng-2024-wave-one.jsonl.gz"
PUBLISHED = [  # (region, period, as_of, level) -> sha256 of the bytes wave one printed
    (("140522", "2024Q1", "2024-04-10", None), "eb213866c5873a6dbf7dab85fafc17e7739096fec7405ae115592707f780005e"),
    (("140522", "2024H1", "2024-07-15T08:00:00+08:00", None),
     "c06e4395ec6e1b17c17078193b2607a7eb8f26a139d1d03b95af2c7e31834c34"),
    (("1405", "2024", "2025-01-20", None), "c2d07e1d550967071a8c5a589036f8b47ef7cf0634656357f713c44581b49657"),
    (("140522", "2024-05", "2024-06-10", "county"), "0e571c2edf7efb7ce366b5b5de0b6d6d7dc61f53592c4080242a8bd9132cfa98"),
]


@pytest.fixture(scope="module")
def writer(tmp_path_factory):
    opened = writer_for(f"sqlite:///{tmp_path_factory.mktemp('wave-one') / 'store.sqlite'}")
    summary = import_file(HISTORY, opened.acceptor, lambda n, e: pytest.fail(f"line {n}: {e.describe()}"))
    assert summary.appended == 5270
    return opened


@pytest.mark.parametrize("query, digest", PUBLISHED)
def test_the_first_format_is_wave_ones_bytes(writer, query, digest):
    assert sha256(content_bytes(report_for(writer.events, make_query(*query), format=1))) == digest


@pytest.mark.parametrize("query, digest", PUBLISHED)
def test_a_wave_one_publication_verifies_byte_identical(writer, query, digest):
    region, period, as_of, level = query
    published = event("ReportPublished", project_id=None, occurred_on="2025-01-21",
                      recorded_at="2025-01-21T09:00:00+08:00", event_id=str(uuid.uuid4()),
                      payload={"region": region, "period": period, "as_of": make_query(*query).as_of.isoformat(),
                               "level": level, "content_sha256": digest, "publisher": "指挥部办公室"})
    assert append_history(writer, [published]).appended == 1
    result = verify(writer.events, published["event_id"])
    assert result.publication.format == 1 and result.identical, result.to_json()

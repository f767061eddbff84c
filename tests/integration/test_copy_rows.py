"""The log's rows as the import writes them (COPY text built by `copy_text` on PostgreSQL, executemany
on SQLite) read back exactly: backslashes, quotes, escaped line breaks and tabs, NULLs."""
from __future__ import annotations

import pytest

from services.log.store import copy_text
from helpers import event, write_jsonl, writer_for
from services.ingest.importer import import_file

TRICKY = 'C:\\项目\\"引号" \\N \\t'


def test_what_the_import_writes_is_read_back_byte_for_byte(store_url, tmp_path):
    objs = [
        event("ProblemRaised", problem_id="P-1", category=TRICKY[:20], description=f"第一行\n第二行\t{TRICKY}",
              source={"department": "project_center", "system": "sys\\with\\backslashes"}),
        event("TargetSet", recorded_at="2025-01-02T10:00:00+08:00"),
        event("ProjectRegistered", name=TRICKY, owner="业主\\单位"),
    ]
    writer = writer_for(store_url)
    rejected = []
    summary = import_file(write_jsonl(tmp_path / "tricky.jsonl", objs), writer.acceptor,
                          lambda n, e: rejected.append(e.describe()))
    assert (summary.appended, rejected) == (3, [])
    stored = {e.event_id: e for e in writer.events.read()}
    for obj in objs:
        back = stored[obj["event_id"]].to_json()
        assert back["payload"] == obj["payload"] and back["source"] == obj["source"]
        assert back["project_id"] == obj["project_id"]
    writer.close()


def test_a_row_that_would_break_copy_text_is_refused_there():
    row = (1, "id", "ProblemRaised", 1, None, None, "2025-01-02", "2025-01-02T10:00:00+08:00", 0, "ndrc",
           "sys", '{"a":"b"}', "h" * 64)
    assert copy_text([row]).count("\t") == 12 and "\\N\t\\N" in copy_text([row])
    with pytest.raises(ValueError):
        copy_text([row[:10] + ("tab\there",) + row[11:]])

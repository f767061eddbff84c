"""Publication vintages and revisions (services/vintages.py) on a small hand-made history."""
from __future__ import annotations

import hashlib
from datetime import datetime

import orjson
import pytest
from click.testing import CliRunner

from events.codec import validate_object
from helpers import append_history, event, retraction, writer_for
from services.entry.cli.main import main
from services.query.figures import make_query, report_for
from services.log import EventStore
from services.query.vintages import (
    VintageError,
    content_bytes,
    monthly_vintages,
    publish,
    revisions,
    triangle,
    verify,
)

REGION = "140522"


def pid(n: int) -> str:
    return f"2501-140522-04-01-{n:06d}"


class Log:
    """Events appended one by one with their recorded time (the history import's way)."""

    def __init__(self, writer):
        self.writer = writer
        self.store = writer.events

    def add(self, event_type: str, project: int | None, on: str, at: str, **payload) -> dict:
        obj = event(event_type, project_id=None if project is None else pid(project), occurred_on=on,
                    recorded_at=f"{at}T10:00:00+08:00" if "T" not in at else at, **payload)
        self.put(obj)
        return obj

    def put(self, obj: dict) -> None:
        result = append_history(self.writer, [obj])
        assert result.appended == 1, result.reasons

    def planned(self, n: int, construction: str = "new", planned: str = "100.00", at: str = "2025-01-05",
                region: str = REGION) -> None:
        self.add("ProjectRegistered", n, "2024-11-01", at, region=region)
        self.add("AnnualPlanAdopted", n, "2025-01-05", at, year=2025, construction=construction,
                 planned_investment=planned)


@pytest.fixture
def log(sqlite_url):
    log = Log(writer_for(sqlite_url))
    for n in (1, 2, 3, 4):
        log.planned(n)
    log.add("ConstructionStarted", 1, "2025-02-10", "2025-02-11")
    log.add("InvestmentReported", 1, "2025-03-31", "2025-04-02", year=2025, month=3, amount="40.00")
    log.retracted = log.add("ConstructionStarted", 3, "2025-03-01", "2025-03-02")
    yield log
    log.store.engine.dispose()


def later_facts(log: Log) -> dict[str, dict]:
    """After the 10 April vintage: late starts, a correction, a retraction, an amendment."""
    return {
        "late": log.add("ConstructionStarted", 2, "2025-03-20", "2025-04-15"),
        "late too": log.add("ConstructionStarted", 4, "2025-03-25", "2025-04-16"),
        "correction": log.add("InvestmentReported", 1, "2025-04-20", "2025-04-20", year=2025, month=3,
                              amount="55.00", source={"department": "stats", "system": "stats-fai"}),
        "retraction": log.put(r := retraction(log.retracted, occurred_on="2025-04-21",
                                              recorded_at="2025-04-21T10:00:00+08:00")) or r,
        "amendment": log.add("AnnualPlanAdopted", 2, "2025-03-01", "2025-04-22", year=2025,
                             construction="new", planned_investment="300.00"),
    }


def test_publish_records_the_digest_of_the_printed_report(log):
    pub = publish(log.store, log.writer.acceptor, REGION, "2025Q1", "2025-04-10", publisher="王明")
    printed = CliRunner().invoke(main, ["--db", str(log.store.engine.url), "report", "--region", REGION,
                                        "--period", "2025Q1", "--as-of", "2025-04-10", "--format", "json"])
    assert printed.exit_code == 0
    assert pub.content_sha256 == hashlib.sha256(printed.output.encode()).hexdigest()
    stored = log.store.get(pub.event_id)
    assert (stored.event_type, stored.project_id, stored.department) == ("ReportPublished", None, "ndrc")
    assert stored.payload == {"region": REGION, "period": "2025Q1", "as_of": "2025-04-10T23:59:59.999999+08:00",
                              "level": None, "content_sha256": pub.content_sha256, "publisher": "王明",
                              "category": None, "format": 2}
    assert pub.position == log.store.head()


def test_verify_confirms_byte_identity_though_facts_arrived_since(log):
    pub = publish(log.store, log.writer.acceptor, REGION, "2025Q1", "2025-04-10")
    later_facts(log)  # recorded after the as-of time: they change today's figures, not the vintage's
    result = verify(log.store, pub.event_id)
    assert result.identical and result.recomputed_sha256 == pub.content_sha256
    now = report_for(log.store, make_query(REGION, "2025Q1"))
    assert now["figures"]["new_start_rate"]["numerator"] == 3


def test_verify_shows_what_a_back_dated_import_changed(log):
    pub = publish(log.store, log.writer.acceptor, REGION, "2025Q1", "2025-04-10")
    back_dated = log.add("ConstructionStarted", 2, "2025-03-20", "2025-04-09")  # recorded "before" the as-of
    result = verify(log.store, pub.event_id)
    assert not result.identical
    assert result.rebuilt_matches  # the report as published, rebuilt from the log as it stood, is proven
    moved = {f["figure"]: f for f in result.differences}
    assert moved["new_start_rate"]["from"]["numerator"] == 2 and moved["new_start_rate"]["to"]["numerator"] == 3
    [fact] = moved["new_start_rate"]["facts"]
    assert (fact["event_id"], fact["kind"], fact["effect"]) == (back_dated["event_id"], "late report",
                                                                 {"numerator": [None, 1]})
    out = CliRunner().invoke(main, ["--db", str(log.store.engine.url), "verify", pub.event_id])
    assert out.exit_code == 1 and "DIFFERENT" in out.output and back_dated["project_id"] in out.output


def test_verify_refuses_what_is_not_a_publication(log):
    with pytest.raises(VintageError, match="not a ReportPublished"):
        verify(log.store, log.retracted["event_id"])
    with pytest.raises(VintageError, match="no event"):
        verify(log.store, "00000000-0000-4000-8000-000000000001")
    out = CliRunner().invoke(main, ["--db", str(log.store.engine.url), "verify", "not-an-id"])
    assert out.exit_code == 1 and "UUID" in out.output


def test_revisions_name_each_fact_that_moved_a_figure(log):
    facts = later_facts(log)
    log.add("SiteVisitRecorded", 2, "2025-04-16", "2025-04-16")  # moves no figure
    result = revisions(log.store, REGION, "2025Q1", "2025-04-10", "2025-04-30")
    figures = {f["figure"]: f for f in result["figures"]}
    assert set(figures) == {"new_start_rate", "start_or_resume_rate", "stats_entry_rate",
                            "investment_completion_rate", "investment_growth", "reserve_multiple",
                            # §6: the late starts, the corrected investment, the amended plan
                            "started_count", "investment_total", "investment_share", "conceived_multiple"}
    starts = figures["new_start_rate"]
    assert starts["from"] == {"numerator": 2, "denominator": 4, "value": "0.5000"}
    assert starts["to"] == {"numerator": 3, "denominator": 4, "value": "0.7500"}
    kinds = [(f["event_id"], f["kind"]) for f in starts["facts"]]  # in recorded order
    assert kinds == [(facts["late"]["event_id"], "late report"), (facts["late too"]["event_id"], "late report"),
                     (facts["retraction"]["event_id"], "retraction")]
    retracting = starts["facts"][-1]
    assert retracting["retracts"] == {"event_id": log.retracted["event_id"], "event_type": "ConstructionStarted"}
    assert retracting["effect"] == {"numerator": [1, None]}
    assert starts["facts"][0]["effect"] == {"numerator": [None, 1]}
    assert starts["facts"][0]["source"] == {"department": "project_center", "system": "test"}
    money = figures["investment_completion_rate"]
    assert money["from"] == {"numerator": "40.00", "denominator": "400.00", "value": "0.1000"}
    assert money["to"] == {"numerator": "55.00", "denominator": "600.00", "value": "0.0917"}
    by_kind = {f["kind"]: f for f in money["facts"]}
    assert set(by_kind) == {"correction", "amendment"}
    assert by_kind["correction"]["event_id"] == facts["correction"]["event_id"]
    assert by_kind["correction"]["source"] == {"department": "stats", "system": "stats-fai"}
    assert by_kind["correction"]["effect"] == {"numerator": ["40.00", "55.00"]}
    assert by_kind["amendment"]["event_id"] == facts["amendment"]["event_id"]
    assert by_kind["amendment"]["effect"] == {"denominator": ["100.00", "300.00"]}
    out = CliRunner().invoke(main, ["--db", str(log.store.engine.url), "revisions", "--region", REGION,
                                    "--period", "2025Q1", "--from", "2025-04-10", "--to", "2025-04-30"])
    assert out.exit_code == 0 and "correction" in out.output and "stats/stats-fai" in out.output


def test_a_fact_that_happened_after_the_earlier_vintage_is_new_not_late(log):
    started = log.add("ConstructionStarted", 2, "2025-03-20", "2025-03-21")
    result = revisions(log.store, REGION, "2025Q1", "2025-03-15", "2025-04-30")
    starts = {f["figure"]: f for f in result["figures"]}["new_start_rate"]
    assert [(f["event_id"], f["kind"]) for f in starts["facts"]] == [(started["event_id"], "new fact")]


def test_revisions_want_the_later_vintage_after_the_earlier(log):
    with pytest.raises(VintageError, match="must be after"):
        revisions(log.store, REGION, "2025Q1", "2025-04-10", "2025-04-01")


def test_the_revision_triangle_has_one_row_per_monthly_vintage(log):
    later_facts(log)
    result = triangle(log.store, REGION, "2025Q1", "2025-01-10", "2025-04-30", only=["new_start_rate"])
    assert result["periods"] == ["2025-01", "2025-02", "2025-03"]
    rows = result["figures"]["new_start_rate"]
    assert [r["as_of"][:10] for r in rows] == ["2025-01-10", "2025-02-10", "2025-03-10", "2025-04-10",
                                               "2025-04-30"]
    cells = [[None if c is None else c["numerator"] for c in r["cells"]] for r in rows]
    assert cells == [
        [None, None, None],   # 10 January: no month has ended
        [0, None, None],      # 10 February: January is known
        [0, 1, None],
        [0, 1, 2],            # 10 April, the quarter's first vintage: projects 1 and 3
        [0, 1, 3],            # 30 April: projects 2 and 4 started late, project 3's start retracted
    ]
    out = CliRunner().invoke(main, ["--db", str(log.store.engine.url), "revisions", "--region", REGION,
                                    "--period", "2025Q1", "--from", "2025-01-10", "--to", "2025-04-30",
                                    "--vintages", "monthly", "--figure", "new_start_rate"])
    assert out.exit_code == 0, out.output
    assert "新建项目开工率" in out.output and "2025-03" in out.output


def test_monthly_vintages_keep_the_day_and_clamp_short_months():
    first = datetime.fromisoformat("2025-01-31T17:00:00+08:00")
    last = datetime.fromisoformat("2025-04-15T00:00:00+08:00")
    assert [v.date().isoformat() for v in monthly_vintages(first, last)] == [
        "2025-01-31", "2025-02-28", "2025-03-31", "2025-04-15"]


def test_content_bytes_end_with_the_printed_newline():
    assert content_bytes({"a": 1}) == b'{\n  "a": 1\n}\n'


def test_publish_report_and_verify_on_the_command_line(log):
    db = str(log.store.engine.url)
    out = CliRunner().invoke(main, ["--db", db, "publish", "--region", REGION, "--period", "2025Q1",
                                    "--as-of", "2025-04-10", "--publisher", "王明", "--format", "json"])
    assert out.exit_code == 0, out.output
    published = orjson.loads(out.output)
    assert published["publisher"] == "王明" and published["source"] == {"department": "ndrc",
                                                                        "system": "projfacts-cli"}
    checked = CliRunner().invoke(main, ["--db", db, "verify", published["publication"], "--format", "json"])
    assert checked.exit_code == 0
    assert orjson.loads(checked.output)["identical"] is True

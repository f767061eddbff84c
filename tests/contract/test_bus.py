"""The bus contract: one suite, run on every adapter — the in-process bus (the embedded default) and
the Kafka path (relay → facts topic → projection worker, real processes on the session's tansu).

Whatever door a fact came in by, it reaches the read model once; delivery stopped and started again
loses and doubles nothing; the figures read back are those of the log.
"""
from __future__ import annotations

import pytest

from bus_pipeline import Pipeline, count, positions, wait_until
from events.codec import validate_object
from helpers import append_history, event
from projections.facts import fact_from_json
from projections.report import dumps, report
from services.entry.bootstrap import Settings, open_writer
from services.ingest.authorise import Publisher
from services.log.tables import events as log_table
from services.query.figures import make_query, report_for
from services.query.vintages import publish
from services.readmodel.tables import facts

P = "2501-140522-04-01-{:06d}"


class InProcess:
    """The embedded default: the writer projects right after each append."""

    def __init__(self, url: str, tmp_path):
        self.writer = open_writer(Settings(url))

    def settle(self) -> None:
        assert self.writer.events.head() == count(self.writer.events.engine, facts)

    def stop(self) -> None:
        """Delivery cannot stop apart from the writer; a new writer is a restart."""

    def start(self) -> None:
        self.writer = open_writer(self.writer.settings)

    def close(self) -> None:
        self.writer.close()


class Kafka:
    """The writer only appends; the relay and a worker (processes) carry the log to the read model."""

    def __init__(self, url: str, tmp_path, config):
        self.pipeline = Pipeline(config, url, tmp_path)
        self.writer = open_writer(Settings(url, bus="kafka"))
        self.start()

    def settle(self) -> None:
        self.pipeline.wait_projected(self.writer.events.head(), timeout=120)

    def stop(self) -> None:
        self.pipeline.kill("relay")
        self.pipeline.kill("worker")

    def start(self) -> None:
        self.pipeline.relay()
        self.pipeline.worker()

    def close(self) -> None:
        self.pipeline.stop_all()
        self.writer.close()


@pytest.fixture(params=["inprocess", pytest.param("kafka", marks=pytest.mark.kafka)])
def bus_under_test(request, sqlite_url, tmp_path):
    adapter = InProcess(sqlite_url, tmp_path) if request.param == "inprocess" else \
        Kafka(sqlite_url, tmp_path, request.getfixturevalue("bus"))
    yield adapter
    adapter.close()


def history(first: int, projects: int) -> list[dict]:
    out = []
    for n in range(first, first + projects):
        pid = P.format(n)
        out += [event("ProjectRegistered", project_id=pid, occurred_on="2025-01-02",
                      recorded_at="2025-01-02T10:00:00+08:00"),
                event("AnnualPlanAdopted", project_id=pid, occurred_on="2025-01-05",
                      recorded_at="2025-01-05T10:00:00+08:00"),
                event("InvestmentReported", project_id=pid, occurred_on="2025-02-05", year=2025, month=1,
                      amount=f"{n}.00", recorded_at="2025-02-05T10:00:00+08:00")]
    return out


def the_logs_report(writer, query) -> str:
    held = [fact_from_json(s.position, s.to_event().to_json(), s.recorded_us) for s in writer.events.read()]
    return dumps(report(held, query))


def test_every_door_reaches_the_read_model_once(bus_under_test):
    writer = bus_under_test.writer
    assert append_history(writer, history(1, 3)).appended == 9  # the history import
    departments = [validate_object(event("ConstructionStarted", project_id=P.format(n), occurred_on="2025-03-01"))
                   for n in (1, 2)]
    verdicts = writer.acceptor.submit(departments, [Publisher("project_center")] * 2)  # HTTP / the bus
    assert all(v.accepted for v in verdicts)
    bus_under_test.settle()
    publication = publish(writer.events, writer.acceptor, "140522", "2025Q1", "2025-04-10")  # a vintage
    assert publication.position == writer.events.head()
    bus_under_test.settle()
    engine = writer.events.engine
    assert positions(engine, facts) == positions(engine, log_table)
    query = make_query("140522", "2025Q1", "2099-01-01")
    assert dumps(report_for(writer.events, query)) == the_logs_report(writer, query)


def test_delivery_stopped_and_started_loses_and_doubles_nothing(bus_under_test):
    writer = bus_under_test.writer
    append_history(writer, history(1, 20))
    bus_under_test.settle()
    bus_under_test.stop()
    append_history(bus_under_test.writer, history(21, 20))  # written while nothing delivers
    bus_under_test.start()
    append_history(bus_under_test.writer, history(41, 5))
    bus_under_test.settle()
    engine = bus_under_test.writer.events.engine
    wait_until(lambda: count(engine, facts) == count(engine, log_table) == 45 * 3, 60, "every fact, once")
    query = make_query("140522", "2025-01", "2099-01-01")
    assert dumps(report_for(bus_under_test.writer.events, query)) == the_logs_report(bus_under_test.writer, query)

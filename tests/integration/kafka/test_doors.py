"""Every door reaches the Kafka read model, and only what the log holds is projected.

With PROJFACTS_BUS=kafka the writers only append: `projfacts import`, a department's HTTP POST and
`projfacts publish --region` all go into the log, and the relay publishes the log to the facts
topic, so the workers project them like any submission. A record forged straight onto the facts
topic is dead-lettered; the genuine fact at its position is projected all the same.
"""
from __future__ import annotations

import os
import warnings

import orjson
from click.testing import CliRunner
from kafka import KafkaProducer

from bus_pipeline import QUERIES, count, wait_until
from events.codec import validate_object
from helpers import event, write_jsonl
from services.bus.records import REASON, fact_headers, header
from services.bus.topics import read_topic
from services.bus.wire import EventSerde
from services.entry.bootstrap import Settings
from services.entry.cli.main import main
from services.ingest.tokens import create_token
from services.log.tables import events
from services.readmodel.tables import facts

PROJECT = "2501-140522-04-01-000001"


def cli(db: str, env: dict, *args: str) -> str:
    """`projfacts ARGS --db DB --format json` in-process, with only `env`'s PROJFACTS_ settings."""
    settings = {k: None for k in os.environ if k.startswith("PROJFACTS_")}
    settings.update({k: v for k, v in env.items() if k.startswith("PROJFACTS_")})
    result = CliRunner().invoke(main, [*args, "--db", db, "--format", "json"], env=settings, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_imports_http_posts_and_publications_all_reach_the_kafka_read_model(pipeline, demo):
    pipeline.relay()
    pipeline.worker()
    imported = pipeline.command("import", str(demo.path))  # PROJFACTS_BUS=kafka: appends, projects nothing
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(f"appended {demo.appended},")
    pipeline.wait_projected(demo.appended)
    # The import kept the file's recorded_at: reports as of any time, past ones too, are the embedded path's.
    for query in QUERIES[:4]:
        for as_of in ("2024-04-10", "2024-07-15"):
            args = (*query, "--as-of", as_of)
            assert cli(pipeline.db, pipeline.env(), *args) == cli(demo.db, demo.env, *args), args

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from services.entry.http import create_app

    token = create_token(pipeline.store, "project_center", "140522", "test")[1]
    reporting = next(obj["project_id"] for obj in map(orjson.loads, demo.path.read_bytes().splitlines())
                     if obj["event_type"] == "InvestmentReported")  # a demo project that reports investment
    posted = event("InvestmentReported", project_id=reporting, occurred_on="2024-12-05", year=2024, month=11,
                   amount="777.77")
    with TestClient(create_app(Settings(pipeline.db, bus="kafka"))) as client:
        answer = client.post("/v1/events", content=orjson.dumps(posted), headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201, answer.text
    pipeline.wait_projected(demo.appended + 1)
    explained = orjson.loads(cli(pipeline.db, pipeline.env(), "explain", "investment_growth",
                                 "--region", "140522", "--period", "2024"))
    assert any(posted["event_id"] in item["events"] for item in explained["numerator"]["items"])

    published = pipeline.command("publish", "--region", "140522", "--period", "2024Q1", "--as-of", "2024-04-10",
                                 "--format", "json")
    assert published.returncode == 0, published.stderr
    publication = orjson.loads(published.stdout)["publication"]
    pipeline.wait_projected(demo.appended + 2)
    verified = pipeline.command("verify", publication)
    assert verified.returncode == 0 and "byte-identical" in verified.stdout, verified.stdout + verified.stderr


def test_a_forged_facts_record_is_dead_lettered_and_the_genuine_fact_projected(pipeline, tmp_path):
    pipeline.relay()
    pipeline.worker()
    registered = event("ProjectRegistered", project_id=PROJECT, occurred_on="2025-01-02",
                       recorded_at="2025-01-02T10:00:00+08:00")
    planned = event("AnnualPlanAdopted", project_id=PROJECT, occurred_on="2025-01-05", year=2025,
                    planned_investment="1000.00", recorded_at="2025-01-05T10:00:00+08:00")
    first = pipeline.command("import", str(write_jsonl(tmp_path / "first.jsonl", [registered, planned])))
    assert first.returncode == 0, first.stderr
    pipeline.wait_projected(2)

    serde = EventSerde()
    forged = validate_object(event("InvestmentReported", project_id=PROJECT, occurred_on="2025-02-05",
                                   recorded_at="2025-02-05T10:00:00+08:00", year=2025, month=1, amount="5000.00"))
    producer = KafkaProducer(bootstrap_servers=pipeline.config.bootstrap, acks="all")
    producer.send(pipeline.config.facts_topic, key=PROJECT.encode(), value=serde.encode(forged),
                  headers=fact_headers(3, 3))  # the position the genuine report will take
    producer.flush()
    producer.close()
    genuine = event("InvestmentReported", project_id=PROJECT, occurred_on="2025-02-05", year=2025, month=1,
                    amount="300.50", recorded_at="2025-02-05T11:00:00+08:00")
    second = pipeline.command("import", str(write_jsonl(tmp_path / "second.jsonl", [genuine])))
    assert second.returncode == 0, second.stderr
    pipeline.wait_projected(3)

    dead = read_topic(pipeline.config, pipeline.config.rejected_topic, expect=1, timeout=60)
    assert [r.value for r in dead] == [serde.encode(forged)]
    assert "not projected" in header(dead[0].headers, REASON).decode()
    with pipeline.engine.connect() as conn:
        assert conn.execute(facts.select().with_only_columns(facts.c.event_id).where(facts.c.position == 3)
                            ).scalar() == genuine["event_id"]
    report = orjson.loads(cli(pipeline.db, pipeline.env(), "report", "--region", "140522", "--period", "2025-01"))
    assert report["figures"]["investment_completion_rate"]["numerator"] == "300.50"
    wait_until(lambda: count(pipeline.engine, facts) == count(pipeline.engine, events), 10, "nothing more projected")

"""Poison and unauthorised submissions go to the rejected topic with their reasons; the good
messages around them — in the same partition of the same department's topic — are all processed.
A department's topic is its identity: an event that says it comes from another department is
refused, dead-lettered and audited, and the genuine one on its own department's topic appended."""
from __future__ import annotations

import io

import fastavro
from kafka import KafkaProducer

from bus_pipeline import count
from events import avro
from events.codec import validate_object
from helpers import PROJECT, event, retraction
from services.bus.records import CHANNEL, DEPARTMENT, EVENT_ID, REASON, SOURCE, header
from services.bus.topics import read_topic
from services.bus.wire import EventSerde, frame
from services.ingest.tokens import refusals
from services.readmodel.tables import facts

KEY = PROJECT.encode()  # everything in one partition: a poison message must not block the rest


def avro_of(obj: dict, serde: EventSerde) -> bytes:
    """Valid Avro for the type's committed schema, whatever the content (bypasses validation)."""
    key = (obj["event_type"], obj["schema_version"])
    model = validate_object({**obj, "source": {"department": "ndrc", "system": "x"}}).model_dump()
    model["source"] = obj["source"]
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, avro.load_schemas()[key], avro._wire(model))
    return frame(serde.registry.id_for(*key), buffer.getvalue())


def test_poison_and_unauthorised_messages_are_dead_lettered_with_reasons(pipeline):
    serde = EventSerde()
    good = [event("ProjectRegistered"), event("AnnualPlanAdopted"), event("ConstructionStarted", occurred_on="2025-03-05"),
            event("InvestmentReported", amount="10.00"), event("InvestmentReported", month=4, amount="20.00")]
    encoded = [serde.encode(validate_object(g)) for g in good]
    reused = dict(good[3], payload={**good[3]["payload"], "amount": "99.00"})
    bad_department = event("ConstructionResumed")
    bad_department["source"] = {"department": "Not A Code", "system": "x"}
    poison = {
        "garbage": b"\x89PNG not an event",
        "empty": b"",
        "wrong magic": b"\x01\x00\x00\x00\x01rest",
        "unknown schema": frame(12345, b"\x00\x00"),
        "truncated Avro": encoded[1][:12],
        "invalid content": avro_of(bad_department, serde),
        "unauthorised": serde.encode(validate_object(event("ProjectRegistered", source={"department": "stats",
                                                                                            "system": "x"}))),
        "id reused": serde.encode(validate_object(reused)),
        "unknown retraction": serde.encode(validate_object(retraction(event("ConstructionStarted"),
                                                                      source={"department": "project_center",
                                                                              "system": "x"}))),
    }
    expected_reason = {
        "garbage": "unreadable: ", "empty": "unreadable: ", "wrong magic": "magic byte 1",
        "unknown schema": "unknown schema id 12345", "truncated Avro": "not valid Avro",
        "invalid content": "invalid: ", "unauthorised": "stats may not publish ProjectRegistered",
        "id reused": "already in the log with different content",
        "unknown retraction": "the retracted event is not in the log",
    }
    pipeline.doors()
    pipeline.worker()
    producer = KafkaProducer(bootstrap_servers=pipeline.config.bootstrap, acks="all")
    channel = pipeline.config.submissions_topic
    center = channel("project_center")  # the poison shares a partition with project_center's good events
    for department, value in [("ndrc", encoded[0]), ("ndrc", encoded[1])]:
        producer.send(channel(department), key=KEY, value=value)
    sequence = [poison["garbage"], poison["empty"], poison["wrong magic"], encoded[2], poison["unknown schema"],
                poison["truncated Avro"], poison["invalid content"], encoded[3], poison["unknown retraction"],
                encoded[4]]
    for value in sequence:
        producer.send(center, key=KEY, value=value)
    producer.send(channel("stats"), key=KEY, value=poison["unauthorised"])
    producer.flush()
    pipeline.wait_stored(len(good))
    producer.send(center, key=KEY, value=poison["id reused"])  # after its original
    producer.flush()
    producer.close()

    rejected = read_topic(pipeline.config, pipeline.config.rejected_topic, expect=len(poison), timeout=60)
    assert len(rejected) == len(poison)
    by_value = {record.value: record for record in rejected}
    for name, value in poison.items():
        record = by_value[value]  # the original bytes, untouched
        reason = header(record.headers, REASON).decode()
        assert expected_reason[name] in reason, (name, reason)
        assert header(record.headers, SOURCE).decode().startswith(pipeline.config.submissions_prefix + ".")
        assert record.key == KEY
    assert header(by_value[poison["unauthorised"]].headers, DEPARTMENT) == b"stats"
    assert header(by_value[poison["unauthorised"]].headers, CHANNEL) == b"stats"
    assert header(by_value[poison["garbage"]].headers, CHANNEL) == b"project_center"
    assert header(by_value[poison["invalid content"]].headers, DEPARTMENT) == b"Not A Code"
    assert header(by_value[poison["id reused"]].headers, EVENT_ID) == reused["event_id"].encode()
    assert header(by_value[poison["garbage"]].headers, DEPARTMENT) is None

    pipeline.wait_projected(len(good))
    assert pipeline.store.count() == len(good)
    assert count(pipeline.engine, facts) == len(good)


def test_identity_comes_from_the_channel_not_from_the_message(pipeline):
    """A ProjectRegistered that says "from ndrc" on stats' topic is refused (field source.department),
    dead-lettered and audited — not appended, and the ingest goes on; the same event on ndrc's own
    topic is appended."""
    serde = EventSerde()
    registered = event("ProjectRegistered")  # declares ndrc
    spoofed = serde.encode(validate_object(registered))
    pipeline.doors()
    pipeline.worker()
    producer = KafkaProducer(bootstrap_servers=pipeline.config.bootstrap, acks="all")
    producer.send(pipeline.config.submissions_topic("stats"), key=KEY, value=spoofed)
    producer.flush()
    dead = read_topic(pipeline.config, pipeline.config.rejected_topic, expect=1, timeout=60)
    assert len(dead) == 1 and dead[0].value == spoofed
    reason = header(dead[0].headers, REASON).decode()
    assert reason.startswith(f"unauthorised: event {registered['event_id']}: field source.department: "), reason
    assert "'ndrc' is not the publishing department 'stats'" in reason
    assert pipeline.config.submissions_topic("stats") in reason
    assert header(dead[0].headers, CHANNEL) == b"stats" and header(dead[0].headers, DEPARTMENT) == b"ndrc"
    audit = refusals(pipeline.store, 10)
    assert [(a["event_id"], a["field"], a["department"], a["status"]) for a in audit] == \
        [(registered["event_id"], "source.department", "stats", 403)]
    assert audit[0]["client"].startswith(f"kafka:{pipeline.config.submissions_topic('stats')}/")
    assert pipeline.store.count() == 0

    producer.send(pipeline.config.submissions_topic("ndrc"), key=KEY, value=spoofed)  # the genuine channel
    producer.flush()
    producer.close()
    pipeline.wait_stored(1)
    pipeline.wait_projected(1)
    assert pipeline.store.count() == 1
    pipeline.check_alive()


def test_submit_sends_only_its_own_departments_events(pipeline, tmp_path):
    from helpers import write_jsonl

    mine, theirs = event("ProjectRegistered"), event("ConstructionStarted")  # ndrc, project_center
    path = write_jsonl(tmp_path / "mixed.jsonl", [mine, theirs])
    result = pipeline.submit(path, "ndrc")
    assert result.returncode == 1
    assert f"line 2: event {theirs['event_id']}: field source.department: this producer publishes for ndrc" \
        in result.stderr
    assert f"sent 1, refused 1 (to {pipeline.config.submissions_topic('ndrc')})" in result.stdout
    records = read_topic(pipeline.config, pipeline.config.submissions_topic("ndrc"), expect=1, timeout=30)
    assert len(records) == 1
    nobody = pipeline.command("submit", str(path))
    assert nobody.returncode == 2 and "--department" in nobody.stderr

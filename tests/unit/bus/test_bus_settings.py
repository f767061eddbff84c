"""Configuration of the bus."""
from __future__ import annotations

import pytest

from services.bus.config import BusConfig


def test_defaults_file_and_environment_in_that_order(tmp_path, monkeypatch):
    assert BusConfig.load().facts_topic == "projfacts.facts"
    path = tmp_path / "bus.toml"
    path.write_text('facts_topic = "a.facts"\npartitions = 12\nidempotent = false\n')
    monkeypatch.setenv("PROJFACTS_BUS_CONFIG", str(path))
    monkeypatch.setenv("PROJFACTS_PARTITIONS", "3")
    config = BusConfig.load(bootstrap="k1:9092,k2:9092")
    assert (config.facts_topic, config.partitions, config.idempotent) == ("a.facts", 3, False)
    assert config.client_options()["bootstrap_servers"] == ["k1:9092", "k2:9092"]
    monkeypatch.setenv("PROJFACTS_IDEMPOTENT", "maybe")
    with pytest.raises(ValueError, match="true or false"):
        BusConfig.load()


def test_unknown_settings_are_refused(tmp_path):
    path = tmp_path / "bus.toml"
    path.write_text('fact_topic = "typo"\n')
    with pytest.raises(ValueError, match="unknown bus settings: fact_topic"):
        BusConfig.load(path)


def test_each_department_has_its_own_submissions_topic():
    from events.catalogue import DEPARTMENTS

    config = BusConfig()
    topics = config.submissions_topics()
    assert sorted(topics) == sorted(DEPARTMENTS)
    assert topics["ndrc"] == config.submissions_topic("ndrc") == "projfacts.submissions.ndrc"
    assert config.department_of("projfacts.submissions.stats") == "stats"
    assert config.department_of("projfacts.submissions") is None
    assert config.department_of("projfacts.submissions.nobody") is None
    assert config.department_of("projfacts.facts") is None
    with pytest.raises(ValueError, match="no submissions channel for department 'nobody'"):
        config.submissions_topic("nobody")
    assert config.all_topics()[-2:] == ["projfacts.facts", "projfacts.rejected"]
    assert config.retention("projfacts.submissions.water") == config.submissions_retention_ms
    narrow = BusConfig(departments="ndrc, stats", submissions_prefix="x.in")
    assert narrow.submissions_topics() == {"ndrc": "x.in.ndrc", "stats": "x.in.stats"}


def test_sasl_scram_from_the_environment(monkeypatch):
    monkeypatch.setenv("PROJFACTS_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("PROJFACTS_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("PROJFACTS_KAFKA_SASL_USERNAME", "dept-ndrc")
    monkeypatch.setenv("PROJFACTS_KAFKA_SASL_PASSWORD", "s3cret")
    config = BusConfig.load()
    options = config.client_options()
    assert options["security_protocol"] == "SASL_SSL" and options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("dept-ndrc", "s3cret")
    assert "s3cret" not in repr(config)
    assert "ssl_context" in config.aiokafka_options()
    monkeypatch.setenv("PROJFACTS_SASL_USERNAME", "wins")  # the plain name wins over the alias
    assert BusConfig.load().sasl_username == "wins"
    from kafka import KafkaProducer  # kafka-python takes these settings (it connects lazily: no broker needed)

    assert {"security_protocol", "sasl_mechanism", "sasl_plain_username", "sasl_plain_password",
            "ssl_cafile"} <= set(KafkaProducer.DEFAULT_CONFIG)


def test_the_production_example_loads():
    from pathlib import Path

    config = BusConfig.load(Path(__file__).resolve().parents[3] / "deploy" / "projfacts-bus.toml")
    assert config.submissions_topic("ndrc") == "projfacts.submissions.ndrc" and config.replication == 3

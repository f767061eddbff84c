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

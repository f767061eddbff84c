"""Every name and setting of the Kafka path, from a TOML file and/or the environment.

Precedence: defaults < the file named by `PROJFACTS_BUS_CONFIG` (flat TOML, the field names
below as keys) < environment variables `PROJFACTS_<FIELD NAME UPPER-CASED>` < explicit overrides.
README.md lists them; deploy/projfacts-bus.toml is a production example.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class BusConfig:
    bootstrap: str = "127.0.0.1:9092"  # host:port[,host:port]
    submissions_topic: str = "projfacts.submissions"
    facts_topic: str = "projfacts.facts"
    rejected_topic: str = "projfacts.rejected"
    partitions: int = 6  # of each topic, when this program creates it
    replication: int = 1
    submissions_retention_ms: int = 7 * DAY_MS  # re-delivery window of the ingest
    facts_retention_ms: int = 30 * DAY_MS  # workers older than this rebuild from the event store
    rejected_retention_ms: int = 90 * DAY_MS  # dead letters: time to look into them
    schema_registry: str = "file:"  # "file:" (schemas/), "file:/path", or http(s)://host:8081
    schema_registry_register: bool = False  # may this client register its schemas (dev), or only look up
    ingest_group: str = "projfacts-ingest"
    worker_group: str = "projfacts-projector"
    worker_engine: str = "batch"  # "batch" (aiokafka, batched fetch) or "faust" (faust agent, take_events)
    batch_size: int = 5000  # records per SQL transaction (worker) or per append (ingest)
    batch_wait_ms: int = 200  # longest a partial batch waits for more records
    batch_pause_ms: int = 0  # pause after each batch (ingest and workers): a test knob, to kill mid-stream
    session_timeout_ms: int = 6000  # BROKER.md: shorter than the clients' default, for fast joins
    heartbeat_interval_ms: int = 1000
    idempotent: bool = True  # kafka-python producers: enable_idempotence with acks='all'
    compression: str = "none"  # none, gzip, lz4, snappy, zstd
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = ""
    sasl_username: str = ""
    sasl_password: str = field(default="", repr=False)

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides) -> "BusConfig":
        values: dict = {}
        path = path or os.environ.get("PROJFACTS_BUS_CONFIG")
        if path:
            with open(path, "rb") as handle:
                values.update(tomllib.load(handle))
        for f in fields(cls):
            env = os.environ.get(f"PROJFACTS_{f.name.upper()}")
            if env is not None:
                values[f.name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown bus settings: {', '.join(sorted(unknown))}")
        return cls(**{name: _coerce(cls, name, value) for name, value in values.items()})

    def with_(self, **changes) -> "BusConfig":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def retention(self, topic: str) -> int:
        return {self.submissions_topic: self.submissions_retention_ms, self.facts_topic: self.facts_retention_ms,
                self.rejected_topic: self.rejected_retention_ms}[topic]

    def client_options(self) -> dict:
        """Connection settings shared by kafka-python clients."""
        options: dict = {"bootstrap_servers": self.bootstrap.split(","), "security_protocol": self.security_protocol}
        if self.sasl_mechanism:
            options.update(sasl_mechanism=self.sasl_mechanism, sasl_plain_username=self.sasl_username,
                           sasl_plain_password=self.sasl_password)
        return options


def _coerce(cls, name: str, value):
    kind = {f.name: f.type for f in fields(cls)}[name]
    if kind in ("int", int):
        return int(value)
    if kind in ("bool", bool):
        if isinstance(value, str):
            if value.lower() not in {"1", "0", "true", "false", "yes", "no"}:
                raise ValueError(f"{name} must be true or false, got {value!r}")
            return value.lower() in {"1", "true", "yes"}
        return bool(value)
    return str(value)

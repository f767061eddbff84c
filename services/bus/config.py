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
    submissions_prefix: str = "projfacts.submissions"  # each department's channel: <prefix>.<department>
    department: str = ""  # this producer's department (`projfacts submit`): it sends to that channel only
    departments: str = ""  # comma-separated department codes with a channel; "" = events.catalogue.DEPARTMENTS
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
    batch_wait_ms: int = 200  # longest a poll waits for a first record
    # once a batch has its first records, how long it waits for more before it is taken (ingest and
    # batch workers): under a steady trickle, fewer and larger transactions (each costs a commit, a
    # figure chunk, an offset commit) for at most this much more latency per stage
    batch_linger_ms: int = 50
    batch_pause_ms: int = 0  # pause after each batch (ingest and workers): a test knob, to kill mid-stream
    session_timeout_ms: int = 6000  # BROKER.md: shorter than the clients' default, for fast joins
    heartbeat_interval_ms: int = 1000
    idempotent: bool = True  # kafka-python producers: enable_idempotence with acks='all'
    compression: str = "none"  # none, gzip, lz4, snappy, zstd
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = ""
    sasl_username: str = ""
    sasl_password: str = field(default="", repr=False)
    ssl_cafile: str = ""  # CA bundle for SASL_SSL / SSL (else the system's)

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides) -> "BusConfig":
        values: dict = {}
        path = path or os.environ.get("PROJFACTS_BUS_CONFIG")
        if path:
            with open(path, "rb") as handle:
                values.update(tomllib.load(handle))
        for f in fields(cls):
            for name in (f"PROJFACTS_KAFKA_{f.name.upper()}", f"PROJFACTS_{f.name.upper()}"):
                if name.startswith("PROJFACTS_KAFKA_") and f.name not in KAFKA_ALIASES:
                    continue
                env = os.environ.get(name)
                if env is not None:
                    values[f.name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown bus settings: {', '.join(sorted(unknown))}")
        return cls(**{name: _coerce(cls, name, value) for name, value in values.items()})

    def with_(self, **changes) -> "BusConfig":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    # ---- the departments' channels ------------------------------------------------------------
    def department_codes(self) -> list[str]:
        """The departments that have a submissions channel (configuration, else the catalogue's)."""
        if self.departments.strip():
            return sorted({d.strip() for d in self.departments.split(",") if d.strip()})
        from events.catalogue import DEPARTMENTS

        return sorted(DEPARTMENTS)

    def submissions_topic(self, department: str) -> str:
        """The one topic `department` publishes to (its channel: a Kafka ACL lets only it write there)."""
        if department not in self.department_codes():
            raise ValueError(f"no submissions channel for department {department!r} "
                             f"(departments: {', '.join(self.department_codes())})")
        return f"{self.submissions_prefix}.{department}"

    def submissions_topics(self) -> dict[str, str]:
        """department -> its submissions topic, for every department."""
        return {d: f"{self.submissions_prefix}.{d}" for d in self.department_codes()}

    def department_of(self, topic: str) -> str | None:
        """The department whose channel `topic` is; None when it is no department's channel."""
        prefix = self.submissions_prefix + "."
        if not topic.startswith(prefix):
            return None
        department = topic[len(prefix):]
        return department if department in self.department_codes() else None

    def all_topics(self) -> list[str]:
        return [*self.submissions_topics().values(), self.facts_topic, self.rejected_topic]

    def retention(self, topic: str) -> int:
        if self.department_of(topic):
            return self.submissions_retention_ms
        return {self.facts_topic: self.facts_retention_ms, self.rejected_topic: self.rejected_retention_ms}[topic]

    def sasl_options(self) -> dict:
        """SASL/SSL settings in kafka-python's and aiokafka's names (they share them)."""
        options: dict = {}
        if self.sasl_mechanism:
            options.update(sasl_mechanism=self.sasl_mechanism, sasl_plain_username=self.sasl_username,
                           sasl_plain_password=self.sasl_password)
        return options

    def client_options(self) -> dict:
        """Connection settings shared by kafka-python clients."""
        options: dict = {"bootstrap_servers": self.bootstrap.split(","), "security_protocol": self.security_protocol,
                         **self.sasl_options()}
        if self.ssl_cafile and "SSL" in self.security_protocol:
            options["ssl_cafile"] = self.ssl_cafile
        return options

    def aiokafka_options(self) -> dict:
        """The same for aiokafka (an SSL context instead of a CA file)."""
        options: dict = {"bootstrap_servers": self.bootstrap, "security_protocol": self.security_protocol,
                         **self.sasl_options()}
        if "SSL" in self.security_protocol:
            from aiokafka.helpers import create_ssl_context

            options["ssl_context"] = create_ssl_context(cafile=self.ssl_cafile or None)
        return options


# PROJFACTS_KAFKA_<NAME> is accepted as well as PROJFACTS_<NAME> for these (the latter wins).
KAFKA_ALIASES = frozenset({"sasl_username", "sasl_password", "sasl_mechanism", "security_protocol", "ssl_cafile"})


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

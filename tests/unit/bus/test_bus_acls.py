"""The brokers' users and ACLs (services/bus/acls.py, deploy/kafka/acls.sh): a department may write
only its own submissions topic; each service only what it needs."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from services.bus.acls import allowed, plan, script, users
from services.bus.config import BusConfig

ROOT = Path(__file__).resolve().parents[3]


def test_a_department_writes_only_its_own_channel_and_reads_nothing():
    config = BusConfig()
    grants = plan(config)
    topics = config.all_topics()
    for department in config.department_codes():
        user = f"User:dept-{department}"
        for topic in topics:
            assert allowed(grants, user, "Write", "topic", topic) == (topic == config.submissions_topic(department))
            assert not allowed(grants, user, "Read", "topic", topic)
        assert not allowed(grants, user, "Read", "group", config.ingest_group)
        assert {g.operation for g in grants if g.principal == user} == {"Write", "Describe", "IdempotentWrite"}


def test_each_service_reads_and_writes_only_what_it_needs():
    config = BusConfig()
    grants = plan(config)
    submissions = list(config.submissions_topics().values())
    writes = {service: {t for t in config.all_topics() if allowed(grants, f"User:svc-{service}", "Write", "topic", t)}
              for service in ("ingest", "relay", "worker")}
    reads = {service: {t for t in config.all_topics() if allowed(grants, f"User:svc-{service}", "Read", "topic", t)}
             for service in ("ingest", "relay", "worker")}
    assert writes == {"ingest": {config.rejected_topic}, "relay": {config.facts_topic},
                      "worker": {config.rejected_topic}}
    assert reads == {"ingest": set(submissions), "relay": set(), "worker": {config.facts_topic}}
    assert allowed(grants, "User:svc-ingest", "Read", "group", config.ingest_group)
    assert not allowed(grants, "User:svc-ingest", "Read", "group", config.worker_group)
    assert allowed(grants, "User:svc-worker", "Read", "group", config.worker_group)
    assert "svc-admin" in users(config) and not any(g.principal == "User:svc-admin" for g in grants)  # super user


def test_the_committed_script_is_the_generated_one_and_valid_bash():
    committed = ROOT / "deploy" / "kafka" / "acls.sh"
    assert committed.read_text() == script(BusConfig())
    assert os.access(committed, os.X_OK)
    assert subprocess.run(["bash", "-n", str(committed)]).returncode == 0


def test_the_script_runs_the_kafka_tools_with_the_right_arguments(tmp_path):
    """acls.sh against stand-ins for kafka-configs.sh / kafka-acls.sh that log their arguments."""
    bin_dir, secrets = tmp_path / "bin", tmp_path / "secrets"
    bin_dir.mkdir(), secrets.mkdir()
    for tool in ("kafka-configs.sh", "kafka-acls.sh"):
        (bin_dir / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "{tmp_path}/calls"\n')
        (bin_dir / tool).chmod(0o755)
    for user in users(BusConfig()):
        (secrets / user).write_text(f"pw-{user}")
    env = {**os.environ, "KAFKA_BIN": str(bin_dir), "BOOTSTRAP": "k:9092", "ADMIN_CONFIG": "admin.properties",
           "PASSWORDS": str(secrets)}
    done = subprocess.run(["bash", str(ROOT / "deploy" / "kafka" / "acls.sh")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert ("kafka-configs.sh --bootstrap-server k:9092 --command-config admin.properties --alter --entity-type users "
            "--entity-name dept-ndrc --add-config SCRAM-SHA-512=[iterations=8192,password=pw-dept-ndrc]") in calls
    assert ("kafka-acls.sh --bootstrap-server k:9092 --command-config admin.properties --add --allow-principal "
            "User:dept-ndrc --operation Write --topic projfacts.submissions.ndrc --resource-pattern-type literal") in calls
    assert ("kafka-acls.sh --bootstrap-server k:9092 --command-config admin.properties --add --allow-principal "
            "User:svc-ingest --operation Read --topic projfacts.submissions. --resource-pattern-type prefixed") in calls
    assert ("kafka-acls.sh --bootstrap-server k:9092 --command-config admin.properties --add --allow-principal "
            "User:svc-relay --operation IdempotentWrite --cluster") in calls

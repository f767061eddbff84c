"""Create the topics (idempotent): one submissions topic per department (its channel), the facts and
the rejected topic; and count what a topic holds without ListOffsets
(tansu's `end_offsets()` is wrong after multi-record batches: BROKER.md)."""
from __future__ import annotations

import logging
import time

from services.bus.config import BusConfig

log = logging.getLogger(__name__)


def ensure_topics(config: BusConfig, timeout: float = 30.0, names: list[str] | None = None) -> list[str]:
    """Create whichever of `names` (default: every department's submissions topic, the facts and the
    rejected topic) are missing. Returns those created. Each process ensures only the topics it uses:
    with ACLs a service sees (DESCRIBE) only its own topics, and only the admin may create any
    (deploy/kafka/)."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import AuthorizationError, TopicAlreadyExistsError

    names = list(names or config.all_topics())
    first_contact = max(1000, min(30_000, int(timeout * 1000)))  # a missing broker: said within `timeout`
    admin = _retry(lambda: KafkaAdminClient(client_id="projfacts-admin", bootstrap_timeout_ms=first_contact,
                                            **config.client_options()), timeout)
    try:
        existing = set(admin.list_topics())
        wanted = [NewTopic(name, config.partitions, config.replication,
                           topic_configs={"retention.ms": str(config.retention(name)), "cleanup.policy": "delete"})
                  for name in names if name not in existing]
        if wanted:
            try:
                admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass
            except AuthorizationError as error:
                raise PermissionError(f"topics {', '.join(t.name for t in wanted)} are missing and this user "
                                      f"({config.sasl_username or 'anonymous'}) may not create them: run "
                                      f"`projfacts topics create` as the admin ({error})") from None
            _wait_for_metadata(admin, [t.name for t in wanted], timeout)
        return [t.name for t in wanted]
    finally:
        admin.close()


def _wait_for_metadata(admin, names: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not set(names) <= set(admin.list_topics()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics {names} not visible after {timeout:.0f} s")
        time.sleep(0.1)


def _retry(make, timeout: float):
    from kafka.errors import KafkaError

    deadline = time.monotonic() + timeout
    while True:
        try:
            return make()
        except (KafkaError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def read_topic(config: BusConfig, topic: str, *, expect: int | None = None, idle: float = 2.0,
               timeout: float = 60.0) -> list:
    """Every record of `topic` from the beginning, without a consumer group: until `expect`
    records are read, or nothing new arrived for `idle` seconds (bounded by `timeout`)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(enable_auto_commit=False, group_id=None, auto_offset_reset="earliest",
                             consumer_timeout_ms=int(idle * 1000), **config.client_options())
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        deadline = time.monotonic() + timeout
        while not partitions and time.monotonic() < deadline:
            time.sleep(0.2)
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records: list = []
        last_new = time.monotonic()
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=200, max_records=10000)
            got = [r for rs in batch.values() for r in rs]
            records += got
            if got:
                last_new = time.monotonic()
            if expect is not None and len(records) >= expect:
                break
            if expect is None and time.monotonic() - last_new > idle:
                break
        return records
    finally:
        consumer.close()

"""The `batch` worker engine: an aiokafka consumer in the group, fetching up to `batch_size`
records at once and projecting them in one SQL transaction (projector.py).

On every assignment it seeks each partition to the offset stored in the read model (the
beginning when none) — the broker's committed offsets are never trusted alone; they are still
committed after each batch, for lag monitoring. A revocation waits for the batch in flight.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import time

from services.bus.config import BusConfig
from services.bus.worker import Projector, resume_offset
from services.bus.records import Record

log = logging.getLogger("projfacts.worker")


async def run(config: BusConfig, projector: Projector, stop: asyncio.Event) -> None:
    from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

    busy = asyncio.Lock()
    loop = asyncio.get_running_loop()

    consumer = AIOKafkaConsumer(
        group_id=config.worker_group, client_id="projfacts-worker", enable_auto_commit=False,
        auto_offset_reset="earliest", session_timeout_ms=config.session_timeout_ms,
        heartbeat_interval_ms=config.heartbeat_interval_ms, max_poll_interval_ms=600_000,
        max_partition_fetch_bytes=8 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024,
        **config.aiokafka_options())

    class Seek(ConsumerRebalanceListener):
        async def on_partitions_revoked(self, revoked):
            async with busy:
                projector.forget((tp.topic, tp.partition) for tp in revoked)

        async def on_partitions_assigned(self, assigned):
            tps = [(tp.topic, tp.partition) for tp in assigned]
            offsets = await loop.run_in_executor(None, projector.stored_offsets, tps)
            for (topic, partition), offset in sorted(offsets.items()):
                consumer.seek(TopicPartition(topic, partition), resume_offset(offset))
            log.info("assigned %s; resuming at stored offsets %s", sorted(p for _, p in tps),
                     {p: o for (_, p), o in sorted(offsets.items())})

    consumer.subscribe([config.facts_topic], listener=Seek())
    await consumer.start()
    last_report = time.monotonic()
    try:
        while not stop.is_set():
            polled = await consumer.getmany(timeout_ms=config.batch_wait_ms, max_records=config.batch_size)
            if not polled:
                continue
            await _linger(consumer, polled, config)
            records = [Record(r.topic, r.partition, r.offset, r.key, r.value, list(r.headers or ()))
                       for tp in sorted(polled) for r in polled[tp]]
            async with busy:
                await loop.run_in_executor(None, projector.apply, records)
                for (topic, partition), offset in projector.take_seeks().items():
                    consumer.seek(TopicPartition(topic, partition), offset)
            try:
                await consumer.commit({tp: batch[-1].offset + 1 for tp, batch in polled.items()})
            except Exception as error:  # informational only: the read model holds the real offsets
                log.debug("broker offset commit failed: %r", error)
            if time.monotonic() - last_report > 10:
                log.info("projected %d facts (dead-lettered %d)", projector.applied, projector.refused)
                last_report = time.monotonic()
    finally:
        await consumer.stop()
        log.info("worker stopped: projected %d facts (dead-lettered %d)", projector.applied, projector.refused)


async def _linger(consumer, polled: dict, config: BusConfig) -> None:
    """Add to `polled` what arrives within `batch_linger_ms` of its first records, up to a batch."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + config.batch_linger_ms / 1000
    count = sum(len(records) for records in polled.values())
    while count < config.batch_size and (left := deadline - loop.time()) > 0:
        more = await consumer.getmany(timeout_ms=max(1, int(left * 1000)), max_records=config.batch_size - count)
        for tp, records in more.items():
            polled.setdefault(tp, []).extend(records)
            count += len(records)


def run_forever(config: BusConfig, projector: Projector) -> None:
    """The process: runs until SIGTERM or SIGINT."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run(config, projector, stop)

    asyncio.run(main())

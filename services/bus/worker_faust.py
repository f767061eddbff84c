"""The `faust` worker engine: a faust app whose agent takes the facts stream in batches
(`stream.take_events`) and projects each batch in one SQL transaction (projector.py).

faust commits offsets to the broker itself (at_least_once; its exactly-once mode needs Kafka
transactions, which tansu cannot do: BROKER.md). Its consumer is told to resume from the offsets
stored in the read model instead: `seek_to_committed`, which faust calls after each rebalance,
seeks every facts partition to its stored offset. faust's per-message machinery (per record ~4 new
event-loop tasks and ~11 callbacks before `take_events` sees it) caps this engine near 7.6k
records/s with a projector that does nothing, against ~91k/s for the `batch` engine on the same
records (bench/bench_faust.py), and it projects 3.5k–6.5k/s: below half the raw consume rate. The
`batch` engine does the same work without that machinery and is the default (bench/RESULTS_KAFKA.md).
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from services.bus.config import BusConfig
from services.bus.worker import Projector, resume_offset
from services.bus.records import Record

log = logging.getLogger("projfacts.worker")


def make_app(config: BusConfig, projector: Projector, datadir: str | Path):
    import faust
    from faust.transport.drivers.aiokafka import Consumer, Transport

    facts_topic = config.facts_topic

    class StoredOffsetConsumer(Consumer):
        async def seek_to_committed(self):
            committed = dict(await super().seek_to_committed())
            tps = [tp for tp in self.assignment() if tp.topic == facts_topic]
            if not tps:
                return committed
            loop = asyncio.get_running_loop()
            stored = await loop.run_in_executor(None, projector.stored_offsets, [(t.topic, t.partition) for t in tps])
            seeks = {tp: resume_offset(stored[(tp.topic, tp.partition)]) for tp in tps}
            await self.seek_wait(seeks)
            log.info("resuming at stored offsets %s", {tp.partition: o for tp, o in sorted(seeks.items())})
            committed.update(seeks)
            return committed

    class StoredOffsetTransport(Transport):
        Consumer = StoredOffsetConsumer

    class App(faust.App):
        def _new_transport(self):
            return StoredOffsetTransport(self.conf.broker_consumer, self)

    app = App(
        config.worker_group,
        broker=[f"kafka://{host}" for host in config.bootstrap.split(",")],
        broker_credentials=_credentials(config),
        processing_guarantee="at_least_once",
        broker_session_timeout=config.session_timeout_ms / 1000,
        broker_heartbeat_interval=config.heartbeat_interval_ms / 1000,
        broker_max_poll_records=min(config.batch_size, 500),  # faust is slower with bigger polls
        consumer_auto_offset_reset="earliest",
        topic_disable_leader=True,
        topic_allow_declare=False,
        web_enabled=False,
        web_bind="127.0.0.1",
        store="memory://",
        datadir=str(datadir),
        producer_acks=-1,
    )
    topic = app.topic(facts_topic, key_serializer="raw", value_serializer="raw")

    @app.agent(topic, name="project")
    async def project(stream):
        loop = asyncio.get_running_loop()
        async for events in stream.take_events(config.batch_size, within=config.batch_wait_ms / 1000):
            records = [Record(e.message.topic, e.message.partition, e.message.offset, e.message.key,
                              e.message.value, [(k, v) for k, v in (e.message.headers or [])])
                       for e in events]
            await loop.run_in_executor(None, projector.apply, records)
            seeks = projector.take_seeks()
            if seeks:  # a new incarnation of the facts topic: read those partitions again from the start
                from faust.types import TP

                for (topic, partition), offset in seeks.items():
                    await app.consumer.seek(TP(topic, partition), offset)  # resets faust's read offset too

    @app.on_partitions_revoked.connect
    async def forget(app, revoked, **kwargs):
        projector.forget((tp.topic, tp.partition) for tp in revoked)

    return app


def _credentials(config: BusConfig):
    if not config.sasl_mechanism:
        return None
    import faust

    return faust.SASLCredentials(username=config.sasl_username, password=config.sasl_password,
                                 mechanism=config.sasl_mechanism)


def run_forever(config: BusConfig, projector: Projector, datadir: str | Path, loglevel: str = "info") -> None:
    import faust

    app = make_app(config, projector, datadir)
    worker = faust.Worker(app, loglevel=loglevel, quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()

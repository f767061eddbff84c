"""`projfacts submit | ingest | relay | worker | topics | schemas | stack`: the Kafka path's commands
(registered on the main group by services/entry/cli/main.py). Settings: services/bus/config.py and README.md.

    submit FILE   a department's producer: validated events onto its own submissions topic
    ingest        the submissions consumer: every department's topic, each event through the accept
                  path into the log, authorised as the department whose topic it came in on
    topics        list (who writes, who reads) | create
    relay         the log onto the facts topic, in log order, from its checkpoint
    worker        the facts topic into the SQL read model (only facts the log backs)
"""
from __future__ import annotations

import json
import logging
import sys

import click

# How long a one-shot client (submit) waits for the broker before saying it cannot reach it.
REACH_MS = 4000

BOOTSTRAP = click.option("--bootstrap", default=None,
                         help="Kafka bootstrap servers host:port[,…] (default: $PROJFACTS_BOOTSTRAP, else 127.0.0.1:9092).")


def _config(bootstrap: str | None = None, **overrides):
    from services.bus.config import BusConfig

    return BusConfig.load(bootstrap=bootstrap, **overrides)


def _logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


def _reach(config):
    """A producer whose first contact with the broker is bounded (REACH_MS): one clear line, not a
    30-second wait and a traceback, when no broker answers at the bootstrap address."""
    from kafka.errors import KafkaError

    from services.bus.producer import kafka_producer

    try:
        return kafka_producer(config, bootstrap_timeout_ms=REACH_MS, max_block_ms=REACH_MS)
    except KafkaError as error:
        raise click.ClickException(_unreachable(config, error)) from None


def _unreachable(config, error: Exception) -> str:
    return (f"cannot reach the Kafka broker at {config.bootstrap} within {REACH_MS // 1000} s "
            f"({type(error).__name__}): is it running? (--bootstrap or PROJFACTS_BOOTSTRAP; "
            f"scripts/stack.sh start starts a local one)")


def register(main: click.Group) -> None:
    from services.entry.cli.common import db_option, settings, writer

    @main.command("submit")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @BOOTSTRAP
    @click.option("--department", default=None,
                  help="The department this producer publishes for: its events go to its own submissions topic, "
                       "lines of any other department are refused (default: $PROJFACTS_DEPARTMENT).")
    @click.option("--each-department", is_flag=True,
                  help="Local runs and tests only: send each event to the channel of the department it declares "
                       "(with real credentials a department can write nowhere but its own channel).")
    def submit_command(file, bootstrap, department, each_department):
        """A department's producer: send the valid events of a .jsonl FILE to the department's own
        submissions topic (each bad line, or a line of another department, is reported with its number
        and reason, not sent)."""
        from services.bus.producer import DepartmentProducer, publish_file

        config = _config(bootstrap)
        department = department or config.department or None
        if department and each_department:
            raise click.UsageError("--department and --each-department exclude each other")
        if not department and not each_department:
            raise click.UsageError("whose events are these? Give --department CODE (or set PROJFACTS_DEPARTMENT); "
                                   f"departments: {', '.join(config.department_codes())}")
        if department and department not in config.department_codes():
            raise click.BadParameter(f"{department!r} has no submissions channel; departments: "
                                     f"{', '.join(config.department_codes())}", param_hint="--department")

        def refused(number, error):
            click.echo(f"line {number}: {error.describe()}", err=True)

        with DepartmentProducer(config, department=department, producer=_reach(config)) as producer:
            summary = publish_file(file, producer, refused, progress=sys.stderr.isatty())
        where = config.submissions_topic(department) if department else f"{config.submissions_prefix}.<department>"
        click.echo(f"{summary.line()} (to {where})")
        sys.exit(1 if summary.refused else 0)

    @main.command("ingest")
    @db_option
    @BOOTSTRAP
    @click.pass_context
    def ingest_command(ctx, db, bootstrap):
        """Run the submissions consumer: submissions → the accept path → the log | rejected (until SIGTERM)."""
        from services.bus.submissions import run_ingest

        _logging()
        run_ingest(_config(bootstrap), writer(ctx, db).acceptor)

    @main.command("relay")
    @db_option
    @BOOTSTRAP
    @click.pass_context
    def relay_command(ctx, db, bootstrap):
        """Run the relay: every fact the log holds onto the facts topic, in log order (until SIGTERM)."""
        from services.bus.relay import run_relay

        _logging()
        run_relay(_config(bootstrap), writer(ctx, db).events)

    @main.command("worker")
    @db_option
    @BOOTSTRAP
    @click.option("--engine", type=click.Choice(["batch", "faust"]), default=None,
                  help="batch: aiokafka batched fetch (default); faust: a faust agent with take_events.")
    @click.option("--group", default=None, help="Consumer group (default: configuration, projfacts-projector).")
    @click.option("--rebuild", is_flag=True, help="First rebuild the read model from the event store (stop the "
                                                   "group's other workers first), then consume from the topic's start.")
    @click.pass_context
    def worker_command(ctx, db, bootstrap, engine, group, rebuild):
        """Run a projection worker: facts → SQL read model, offsets in the same transaction (until SIGTERM)."""
        from services.bus.producer import kafka_producer
        from services.bus.topics import ensure_topics
        from services.bus.wire import EventSerde, open_registry
        from services.bus.worker import Projector, kafka_dead_letter
        from services.bus.worker import rebuild as rebuild_model

        _logging()
        config = _config(bootstrap, worker_engine=engine, worker_group=group)
        store = writer(ctx, db).events
        if rebuild:
            click.echo(f"rebuilt the read model from the event store: {rebuild_model(store, config.worker_group)} facts",
                       err=True)
        ensure_topics(config, names=[config.facts_topic, config.rejected_topic])
        dead_letters = kafka_producer(config, enable_idempotence=False, retries=5)
        projector = Projector(store, config.worker_group, EventSerde(open_registry(config.schema_registry)),
                              pause_ms=config.batch_pause_ms, dead_letter=kafka_dead_letter(config, dead_letters))
        if config.worker_engine == "faust":
            import tempfile

            from services.bus.stack import var_dir
            from services.bus.worker_faust import run_forever

            parent = var_dir() / "faust"
            parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix=f"{config.worker_group}-", dir=parent) as datadir:
                run_forever(config, projector, datadir)
        else:
            from services.bus.worker_batch import run_forever

            run_forever(config, projector)

    @main.group("topics", invoke_without_command=True)
    @click.pass_context
    def topics_group(ctx):
        """The bus's topics (without a subcommand: `topics list`)."""
        if ctx.invoked_subcommand is None:
            ctx.invoke(topics_list)

    @topics_group.command("list")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
    def topics_list(fmt):
        """Every topic of the bus: who writes it, who reads it (from the configuration; no broker needed)."""
        config = _config()
        rows = [{"topic": topic, "kind": "submissions", "department": department,
                 "written_by": f"department {department}", "read_by": "ingest"}
                for department, topic in config.submissions_topics().items()]
        rows += [{"topic": config.facts_topic, "kind": "facts", "department": None, "written_by": "relay",
                  "read_by": "worker"},
                 {"topic": config.rejected_topic, "kind": "rejected", "department": None,
                  "written_by": "ingest, worker", "read_by": "admin"}]
        if fmt == "json":
            click.echo(json.dumps(rows, indent=2))
            return
        width = max(len(r["topic"]) for r in rows)
        for r in rows:
            click.echo(f"{r['topic']:<{width}}  {r['kind']:<11}  written by {r['written_by']:<31} read by {r['read_by']}")

    @topics_group.command("create")
    @BOOTSTRAP
    def topics_create(bootstrap):
        """Create every department's submissions topic, the facts and the rejected topic where missing
        (partitions, retention: configuration)."""
        from kafka.errors import KafkaError

        from services.bus.topics import ensure_topics

        config = _config(bootstrap)
        try:
            created = ensure_topics(config, timeout=REACH_MS / 1000)
        except (KafkaError, OSError) as error:
            raise click.ClickException(_unreachable(config, error)) from None
        except PermissionError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"created: {', '.join(created) or 'none (all exist)'}")

    @topics_group.command("acls")
    @click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the script here (else stdout).")
    def topics_acls(out):
        """The SASL/SCRAM users and Kafka ACLs as a shell script (kafka-configs.sh, kafka-acls.sh): each
        department may write only its own submissions topic (deploy/kafka/acls.sh is this, for the defaults)."""
        from services.bus.acls import script

        text = script(_config())
        if out:
            with open(out, "w") as handle:
                handle.write(text)
            click.echo(f"wrote {out}", err=True)
        else:
            click.echo(text, nl=False)

    @main.group("schemas")
    def schemas_group():
        """The Avro schemas in the schema registry."""

    @schemas_group.command("register")
    @click.option("--registry", default=None, help="Registry URL (default: configuration schema_registry).")
    def schemas_register(registry):
        """Register every committed schema (schemas/) in a Confluent-compatible Schema Registry."""
        from events import avro
        from services.bus.wire import ConfluentSchemaRegistry, full_name

        url = registry or _config().schema_registry
        if not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"needs an http(s) schema registry, got {url!r}", param_hint="--registry")
        client = ConfluentSchemaRegistry(url, register=True)
        for event_type, version in sorted(avro.load_schemas()):
            click.echo(f"{full_name(event_type, version)}: id {client.id_for(event_type, version)}")

    @main.group("stack")
    def stack_group():
        """The local stack: tansu broker + ingest + relay + workers, started and stopped by PID (var/)."""

    @stack_group.command("start")
    @db_option
    @click.option("--workers", type=click.IntRange(0, 32), default=1)
    @click.option("--engine", type=click.Choice(["batch", "faust"]), default="batch")
    @click.option("--port", type=int, default=None, help="Broker port (default 9092 when free).")
    @click.option("--broker-only", is_flag=True, help="Only the broker (scripts/broker.sh).")
    @click.option("--var", "var", default=None, help="State and logs directory (default: $PROJFACTS_VAR or ./var).")
    @click.pass_context
    def stack_start(ctx, db, workers, engine, port, broker_only, var):
        """Start the broker (and, unless --broker-only, the ingest, the relay and the workers)."""
        from services.bus import stack

        directory = stack.var_dir(var)
        if broker_only:
            state = {"broker": stack.start_broker(directory, port)}
        else:
            state = stack.start(directory, settings(ctx, db).db, workers=workers, engine=engine, port=port)
        click.echo(json.dumps(state, indent=2))
        click.echo(f"export PROJFACTS_BOOTSTRAP={state['broker']['bootstrap']}", err=True)

    @stack_group.command("stop")
    @click.option("--broker-only", is_flag=True)
    @click.option("--var", "var", default=None)
    def stack_stop(broker_only, var):
        """Stop, by PID, what `stack start` started."""
        from services.bus import stack

        stopped = stack.stop(stack.var_dir(var), broker_only=broker_only)
        click.echo(f"stopped {len(stopped)} processes: {' '.join(map(str, stopped)) or '-'}")

    @stack_group.command("status")
    @click.option("--var", "var", default=None)
    def stack_status(var):
        from services.bus import stack

        click.echo(json.dumps(stack.status(stack.var_dir(var)), indent=2))

"""Engines for the two stores: SQLite (the embedded default) and PostgreSQL.

A writer's engine creates what it needs (the SQLite file's folder); a reader's engine never
writes: SQLite is opened read-only (`mode=ro`), PostgreSQL sessions are read-only transactions,
and a store that does not exist is an error that says so (`StoreError`), never an empty store.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_SQLITE_NAME = "projfacts.sqlite"


class StoreError(RuntimeError):
    """The store cannot be used as asked: one line for people, saying what to do."""


def data_dir() -> Path:
    """$XDG_DATA_HOME/projfacts (normally ~/.local/share/projfacts); not created here."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "projfacts"


def default_url() -> str:
    """`PROJFACTS_DB`, else the embedded SQLite file under `data_dir()`."""
    return os.environ.get("PROJFACTS_DB") or f"sqlite:///{data_dir() / DEFAULT_SQLITE_NAME}"


def _normalise(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_file(url: str) -> Path | None:
    """The database file of an SQLite URL (None: in memory, or not SQLite)."""
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def describe(url: str) -> str:
    """The store as people name it: the SQLite file, or the URL without its password."""
    path = sqlite_file(url)
    if path is not None:
        return str(path)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: shown as given
        return url


def make_engine(url: str | None = None, *, read_only: bool = False) -> Engine:
    url = _normalise(url or default_url())
    try:
        parsed = make_url(url)
    except Exception:
        raise StoreError(f"--db {url!r} is not a database URL: use sqlite:///PATH or "
                         f"postgresql://USER@HOST/DB") from None
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise StoreError(f"--db {describe(url)}: only SQLite (sqlite:///PATH) and PostgreSQL "
                         f"(postgresql://USER@HOST/DB) stores are supported")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(url, read_only)
    connect: dict = {"connect_timeout": 10}
    if read_only:  # read-only transactions, kept beside any options the URL gives (search_path …)
        given = parsed.query.get("options", "")
        given = " ".join(given) if isinstance(given, tuple) else given
        connect["options"] = f"{given} -c default_transaction_read_only=on".strip()
    return create_engine(url, pool_pre_ping=True, connect_args=connect)


def _sqlite(url: str, read_only: bool) -> Engine:
    path = sqlite_file(url)
    if path is not None and read_only:
        if not path.is_file():
            raise StoreError(f"no store at {path}: import events first (projfacts import FILE --db "
                             f"sqlite:///{path}), or give the right --db / PROJFACTS_DB")
        engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true", connect_args={"timeout": 60})
    else:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})
    _sqlite_transactions(engine, read_only)
    return engine


WRITER_CACHE_KIB = 65_536
WAL_CHECKPOINT_PAGES = 10_000
# Reads (reports, views, exports: read-only connections) go through a memory map of the store of
# up to this many bytes (SQLite's own build limit, 2 GiB here, caps it): a page read is then a
# memory access instead of a `pread` into SQLite's page cache. A province's view reads ~1 GB of
# facts: its system time 0.7 -> 0.3 s (bench/README.md). Writers keep `pread`: the import measured
# no better with the map. Linux's unified page cache keeps the map coherent beside WAL writers.
READER_MMAP_BYTES = 1 << 34
# ...and sort with helper threads: a region's read is sorted by project (a province's 领导包联: 1.2 M
# rows, 1.7 s of sorting before the first row), and SQLite's sorter then sorts and merges its runs
# on another core while it reads on. A province's 领导包联 7.9 -> 7.0 s, 滞后项目 6.1 -> 5.6 s
# (bench/README.md). Writers keep none but for their index builds (`sorting_for_index_builds`, below):
# with the writer's large cache SQLite sorts in memory on one thread, and helpers gained little there.
READER_SORT_THREADS = 2


# A writer's index builds (a replay's swap builds the read models' indexes; SQLite cannot build them
# on the shadows beforehand): SQLite's sorter holds as many rows in memory as the page cache takes
# and sorts them on one thread; with a small cache it sorts runs of rows and merges them, on helper
# threads. The province's two large `facts` indexes (1.3 M rows), built and committed in one
# transaction: 6.1-7.3 s with the writer's 64 MiB and no helper, 2.8-3.8 s with 2 MiB (SQLite's
# default) and 2-4 helpers (bench/README.md, twelfth session).
INDEX_SORT_CACHE_KIB = 2_000
INDEX_SORT_THREADS = min(4, os.cpu_count() or 1)


@contextmanager
def sorting_for_index_builds(conn) -> Iterator[None]:
    """SQLite: around a writer's CREATE INDEX statements, the page cache and sort helpers that build
    them fastest; the connection's own afterwards. Other backends: nothing."""
    if not is_sqlite(conn.engine):
        yield
        return
    own = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in ("threads", "cache_size")}
    conn.exec_driver_sql(f"PRAGMA threads={INDEX_SORT_THREADS}")
    conn.exec_driver_sql(f"PRAGMA cache_size=-{INDEX_SORT_CACHE_KIB}")
    try:
        yield
    finally:
        for name, value in own.items():
            conn.exec_driver_sql(f"PRAGMA {name}={value}")


def _sqlite_transactions(engine: Engine, read_only: bool) -> None:
    """Let SQLAlchemy, not pysqlite, open transactions; writers take the lock up front."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        if read_only:
            dbapi_connection.execute(f"PRAGMA mmap_size={READER_MMAP_BYTES}")
            dbapi_connection.execute(f"PRAGMA threads={READER_SORT_THREADS}")
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # A writer's page cache: the log's unique indexes (event_id, project sequence) take inserts
        # in random order; with SQLite's 2 MiB default a history import rereads their pages from
        # the OS for every batch (64 MiB, an upper bound: pages are taken as needed). Checkpoints
        # every 10,000 pages (~40 MB of WAL) rather than 1,000: a large append copies each changed
        # index page back once, not several times. bench/README.md has the numbers.
        cursor.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        # Debian builds SQLite with SECURE_DELETE on: every page freed is overwritten with zeros, so
        # a replay's swap, dropping the old read model (~1 GB for a province), writes all of it again
        # through the WAL. FAST zeroes deleted content only where that costs no extra I/O. Nothing
        # freed here is secret that the store does not keep anyway: the log is append-only, the read
        # models are copies of it, tokens are kept as hashes. Province replay: 33.9 -> 29.6 s (medians).
        cursor.execute("PRAGMA secure_delete=FAST")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        writer = connection.get_execution_options().get("projfacts_writer")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer and not read_only else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"

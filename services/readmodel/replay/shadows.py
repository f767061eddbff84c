"""The shadow tables a replay fills beside the live read models, and their indexes: on PostgreSQL
built on the shadows under temporary names before the swap renames them (`_next`); on SQLite,
where an index cannot be renamed, built by the swap itself."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, text

from services.log.engine import is_sqlite
from services.readmodel.tables import (facts, facts_shadow, figure_chunks, figure_chunks_shadow, project_regions,
                                       project_regions_shadow)

SHADOWS = ((facts, facts_shadow), (project_regions, project_regions_shadow), (figure_chunks, figure_chunks_shadow))


def next_name(index_name: str) -> str:
    return f"{index_name}_next"


def drop_next_indexes(conn, engine: Engine) -> None:
    if is_sqlite(engine):
        return
    for live, _ in SHADOWS:
        for index in live.indexes:
            conn.execute(text(f'DROP INDEX IF EXISTS "{next_name(index.name)}"'))


def index_sql(index, table: str, name: str, dialect: str) -> str:
    columns = ", ".join(f'"{c.name}"' for c in index.columns)
    unique = "UNIQUE " if index.unique else ""
    where = index.dialect_options[dialect]["where"]
    partial = f" WHERE {where}" if where is not None else ""
    return f'CREATE {unique}INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns}){partial}'


def build_next_indexes(engine: Engine, workers: int) -> None:
    """PostgreSQL: the live tables' indexes, built on the shadows under temporary names, `workers`
    at a time (each in its own connection; a crash leaves them for `start` to drop or the next
    call to skip)."""
    if is_sqlite(engine):
        return

    def build(statement: str) -> None:
        with engine.begin() as conn:
            conn.execute(text(statement))

    statements = [index_sql(index, shadow.name, next_name(index.name), "postgresql")
                  for live, shadow in SHADOWS for index in sorted(live.indexes, key=lambda i: i.name)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(build, statements))
    for _, shadow in SHADOWS:  # the planner's statistics of the rebuilt tables, before they are read
        build(f"ANALYZE {shadow.name}")

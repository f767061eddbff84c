"""The read-model port, and its SQL adapter (SQLite and PostgreSQL).

What every projector writes and every query reads: the facts with the time each became known,
their figure columns, the checkpoints (exactly-once: a batch and its checkpoint in one
transaction) and how many facts the model holds. `tests/contract/test_read_model.py` is the one
suite every adapter passes.
"""
from __future__ import annotations

from typing import Protocol, Sequence

from sqlalchemy import Engine

from projections.facts import Fact
from projections.figures.columns import Columns
from services.log.store import StoredEvent
from services.readmodel import columns as figure_index
from services.readmodel import sql


class ReadModel(Protocol):
    def apply(self, batch: Sequence[StoredEvent], checkpoint: str) -> int:
        """Take the facts of a batch (log order) beyond the log position `checkpoint` stands at, and move
        it to the last of them, at once; how many facts that added."""

    def checkpoint(self, name: str) -> int:
        """Where a writer of the model stands (0: nowhere yet)."""

    def projected(self) -> int:
        """How many facts the model holds."""

    def columns(self) -> Columns:
        """Every fact a figure reads, as figure columns."""

    def label(self, key: int) -> str:
        """The text of a label key (a project id, a township, a problem)."""

    def event_ids(self, positions: Sequence[int]) -> dict[int, str]:
        """position → event_id of the facts held there."""

    def targets(self, year: int, as_of_us: int, before: int | None = None) -> list[Fact]:
        """The year's TargetSets visible as of a recorded time."""

    def region_facts(self, region: str, as_of_us: int, year: int) -> list[Fact]:
        """The visible facts of the region's projects, in log order (the views read them project by
        project: services/readmodel/sql.py `region_projects`)."""

    def project_facts(self, project_id: str, as_of_us: int) -> list[Fact]:
        """Every fact of one project recorded by a time, retracted ones included (一项一档)."""


class SqlReadModel:
    """The read model in the store's database (the same one as the log: see services/log)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._names = figure_index.Labels(engine)
        self._lookup = figure_index.Lookup(engine)

    def apply(self, batch: Sequence[StoredEvent], checkpoint: str) -> int:
        with self.engine.connect().execution_options(projfacts_writer=True) as conn, conn.begin():
            sql.lock_embedded(conn, self.engine)
            done = sql.checkpoint_of_in(conn, checkpoint)  # another writer may have taken some meanwhile
            fresh = [e for e in batch if e.position > done]
            if not fresh:
                return 0
            return sql.apply_batch(conn, self.engine, fresh, checkpoint, fresh[-1].position, self._names)

    def checkpoint(self, name: str) -> int:
        return sql.checkpoint_of(self.engine, name)

    def projected(self) -> int:
        return sql.projected(self.engine)

    def columns(self) -> Columns:
        return figure_index.load(self.engine)

    def label(self, key: int) -> str:
        return self._lookup.text(key)

    def event_ids(self, positions: Sequence[int]) -> dict[int, str]:
        return sql.event_ids_at(self.engine, positions)

    def targets(self, year: int, as_of_us: int, before: int | None = None) -> list[Fact]:
        return sql.load_targets(self.engine, year, as_of_us, before)

    def region_facts(self, region: str, as_of_us: int, year: int) -> list[Fact]:
        return sql.region_facts(self.engine, region, as_of_us, year)

    def project_facts(self, project_id: str, as_of_us: int) -> list[Fact]:
        return sql.project_facts(self.engine, project_id, as_of_us)

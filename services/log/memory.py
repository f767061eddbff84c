"""The log writer's memory of its own appends: each project's last `project_seq`, and which event
ids it wrote.

Each append numbers its events per project from the project's last `project_seq`, and looks up its
event ids in the log to tell a new event from a duplicate. Asking the log costs an index seek per
project and per event of the batch: a history import's 25,000-event batch names ~15,000 projects,
and together the two questions took ~0.4 s (SQLite) to ~0.9 s (PostgreSQL) of the one writer's
~3 s on 240k province events. The writer remembers what it wrote for as long as the log's last row
is the one it wrote last: a row appended by anyone else, or a transaction of its own that did not
commit, makes the last row another, and the memory is dropped. Begun on an empty log, it knows the
whole log: every other project has no event (head 0), and an event id it never wrote is not in the
log. Of the ids it keeps only Python's hash (an id whose hash it knows is asked of the log, so a
collision costs a lookup, never a wrong answer).

Read and changed only inside the log's write lock (SQLite BEGIN IMMEDIATE, PostgreSQL's table lock),
which serialises the store's writers, threads included.
"""
from __future__ import annotations

from typing import Iterable, Sequence

LastRow = tuple[int, str] | None  # (position, event_id) of the log's last row; None: the log is empty

MAX_PROJECTS = 200_000  # beyond this many projects the heads are dropped and begun anew
MAX_IDS = 2_000_000  # beyond this many event ids (~130 MB of hashes, measured) ids are asked of the log again


class WriterMemory:
    def __init__(self, most_projects: int = MAX_PROJECTS, most_ids: int = MAX_IDS):
        self.most_projects, self.most_ids = most_projects, most_ids
        self.seqs: dict[str, int] = {}
        self.ids: set[int] | None = None  # hashes of every event id of the log; None: not known
        self.complete = False  # every project of the log is in `seqs`
        self.last: LastRow = None
        self.valid = False

    def begin(self, last: LastRow) -> None:
        """The log's last row, read under the write lock: the memory is kept if it is this writer's."""
        if last is None:  # an empty log: every project's head is 0, no event id is taken
            self.seqs, self.ids, self.complete, self.valid = {}, set(), True, True
        elif not self.valid or last != self.last:
            self.seqs, self.ids, self.complete, self.valid = {}, None, False, True

    def heads(self, projects: Iterable[str]) -> tuple[dict[str, int], set[str]]:
        """The heads remembered of `projects`, and the projects to ask the log about."""
        seqs = self.seqs
        found = {p: seqs[p] for p in projects if p in seqs}
        missing = set() if self.complete else {p for p in projects if p not in seqs}
        return found, missing

    def maybe_logged(self, event_ids: Sequence[str]) -> list[str]:
        """Of `event_ids`, those the log may hold (to ask it about): all of them unless the memory
        knows every id of the log."""
        if self.ids is None:
            return list(event_ids)
        ids = self.ids
        return [event_id for event_id in event_ids if hash(event_id) in ids]

    def wrote(self, last: tuple[int, str], seqs: dict[str, int], event_ids: Iterable[str]) -> None:
        """This writer is appending rows up to `last` that leave these projects at these heads (in
        its transaction: if it does not commit, the log's last row is not `last`)."""
        self.seqs.update(seqs)
        self.last = last
        if self.ids is not None:
            self.ids.update(map(hash, event_ids))
            if len(self.ids) > self.most_ids:
                self.ids = None
        if len(self.seqs) > self.most_projects:
            self.seqs, self.ids, self.complete, self.valid = {}, None, False, False

"""The writer's memory of project heads: the last `project_seq` of each project it appended to.

Each append numbers its events per project from the project's last `project_seq`. Asking the log
for them costs one index seek per project of the batch (a history import's 25,000-event batch
names ~15,000 projects: 12 % of the one writer's time). The writer remembers the heads it wrote,
for as long as the log's last row is the one it wrote last: a row appended by anyone else, or a
transaction of its own that did not commit, makes the last row another, and the memory is dropped.
Begun on an empty log, it knows every project (the others have no event: head 0).

Read and changed only inside the log's write lock (SQLite BEGIN IMMEDIATE, PostgreSQL's table lock),
which serialises the store's writers, threads included.
"""
from __future__ import annotations

from typing import Iterable

LastRow = tuple[int, str] | None  # (position, event_id) of the log's last row; None: the log is empty

MAX_PROJECTS = 200_000  # beyond this many projects the memory is dropped and begun anew


class ProjectHeads:
    def __init__(self, most: int = MAX_PROJECTS):
        self.most = most
        self.seqs: dict[str, int] = {}
        self.complete = False  # every project of the log is in `seqs`
        self.last: LastRow = None
        self.valid = False

    def known(self, last: LastRow, projects: Iterable[str]) -> tuple[dict[str, int], set[str]]:
        """The heads remembered of `projects` as the log stands at `last`, and the projects to ask
        the log about."""
        if last is None:  # an empty log: every project's head is 0
            self.seqs, self.complete, self.valid = {}, True, True
        elif not self.valid or last != self.last:
            self.seqs, self.complete, self.valid = {}, False, True
        seqs = self.seqs
        found = {p: seqs[p] for p in projects if p in seqs}
        missing = set() if self.complete else {p for p in projects if p not in seqs}
        return found, missing

    def wrote(self, last: tuple[int, str], seqs: dict[str, int]) -> None:
        """This writer is appending rows up to `last` that leave these projects at these heads (in
        its transaction: if it does not commit, the log's last row is not `last`)."""
        self.seqs.update(seqs)
        self.last = last
        if len(self.seqs) > self.most:
            self.seqs, self.complete, self.valid = {}, False, False

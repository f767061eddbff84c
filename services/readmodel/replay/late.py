"""A replay worker's late retractions: retractions recorded in the log before the facts they name,
whose figure rows are emitted when the named fact is projected (projections.figures.columns
`retraction_row`). The live projector probes the retractions' index for every fact it projects
(`columns.late_retractions`); a replay worker writes its share in log order, so it looks up, once,
the fact each retraction of its windows names, and keeps those that come later in the log until
their window — a few per thousand facts, instead of a probe for each fact.

Only a retraction with a project can have a row: it withdraws a fact of its own project, and every
fact the figures read has one (`columns.valid_target`, `KINDS`)."""
from __future__ import annotations

from sqlalchemy import and_, case, func, literal, select

from services.log.tables import events
from services.readmodel.columns import Labels, late_rows

Retraction = tuple  # (position, project_id, recorded_us, the event_id it names)


class LateRetractions:
    """The retractions of the windows a worker has written, each with the log position, type and
    project of the fact it names when that fact lies later in the log and in the worker's share —
    kept by that position until the window that holds it."""

    def __init__(self, share: tuple[str | None, str | None] = (None, None)):
        self.share = share
        self.resumed = False
        self.waiting: dict[int, list[tuple]] = {}  # named fact's position -> the rows `late_rows` takes
        # named event_id the log did not hold yet -> (its retractions, the log's head then): looked up
        # again once a window passes that head (a follower's: the import appends as it goes)
        self.unknown: dict[str, tuple[list[Retraction], int]] = {}

    def rows(self, conn, names: Labels, held, after: int, upto: int, retractions: list[Retraction]) -> list[tuple]:
        """In the writing transaction of the window (after, upto], once its facts are in the shadow
        `held`: the figure rows of the retractions recorded before the window's facts that name them
        (what `columns.late_retractions` finds for the window). `retractions`: the window's own,
        with a project. A worker resuming reads those of its earlier windows from the shadow first."""
        if not self.resumed:
            self._add(conn, retractions_in(conn, held, held.c.position <= after) if after > 0 else [])
            self.resumed = True
        again = []  # the retractions of facts the log did not hold when last looked up, past then
        for event_id, (waiting, head) in list(self.unknown.items()):
            if head < upto:
                again += waiting
                del self.unknown[event_id]
        self._add(conn, retractions + again)
        due = sorted(position for position in self.waiting if after < position <= upto)
        return late_rows(conn, names, [row for position in due for row in self.waiting.pop(position)])

    def _add(self, conn, retractions: list[Retraction]) -> None:
        if not retractions:
            return
        # the log's head before the lookup, not after: a fact appended in between lies past it and is
        # looked up again; read after, it could be passed over for good
        head = conn.execute(select(func.coalesce(func.max(events.c.position), 0))).scalar_one()
        named = self._named(conn, sorted({r[3] for r in retractions}))
        for retraction in retractions:
            r_position, r_project, r_recorded, retracts = retraction
            found = named.get(retracts)
            if found is None:  # not in the log yet: it may be appended later, past `head`
                self.unknown.setdefault(retracts, ([], head))[0].append(retraction)
                continue
            for f_position, f_type, f_project, mine in found:
                if mine and r_position < f_position:
                    self.waiting.setdefault(f_position, []).append(
                        (r_position, r_project, r_recorded, f_position, f_type, f_project))

    def _named(self, conn, event_ids: list[str]) -> dict[str, list[tuple]]:
        """event_id -> [(log position, event_type, project_id, whether in the share)] of the named
        facts the log holds (the share compared by the database, as the worker's windows are)."""
        low, high = self.share
        inside = [c for c in (events.c.project_id >= low if low is not None else None,
                              events.c.project_id < high if high is not None else None) if c is not None]
        mine = case((and_(*inside), 1), else_=0) if inside else literal(1)
        found: dict[str, list[tuple]] = {}
        for start in range(0, len(event_ids), 500):
            query = select(events.c.event_id, events.c.position, events.c.event_type, events.c.project_id, mine).where(
                events.c.event_id.in_(event_ids[start:start + 500]))
            for event_id, *named in conn.execute(query):
                found.setdefault(event_id, []).append(tuple(named))
        return found


def retractions_in(conn, held, *where) -> list[Retraction]:
    """The retractions with a project the shadow `held` holds where `where` says."""
    return [tuple(row) for row in conn.execute(
        select(held.c.position, held.c.project_id, held.c.recorded_us, held.c.retracts)
        .where(held.c.retracts.is_not(None), held.c.event_type == "EventRetracted", held.c.project_id.is_not(None),
               *where))]

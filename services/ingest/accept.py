"""The one way into the log: validate → authorise → append, then tell the bus.

Every door comes through here: the history import (`import_prepared`: the administrator's, no
authorisation, `recorded_at` kept), the HTTP ingest and the submissions topic (`submit`: each
event with its publisher), and report publication. Each event gets a `Verdict`; a door turns
verdicts into its own answers (exit status and stderr, HTTP status, dead letters).

After an append the bus is told (`appended`): in-process it projects the read model right away;
on Kafka the relay publishes from the log on its own. A failure there never undoes or fails the
write — the fact is in the log and the read model catches up (reads say how far behind it is).
An event the store fails on with an unexpected error (a value a column cannot hold) is isolated
by bisection and refused alone, so it never takes good events down with it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Sequence

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from events.envelope import Event
from events.errors import EventError
from services.ingest.authorise import DEFAULT_POLICY, Policy, Publisher, authorise, context_for
from services.log.store import AppendOutcome, AppendResult, EventStore, PreparedEvent, PreparedRow, prepare

log = logging.getLogger("projfacts.accept")


class Outcome(str, Enum):
    APPENDED = "appended"
    DUPLICATE = "duplicate"
    INVALID = "invalid"  # the event (or a retraction's target) breaks a rule of the contract
    UNAUTHORISED = "unauthorised"
    CONFLICT = "conflict"  # the event id is already used with other content


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    event_id: str | None
    position: int | None = None
    recorded_at: str | None = None
    field: str | None = None
    reason: str | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome in (Outcome.APPENDED, Outcome.DUPLICATE)

    def describe(self) -> str:
        return EventError(self.reason or "", field=self.field, event_id=self.event_id).describe()


class Unavailable(RuntimeError):
    """The store cannot be reached or written right now: nothing was appended; try again."""


Notify = Callable[[], object]


class Acceptor:
    def __init__(self, events: EventStore, policy: Policy = DEFAULT_POLICY, appended: Notify | None = None):
        self.events, self.policy, self.appended = events, policy, appended

    def submit(self, batch: Sequence[Event], publishers: Sequence[Publisher]) -> list[Verdict]:
        """Departments' events, each authorised for its publisher, then appended (recorded_at stamped)."""
        verdicts: list[Verdict | None] = [None] * len(batch)
        context = self._guarded(lambda: context_for(self.events, batch))
        allowed: list[int] = []
        for index, (event, publisher) in enumerate(zip(batch, publishers)):
            refusal = authorise(event, publisher, self.policy, context)
            if refusal:
                verdicts[index] = Verdict(Outcome.UNAUTHORISED, event.id, field=refusal.field, reason=refusal.reason)
            else:
                allowed.append(index)
        result = self._append([prepare(batch[i]) for i in allowed], keep_recorded_at=False)
        for j, index in enumerate(allowed):
            verdicts[index] = _verdict(result, j, batch[index].id)
        self._notify(result)
        return verdicts  # type: ignore[return-value]

    def import_prepared(self, prepared: Sequence[PreparedRow], notify: bool = True) -> AppendResult:
        """The administrator's history import: validated events appended as they are, recorded_at kept.
        `notify=False`: the caller tells the bus once at the end (`notify`), so that a large import
        is projected in bulk."""
        result = self._append(list(prepared), keep_recorded_at=True)
        if notify:
            self._notify(result)
        return result

    def notify(self) -> None:
        """Tell the bus the log has grown (after appends made elsewhere, e.g. a resumed import)."""
        self._notify(AppendResult(outcomes=[AppendOutcome.APPENDED]))

    # ---- inside -----------------------------------------------------------------------------
    def _notify(self, result: AppendResult) -> None:
        if self.appended is None or not result.appended:
            return
        try:
            self.appended()
        except Exception:  # the facts are in the log: the read model catches up later
            log.exception("the log was appended to, but projecting it failed; reads will say the read model "
                          "is behind until `projfacts project` (or the next write) catches up")

    @staticmethod
    def _guarded(call):
        try:
            return call()
        except (OperationalError, DBAPIError) as error:
            raise Unavailable(f"event store unavailable: {error}") from error

    def _append(self, prepared: list[PreparedRow], keep_recorded_at: bool) -> AppendResult:
        """Append; an unexpected failure is narrowed down to the event(s) causing it, which are refused."""
        if not prepared:
            return AppendResult()
        try:
            return self.events.append_prepared(prepared, keep_recorded_at=keep_recorded_at)
        except (OperationalError, IntegrityError) as error:
            raise Unavailable(f"event store unavailable: {error}") from error
        except DBAPIError as error:
            if error.connection_invalidated:
                raise Unavailable(f"event store unavailable: {error}") from error
            failure: BaseException = error
        except Exception as error:
            failure = error
        if len(prepared) == 1:
            event_id = PreparedEvent(*prepared[0]).event_id
            log.warning("event %s refused by the store: %r", event_id, failure)
            first_line = str(getattr(failure, "orig", None) or failure).splitlines()[0][:300]
            error = EventError(f"could not be stored: {type(failure).__name__}: {first_line}",
                               event_id=event_id)
            return AppendResult([AppendOutcome.REJECTED], {0: error})
        half = len(prepared) // 2
        first, second = self._append(prepared[:half], keep_recorded_at), self._append(prepared[half:], keep_recorded_at)
        shift = lambda found: {i + half: value for i, value in found.items()}  # noqa: E731
        return AppendResult(first.outcomes + second.outcomes, {**first.reasons, **shift(second.reasons)},
                            {**first.positions, **shift(second.positions)},
                            {**first.recorded, **shift(second.recorded)})


def _verdict(result: AppendResult, index: int, event_id: str) -> Verdict:
    outcome = result.outcomes[index]
    if outcome is AppendOutcome.APPENDED:
        return Verdict(Outcome.APPENDED, event_id, result.positions.get(index), result.recorded.get(index))
    if outcome is AppendOutcome.DUPLICATE:
        return Verdict(Outcome.DUPLICATE, event_id)
    error = result.reasons[index]
    kind = Outcome.CONFLICT if error.field == "event_id" and "different content" in error.reason else Outcome.INVALID
    return Verdict(kind, event_id, field=error.field, reason=error.reason)

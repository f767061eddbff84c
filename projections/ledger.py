"""The ledger: every fact with when it became known and when it stopped counting.

A retraction withdraws only a fact of its own project, and never another retraction; that is
decided from the two facts, so the same log gives the same figures whatever order they came in.

`fold(ledger, fact)` is the one way facts enter; `visible(ledger, as_of_us)` gives the facts
a report as of that recorded time may use: recorded by then and not retracted by then.
Folding a fact twice changes nothing (at-least-once delivery is harmless).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from projections.facts import Fact

RETRACTION = "EventRetracted"


@dataclass
class Ledger:
    facts: dict[str, Fact] = field(default_factory=dict)  # by event_id
    retractions: dict[str, list[Fact]] = field(default_factory=dict)  # event_id -> the retractions naming it

    def __len__(self) -> int:
        return len(self.facts)


def fold(ledger: Ledger, fact: Fact) -> Ledger:
    if fact.event_id in ledger.facts:
        return ledger
    ledger.facts[fact.event_id] = fact
    if fact.event_type == RETRACTION:
        ledger.retractions.setdefault(fact.data["retracted_event_id"], []).append(fact)
    return ledger


def fold_all(facts: Iterable[Fact], ledger: Ledger | None = None) -> Ledger:
    ledger = ledger or Ledger()
    for fact in facts:
        fold(ledger, fact)
    return ledger


def retracts(retraction: Fact, target: Fact) -> bool:
    """Does a retraction withdraw this fact? Only one of its own project, and never a retraction —
    decided from the two facts alone, whichever of them arrived first."""
    return target.event_type != RETRACTION and retraction.project_id == target.project_id


def counts_at(fact: Fact, retractions: dict[str, list[Fact]], as_of_us: int) -> bool:
    """Recorded by `as_of_us` and not retracted by then. A retraction itself is never retracted."""
    if fact.recorded_us > as_of_us:
        return False
    return not any(r.recorded_us <= as_of_us and retracts(r, fact) for r in retractions.get(fact.event_id, ()))


def visible(ledger: Ledger, as_of_us: int) -> Iterator[Fact]:
    for fact in ledger.facts.values():
        if counts_at(fact, ledger.retractions, as_of_us):
            yield fact


def visible_once(facts: list[Fact], as_of_us: int) -> list[Fact]:
    """`visible(fold_all(facts), as_of_us)` for facts that name each event once (rows of the read
    model: one per log position, and the log holds each event_id once), in their order — without
    the ledger: only the few facts some retraction names are looked at twice."""
    retractions: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.event_type == RETRACTION:
            retractions.setdefault(fact.data["retracted_event_id"], []).append(fact)
    if not retractions:
        return [f for f in facts if f.recorded_us <= as_of_us]
    return [f for f in facts if f.recorded_us <= as_of_us
            and (f.event_id not in retractions or counts_at(f, retractions, as_of_us))]

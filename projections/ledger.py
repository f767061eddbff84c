"""The ledger: every fact with when it became known and when it stopped counting.

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
    retracted_at: dict[str, int] = field(default_factory=dict)  # event_id -> first retraction's recorded_us

    def __len__(self) -> int:
        return len(self.facts)


def fold(ledger: Ledger, fact: Fact) -> Ledger:
    if fact.event_id in ledger.facts:
        return ledger
    ledger.facts[fact.event_id] = fact
    if fact.event_type == RETRACTION:
        target = fact.data["retracted_event_id"]
        known = ledger.retracted_at.get(target)
        if known is None or fact.recorded_us < known:
            ledger.retracted_at[target] = fact.recorded_us
    return ledger


def fold_all(facts: Iterable[Fact], ledger: Ledger | None = None) -> Ledger:
    ledger = ledger or Ledger()
    for fact in facts:
        fold(ledger, fact)
    return ledger


def counts_at(fact: Fact, retracted_at: dict[str, int], as_of_us: int) -> bool:
    """Recorded by `as_of_us` and not retracted by then. A retraction itself is never retracted."""
    if fact.recorded_us > as_of_us:
        return False
    if fact.event_type == RETRACTION:
        return True
    retraction = retracted_at.get(fact.event_id)
    return retraction is None or retraction > as_of_us


def visible(ledger: Ledger, as_of_us: int) -> Iterator[Fact]:
    for fact in ledger.facts.values():
        if counts_at(fact, ledger.retracted_at, as_of_us):
            yield fact

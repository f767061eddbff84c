"""Answers kept by the HTTP layer (services/entry/http/answers.py): one complete answer serves every
as-of time after the log's latest recorded time, restamped; a past as-of keeps its own; a new fact,
or a fact recorded ahead of the request's time, means computing again."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from services.entry.http.answers import Answers, split_as_of
from services.log.store import to_micros

TZ = timezone(timedelta(hours=8))
T0 = datetime(2025, 6, 30, 12, 0, tzinfo=TZ)


@dataclass(frozen=True)
class Q:
    region: str
    on: date
    as_of: datetime


class Store:
    def __init__(self, held: int, latest: datetime | None):
        self.held, self.latest = held, latest

    def version(self) -> int:
        return self.held

    def latest_us(self) -> int | None:
        return None if self.latest is None else to_micros(self.latest)


def counting():
    calls = []

    def compute(q: Q):
        def run():
            calls.append(q.as_of)
            return {"region": q.region, "as_of": q.as_of.isoformat(), "rows": [len(calls)]}
        return run
    return calls, compute


def ask(answers: Answers, q: Q, compute, as_of: str | None = None) -> dict:
    return answers.answer("stages", as_of, (q, {"policy": "default"}), compute(q))


def test_split_leaves_the_as_of_out_and_names_it():
    q = Q("140522", date(2025, 6, 30), T0)
    general, when = split_as_of((q, {"x": 1}))
    assert when == T0
    assert general == split_as_of((Q("140522", date(2025, 6, 30), T0 + timedelta(hours=1)), {"x": 1}))[0]
    assert general != split_as_of((Q("1405", date(2025, 6, 30), T0), {"x": 1}))[0]
    assert split_as_of(({"x": 1},)) == (({"x": 1},), None)


def test_every_time_after_the_latest_shares_one_answer_restamped():
    store = Store(held=10, latest=T0 - timedelta(days=1))
    answers = Answers(store.version, store.latest_us)
    calls, compute = counting()
    on = date(2025, 6, 30)
    first = ask(answers, Q("140522", on, T0), compute)  # as of now
    later = ask(answers, Q("140522", on, T0 + timedelta(minutes=5)), compute)  # a later now
    paged = ask(answers, Q("140522", on, T0), compute, as_of=T0.isoformat())  # a page's as_of
    assert calls == [T0]
    assert later == {**first, "as_of": (T0 + timedelta(minutes=5)).isoformat()}
    assert paged == first and first["as_of"] == T0.isoformat()
    ask(answers, Q("140522", date(2025, 7, 1), T0), compute)  # another business date: its own answer
    assert len(calls) == 2


def test_a_new_fact_means_computing_again():
    store = Store(held=10, latest=T0 - timedelta(days=1))
    answers = Answers(store.version, store.latest_us)
    calls, compute = counting()
    q = Q("140522", date(2025, 6, 30), T0)
    ask(answers, q, compute)
    store.held = 11
    again = ask(answers, q, compute)
    assert len(calls) == 2 and again["rows"] == [2]


def test_nothing_complete_is_kept_while_a_fact_is_recorded_ahead_of_the_request():
    """A history import keeps `recorded_at`: a fact recorded after the request's now becomes visible
    later without any new fact in the read model."""
    store = Store(held=10, latest=T0 + timedelta(hours=2))
    answers = Answers(store.version, store.latest_us)
    calls, compute = counting()
    q = Q("140522", date(2025, 6, 30), T0)
    ask(answers, q, compute)
    ask(answers, Q("140522", date(2025, 6, 30), T0 + timedelta(minutes=1)), compute)
    assert len(calls) == 2  # as of now, each computed
    ask(answers, q, compute, as_of=T0.isoformat())
    ask(answers, q, compute, as_of=T0.isoformat())
    assert len(calls) == 3  # a past as-of: kept for that time


def test_an_answer_computed_while_facts_arrive_is_not_kept_for_the_older_version():
    store = Store(held=10, latest=T0 - timedelta(days=1))
    answers = Answers(store.version, store.latest_us)
    calls = []

    def compute(q):
        def run():
            calls.append(q.as_of)
            store.held += 1  # the projector added a fact meanwhile
            return {"as_of": q.as_of.isoformat(), "rows": []}
        return run
    q = Q("140522", date(2025, 6, 30), T0)
    ask(answers, q, compute)
    store.held = 10
    ask(answers, q, compute)
    assert len(calls) == 2


def test_an_empty_log_keeps_its_complete_answer_and_old_readers_keep_only_past_times():
    empty = Answers(lambda: 0, lambda: None)
    calls, compute = counting()
    q = Q("14", date(2025, 6, 30), T0)
    ask(empty, q, compute)
    ask(empty, q, compute)
    assert len(calls) == 1
    plain = Answers(lambda: 0)  # no latest time known: only explicit as-of times are kept
    calls, compute = counting()
    ask(plain, q, compute)
    ask(plain, q, compute)
    ask(plain, q, compute, as_of=T0.isoformat())
    ask(plain, q, compute, as_of=T0.isoformat())
    assert len(calls) == 3

"""Publication vintages and revisions (修订): what a report said when it was published, and why it
says something else now.

- `publish`: the report for a region and period as of a recorded time is fixed by the SHA-256 of
  the exact bytes `projfacts report --format json` prints for it (trailing newline included, so
  `projfacts report … --format json | sha256sum` gives the same digest), and recorded as a
  `ReportPublished` fact in the log — who published, as of when, which content.
- `verify`: recomputes that report as of the stored time and compares bytes. On a difference it
  rebuilds the report from the log as it stood when the publication was appended (positions before
  the publication's), proves that rebuild against the stored digest, and shows figure by figure
  what changed and which facts did it: facts recorded after the publication but stamped at or
  before its as-of time (a back-dated history import).
- `revisions`: between two vintages T1 < T2, each figure whose numerator or denominator moved, and
  the facts recorded in (T1, T2] that moved it, each classified (late report, correction,
  retraction, amendment, new fact) with its source.
- `triangle`: the real-time data set of a figure: one row per vintage, one column per month of
  the year up to the period, blank where the month had not ended by the vintage.

A fact "moved" a figure when its event id enters or leaves the figure's `explain` items (the
events that make each project count), or when it retracts one that leaves. When neither applies
(an amendment that takes a project out of the region, a problem reassigned out of the period),
the facts of that project recorded between the vintages are listed, marked `indirect`.
"""
from __future__ import annotations

import calendar
import getpass
import hashlib
import os
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Iterable

from events.codec import validate_object
from projections.facts import Fact
from projections.figures import FIGURES
from projections.figures.results import totals
from projections.periods import LOCAL, parse_as_of, parse_period, to_micros
from projections.report import FactsEvaluation, Query, dumps, explain_json, figure_json
from services.ingest.accept import Acceptor
from services.ingest.authorise import Publisher
from services.log.store import EventStore, StoredEvent, now_local
from services.query.figures import evaluate, make_query, report_for
from services.readmodel.sql import facts_after, history_of, projected, report_facts

SYSTEM = "projfacts-cli"
# The amendable types (CONTRACT.md §2), and whether their versions are per year.
AMENDABLE = {"ProjectRegistered": False, "AnnualPlanAdopted": True, "KeyProjectDesignated": True}


class VintageError(ValueError):
    """A publication that cannot be found or read, or a bad pair of vintages."""


# ---- the content of a report ----------------------------------------------------------------------
def content_bytes(result: dict) -> bytes:
    """The exact bytes `projfacts report --format json` prints: the JSON and click's newline."""
    return (dumps(result) + "\n").encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class View:
    """What the log said about a query: facts recorded by `query.as_of`, and only those at log
    positions before `before` when given (the log as it stood when a publication was appended)."""

    query: Query
    before: int | None = None

    @property
    def as_of_us(self) -> int:
        return to_micros(self.query.as_of)


def load(store: EventStore, view: View) -> list[Fact]:
    """The facts a report for this query can read (recorded by its as-of time, before `before`)."""
    q = view.query
    return report_facts(store.engine, q.region, q.period.year, view.as_of_us, view.before)


def figures_of(facts: list[Fact], query: Query, only: Iterable[str]) -> dict[str, dict]:
    """The figures' explanations (items per project with their events), from these facts."""
    found = FactsEvaluation.of(facts, query)
    return {fid: explain_json(found.evaluation, fid, found.project_id, found.lookup) for fid in only}


# ---- publish and verify ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Publication:
    event_id: str
    position: int
    recorded_at: str
    region: str
    period: str
    as_of: str
    level: str | None
    category: str | None
    content_sha256: str
    publisher: str
    source: dict
    format: int  # of the report JSON it fixed (1: before Part two)

    def to_json(self) -> dict:
        return {"publication": self.event_id, "position": self.position, "recorded_at": self.recorded_at,
                "region": self.region, "period": self.period, "as_of": self.as_of, "level": self.level,
                "category": self.category, "content_sha256": self.content_sha256, "publisher": self.publisher,
                "source": self.source, "format": self.format}

    def query(self) -> Query:
        return make_query(self.region, self.period, self.as_of, self.level, self.category)


def default_publisher() -> str:
    return os.environ.get("PROJFACTS_PUBLISHER") or getpass.getuser()


def publish(store: EventStore, acceptor: Acceptor, region: str, period: str, as_of: str | None = None,
            level: str | None = None, publisher: str | None = None, system: str = SYSTEM,
            category: str | None = None) -> Publication:
    """Compute the report, then append `ReportPublished` with its digest through the accept path
    (published by ndrc, the command office's department). Returns the publication."""
    query = make_query(region, period, as_of, level, category)
    behind = store.head() - projected(store.engine)
    if behind:
        raise VintageError(f"the read model is {behind} facts behind the log: run projfacts project, then publish")
    digest = sha256(content_bytes(report_for(store, query)))
    payload = {"region": query.region, "period": query.period.label, "as_of": query.as_of.isoformat(),
               "level": level, "category": category, "content_sha256": digest,
               "publisher": publisher or default_publisher(), "format": 2}
    event = validate_object({
        "event_id": str(uuid.uuid4()), "event_type": "ReportPublished", "schema_version": 2,
        "project_id": None, "occurred_on": now_local().date().isoformat(),
        "source": {"department": "ndrc", "system": system}, "payload": payload,
    })
    (verdict,) = acceptor.submit([event], [Publisher("ndrc", identity=system)])
    if not verdict.accepted:
        raise VintageError(verdict.describe())
    return publication(store, event.id)


def publication(store: EventStore, event_id: str) -> Publication:
    try:
        uuid.UUID(event_id)
    except ValueError:
        raise VintageError(f"a publication id is a UUID, got {event_id!r}") from None
    stored = store.get(event_id)
    if stored is None:
        raise VintageError(f"no event {event_id} in the log")
    if stored.event_type != "ReportPublished":
        raise VintageError(f"event {event_id} is a {stored.event_type}, not a ReportPublished")
    return _publication(stored)


def _publication(stored: StoredEvent) -> Publication:
    data = stored.to_event().payload.model_dump(mode="json")
    return Publication(stored.event_id, stored.position, stored.recorded_at, data["region"], data["period"],
                       data["as_of"], data["level"], data["category"], data["content_sha256"], data["publisher"],
                       {"department": stored.department, "system": stored.system}, data["format"])


@dataclass
class Verification:
    publication: Publication
    recomputed_sha256: str
    identical: bool
    rebuilt_sha256: str | None = None  # the report rebuilt from the log as it stood at publication
    differences: list[dict] = field(default_factory=list)

    @property
    def rebuilt_matches(self) -> bool:
        return self.rebuilt_sha256 == self.publication.content_sha256

    def to_json(self) -> dict:
        out = {"publication": self.publication.to_json(), "recomputed_sha256": self.recomputed_sha256,
               "identical": self.identical}
        if not self.identical:
            out["as_published_sha256"] = self.rebuilt_sha256
            out["as_published_rebuilt"] = self.rebuilt_matches
            out["figures"] = self.differences
        return out


def verify(store: EventStore, event_id: str) -> Verification:
    """Recompute a publication as of its time; on a difference, say what changed and why."""
    pub = publication(store, event_id)
    query = pub.query()
    now_report = report_for(store, query, pub.format)  # in the format it was published in
    digest = sha256(content_bytes(now_report))
    result = Verification(pub, digest, digest == pub.content_sha256)
    if result.identical:
        return result
    then_view, now_view = View(query, before=pub.position), View(query)
    then_report = report_for(store, query, pub.format, before=pub.position)
    result.rebuilt_sha256 = sha256(content_bytes(then_report))
    result.differences = compare(store, then_view, load(store, then_view), then_report,
                                 now_view, load(store, now_view), now_report)
    return result


# ---- revisions ------------------------------------------------------------------------------------
def revisions(store: EventStore, region: str, period: str, t_from: str, t_to: str | None = None,
              level: str | None = None, category: str | None = None) -> dict:
    """Each figure whose numerator or denominator changed from vintage `t_from` to `t_to` (default
    now), with the facts recorded in between that changed it."""
    first = make_query(region, period, t_from, level, category)
    last = make_query(region, period, t_to, level, category)
    if last.as_of <= first.as_of:
        raise VintageError(f"--to ({last.as_of.isoformat()}) must be after --from ({first.as_of.isoformat()})")
    old, new = View(first), View(last)
    old_facts, new_facts = load(store, old), load(store, new)
    old_report, new_report = report_for(store, first), report_for(store, last)
    return {
        "region": first.region, "period": first.period.label, "level": level,
        "from": first.as_of.isoformat(), "to": last.as_of.isoformat(),
        "figures": compare(store, old, old_facts, old_report, new, new_facts, new_report),
    }


def compare(store: EventStore, old: View, old_facts: list[Fact], old_report: dict,
            new: View, new_facts: list[Fact], new_report: dict) -> list[dict]:
    """Figure by figure: the moved numerators/denominators and the facts that moved them."""
    moved = [fid for fid in old_report["figures"] if _counts(old_report, fid) != _counts(new_report, fid)]
    if not moved:
        return []
    old_figures = figures_of(old_facts, old.query, moved)
    new_figures = figures_of(new_facts, new.query, moved)
    changes = {fid: _changed_items(old_figures[fid], new_figures[fid]) for fid in moved}
    projects = sorted({p for items in changes.values() for p in items})
    between = _facts_between(store, old, new, projects)
    history = history_of(store.engine, projects, ("InvestmentReported", *AMENDABLE))
    details = _details(store, [f for fs in between.values() for f in fs])
    old_by, new_by = _by_project(old_facts, projects), _by_project(new_facts, projects)
    out = []
    for fid in moved:
        listed: dict[str, dict] = {}
        for project_id, (effect, entered, left) in changes[fid].items():
            candidates = between.get(project_id, [])
            direct = [f for f in candidates
                      if f.event_id in entered or (f.event_type == "EventRetracted"
                                                   and f.data["retracted_event_id"] in left)]
            mattered = _decisive(direct, old_by.get(project_id, []), new_by.get(project_id, []), fid, old, new)
            for f in mattered or direct or candidates:
                entry = listed.get(f.event_id)
                if entry is None:
                    entry = listed[f.event_id] = _fact_json(f, details, history, old, bool(direct))
                entry["effect"] = effect
        out.append({
            "figure": fid,
            "from": _figure_entry(old_report, fid),
            "to": _figure_entry(new_report, fid),
            "facts": sorted(listed.values(), key=lambda e: (e["recorded_at_us"], e["position"])),
        })
        for entry in out[-1]["facts"]:
            entry.pop("recorded_at_us")
    return out


def _by_project(facts: list[Fact], projects: list[str]) -> dict[str, list[Fact]]:
    wanted, out = set(projects), {}
    for f in facts:
        if f.project_id in wanted:
            out.setdefault(f.project_id, []).append(f)
    return out


def _contribution(facts: list[Fact], query: Query, fid: str) -> tuple:
    """One project's amounts on each side of a figure (empty when it does not count)."""
    explained = figures_of(facts, query, [fid])[fid]
    return tuple(tuple(i["amount"] for i in explained[side]["items"]) for side in ("numerator", "denominator"))


def _decisive(direct: list[Fact], old_p: list[Fact], new_p: list[Fact], fid: str, old: View, new: View) -> list[Fact]:
    """Of the facts whose ids entered or left a project's items, those that alone move its
    contribution: taken out of the newer view, or put into the older one."""
    if len(direct) <= 1:
        return direct
    old_value, new_value = _contribution(old_p, old.query, fid), _contribution(new_p, new.query, fid)
    out = []
    for f in direct:
        if f.event_type == "EventRetracted":
            target = f.data["retracted_event_id"]
            restored = [t for t in old_p if t.event_id == target]
            without = [g for g in new_p if g.event_id != f.event_id] + restored
            with_it = [g for g in old_p if g.event_id != target]
        else:
            without = [g for g in new_p if g.event_id != f.event_id]
            with_it = old_p + [f]
        if (_contribution(without, new.query, fid) != new_value
                or _contribution(with_it, old.query, fid) != old_value):
            out.append(f)
    return out


def _counts(rep: dict, fid: str) -> tuple:
    entry = rep["figures"][fid]
    return entry["numerator"], entry["denominator"]


def _figure_entry(rep: dict, fid: str) -> dict:
    entry = rep["figures"][fid]
    return {"numerator": entry["numerator"], "denominator": entry["denominator"], "value": entry["value"]}


def _changed_items(old: dict, new: dict) -> dict[str, tuple[dict, set[str], set[str]]]:
    """Per project whose contribution moved (two explanations of one figure): how, the event ids
    that entered its items, and those that left."""
    out = {}
    for side in ("numerator", "denominator"):
        before = {i["project_id"]: i for i in old[side]["items"]}
        after = {i["project_id"]: i for i in new[side]["items"]}
        for project_id in before.keys() | after.keys():
            a, b = before.get(project_id), after.get(project_id)
            if a is not None and b is not None and a["amount"] == b["amount"]:
                continue  # the same contribution, though perhaps through other events
            effect, entered, left = out.setdefault(project_id, ({}, set(), set()))
            effect[side] = [a and a["amount"], b and b["amount"]]
            entered.update(set(b["events"] if b else ()) - set(a["events"] if a else ()))
            left.update(set(a["events"] if a else ()) - set(b["events"] if b else ()))
    return out


def _facts_between(store: EventStore, old: View, new: View, projects: list[str]) -> dict[str, list[Fact]]:
    """The facts of these projects in the newer view but not the older one (retractions and
    facts retracted since included): recorded in (T1, T2], or appended after a publication."""
    found: dict[str, list[Fact]] = {}
    for fact in facts_after(store.engine, projects, old.as_of_us, old.before, new.as_of_us, new.before):
        found.setdefault(fact.project_id, []).append(fact)
    return found


def _details(store: EventStore, listed: list[Fact]) -> dict[str, tuple[str, str, str | None]]:
    """recorded_at text, source system, and the type of a retracted event, from the log."""
    ids = sorted({f.event_id for f in listed})
    targets = sorted({f.data["retracted_event_id"] for f in listed if f.event_type == "EventRetracted"})
    found = store.recorded(ids)
    kinds = {event_id: known.event_type for event_id, known in store.known(targets).items()}
    return {i: (*found[i], None) for i in ids} | {
        f.event_id: (*found[f.event_id], kinds.get(f.data["retracted_event_id"]))
        for f in listed if f.event_type == "EventRetracted"}


def business_date(fact: Fact) -> date:
    """When it happened: occurred_on; for a monthly investment report, the last day of its month."""
    if fact.event_type == "InvestmentReported":
        year, month = fact.data["year"], fact.data["month"]
        return date(year, month, calendar.monthrange(year, month)[1])
    return fact.occurred_on


def classify(fact: Fact, history: list[tuple], old: View) -> str:
    """retraction, amendment (an amendable fact re-sent), correction (a monthly investment report
    superseding an earlier one), late report (it had happened by the earlier vintage and by the
    period's end, but was recorded after the vintage), or new fact."""
    if fact.event_type == "EventRetracted":
        return "retraction"
    earlier = [h for h in history if (h[1], h[2]) < (fact.recorded_us, fact.position) and h[0] == fact.event_type]
    if fact.event_type in AMENDABLE:
        by_year = AMENDABLE[fact.event_type]
        if any(not by_year or h[3] == fact.data["year"] for h in earlier):
            return "amendment"
    if fact.event_type == "InvestmentReported":
        if any(h[3] == fact.data["year"] and h[4] == fact.data["month"] for h in earlier):
            return "correction"
    known_by = min(old.query.period.through, old.query.as_of.astimezone(LOCAL).date())
    return "late report" if business_date(fact) <= known_by else "new fact"


def _fact_json(fact: Fact, details: dict, history: dict, old: View, direct: bool) -> dict:
    recorded_at, system, retracted_type = details[fact.event_id]
    entry = {
        "event_id": fact.event_id, "event_type": fact.event_type,
        "kind": classify(fact, history.get(fact.project_id, []), old),
        "project_id": fact.project_id, "occurred_on": fact.occurred_on.isoformat(),
        "recorded_at": recorded_at, "source": {"department": fact.department, "system": system},
        "position": fact.position, "recorded_at_us": fact.recorded_us,
    }
    if fact.event_type == "EventRetracted":
        entry["retracts"] = {"event_id": fact.data["retracted_event_id"], "event_type": retracted_type}
    if fact.event_type == "InvestmentReported":
        entry["month"] = f"{fact.data['year']}-{fact.data['month']:02d}"
        entry["amount"] = fact.data["amount"]
    if not direct:
        entry["indirect"] = True
    return entry


# ---- the revision triangle ------------------------------------------------------------------------
def monthly_vintages(first: datetime, last: datetime) -> list[datetime]:
    """`first`, then the same day and time each following month (the month's last day when shorter),
    up to `last`; `last` closes the list."""
    out, k = [first], 1
    while True:
        year, month = divmod(first.month - 1 + k, 12)
        year, month = first.year + year, month + 1
        day = min(first.day, calendar.monthrange(year, month)[1])
        nxt = first.replace(year=year, month=month, day=day)
        if nxt >= last:
            break
        out.append(nxt)
        k += 1
    if last > out[-1]:
        out.append(last)
    return out


def triangle(store: EventStore, region: str, period: str, t_from: str, t_to: str | None = None,
             level: str | None = None, only: list[str] | None = None) -> dict:
    """Real-time data (实时数据): per figure, one row per vintage and one column per month of the year
    up to the period; a cell is that month's cumulative figure as known at the vintage, blank
    until the month has ended."""
    base = make_query(region, period, t_to, level)
    first = parse_as_of(t_from)
    if base.as_of <= first:
        raise VintageError(f"--to ({base.as_of.isoformat()}) must be after --from ({first.isoformat()})")
    chosen = list(only or FIGURES)
    unknown = [f for f in chosen if f not in FIGURES]
    if unknown:
        raise VintageError(f"unknown figure {unknown[0]!r}; known: {', '.join(FIGURES)}")
    months = [parse_period(f"{base.period.year}-{m:02d}") for m in range(1, base.period.month + 1)]
    ends = [datetime.combine(m.through, time.max, LOCAL) for m in months]
    rows = {fid: [] for fid in chosen}
    for vintage in monthly_vintages(first, base.as_of):
        values = {fid: [] for fid in chosen}
        for month, end in zip(months, ends):
            if vintage < end:
                for fid in chosen:
                    values[fid].append(None)
                continue
            computed = totals(evaluate(store, Query(base.region, month, vintage, level)), chosen)
            for fid in chosen:
                values[fid].append(figure_json(computed[fid], with_kind=False))
        for fid in chosen:
            rows[fid].append({"as_of": vintage.isoformat(), "cells": values[fid]})
    return {"region": base.region, "period": base.period.label, "level": level,
            "periods": [m.label for m in months],
            "figures": {fid: rows[fid] for fid in chosen}}

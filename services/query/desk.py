"""Query glue for the command office's desk (开复工台账, 前期手续清单 and its weekly 情况表, 滞后项目,
双包联, 争取资金, the dashboard's lights, and the 台账 of CONTRACT §7), read-only: load the region's
facts visible as of the asked recorded time and hand them to the pure folds in `projections.views`.

A desk query is for a business date `on`, given directly or as a period (`2025Q1`: its last day,
but never later than the as-of day — a ledger for the running quarter shows today's state, and
"Q1 as published on 10 April" shows 31 March). Without either, `on` is the as-of day (today when
as-of is now).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from events import limits
from projections.standing import ByProject
from projections.names import region_name
from projections.periods import LOCAL, parse_as_of, parse_period
from projections.views.board import board_view
from projections.views.coverage import coverage_view
from projections.views.funding import funding_view
from projections.views.lagging import lagging_view
from projections.views.leaders import leaders_view
from projections.views.lights import Lights
from projections.views.reads import VIEWS as READS
from projections.views.problems import POLICIES, DeadlinePolicy, problems_view
from projections.views.procedures import procedures_view, weekly_view
from projections.views.starts import starts_view
from projections.views.stats_entry import stats_entry_view
from services.gcpause import without_gc
from services.log.store import EventStore, to_micros
from services.query.lights import load_lights
from services.query.views import check_region, leaders_facts, parse_on
from services.readmodel.sql import region_projects

LEDGER_KINDS = ("starts", "procedures", "stats-entry", "problems", "leaders", "funding")


class DeskError(ValueError):
    """A parameter is invalid: `field` names it."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field, reason


@dataclass(frozen=True)
class DeskQuery:
    region: str
    on: date
    as_of: datetime
    period: str | None = None      # the period asked for, when `on` came from one
    through: date | None = None    # that period's last day
    year: int | None = None        # the plan year (procedures only; default: the year of `on`)

    @property
    def as_of_us(self) -> int:
        return to_micros(self.as_of)

    @property
    def plan_year(self) -> int:
        return self.on.year if self.year is None else self.year


def _checked(field: str, parse, value):
    try:
        return parse(value)
    except ValueError as error:
        raise DeskError(field, str(error)) from None


def make_desk_query(region: str, on: str | None = None, period: str | None = None, as_of: str | None = None,
                    year: int | None = None) -> DeskQuery:
    """Parse and check a desk query; a bad parameter raises DeskError naming it."""
    region = _checked("region", check_region, region)
    stamp = _checked("as_of", parse_as_of, as_of)
    known = stamp.astimezone(LOCAL).date()
    if on is not None and period is not None:
        raise DeskError("period", "give either on (a date) or period, not both")
    if year is not None and not limits.YEAR_MIN <= year <= limits.YEAR_MAX:
        raise DeskError("year", f"year must be {limits.YEAR_MIN}–{limits.YEAR_MAX}, got {year}")
    if period is not None:
        found = _checked("period", parse_period, period)
        return DeskQuery(region, min(found.through, known), stamp, found.label, found.through, year)
    if on is not None:
        day = _checked("on", parse_on, on)
        return DeskQuery(region, day, stamp, year=year)
    return DeskQuery(region, known, stamp, year=year)


# ---- loading ---------------------------------------------------------------------------------
def _facts(store: EventStore, q: DeskQuery, view: str, year: int | None = None) -> ByProject:
    """The region's facts of the types `view` reads (projections/views/reads.py), as of `q.as_of`,
    streamed project by project."""
    return ByProject(region_projects(store.engine, q.region, q.as_of_us, q.on.year if year is None else year,
                                     READS[view]))


def _stamped(result: dict, q: DeskQuery, lights: Lights | None = None) -> dict:
    head = {"region": q.region, "region_name": region_name(q.region), "on": result["on"],
            "as_of": q.as_of.isoformat(), "period": q.period,
            "through": q.through.isoformat() if q.through else None}
    body = {k: v for k, v in result.items() if k not in head}
    return {**head, **body, **({"thresholds": lights.as_mapping()} if lights is not None else {})}


def _lights(lights: Lights | None) -> Lights:
    return lights if lights is not None else load_lights()


# ---- the views -------------------------------------------------------------------------------
@without_gc
def starts_for(store: EventStore, q: DeskQuery, lights: Lights | None = None) -> dict:
    lights = _lights(lights)
    return _stamped(starts_view(_facts(store, q, "starts"), q.region, q.on, lights), q, lights)


@without_gc
def procedures_for(store: EventStore, q: DeskQuery, lights: Lights | None = None) -> dict:
    lights = _lights(lights)
    facts = _facts(store, q, "procedures", q.plan_year)
    return _stamped(procedures_view(facts, q.region, q.on, q.plan_year, lights), q, lights)


@without_gc
def weekly_for(store: EventStore, q: DeskQuery, lights: Lights | None = None) -> dict:
    lights = _lights(lights)
    facts = _facts(store, q, "procedures-weekly", q.plan_year)
    return _stamped(weekly_view(facts, q.region, q.on, q.plan_year, lights), q, lights)


@without_gc
def lagging_for(store: EventStore, q: DeskQuery, lights: Lights | None = None,
                policy: DeadlinePolicy = POLICIES["default"]) -> dict:
    lights = _lights(lights)
    return _stamped(lagging_view(_facts(store, q, "lagging"), q.region, q.on, lights, policy), q, lights)


@without_gc
def coverage_for(store: EventStore, q: DeskQuery) -> dict:
    return _stamped(coverage_view(_facts(store, q, "coverage"), q.region, q.on), q)


@without_gc
def funding_for(store: EventStore, q: DeskQuery) -> dict:
    return _stamped(funding_view(_facts(store, q, "funding"), q.region, q.on), q)


@without_gc
def board_for(store: EventStore, q: DeskQuery, by: str | None = None, lights: Lights | None = None) -> dict:
    lights = _lights(lights)
    by = by or ("township" if len(q.region) == 6 else "county")
    if by not in ("county", "township"):
        raise DeskError("by", f"by must be county or township, got {by!r}")
    return _stamped(board_view(_facts(store, q, "board"), q.region, q.on, lights, by), q, lights)


@without_gc
def ledger_view(store: EventStore, kind: str, q: DeskQuery, lights: Lights | None = None) -> dict:
    """The view behind a 台账 (CONTRACT §7 `projfacts ledger KIND`)."""
    if kind not in LEDGER_KINDS:
        raise DeskError("kind", f"kind must be one of {', '.join(LEDGER_KINDS)}, got {kind!r}")
    lights = _lights(lights)
    if kind == "starts":
        return starts_for(store, q, lights)
    if kind == "procedures":
        return procedures_for(store, q, lights)
    if kind == "funding":
        return funding_for(store, q)
    if kind == "leaders":
        facts = leaders_facts(store, q.region, q.as_of_us, q.on)
        return _stamped(leaders_view(facts, q.region, q.on, POLICIES["default"], lights), q, lights)
    facts = _facts(store, q, kind)
    if kind == "stats-entry":
        return _stamped(stats_entry_view(facts, q.region, q.on, lights), q, lights)
    return _stamped(problems_view(facts, q.region, q.on, POLICIES["default"], lights), q, lights)

"""An independent, deliberately slow reference implementation of CONTRACT §3.

Written only from CONTRACT.md and DOMAIN.md, without looking at `projections/` or the read
model, so that the product's figures can be compared with someone else's reading of the same
rules. Every rule is a direct, brute-force transcription of one sentence of §3; nothing is
cached, folded or indexed.

    figures(events, region, period, as_of, level=None) -> {figure_id: (numerator, denominator, value)}

* `events`: contract event dicts (CONTRACT §1, each with `recorded_at`) in log order; the log
  position of `events[i]` is `i + 1`.
* `region`: a code prefix ("14", "1405", "140522").
* `period`: "2025", "2025H1", "2025Q3", "2025-05".
* `as_of`: an aware datetime (a recorded time).
* `level`: None, "province", "city" or "county".

Counts are ints, amounts are decimal strings with 2 places, value is a decimal string rounded
half-up to 4 places, or None when the denominator is 0.
"""
from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SHANGHAI = timezone(timedelta(hours=8))  # no daylight saving time

FIGURES = (
    "new_start_rate",
    "resume_rate",
    "start_or_resume_rate",
    "investment_completion_rate",
    "signed_same_year_start_rate",
    "reserve_conversion_rate",
    "procedure_completion_rate",
    "stats_entry_rate",
    "investment_growth",
    "reserve_multiple",
    "problem_on_time_rate",
)
AMOUNT_FIGURES = {"investment_completion_rate", "investment_growth", "reserve_multiple"}


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------

def parse_timestamp(text: str) -> datetime:
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        raise ValueError(f"recorded_at without offset: {text!r}")
    return stamp


def end_of_day(day: date) -> datetime:
    """A date as an as-of: the end of that day in Asia/Shanghai."""
    return datetime.combine(day, time(23, 59, 59, 999999), SHANGHAI)


def period_bounds(period: str) -> tuple[int, date]:
    """(year, through) for "2025", "2025H1", "2025Q3", "2025-05"."""
    m = re.fullmatch(r"(\d{4})", period)
    if m:
        return int(m[1]), date(int(m[1]), 12, 31)
    m = re.fullmatch(r"(\d{4})H([12])", period)
    if m:
        year, half = int(m[1]), int(m[2])
        month = 6 * half
    else:
        m = re.fullmatch(r"(\d{4})Q([1-4])", period)
        if m:
            year, month = int(m[1]), 3 * int(m[2])
        else:
            m = re.fullmatch(r"(\d{4})-(\d{2})", period)
            if not m or not 1 <= int(m[2]) <= 12:
                raise ValueError(f"bad period {period!r}")
            year, month = int(m[1]), int(m[2])
    return year, date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Ev:
    position: int
    event_id: str
    type: str
    project: str | None
    occurred: date
    recorded: datetime
    payload: dict


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------

def fmt_amount(x: Decimal) -> str:
    return str(x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def fmt_value(num: Decimal, den: Decimal) -> str | None:
    """num ÷ den rounded half-up (ties away from zero) to 4 places, computed exactly."""
    if den == 0:
        return None
    q = Fraction(num) / Fraction(den) * 10000
    sign = -1 if q < 0 else 1
    scaled = sign * math.floor(abs(q) + Fraction(1, 2))
    return str(Decimal(scaled).scaleb(-4).quantize(Decimal("0.0001")))


# ---------------------------------------------------------------------------------------------
# The oracle
# ---------------------------------------------------------------------------------------------

def visible_events(events: list[dict], as_of: datetime) -> list[Ev]:
    """The events with recorded_at ≤ as_of that are not retracted as of then.

    Duplicated event ids count once (the first occurrence: a later one is either a no-op
    duplicate or rejected). A retraction of an EventRetracted has no effect.
    """
    seen: set[str] = set()
    log: list[Ev] = []
    for index, obj in enumerate(events):
        if obj["event_id"] in seen:
            continue
        seen.add(obj["event_id"])
        log.append(Ev(
            position=index + 1,
            event_id=obj["event_id"],
            type=obj["event_type"],
            project=obj.get("project_id"),
            occurred=date.fromisoformat(obj["occurred_on"]),
            recorded=parse_timestamp(obj["recorded_at"]),
            payload=obj.get("payload") or {},
        ))
    recorded = [e for e in log if e.recorded <= as_of]
    types = {e.event_id: e.type for e in log}
    retracted = {
        e.payload["retracted_event_id"] for e in recorded
        if e.type == "EventRetracted" and types.get(e.payload["retracted_event_id"]) != "EventRetracted"
    }
    return [e for e in recorded if e.event_id not in retracted]


def in_force(versions: list[Ev], on: date) -> Ev | None:
    """The version with the greatest occurred_on ≤ on; ties: later recorded_at, then later position."""
    candidates = [v for v in versions if v.occurred <= on]
    if not candidates:
        return None
    return max(candidates, key=lambda v: (v.occurred, v.recorded, v.position))


def recorded_last(versions: list[Ev]) -> Ev | None:
    if not versions:
        return None
    return max(versions, key=lambda v: (v.recorded, v.position))


def figures(events: list[dict], region: str, period: str, as_of: datetime, level: str | None = None
            ) -> dict[str, tuple]:
    year, through = period_bounds(period)
    jan1 = date(year, 1, 1)
    day_after = through + timedelta(days=1)
    last_month = through.month
    log = visible_events(events, as_of)

    grouped: dict[tuple[str | None, str], list[Ev]] = {}
    for e in log:
        grouped.setdefault((e.project, e.type), []).append(e)

    def of(project: str, event_type: str) -> list[Ev]:
        """The visible events of one type about one project, in log order."""
        return grouped.get((project, event_type), [])

    def registration(project: str) -> Ev | None:
        return in_force(of(project, "ProjectRegistered"), through)

    def plan(project: str) -> Ev | None:
        return in_force([e for e in of(project, "AnnualPlanAdopted") if e.payload["year"] == year], through)

    def key_level(project: str) -> str | None:
        version = in_force([e for e in of(project, "KeyProjectDesignated") if e.payload["year"] == year], through)
        return version.payload["level"] if version else None

    def started_in_year(project: str) -> bool:
        return any(jan1 <= e.occurred <= through for e in of(project, "ConstructionStarted"))

    def resumed_in_year(project: str) -> bool:
        return any(e.payload["year"] == year and jan1 <= e.occurred <= through
                   for e in of(project, "ConstructionResumed"))

    def signed_in_year(project: str) -> bool:
        return any(jan1 <= e.occurred <= through for e in of(project, "AgreementSigned"))

    def investment(project: str, in_year: int) -> Decimal:
        total = Decimal(0)
        for month in range(1, last_month + 1):
            report = recorded_last([e for e in of(project, "InvestmentReported")
                                    if e.payload["year"] == in_year and e.payload["month"] == month])
            if report is not None:
                total += Decimal(report.payload["amount"])
        return total

    def in_reserve(project: str, on: date) -> bool:
        return (any(e.occurred < on for e in of(project, "ProjectRegistered"))
                and any(e.occurred < on for e in of(project, "ProcedureApproved"))
                and not any(e.occurred < on for e in of(project, "ConstructionStarted")))

    # The projects of the report: registration in force on through in the region, and the level.
    all_projects = sorted({e.project for e in log if e.project is not None})
    projects = []
    for p in all_projects:
        reg = registration(p)
        if reg is None or not str(reg.payload["region"]).startswith(region):
            continue
        if level is not None and key_level(p) != level:
            continue
        projects.append(p)

    plan_of = {p: plan(p) for p in projects}
    in_plan = [p for p in projects if plan_of[p] is not None]
    new = [p for p in in_plan if plan_of[p].payload["construction"] == "new"]
    continuing = [p for p in in_plan if plan_of[p].payload["construction"] == "continuing"]

    new_started = [p for p in new if started_in_year(p)]
    cont_resumed = [p for p in continuing if resumed_in_year(p)]

    planned_sum = sum((Decimal(plan_of[p].payload["planned_investment"]) for p in in_plan), Decimal(0))
    plan_investment = sum((investment(p, year) for p in in_plan), Decimal(0))

    signed = [p for p in projects if signed_in_year(p)]
    signed_started = [p for p in signed if started_in_year(p)]

    reserve_jan1 = [p for p in projects if in_reserve(p, jan1)]
    reserve_jan1_started = [p for p in reserve_jan1 if started_in_year(p)]

    required_total = approved_total = 0
    for p in new:
        required = set(registration(p).payload.get("required_procedures") or [])
        approved = {e.payload["procedure"] for e in of(p, "ProcedureApproved") if e.occurred <= through}
        required_total += len(required)
        approved_total += len(required & approved)

    eligible = []
    for p in in_plan:
        reg = registration(p)
        kind = plan_of[p].payload["construction"]
        construction_ok = kind == "continuing" or (
            kind == "new" and any(e.occurred <= through for e in of(p, "ConstructionStarted")))
        if construction_ok and Decimal(reg.payload["total_investment"]) >= 500 and reg.payload["legal_entity"] is True:
            eligible.append(p)
    entered = [p for p in eligible if any(e.occurred <= through for e in of(p, "StatsEntryApproved"))]

    growth_now = sum((investment(p, year) for p in projects), Decimal(0))
    growth_before = sum((investment(p, year - 1) for p in projects), Decimal(0))

    reserve_after = [p for p in projects if in_reserve(p, day_after)]
    reserve_total = sum((Decimal(registration(p).payload["total_investment"]) for p in reserve_after), Decimal(0))

    due = on_time = 0
    for p in projects:
        problem_ids = {e.payload["problem_id"] for e in of(p, "ProblemAssigned")}
        for pid in sorted(problem_ids):
            assigned = recorded_last([e for e in of(p, "ProblemAssigned") if e.payload["problem_id"] == pid])
            due_on = date.fromisoformat(assigned.payload["due_on"])
            if not jan1 <= due_on <= through:
                continue
            due += 1
            if any(e.payload["problem_id"] == pid and e.payload["satisfied"] is True and e.occurred <= due_on
                   for e in of(p, "ProblemFollowedUp")):
                on_time += 1

    raw = {
        "new_start_rate": (len(new_started), len(new)),
        "resume_rate": (len(cont_resumed), len(continuing)),
        "start_or_resume_rate": (len(new_started) + len(cont_resumed), len(new) + len(continuing)),
        "investment_completion_rate": (plan_investment, planned_sum),
        "signed_same_year_start_rate": (len(signed_started), len(signed)),
        "reserve_conversion_rate": (len(reserve_jan1_started), len(reserve_jan1)),
        "procedure_completion_rate": (approved_total, required_total),
        "stats_entry_rate": (len(entered), len(eligible)),
        "investment_growth": (growth_now - growth_before, growth_before),
        "reserve_multiple": (reserve_total, planned_sum),
        "problem_on_time_rate": (on_time, due),
    }
    out = {}
    for fid in FIGURES:
        num, den = raw[fid]
        value = fmt_value(Decimal(num), Decimal(den))
        if fid in AMOUNT_FIGURES:
            out[fid] = (fmt_amount(num), fmt_amount(den), value)
        else:
            out[fid] = (int(num), int(den), value)
    return out

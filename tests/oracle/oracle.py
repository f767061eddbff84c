"""An independent, deliberately slow reference implementation of CONTRACT §3 and Part two (§5–§7).

Written only from CONTRACT.md and DOMAIN.md, without looking at `projections/`, `services/` or the
read model, so that the product's figures can be compared with someone else's reading of the same
rules. Every rule is a direct, brute-force transcription of one sentence of the contract; nothing
is cached, folded or indexed.

    figures(events, region, period, as_of, level=None, category=None)
        -> {figure_id: (kind, numerator, denominator, value)}          (the 26 figures of §3 and §6)
    target(events, region, period, as_of, figure_id, level=None, category=None, township=None)
        -> the applicable target (the TargetSet's decimal string) or None
    behind(value, target) -> bool | None
    rank(events, figure_id, region, period, as_of, by, level=None, category=None)
        -> [{"rank", "region", "township", "numerator", "denominator", "value", "target", "behind"}]

* `events`: contract event dicts (CONTRACT §1, each with `recorded_at`) in log order; the log
  position of `events[i]` is `i + 1`. Catalogue v1 and v2 (§5) may be mixed freely.
* `region`: a code prefix ("14", "1405", "140522").
* `period`: "2025", "2025H1", "2025Q3", "2025-05".
* `as_of`: an aware datetime (a recorded time).
* `level`: None, "province", "city" or "county"; `category`: None or a category code.

kind is "rate", "amount" or "count". A rate's counts are ints and its amounts decimal strings with
2 places; its value is a decimal string rounded half-up to 4 places, or None when the denominator
is 0. An amount's numerator is a 2-place 万元 string, its denominator None, its value the numerator.
A count's numerator is an int, its denominator None, its value the numerator.

Readings
--------
Where the contract leaves room, the oracle takes the most literal reading. These are the points to
compare against the product (R1–R8 were already the §3 oracle's; R9 on are Part two's):

R1. Visibility: an event counts when recorded_at ≤ as-of and no EventRetracted of it is recorded
    ≤ as-of (the retraction's position in the log does not matter; one placed before its target
    still retracts it). A retraction of an EventRetracted has no effect, nor has one whose project_id
    is not that of the event it names (§2: "project_id is that of the retracted event").
R2. A repeated event_id counts once, at its first position (a later copy is a no-op duplicate).
R3. "Registered with occurred_on < D" (reserve, conceived) is any visible ProjectRegistered version
    with occurred_on < D, whatever the version in force; region/township/categories/
    total_investment/required_procedures always come from the registration in force on through.
R4. Investment: InvestmentReported recorded last per (project, year, month) by (recorded_at, log
    position); its occurred_on plays no part, also in the window figures of §6.
R5. A problem is identified by (project, problem_id); its due_on comes from the ProblemAssigned
    recorded last; "on time" is any satisfied follow-up with occurred_on ≤ due_on, even if a later
    unsatisfied follow-up reopened it.
R6. Procedure completion counts distinct required procedures approved (any ProcedureApproved with
    occurred_on ≤ through, also before Y); a procedure approved twice counts once.
R7. Stats entry: "ConstructionStarted on or before through" for new projects is any start up to
    through, also before Y; "StatsEntryApproved on or before through" likewise.
R8. "started in Y" / "resumed in Y" / "signed in Y" are events with occurred_on in the window; a
    resumption also needs payload year == Y.
R9. A v1 event is read as v2: an absent optional field is None (no planned start, no township
    target, no location/village) and LeaderAssigned's role is "leader". Versions of one amendable
    fact compete by (occurred_on, recorded_at, position) whatever their schema_version: a v1 plan
    amending a v2 plan removes its planned start.
R10. --category C keeps projects whose registration in force on through lists C (exact code); it
    and --level apply to every figure, §3 ones included (reserve on 1 Jan, problems, ...).
R11. investment_total sums every project of the set (planned or not), year Y, months
    1..month(through). investment_share's denominator is investment_total over the projects of
    the same region (for a rank row: that row's county, or that county's township) with no level
    and no category; numerator and denominator are 2-place strings.
R12. signed_investment / funding_secured add every AgreementSigned / FundingSecured of the set with
    occurred_on in the window — several for one project all add; no one supersedes another.
R13. The five counts (signed, landed, started, production, output) count projects of the set with
    at least one event of that type whose occurred_on is in the window; started_count counts any
    start (new, continuing, planned, unplanned, started again).
R14. landing_rate is over the set: denominator the projects with an AgreementSigned in the window;
    numerator those of them with a ProjectLanded in the window, in either order of the two dates
    (a landing before the signing still counts).
R15. due_start_rate: the planned month/旬 comes from the plan for Y in force on through; the due
    date is in year Y (10th, 20th, or the month's last day for 旬 1/2/3; the month's last day with
    no 旬); a plan without planned_start_month is never due (a 旬 without a month is ignored).
    Numerator: new → started in Y (§3: ConstructionStarted in the window), continuing → resumed
    in Y (ConstructionResumed for Y in the window) — by through, not necessarily by the due date;
    a new project's resumption or a continuing project's start does not count.
R16. Conceived on D (= through + 1): registered before D (R3), no ProcedureApproved of any
    procedure (required or not) before D, no ConstructionStarted of any year before D, and no plan
    for Y in force on through (a plan of another year does not matter). total_investment from the
    registration in force on through.
R17. Reserve on D (§3) does not exclude Y's plan: reserve_investment and reserve_to_conceived count
    planned projects in reserve too. conceived_multiple's denominator is Σ planned_investment of
    the set's plan (new and continuing); conceived_count_multiple's is the number of the set's new
    plan projects.
R18. Targets: a TargetSet applies to a report when its region equals the report's region exactly
    (a prefix does not carry to sub-regions), its year is Y, its figure is the figure, it has no
    township, and its milestone's day in Y equals through (Q1 = M03 = 31 Mar, H1 = M06 = 30 Jun,
    Q3 = M09 = 30 Sep, Y = M12 = 31 Dec, Mnn = the last day of month nn) — so a monthly report
    for March has the Q1 target. A TargetSet carries no level or category: it is the target of the
    region as a whole, so it applies only to reports and rank rows without --level and --category
    (product decision, as in wave one: a subset is not held to the whole region's target).
R19. Among the applicable targets (whatever their `by` label, e.g. Q1 and M03 together) the one
    recorded last wins: greatest recorded_at, then later log position; occurred_on plays no part.
    TargetSets are visible/retracted like any event.
R20. A township target (region = the county code, township = name) applies only to the row of
    `rank --by township` with that county and township name; a county's own target does not fall
    through to its township rows (their target is None without a township target); a township
    target never applies to a report nor to a county row, and one whose region is not a county
    code (2 or 4 digits) applies to nothing. Township names match exactly.
R21. behind = value < target, comparing decimals (for a rate the reported 4-place value, not the
    exact fraction; for a count the integer). When there is no target, behind is None; when the
    value is None (denominator 0) it is false — "value < target" does not hold (product decision,
    as in wave one).
R22. rank rows: the sub-regions of the region's projects (registration in force on through under
    the region prefix) whatever --level/--category, so a county whose projects the filter removes
    still has a row (a rate None, an amount "0.00", a count 0). --by township: one row per
    (county code, township name) of those projects; a project without a township is in no
    township row; equal names in two counties are two rows. Each row is the figure computed like
    a report for that county (or township of that county) with the same level and category.
R23. rank order: best first = greatest value for every figure (all 26 are "more is better",
    investment_growth included); values compare as decimals; equal values share the lowest rank
    (1, 1, 3); within equal values rows go by county code, then township name (code-point order);
    rows with a None value come last, rank None, in the same code/name order.
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

# CONTRACT §3
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
# CONTRACT §6
PART_TWO_FIGURES = (
    "investment_total",
    "investment_share",
    "signed_investment",
    "funding_secured",
    "reserve_investment",
    "landing_rate",
    "signed_count",
    "landed_count",
    "started_count",
    "production_count",
    "output_count",
    "due_start_rate",
    "conceived_multiple",
    "conceived_count_multiple",
    "reserve_to_conceived",
)
ALL_FIGURES = FIGURES + PART_TWO_FIGURES
KINDS = {fid: "rate" for fid in ALL_FIGURES}
KINDS.update({fid: "amount" for fid in ("investment_total", "signed_investment", "funding_secured",
                                         "reserve_investment")})
KINDS.update({fid: "count" for fid in ("signed_count", "landed_count", "started_count", "production_count",
                                        "output_count")})
# Rates whose numerator and denominator are amounts.
AMOUNT_FIGURES = {"investment_completion_rate", "investment_growth", "reserve_multiple", "investment_share",
                  "conceived_multiple", "reserve_to_conceived"}
# The month whose last day a TargetSet's `by` names.
MILESTONE_MONTHS = {"Q1": 3, "H1": 6, "Q3": 9, "Y": 12, **{f"M{m:02d}": m for m in range(1, 13)}}


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


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


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
    return year, last_day(year, month)


def milestone_day(year: int, by: str) -> date | None:
    """The day a target's `by` names in `year` (None for an unknown label)."""
    month = MILESTONE_MONTHS.get(by)
    return last_day(year, month) if month else None


def planned_due(plan_payload: dict, year: int) -> date | None:
    """The due date of a plan's planned start (CONTRACT §5, §6), or None when it has none."""
    month = plan_payload.get("planned_start_month")
    if month is None:
        return None
    dekad = plan_payload.get("planned_start_dekad")
    if dekad == 1:
        return date(year, month, 10)
    if dekad == 2:
        return date(year, month, 20)
    return last_day(year, month)  # 下旬, or no 旬: the month's last day


# The optional fields v2 adds, read as absent in a v1 event (R9); LeaderAssigned's role defaults.
V2_DEFAULTS = {
    "ProjectRegistered": {"location": None, "village": None},
    "AnnualPlanAdopted": {"planned_start_month": None, "planned_start_dekad": None},
    "LeaderAssigned": {"role": "leader"},
    "TargetSet": {"township": None},
}


def read_as_v2(event_type: str, payload: dict) -> dict:
    """A payload of any version as the latest: absent optional fields take their v2 default."""
    defaults = V2_DEFAULTS.get(event_type, {})
    return {**defaults, **{k: v for k, v in payload.items() if v is not None or k not in defaults}}


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
# The log
# ---------------------------------------------------------------------------------------------

def visible_events(events: list[dict], as_of: datetime) -> list[Ev]:
    """The events with recorded_at ≤ as_of that are not retracted as of then.

    Duplicated event ids count once (the first occurrence: a later one is either a no-op
    duplicate or rejected). A retraction of an EventRetracted has no effect, nor one of another
    project's event (R1).
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
            payload=read_as_v2(obj["event_type"], obj.get("payload") or {}),
        ))
    recorded = [e for e in log if e.recorded <= as_of]
    named = {e.event_id: e for e in log}
    retracted = {
        e.payload["retracted_event_id"] for e in recorded
        if e.type == "EventRetracted" and e.payload["retracted_event_id"] in named
        and named[e.payload["retracted_event_id"]].type != "EventRetracted"
        and named[e.payload["retracted_event_id"]].project == e.project
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


_ANY = object()  # no township filter


class _World:
    """The visible log of one as-of, read for one year and through."""

    def __init__(self, events: list[dict], period: str, as_of: datetime):
        self.year, self.through = period_bounds(period)
        self.log = visible_events(events, as_of)
        self.grouped: dict[tuple[str | None, str], list[Ev]] = {}
        for e in self.log:
            self.grouped.setdefault((e.project, e.type), []).append(e)

    def of(self, project: str | None, event_type: str) -> list[Ev]:
        """The visible events of one type about one project, in log order."""
        return self.grouped.get((project, event_type), [])

    def registration(self, project: str) -> Ev | None:
        return in_force(self.of(project, "ProjectRegistered"), self.through)

    def plan(self, project: str) -> Ev | None:
        return in_force([e for e in self.of(project, "AnnualPlanAdopted") if e.payload["year"] == self.year],
                        self.through)

    def key_level(self, project: str) -> str | None:
        version = in_force([e for e in self.of(project, "KeyProjectDesignated")
                            if e.payload["year"] == self.year], self.through)
        return version.payload["level"] if version else None

    def projects(self, region: str, level: str | None = None, category: str | None = None,
                 township=_ANY) -> list[str]:
        """The projects whose registration in force on through is under `region` (and in
        `township`), with the key level and the category asked for."""
        found = []
        for p in sorted({e.project for e in self.log if e.project is not None}):
            reg = self.registration(p)
            if reg is None or not str(reg.payload["region"]).startswith(region):
                continue
            if township is not _ANY and reg.payload.get("township") != township:
                continue
            if level is not None and self.key_level(p) != level:
                continue
            if category is not None and category not in (reg.payload.get("categories") or []):
                continue
            found.append(p)
        return found

    # -----------------------------------------------------------------------------------------

    def figures(self, projects: list[str], region_projects: list[str]) -> dict[str, tuple]:
        """Every figure over `projects` (the set); `region_projects`: the same region without
        level and category (investment_share's denominator)."""
        year, through = self.year, self.through
        of, registration = self.of, self.registration
        jan1 = date(year, 1, 1)
        day_after = through + timedelta(days=1)
        last_month = through.month

        def in_window(e: Ev) -> bool:
            return jan1 <= e.occurred <= through

        def started_in_year(project: str) -> bool:
            return any(in_window(e) for e in of(project, "ConstructionStarted"))

        def resumed_in_year(project: str) -> bool:
            return any(e.payload["year"] == year and in_window(e) for e in of(project, "ConstructionResumed"))

        def signed_in_year(project: str) -> bool:
            return any(in_window(e) for e in of(project, "AgreementSigned"))

        def investment(project: str, in_year: int) -> Decimal:
            total = Decimal(0)
            for month in range(1, last_month + 1):
                report = recorded_last([e for e in of(project, "InvestmentReported")
                                        if e.payload["year"] == in_year and e.payload["month"] == month])
                if report is not None:
                    total += Decimal(report.payload["amount"])
            return total

        def registered_before(project: str, on: date) -> bool:
            return any(e.occurred < on for e in of(project, "ProjectRegistered"))

        def in_reserve(project: str, on: date) -> bool:
            return (registered_before(project, on)
                    and any(e.occurred < on for e in of(project, "ProcedureApproved"))
                    and not any(e.occurred < on for e in of(project, "ConstructionStarted")))

        def total_investment(project: str) -> Decimal:
            return Decimal(registration(project).payload["total_investment"])

        plan_of = {p: self.plan(p) for p in projects}
        in_plan = [p for p in projects if plan_of[p] is not None]
        new = [p for p in in_plan if plan_of[p].payload["construction"] == "new"]
        continuing = [p for p in in_plan if plan_of[p].payload["construction"] == "continuing"]

        def conceived(project: str, on: date) -> bool:
            return (registered_before(project, on)
                    and not any(e.occurred < on for e in of(project, "ProcedureApproved"))
                    and not any(e.occurred < on for e in of(project, "ConstructionStarted"))
                    and plan_of[project] is None)

        # ---- §3 ----
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
        reserve_total = sum((total_investment(p) for p in reserve_after), Decimal(0))

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

        # ---- §6 ----
        def with_in_window(event_type: str, among: list[str]) -> list[str]:
            return [p for p in among if any(in_window(e) for e in of(p, event_type))]

        def window_sum(event_type: str, field: str) -> Decimal:
            return sum((Decimal(e.payload[field]) for p in projects for e in of(p, event_type) if in_window(e)),
                       Decimal(0))

        region_total = sum((investment(p, year) for p in region_projects), Decimal(0))
        landed_of_signed = with_in_window("ProjectLanded", signed)

        due_plan = []
        for p in in_plan:
            due_day = planned_due(plan_of[p].payload, year)
            if due_day is not None and due_day <= through:
                due_plan.append(p)
        due_hit = [p for p in due_plan
                   if (plan_of[p].payload["construction"] == "new" and started_in_year(p))
                   or (plan_of[p].payload["construction"] == "continuing" and resumed_in_year(p))]

        conceived_after = [p for p in projects if conceived(p, day_after)]
        conceived_total = sum((total_investment(p) for p in conceived_after), Decimal(0))

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
            "investment_total": (growth_now, None),
            "investment_share": (growth_now, region_total),
            "signed_investment": (window_sum("AgreementSigned", "agreed_investment"), None),
            "funding_secured": (window_sum("FundingSecured", "amount"), None),
            "reserve_investment": (reserve_total, None),
            "landing_rate": (len(landed_of_signed), len(signed)),
            "signed_count": (len(signed), None),
            "landed_count": (len(with_in_window("ProjectLanded", projects)), None),
            "started_count": (len(with_in_window("ConstructionStarted", projects)), None),
            "production_count": (len(with_in_window("ProductionStarted", projects)), None),
            "output_count": (len(with_in_window("DesignOutputReached", projects)), None),
            "due_start_rate": (len(due_hit), len(due_plan)),
            "conceived_multiple": (conceived_total, planned_sum),
            "conceived_count_multiple": (len(conceived_after), len(new)),
            "reserve_to_conceived": (reserve_total, conceived_total),
        }
        out = {}
        for fid in ALL_FIGURES:
            num, den = raw[fid]
            kind = KINDS[fid]
            if kind == "amount":
                out[fid] = (kind, fmt_amount(num), None, fmt_amount(num))
            elif kind == "count":
                out[fid] = (kind, int(num), None, int(num))
            elif fid in AMOUNT_FIGURES:
                out[fid] = (kind, fmt_amount(num), fmt_amount(den), fmt_value(Decimal(num), Decimal(den)))
            else:
                out[fid] = (kind, int(num), int(den), fmt_value(Decimal(num), Decimal(den)))
        return out

    # -----------------------------------------------------------------------------------------

    def target(self, region: str, figure_id: str, township: str | None = None) -> str | None:
        """The target for `region` (and township), this year, this through (R18–R20)."""
        candidates = [
            e for e in self.of(None, "TargetSet")
            if e.payload["region"] == region and e.payload["year"] == self.year
            and e.payload["figure"] == figure_id and e.payload.get("township") == township
            and milestone_day(self.year, e.payload["by"]) == self.through
        ]
        chosen = recorded_last(candidates)
        return None if chosen is None else chosen.payload["target"]


# ---------------------------------------------------------------------------------------------
# The public functions
# ---------------------------------------------------------------------------------------------

def figures(events: list[dict], region: str, period: str, as_of: datetime, level: str | None = None,
            category: str | None = None) -> dict[str, tuple]:
    world = _World(events, period, as_of)
    return world.figures(world.projects(region, level, category), world.projects(region))


def target(events: list[dict], region: str, period: str, as_of: datetime, figure_id: str,
           level: str | None = None, category: str | None = None, township: str | None = None) -> str | None:
    """The target applicable to the report (township None) or to a township's rank row; none with
    a level or a category (R18)."""
    if level is not None or category is not None:
        return None
    return _World(events, period, as_of).target(region, figure_id, township)


def behind(value, target_value) -> bool | None:
    """value < target, as decimals; None without a target, false without a value (R21)."""
    if target_value is None:
        return None
    if value is None:
        return False
    return Decimal(str(value)) < Decimal(str(target_value))


def rank(events: list[dict], figure_id: str, region: str, period: str, as_of: datetime, by: str,
         level: str | None = None, category: str | None = None) -> list[dict]:
    """The rows of `rank FIGURE --by county|township` (CONTRACT §7, without region_name)."""
    if by not in ("county", "township"):
        raise ValueError(f"by must be county or township, got {by!r}")
    world = _World(events, period, as_of)
    keys = set()
    for p in world.projects(region):
        reg = world.registration(p).payload
        if by == "county":
            keys.add((reg["region"], None))
        elif reg.get("township"):
            keys.add((reg["region"], reg["township"]))
    rows = []
    for county, township in sorted(keys):
        where = _ANY if by == "county" else township
        found = world.figures(world.projects(county, level, category, where), world.projects(county, township=where))
        _, numerator, denominator, value = found[figure_id]
        goal = None if level is not None or category is not None else world.target(county, figure_id, township)
        rows.append({"rank": None, "region": county, "township": township, "numerator": numerator,
                     "denominator": denominator, "value": value, "target": goal, "behind": behind(value, goal)})
    valued = [r for r in rows if r["value"] is not None]
    for r in valued:
        r["rank"] = 1 + sum(1 for other in valued if Decimal(str(other["value"])) > Decimal(str(r["value"])))
    valued.sort(key=lambda r: (-Decimal(str(r["value"])), r["region"], r["township"] or ""))
    return valued + [r for r in rows if r["value"] is None]

"""The eleven figures of CONTRACT.md §3, each as numerator and denominator items.

A figure is computed as items — one per project: its contribution and the events that made it
count — so a report's numbers and `explain` are the same computation and always agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Iterable

from projections.periods import Period
from projections.standing import ProjectFacts, Standing

FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Item:
    project_id: str
    amount: int | Decimal
    events: tuple[str, ...]


@dataclass
class Side:
    money: bool
    items: list[Item] = field(default_factory=list)

    def add(self, project_id: str, amount: int | Decimal, events: Iterable[str]) -> None:
        self.items.append(Item(project_id, amount, tuple(dict.fromkeys(events))))

    @property
    def total(self) -> int | Decimal:
        return sum((i.amount for i in self.items), Decimal(0) if self.money else 0)


def rate(numerator, denominator) -> Decimal | None:
    """numerator ÷ denominator rounded half-up to 4 places; None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(FOUR_PLACES, ROUND_HALF_UP)


@dataclass
class Figure:
    figure_id: str
    numerator: Side
    denominator: Side

    @property
    def value(self) -> Decimal | None:
        return rate(self.numerator.total, self.denominator.total)


# ---- facts of a project within a period ---------------------------------------------------
def _ids(facts: Iterable) -> list[str]:
    return [f.event_id for f in facts]


def started_in(p: ProjectFacts, period: Period) -> list:
    return p.between("ConstructionStarted", period.start, period.through)


def resumed_in(p: ProjectFacts, period: Period) -> list:
    return [f for f in p.between("ConstructionResumed", period.start, period.through)
            if f.data["year"] == period.year]


def investment(p: ProjectFacts, year: int, through_month: int) -> tuple[Decimal, list[str]]:
    """Σ of the last-recorded report per month 1..through_month of `year` (occurred_on plays no part)."""
    last: dict[int, object] = {}
    for f in p.of("InvestmentReported"):
        month = f.data["month"]
        if f.data["year"] == year and month <= through_month:
            if month not in last or f.order > last[month].order:
                last[month] = f
    counted = [last[m] for m in sorted(last)]
    return sum((Decimal(f.data["amount"]) for f in counted), Decimal(0)), _ids(counted)


def in_reserve_on(p: ProjectFacts, day: date) -> list | None:
    """储备 on a day: registered and ≥ 1 procedure approved before it, not started before it.
    Returns the facts that make it so, or None."""
    registered = p.before("ProjectRegistered", day)
    approved = p.before("ProcedureApproved", day)
    if not registered or not approved or p.before("ConstructionStarted", day):
        return None
    return [max(registered, key=lambda f: f.version_order)] + approved


# ---- the figures ---------------------------------------------------------------------------
def _starts(standings: list[Standing], period: Period, figure_id: str, kinds: set[str]) -> Figure:
    figure = Figure(figure_id, Side(False), Side(False))
    for s in standings:
        if s.construction not in kinds:
            continue
        figure.denominator.add(s.project_id, 1, s.plan_events())
        done = started_in(s.facts, period) if s.construction == "new" else resumed_in(s.facts, period)
        if done:
            figure.numerator.add(s.project_id, 1, s.plan_events() + _ids(done))
    return figure


def new_start_rate(standings, period):
    """新建项目开工率: new projects of Y's plan started in Y ÷ new projects of Y's plan."""
    return _starts(standings, period, "new_start_rate", {"new"})


def resume_rate(standings, period):
    """续建项目复工率: continuing projects resumed in Y ÷ continuing projects of Y's plan."""
    return _starts(standings, period, "resume_rate", {"continuing"})


def start_or_resume_rate(standings, period):
    """开复工率: (started new + resumed continuing) ÷ (new + continuing)."""
    return _starts(standings, period, "start_or_resume_rate", {"new", "continuing"})


def investment_completion_rate(standings, period):
    """年度投资完成率: Σ completed investment of the plan ÷ Σ planned investment of the plan."""
    figure = Figure("investment_completion_rate", Side(True), Side(True))
    for s in standings:
        if s.plan is None:
            continue
        figure.denominator.add(s.project_id, s.planned_investment, s.plan_events())
        amount, reports = investment(s.facts, period.year, period.month)
        if reports:
            figure.numerator.add(s.project_id, amount, s.plan_events() + reports)
    return figure


def signed_same_year_start_rate(standings, period):
    """签约项目当年开工率: signed in Y and started in Y ÷ signed in Y."""
    figure = Figure("signed_same_year_start_rate", Side(False), Side(False))
    for s in standings:
        signed = s.facts.between("AgreementSigned", period.start, period.through)
        if not signed:
            continue
        figure.denominator.add(s.project_id, 1, s.base_events() + _ids(signed))
        started = started_in(s.facts, period)
        if started:
            figure.numerator.add(s.project_id, 1, s.base_events() + _ids(signed) + _ids(started))
    return figure


def reserve_conversion_rate(standings, period):
    """储备项目开工转化率: in reserve on 1 January and started in Y ÷ in reserve on 1 January."""
    figure = Figure("reserve_conversion_rate", Side(False), Side(False))
    for s in standings:
        reserve = in_reserve_on(s.facts, period.start)
        if reserve is None:
            continue
        figure.denominator.add(s.project_id, 1, s.base_events() + _ids(reserve))
        started = started_in(s.facts, period)
        if started:
            figure.numerator.add(s.project_id, 1, s.base_events() + _ids(reserve) + _ids(started))
    return figure


def procedure_completion_rate(standings, period):
    """前期手续办结率: required procedures approved ÷ required procedures, over new projects of the plan."""
    figure = Figure("procedure_completion_rate", Side(False), Side(False))
    for s in standings:
        if s.construction != "new":
            continue
        required = set(s.registration.data.get("required_procedures") or [])
        if not required:
            continue
        figure.denominator.add(s.project_id, len(required), s.plan_events())
        approvals = [f for f in s.facts.of("ProcedureApproved")
                     if f.occurred_on <= period.through and f.data["procedure"] in required]
        approved = {f.data["procedure"] for f in approvals}
        if approved:
            figure.numerator.add(s.project_id, len(approved), s.plan_events() + _ids(approvals))
    return figure


def stats_entry_rate(standings, period):
    """入库纳统率: eligible projects approved into the database ÷ eligible projects."""
    figure = Figure("stats_entry_rate", Side(False), Side(False))
    for s in standings:
        if s.plan is None:
            continue
        reg = s.registration.data
        if not (reg["legal_entity"] and s.total_investment >= 500):
            continue
        starts = [f for f in s.facts.of("ConstructionStarted") if f.occurred_on <= period.through]
        if s.construction == "new" and not starts:
            continue
        why = s.plan_events() + _ids(starts)
        figure.denominator.add(s.project_id, 1, why)
        approved = [f for f in s.facts.of("StatsEntryApproved") if f.occurred_on <= period.through]
        if approved:
            figure.numerator.add(s.project_id, 1, why + _ids(approved))
    return figure


def investment_growth(standings, period):
    """投资增速: (Σ investment Y − Σ investment Y−1) ÷ Σ investment Y−1, months 1..month(through)."""
    figure = Figure("investment_growth", Side(True), Side(True))
    for s in standings:
        this_year, this_reports = investment(s.facts, period.year, period.month)
        last_year, last_reports = investment(s.facts, period.year - 1, period.month)
        if this_reports or last_reports:
            figure.numerator.add(s.project_id, this_year - last_year, s.base_events() + this_reports + last_reports)
        if last_reports:
            figure.denominator.add(s.project_id, last_year, s.base_events() + last_reports)
    return figure


def reserve_multiple(standings, period):
    """储备规模倍数: Σ total investment of the reserve ÷ Σ planned investment of Y's plan."""
    figure = Figure("reserve_multiple", Side(True), Side(True))
    day_after = period.through + timedelta(days=1)
    for s in standings:
        reserve = in_reserve_on(s.facts, day_after)
        if reserve is not None:
            figure.numerator.add(s.project_id, s.total_investment, s.base_events() + _ids(reserve))
        if s.plan is not None:
            figure.denominator.add(s.project_id, s.planned_investment, s.plan_events())
    return figure


def problem_on_time_rate(standings, period):
    """问题按期办结率: problems closed (satisfied follow-up) by their deadline ÷ problems due in the period."""
    figure = Figure("problem_on_time_rate", Side(False), Side(False))
    for s in standings:
        due, on_time, due_ids, on_time_ids = 0, 0, [], []
        for problem_id, assigned in _last_assignments(s.facts).items():
            due_on = date.fromisoformat(assigned.data["due_on"])
            if not period.start <= due_on <= period.through:
                continue
            due += 1
            due_ids.append(assigned.event_id)
            closes = [f for f in s.facts.of("ProblemFollowedUp")
                      if f.data["problem_id"] == problem_id and f.data["satisfied"] and f.occurred_on <= due_on]
            if closes:
                on_time += 1
                on_time_ids += [assigned.event_id] + _ids(closes)
        if due:
            figure.denominator.add(s.project_id, due, s.base_events() + due_ids)
        if on_time:
            figure.numerator.add(s.project_id, on_time, s.base_events() + on_time_ids)
    return figure


def _last_assignments(p: ProjectFacts) -> dict[str, object]:
    last: dict[str, object] = {}
    for f in p.of("ProblemAssigned"):
        key = f.data["problem_id"]
        if key not in last or f.order > last[key].order:
            last[key] = f
    return last


FIGURES: dict[str, Callable[[list[Standing], Period], Figure]] = {
    f.__name__: f for f in (
        new_start_rate, resume_rate, start_or_resume_rate, investment_completion_rate,
        signed_same_year_start_rate, reserve_conversion_rate, procedure_completion_rate,
        stats_entry_rate, investment_growth, reserve_multiple, problem_on_time_rate,
    )
}

FORMULAS: dict[str, str] = {name: (f.__doc__ or "").strip() for name, f in FIGURES.items()}

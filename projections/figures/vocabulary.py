"""The words figures are declared in: per-project quantities over the figure columns, for one query.

`Evaluation(columns, query)` resolves, for every project at once, what CONTRACT §3 and §6 say a
figure may look at: the facts visible as of the recorded time (ledger), the versions in force on
`through` (greatest occurred_on, then recorded_at, then log position), the query's set (region,
level, category). Its attributes are the vocabulary — `new`, `started_in_window`, `investment`,
`reserve_on_day_after` … — each a `Q`: a per-project value and the rows (facts) that make it so.

`Q`s combine with `&`, `|` and `~`, and carry their evidence along: a figure declared once
(`projections.figures.catalog`) gives its totals for a report or a ranking, and, for `explain`,
each project's contribution with the events behind it, from the same expression.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np

from projections.figures.columns import (
    APPROVED, ASSIGNED, CATEGORY_BIT, CONSTRUCTION, DESIGNATED, FOLLOWED_UP, FUNDED, INVESTED, LANDED, LEVEL,
    OUTPUT, PLANNED, PRODUCTION, REGISTERED, RESUMED, RETRACTED, SIGNED, STARTED, STATS_APPROVED, Columns,
)
from projections.periods import Period

NEW, CONTINUING = CONSTRUCTION["new"], CONSTRUCTION["continuing"]
STATS_ENTRY_MINIMUM = 500_00  # 入库纳统: total investment ≥ 500 (万元), in cents
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


SAFE = 1 << 61  # a sum of int64 cents that could pass this is done in Python integers instead


def add_at(size: int, index: np.ndarray, cents: np.ndarray) -> np.ndarray:
    """Σ cents per index, exactly: int64 when no sum can overflow (always, for real campaigns), else
    Python integers (amounts may be up to 16 digits of 万元 each; sixteen of those pass int64)."""
    if len(cents) and int(np.abs(cents).max()) * len(cents) >= SAFE:
        value = np.zeros(size, dtype=object)
        for i, amount in zip(index.tolist(), cents.tolist()):
            value[i] += amount
        return value
    value = np.zeros(size, dtype=np.int64)
    np.add.at(value, index, cents)
    return value


def exact_sum(values: np.ndarray) -> int:
    """Σ of per-project amounts, exactly (see `add_at`)."""
    if values.dtype == object or (len(values) and int(np.abs(values).max()) * len(values) >= SAFE):
        return sum(int(v) for v in values.tolist())
    return int(values.sum())


def popcount(bits: np.ndarray) -> np.ndarray:
    bits = bits.astype(np.int64)
    return sum(_POPCOUNT[(bits >> shift) & 0xFF] for shift in (0, 8, 16, 24))


# ---- quantities with their evidence --------------------------------------------------------------
@dataclass(frozen=True)
class Evidence:
    """Facts (a mask over the column rows) that are a project's evidence — for the projects in
    `when` only, when given."""

    rows: np.ndarray
    when: np.ndarray | None = None

    def only(self, condition: np.ndarray) -> "Evidence":
        return Evidence(self.rows, condition if self.when is None else self.when & condition)


@dataclass(frozen=True)
class Q:
    """A per-project quantity: `value` (bool for a predicate, int64 for an amount or a count) and
    the facts behind it. `present`: where an amount has an item at all (default: value != 0)."""

    value: np.ndarray
    evidence: tuple[Evidence, ...] = ()
    present: np.ndarray | None = None

    @property
    def holds(self) -> np.ndarray:
        return self.present if self.present is not None else self.value.astype(bool)

    def __and__(self, other: "Q") -> "Q":
        return Q(self.value & other.value, self.evidence + other.evidence)

    def __or__(self, other: "Q") -> "Q":
        return Q(self.value | other.value,
                 tuple(e.only(self.value) for e in self.evidence) + tuple(e.only(other.value) for e in other.evidence))

    def __invert__(self) -> "Q":
        return Q(~self.value)


@dataclass(frozen=True)
class Side:
    """One side of a figure, per project: the amount it contributes where it has an item."""

    amount: np.ndarray  # int64: 1 per project for counts of projects, cents for money
    present: np.ndarray  # bool
    evidence: tuple[Evidence, ...]
    money: bool
    over: str = "set"  # "set": the query's projects; "region": the region's, without level and category


def count(q: Q, over: str = "set") -> Side:
    """A count of projects: 1 for each project where `q` holds."""
    return Side(q.value.astype(np.int64), q.value.astype(bool), q.evidence, money=False, over=over)


def total(q: Q, where: Q | None = None, *, money: bool = True, over: str = "set") -> Side:
    """Σ of an amount (or a number) over the projects where `where` holds and the amount has an item."""
    present = q.holds if where is None else q.holds & where.value
    evidence = q.evidence if where is None else where.evidence + q.evidence
    amount = np.where(present, q.value, 0)
    return Side(amount if amount.dtype == object else amount.astype(np.int64), present, evidence, money=money, over=over)


def difference(a: Q, b: Q) -> Q:
    """a − b where either has an item (投资增速's numerator)."""
    return Q(a.value - b.value, a.evidence + b.evidence, a.holds | b.holds)


# ---- the evaluation ------------------------------------------------------------------------------
def years_read(period: Period) -> frozenset[int]:
    """The payload years the figures of `period` read: its own (plans, designations, resumptions,
    investment) and the one before (last year's investment, 投资增速). Rows of any other year never
    change a figure of the period, so a report reads only these and the rows that name no year."""
    return frozenset({period.year, period.year - 1})


def visible(c: Columns, as_of_us: int, before: int | None = None) -> np.ndarray:
    """Rows recorded by `as_of_us` (and before log position `before`) and not retracted by then."""
    known = c.recorded <= as_of_us
    if before is not None:
        known &= c.position < before
    retraction = known & (c.kind == RETRACTED)
    targets = c.cents[retraction]
    targets = targets[targets >= 0]
    hidden = np.zeros(len(c), dtype=bool)
    if len(targets):
        marked = np.zeros(int(max(targets.max(), c.position.max())) + 1, dtype=bool)
        marked[targets] = True
        hidden = marked[c.position]
    return known & ~hidden & (c.kind != RETRACTED)


def latest(c: Columns, selected: np.ndarray, group: np.ndarray, *order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct `group` among the selected rows, the row greatest by `order` (most significant
    first), ties broken by log position. Returns (groups ascending, their rows)."""
    rows = np.nonzero(selected)[0]
    if len(rows) == 0:
        return group[rows], rows
    keys = (c.position[rows],) + tuple(o[rows] for o in reversed(order)) + (group[rows],)
    rows = rows[np.lexsort(keys)]
    groups = group[rows]
    last = np.ones(len(rows), dtype=bool)
    last[:-1] = groups[1:] != groups[:-1]
    return groups[last], rows[last]


@dataclass(frozen=True)
class Scope:
    """What a query keeps: a region prefix, and optionally a key-project level and a category."""

    region: str
    level: str | None = None
    category: str | None = None


class Evaluation:
    """One query over the columns: the set, and the vocabulary the figures are declared in."""

    def __init__(self, c: Columns, period: Period, scope: Scope, as_of_us: int, before: int | None = None):
        self.c, self.period, self.scope = c, period, scope
        self.size = int(c.project.max()) + 1 if len(c) else 1
        self.vis = visible(c, as_of_us, before)
        self.start, self.through = period.start.toordinal(), period.through.toordinal()
        self._kinds: dict[int, np.ndarray] = {}
        if len(c):  # only the region's projects' rows from here on: every figure is of its projects
            self.vis = self.vis & self.in_region[c.project]
            self._kinds = {}

    # ---- helpers over visible rows ----------------------------------------------------------------
    def of(self, kind: int) -> np.ndarray:
        if kind not in self._kinds:
            self._kinds[kind] = self.vis & (self.c.kind == kind)
        return self._kinds[kind]

    def projects_with(self, rows: np.ndarray) -> np.ndarray:
        out = np.zeros(self.size, dtype=bool)
        out[self.c.project[rows]] = True
        return out

    def put(self, groups: np.ndarray, values, dtype=np.int64) -> np.ndarray:
        out = np.zeros(self.size, dtype=dtype)
        out[groups] = values
        return out

    def in_force(self, selected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = self.c
        return latest(c, selected & (c.occurred <= self.through), c.project, c.occurred, c.recorded)

    def row_mask(self, rows: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.c), dtype=bool)
        out[rows] = True
        return out

    def window(self, kind: int) -> np.ndarray:
        """Visible rows of a kind that occurred in [1 January Y, through]."""
        c = self.c
        return self.of(kind) & (c.occurred >= self.start) & (c.occurred <= self.through)

    def any_of(self, rows: np.ndarray) -> Q:
        """Projects with at least one of these rows (the rows are the evidence)."""
        return Q(self.projects_with(rows), (Evidence(rows),))

    def sum_of(self, rows: np.ndarray) -> Q:
        """Σ cents of these rows per project (every row adds); the rows are the evidence."""
        c = self.c
        return Q(add_at(self.size, c.project[rows], c.cents[rows]), (Evidence(rows),), self.projects_with(rows))

    # ---- the registration in force, and the set (CONTRACT §3, §6) ------------------------------------
    @cached_property
    def _registration(self):
        projects, rows = self.in_force(self.of(REGISTERED))
        return projects, rows

    @cached_property
    def registered(self) -> np.ndarray:
        return self.put(self._registration[0], True, bool)

    def _registered_field(self, name: str) -> np.ndarray:
        projects, rows = self._registration
        return self.put(projects, getattr(self.c, name)[rows])

    @cached_property
    def region_code(self) -> np.ndarray:
        return self._registered_field("code")

    @cached_property
    def township(self) -> np.ndarray:
        return self._registered_field("township")

    @cached_property
    def in_region(self) -> np.ndarray:
        """Registered (in force on through) in the region: the set without level and category."""
        region = self.scope.region
        return self.registered & (self.region_code // 10 ** (6 - len(region)) == int(region))

    @cached_property
    def _designation(self):
        return self.in_force(self.of(DESIGNATED) & (self.c.year == self.period.year))

    @cached_property
    def standing(self) -> np.ndarray:
        """The query's set: in the region, at the level, of the category."""
        keep = self.in_region
        if self.scope.level is not None:
            projects, rows = self._designation
            keep = keep & (self.put(projects, self.c.code[rows]) == LEVEL[self.scope.level])
        if self.scope.category is not None:
            keep = keep & (self._registered_field("categories") & CATEGORY_BIT[self.scope.category] != 0)
        return keep

    def base(self, over: str) -> tuple[Evidence, ...]:
        """The facts that put a project in the set: its registration in force (and designation)."""
        evidence = (Evidence(self.row_mask(self._registration[1])),)
        if over == "set" and self.scope.level is not None:
            evidence += (Evidence(self.row_mask(self._designation[1])),)
        return evidence

    def members(self, over: str) -> np.ndarray:
        return self.standing if over == "set" else self.in_region

    # ---- the vocabulary ------------------------------------------------------------------------------
    @cached_property
    def _plan(self):
        return self.in_force(self.of(PLANNED) & (self.c.year == self.period.year))

    def _plan_field(self, name: str) -> np.ndarray:
        projects, rows = self._plan
        return self.put(projects, getattr(self.c, name)[rows])

    @cached_property
    def planned(self) -> Q:
        """In Y's plan (年度建设计划 in force on through)."""
        projects, rows = self._plan
        return Q(self.put(projects, True, bool), (Evidence(self.row_mask(rows)),))

    @cached_property
    def new(self) -> Q:
        """新建: a new project of Y's plan."""
        return Q(self._plan_field("code") == NEW, self.planned.evidence)

    @cached_property
    def continuing(self) -> Q:
        """续建: a continuing project of Y's plan."""
        return Q(self._plan_field("code") == CONTINUING, self.planned.evidence)

    @cached_property
    def planned_investment(self) -> Q:
        """年度计划投资 of Y's plan."""
        return Q(self._plan_field("cents"), self.planned.evidence, self.planned.value)

    @cached_property
    def due(self) -> Q:
        """Planned to start (new) or resume (continuing) by through: the planned 旬 or month has ended."""
        due = self._plan_field("flag")
        return Q(self.planned.value & (due > 0) & (due <= self.through), self.planned.evidence)

    @cached_property
    def started_in_window(self) -> Q:
        """开工: a ConstructionStarted in [1 January Y, through]."""
        return self.any_of(self.window(STARTED))

    @cached_property
    def resumed_in_window(self) -> Q:
        """复工: a ConstructionResumed for year Y in [1 January Y, through]."""
        return self.any_of(self.window(RESUMED) & (self.c.year == self.period.year))

    @cached_property
    def started_or_resumed(self) -> Q:
        """开复工: a new project started in Y, or a continuing one resumed in Y."""
        return (self.new & self.started_in_window) | (self.continuing & self.resumed_in_window)

    @cached_property
    def started_by_through(self) -> Q:
        """Started on or before through (any year)."""
        return self.any_of(self.of(STARTED) & (self.c.occurred <= self.through))

    @cached_property
    def signed_in_window(self) -> Q:
        """签约: an AgreementSigned in the window."""
        return self.any_of(self.window(SIGNED))

    @cached_property
    def signed_amount(self) -> Q:
        """招商签约额: Σ agreed investment of the AgreementSigned in the window."""
        return self.sum_of(self.window(SIGNED))

    @cached_property
    def funding_amount(self) -> Q:
        """争取资金: Σ amount of the FundingSecured in the window."""
        return self.sum_of(self.window(FUNDED))

    @cached_property
    def landed_in_window(self) -> Q:
        return self.any_of(self.window(LANDED))

    @cached_property
    def production_in_window(self) -> Q:
        return self.any_of(self.window(PRODUCTION))

    @cached_property
    def output_in_window(self) -> Q:
        return self.any_of(self.window(OUTPUT))

    def investment(self, year: int) -> Q:
        """Σ of the report recorded last per month 1..month(through) of `year` (occurred_on plays no part)."""
        c = self.c
        selected = self.of(INVESTED) & (c.year == year) & (c.month <= self.period.month)
        _, rows = latest(c, selected, c.project.astype(np.int64) * 16 + c.month, c.recorded)
        value = add_at(self.size, c.project[rows], c.cents[rows])
        return Q(value, (Evidence(self.row_mask(rows)),), self.projects_with(rows))

    @cached_property
    def investment_this_year(self) -> Q:
        """固定资产投资完成额, months 1..month(through) of Y."""
        return self.investment(self.period.year)

    @cached_property
    def investment_last_year(self) -> Q:
        return self.investment(self.period.year - 1)

    @cached_property
    def total_investment(self) -> Q:
        """总投资 of the registration in force (its evidence is the registration, already in the base)."""
        return Q(self._registered_field("cents"), (), self.registered)

    def _before(self, kind: int, day: date) -> np.ndarray:
        return self.of(kind) & (self.c.occurred < day.toordinal())

    def reserve_on(self, day: date) -> Q:
        """储备 on a day: registered and ≥ 1 procedure approved before it, not started before it."""
        registered, approved = self._before(REGISTERED, day), self._before(APPROVED, day)
        value = (self.projects_with(registered) & self.projects_with(approved)
                 & ~self.projects_with(self._before(STARTED, day)))
        _, last_registration = latest(self.c, registered, self.c.project, self.c.occurred, self.c.recorded)
        return Q(value, (Evidence(self.row_mask(last_registration)), Evidence(approved)))

    def conceived_on(self, day: date) -> Q:
        """谋划 on a day: registered before it, no procedure approved and not started before it, and
        not in Y's plan."""
        registered = self._before(REGISTERED, day)
        value = (self.projects_with(registered) & ~self.projects_with(self._before(APPROVED, day))
                 & ~self.projects_with(self._before(STARTED, day)) & ~self.planned.value)
        _, last_registration = latest(self.c, registered, self.c.project, self.c.occurred, self.c.recorded)
        return Q(value, (Evidence(self.row_mask(last_registration)),))

    @cached_property
    def day_after(self) -> date:
        return self.period.through + timedelta(days=1)

    @cached_property
    def reserve_on_first_january(self) -> Q:
        return self.reserve_on(self.period.start)

    @cached_property
    def reserve_on_day_after(self) -> Q:
        return self.reserve_on(self.day_after)

    @cached_property
    def conceived_on_day_after(self) -> Q:
        return self.conceived_on(self.day_after)

    @cached_property
    def required_procedures(self) -> Q:
        """The required procedures of the registration in force (a number)."""
        required = self._registered_field("required")
        return Q(popcount(required), (), required != 0)

    @cached_property
    def approved_required(self) -> Q:
        """Required procedures with a ProcedureApproved on or before through (a number)."""
        c = self.c
        required = self._registered_field("required")
        approvals = self.of(APPROVED) & (c.occurred <= self.through)
        approvals &= (c.code & required[c.project]) != 0
        approved = np.zeros(self.size, dtype=np.int64)
        np.bitwise_or.at(approved, c.project[approvals], c.code[approvals])
        return Q(popcount(approved & required), (Evidence(approvals),), approved != 0)

    @cached_property
    def stats_eligible(self) -> Q:
        """入库纳统 eligible: in Y's plan, continuing or a new one started by through, registration in
        force with total investment ≥ 500万元 and a legal-entity owner."""
        legal = self._registered_field("flag") == 1
        big = self._registered_field("cents") >= STATS_ENTRY_MINIMUM
        started = self.started_by_through
        value = self.planned.value & legal & big & ~(self.new.value & ~started.value)
        return Q(value, self.planned.evidence + started.evidence)

    @cached_property
    def stats_entered(self) -> Q:
        return self.any_of(self.of(STATS_APPROVED) & (self.c.occurred <= self.through))

    @cached_property
    def _problems(self):
        """Per problem (the assignment recorded last): its row, due day, and the satisfied follow-ups on
        or before it."""
        c = self.c
        problem = c.project.astype(np.int64) * (1 << 32) + c.code
        keys, assigned = latest(c, self.of(ASSIGNED), problem, c.recorded)
        due_on = c.flag[assigned]
        follow_ups = np.nonzero(self.of(FOLLOWED_UP) & (c.flag == 1))[0]
        at = np.searchsorted(keys, problem[follow_ups])
        found = at < len(keys)
        at, follow_ups = at[found], follow_ups[found]
        in_time = (keys[at] == problem[follow_ups]) & (c.occurred[follow_ups] <= due_on[at])
        closed = np.zeros(len(keys), dtype=bool)
        closed[at[in_time]] = True
        due = (due_on >= self.start) & (due_on <= self.through)
        closes = np.zeros(len(c), dtype=bool)
        closes[follow_ups[in_time & due[at]]] = True
        return assigned, due, closed, closes

    @cached_property
    def problems_due(self) -> Q:
        """Problems whose deadline (the assignment recorded last) lies in the window (a number)."""
        assigned, due, _, _ = self._problems
        value = np.bincount(self.c.project[assigned[due]], minlength=self.size).astype(np.int64)
        return Q(value, (Evidence(self.row_mask(assigned[due])),))

    @cached_property
    def problems_closed_on_time(self) -> Q:
        """Of those, closed (a satisfied follow-up) on or before the deadline (a number)."""
        assigned, due, closed, closes = self._problems
        value = np.bincount(self.c.project[assigned[due & closed]], minlength=self.size).astype(np.int64)
        return Q(value, (Evidence(self.row_mask(assigned[due & closed])), Evidence(closes)))

    @cached_property
    def everything(self) -> Q:
        """Every project (for sums over the whole set)."""
        return Q(np.ones(self.size, dtype=bool))

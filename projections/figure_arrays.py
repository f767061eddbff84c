"""The eleven figures of CONTRACT.md §3 over figure columns, for every project at once.

The same rules as `projections/figures.py` and `standing.py`, stated over arrays indexed by
project key: which facts are visible as of a recorded time (ledger), which version of an
amendable fact is in force on `through` (greatest occurred_on, then recorded_at, then log
position), which projects stand in the query's set, and each project's numerator and
denominator per figure. `figures.py` remains the definition and the path `explain` takes (it
names the events behind every item); tests hold this module to it, figure by figure.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Callable

import numpy as np

from projections.columns import (
    APPROVED, ASSIGNED, CONSTRUCTION, DESIGNATED, FOLLOWED_UP, INVESTED, LEVEL, PLANNED, REGISTERED, RESUMED,
    RETRACTED, SIGNED, STARTED, STATS_APPROVED, Columns,
)
from projections.figures import FIGURES
from projections.periods import Period
from projections.report import Totals

NEW, CONTINUING = CONSTRUCTION["new"], CONSTRUCTION["continuing"]
STATS_ENTRY_MINIMUM = 500_00  # 入库纳统: total investment ≥ 500 (万元), in cents
# The figures whose sides are amounts, not counts (as figures.py declares them).
_MONEY = {fid for fid, f in FIGURES.items() if f([], Period("2000", 2000, date(2000, 12, 31))).numerator.money}
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


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


def _latest(c: Columns, selected: np.ndarray, group: np.ndarray, *order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


@dataclass
class Standings:
    """Per project key: does it stand in the query's set, and what its facts in force say."""

    standing: np.ndarray  # bool
    region: np.ndarray  # registration in force: region code
    township: np.ndarray  # township key (0: none)
    total: np.ndarray  # total investment, cents
    legal: np.ndarray  # bool
    required: np.ndarray  # required procedures, bits
    planned: np.ndarray  # bool: a plan of the year in force
    construction: np.ndarray  # CONSTRUCTION code (0: no plan)
    planned_cents: np.ndarray


class Evaluation:
    """One query's evaluation over the columns: `figure(figure_id)` gives per-project numerators
    and denominators (zero outside the set)."""

    def __init__(self, c: Columns, period: Period, region: str, level: str | None, as_of_us: int,
                 before: int | None = None):
        self.c, self.period = c, period
        self.size = int(c.project.max()) + 1 if len(c) else 1
        self.vis = visible(c, as_of_us, before)
        self.start, self.through = period.start.toordinal(), period.through.toordinal()
        self.s = self._standings(region, level)

    # ---- helpers over visible rows --------------------------------------------------------------
    def _of(self, kind: int) -> np.ndarray:
        return self.vis & (self.c.kind == kind)

    def _any(self, selected: np.ndarray) -> np.ndarray:
        out = np.zeros(self.size, dtype=bool)
        out[self.c.project[selected]] = True
        return out

    def _in_force(self, selected: np.ndarray):
        c = self.c
        return _latest(c, selected & (c.occurred <= self.through), c.project, c.occurred, c.recorded)

    def _put(self, groups: np.ndarray, values, dtype=np.int64) -> np.ndarray:
        out = np.zeros(self.size, dtype=dtype)
        out[groups] = values
        return out

    # ---- the set (standing.stand) -----------------------------------------------------------------
    def _standings(self, region: str, level: str | None) -> Standings:
        c, year = self.c, self.period.year
        projects, rows = self._in_force(self._of(REGISTERED))
        registered = self._put(projects, True, bool)
        region_code = self._put(projects, c.code[rows])
        in_region = registered & (region_code // 10 ** (6 - len(region)) == int(region))
        if level is not None:
            projects_d, rows_d = self._in_force(self._of(DESIGNATED) & (c.year == year))
            in_region &= self._put(projects_d, c.code[rows_d]) == LEVEL[level]
        plans_p, plans_r = self._in_force(self._of(PLANNED) & (c.year == year))
        return Standings(
            standing=in_region, region=region_code, township=self._put(projects, c.township[rows]),
            total=self._put(projects, c.cents[rows]), legal=self._put(projects, c.flag[rows]) == 1,
            required=self._put(projects, c.required[rows]), planned=self._put(plans_p, True, bool),
            construction=self._put(plans_p, c.code[plans_r]), planned_cents=self._put(plans_p, c.cents[plans_r]),
        )

    # ---- facts of a project within the period (figures.py) ------------------------------------------
    def started_in(self) -> np.ndarray:
        c = self.c
        return self._any(self._of(STARTED) & (c.occurred >= self.start) & (c.occurred <= self.through))

    def resumed_in(self) -> np.ndarray:
        c = self.c
        return self._any(self._of(RESUMED) & (c.year == self.period.year) & (c.occurred >= self.start)
                         & (c.occurred <= self.through))

    def investment(self, year: int) -> tuple[np.ndarray, np.ndarray]:
        """Σ cents of the last-recorded report per month 1..month(through) of `year`, and whether any."""
        c = self.c
        selected = self._of(INVESTED) & (c.year == year) & (c.month <= self.period.month)
        _, rows = _latest(c, selected, c.project.astype(np.int64) * 16 + c.month, c.recorded)
        total = np.zeros(self.size, dtype=np.int64)
        np.add.at(total, c.project[rows], c.cents[rows])
        reported = np.zeros(self.size, dtype=bool)
        reported[c.project[rows]] = True
        return total, reported

    def in_reserve_on(self, day: date) -> np.ndarray:
        """储备 on a day: registered and ≥ 1 procedure approved before it, not started before it."""
        earlier = self.c.occurred < day.toordinal()
        return (self._any(self._of(REGISTERED) & earlier) & self._any(self._of(APPROVED) & earlier)
                & ~self._any(self._of(STARTED) & earlier))

    # ---- the figures --------------------------------------------------------------------------------
    def figure(self, figure_id: str) -> tuple[np.ndarray, np.ndarray]:
        numerator, denominator = getattr(self, figure_id)()
        s = self.s.standing
        return np.where(s, numerator, 0).astype(np.int64), np.where(s, denominator, 0).astype(np.int64)

    def _starts(self, kinds: set[int]) -> tuple[np.ndarray, np.ndarray]:
        s = self.s
        new = s.construction == NEW
        continuing = s.construction == CONTINUING
        done = np.zeros(self.size, dtype=bool)
        if NEW in kinds:
            done |= new & self.started_in()
        if CONTINUING in kinds:
            done |= continuing & self.resumed_in()
        planned = (new if NEW in kinds else False) | (continuing if CONTINUING in kinds else False)
        return done.astype(np.int64), planned.astype(np.int64)

    def new_start_rate(self):
        return self._starts({NEW})

    def resume_rate(self):
        return self._starts({CONTINUING})

    def start_or_resume_rate(self):
        return self._starts({NEW, CONTINUING})

    def investment_completion_rate(self):
        s = self.s
        amount, _ = self.investment(self.period.year)
        return np.where(s.planned, amount, 0), np.where(s.planned, s.planned_cents, 0)

    def signed_same_year_start_rate(self):
        c = self.c
        signed = self._any(self._of(SIGNED) & (c.occurred >= self.start) & (c.occurred <= self.through))
        return signed & self.started_in(), signed

    def reserve_conversion_rate(self):
        reserve = self.in_reserve_on(self.period.start)
        return reserve & self.started_in(), reserve

    def procedure_completion_rate(self):
        c, s = self.c, self.s
        counted = (s.construction == NEW) & (s.required != 0)
        approvals = self._of(APPROVED) & (c.occurred <= self.through)
        approved = np.zeros(self.size, dtype=np.int64)
        np.bitwise_or.at(approved, c.project[approvals], c.code[approvals])
        return (np.where(counted, _POPCOUNT[approved & s.required & 0xFF], 0),
                np.where(counted, _POPCOUNT[s.required & 0xFF], 0))

    def stats_entry_rate(self):
        c, s = self.c, self.s
        started = self._any(self._of(STARTED) & (c.occurred <= self.through))
        eligible = (s.planned & s.legal & (s.total >= STATS_ENTRY_MINIMUM)
                    & ~((s.construction == NEW) & ~started))
        approved = self._any(self._of(STATS_APPROVED) & (c.occurred <= self.through))
        return eligible & approved, eligible

    def investment_growth(self):
        this_year, _ = self.investment(self.period.year)
        last_year, _ = self.investment(self.period.year - 1)
        return this_year - last_year, last_year

    def reserve_multiple(self):
        s = self.s
        reserve = self.in_reserve_on(self.period.through + timedelta(days=1))
        return np.where(reserve, s.total, 0), np.where(s.planned, s.planned_cents, 0)

    def problem_on_time_rate(self):
        c = self.c
        problem = c.project.astype(np.int64) * (1 << 32) + c.code
        keys, assigned = _latest(c, self._of(ASSIGNED), problem, c.recorded)
        due_on = c.flag[assigned]
        follow_ups = np.nonzero(self._of(FOLLOWED_UP) & (c.flag == 1))[0]
        at = np.searchsorted(keys, problem[follow_ups])
        found = at < len(keys)
        at, follow_ups = at[found], follow_ups[found]
        in_time = (keys[at] == problem[follow_ups]) & (c.occurred[follow_ups] <= due_on[at])
        closed = np.zeros(len(keys), dtype=bool)
        closed[at[in_time]] = True
        due = (due_on >= self.start) & (due_on <= self.through)
        projects = c.project[assigned]
        return (np.bincount(projects[due & closed], minlength=self.size),
                np.bincount(projects[due], minlength=self.size))


# ---- totals, for the report and the ranking (projections/report.py formats them) ------------------
def _totals(numerator: int, denominator: int, money: bool) -> Totals:
    if money:
        return Totals(Decimal(numerator).scaleb(-2), Decimal(denominator).scaleb(-2), True)
    return Totals(numerator, denominator, False)


def totals(evaluation: Evaluation) -> dict[str, Totals]:
    out = {}
    for figure_id in FIGURES:
        numerator, denominator = evaluation.figure(figure_id)
        out[figure_id] = _totals(int(numerator.sum()), int(denominator.sum()), figure_id in _MONEY)
    return out


def rank_totals(evaluation: Evaluation, figure_id: str, by: str,
                township_name: Callable[[int], str]) -> dict[tuple[str, str], Totals]:
    """Totals per (county, township) of the projects in the set (township "" when by county or none)."""
    numerator, denominator = evaluation.figure(figure_id)
    s = evaluation.s
    members = np.nonzero(s.standing)[0]
    township = s.township[members] if by == "township" else np.zeros(len(members), dtype=np.int64)
    groups, inverse = np.unique(s.region[members] * (1 << 32) + township, return_inverse=True)
    sums = []
    for side in (numerator, denominator):
        total = np.zeros(len(groups), dtype=np.int64)
        np.add.at(total, inverse, side[members])
        sums.append(total.tolist())
    out = {}
    for group, num, den in zip(groups.tolist(), *sums):
        county, key = f"{group >> 32:06d}", group & ((1 << 32) - 1)
        out[(county, township_name(key) if key else "")] = _totals(num, den, figure_id in _MONEY)
    return out

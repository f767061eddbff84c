"""The 通报 (bulletin) of a region and period, as data — read-only on the store. The renderers
(services/entry/render/bulletin*.py) lay it out as .xlsx, .md and .html; nothing there computes.

What it holds and where each number comes from:

- `report`: `report_for(query)` — exactly `projfacts report --format json` (every figure with its
  numerator, denominator, value, target and `behind`; `pace`).
- `plan_projects`: the plan's projects (新建 + 续建) = `start_or_resume_rate`'s denominator.
  `plan_total_investment`: Σ 总投资 (registration in force on through) of those projects — the one
  number no figure holds, from the figure columns: `total(f.total_investment, f.planned)`.
- `breakdown`: one row per sub-region (townships of a county; counties of a city; counties of a
  province under their city's 小计), with the headline figures' numerators and denominators taken
  from `rank_json` of each figure — the rows `projfacts rank --by … --format json` prints — so
  that the rows add up to the report (合计). Projects registered without a township are gathered
  in a row of their own (未填报乡镇) so that the 合计 still equals the report.
- `rankings`: every rate figure ranked (`rank_json`, as `rank`) this period and the previous one
  (较上期, `previous_period`), with the change in rank and value and the bottom N marked.
- `monthly`: the plan's cumulative completion at the end of each month 1..M (the report of
  period YYYY-MM, same as-of) against 序时 (month ÷ 12).
- `lagging`: the annex of lagging projects with their 包联领导 and 包联部门 — the desk's 滞后项目
  view (`projfacts lagging`) as of the period's end: every reason and the worst light.

Choices the contract leaves open, made once here:

- The previous period (较上期) is the period of the same length just before: the month before
  (January → December of the year before), the quarter before (Q1 → Q4), the half before (H1 →
  H2 of the year before), the year before. It is computed as of the same recorded time: the
  previous period as now known, so that a change in rank is a change in the campaign and not a
  late report.
- Lights (红黄绿) are the desk's, from one configuration (services/query/lights.toml,
  $PROJFACTS_LIGHTS): on completion against 序时, yellow from `pace.yellow_points` behind, red beyond
  `pace.red_points`; a lagging project's lights as the 滞后项目 view gives them.
- Bottom N (排名靠后): among the ranked rows, those whose value is at most the value of the N-th
  from last (ties included); none when no more than N rows are ranked.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from projections.figures import FIGURES
from projections.figures.results import contributions, rate, totals
from projections.figures.vocabulary import Evaluation, exact_sum, total, years_read
from projections.names import region_data_source, region_label
from projections.periods import Period, parse_period, to_micros
from projections.report import Query, figure_json, rank_json, report_json
from services.gcpause import without_gc
from services.log.store import EventStore
from projections.views.lights import Lights
from services.query.desk import lagging_for, make_desk_query
from services.query.lights import load_lights
from services.readmodel import columns as figure_index
from services.readmodel.sql import load_targets

# ---- lights and the bottom rows ---------------------------------------------------------------------------


def pace_light(lights: Lights, value, pace) -> str | None:
    """红黄绿 on completion against 序时进度 (the desk's thresholds, services/query/lights.toml)."""
    if value is None:
        return None
    return lights.pace((Decimal(pace) - Decimal(value)) * 100)
REPORT_FORMAT = 2  # report_for's default: the report `projfacts report --format json` prints
BOTTOM = 3  # 排名靠后: how many rows a ranking singles out, by default

# The figures the tables by sub-region show (headline first in the rankings too).
HEADLINE = ("start_or_resume_rate", "new_start_rate", "resume_rate", "investment_completion_rate", "due_start_rate")
RATE_FIGURES = tuple(fid for fid, f in FIGURES.items() if f.kind.value == "rate")
RANKED = HEADLINE + tuple(fid for fid in RATE_FIGURES if fid not in HEADLINE)
NO_TOWNSHIP = "未填报乡镇"


# ---- periods ---------------------------------------------------------------------------------------
def previous_period(period: Period) -> Period:
    """The period of the same length just before (see the module's docstring). Built here, not
    parsed: the period before 1990's first one lies outside the years a query may ask for, and a
    bulletin for it compares with that empty period (no 较上期 values) rather than failing."""
    label, year = period.label, period.year
    if "-" in label:
        month = period.month
        return _period(f"{year}-{month - 1:02d}" if month > 1 else f"{year - 1}-12")
    if "Q" in label:
        quarter = int(label[-1])
        return _period(f"{year}Q{quarter - 1}" if quarter > 1 else f"{year - 1}Q4")
    if "H" in label:
        return _period(f"{year}H1" if label.endswith("H2") else f"{year - 1}H2")
    return _period(f"{year - 1}")


def _period(label: str) -> Period:
    """A well-formed label's period, whatever its year."""
    year = int(label[:4])
    last_month = {"": 12, "H1": 6, "H2": 12, "Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12}.get(label[4:]) \
        or int(label[5:])
    return Period(label, year, date(year, last_month, calendar.monthrange(year, last_month)[1]))


def sub_level(region: str) -> str:
    """What a region's tables break down into: a county's townships, a city's or province's counties."""
    return "township" if len(region) == 6 else "county"


# ---- the data ----------------------------------------------------------------------------------------
@dataclass
class Totals:
    """Numerator and denominator of one figure for one row (JSON numbers: 万元 strings or ints)."""

    numerator: int | str | None
    denominator: int | str | None
    value: str | int | None


@dataclass
class BreakdownRow:
    kind: str  # "total" (合计), "subtotal" (小计), "row", "residual" (projects with no township)
    name: str
    region: str | None
    township: str | None
    figures: dict[str, Totals]
    light: str | None = None  # completion against 序时


@dataclass
class RankRow:
    rank: int | None
    region: str
    region_name: str
    township: str | None
    numerator: int | str | None
    denominator: int | str | None
    value: str | None
    target: str | None
    behind: bool | None
    previous_rank: int | None
    previous_value: str | None
    rank_change: int | None  # places moved up (+) or down (−); None: no rank then or now
    value_change: Decimal | None  # value − previous value (a fraction; × 100 for points)
    bottom: bool = False
    light: str | None = None

    @property
    def name(self) -> str:
        return self.township or self.region_name


@dataclass
class Ranking:
    figure: str
    current: dict  # rank_json, as `projfacts rank --format json`
    previous: dict
    rows: list[RankRow]


@dataclass
class MonthPoint:
    month: int
    completed: str  # 万元
    planned: str  # 万元
    value: str | None  # cumulative completion (fraction, 4 places)
    pace: str  # month ÷ 12 (4 places)

    @property
    def gap(self) -> Decimal | None:
        return None if self.value is None else Decimal(self.value) - Decimal(self.pace)


@dataclass
class Bulletin:
    query: Query
    report: dict
    previous: Period
    by: str
    plan_projects: int
    plan_total_investment: str
    breakdown: list[BreakdownRow]
    rankings: list[Ranking]
    monthly: list[MonthPoint]
    lagging: list[dict]  # the desk's 滞后项目 (projections/views/lagging.py) as of through
    bottom: int
    lights: Lights = field(default_factory=Lights)
    source: dict = field(default_factory=dict)

    @property
    def region_name(self) -> str:
        return self.report.get("region_name") or region_label(self.query.region)

    def figure(self, figure_id: str) -> dict:
        return self.report["figures"][figure_id]

    def restamped(self, as_of: datetime) -> "Bulletin":
        """The same bulletin as of another time at which the same facts are visible (answers kept by
        the HTTP layer): only the as-of time it names changes."""
        return replace(self, query=replace(self.query, as_of=as_of), report={**self.report, "as_of": as_of.isoformat()})


# ---- building it -------------------------------------------------------------------------------------
class _Reads:
    """One store, one query: the figure columns read once (the years the period and the period
    before read), an evaluation per period."""

    def __init__(self, store: EventStore, query: Query):
        self.store, self.query = store, query
        self.years = years_read(query.period) | years_read(previous_period(query.period))
        self.columns = figure_index.load(store.engine, self.years)
        self.labels = figure_index.Lookup(store.engine)
        self.as_of_us = to_micros(query.as_of)
        self._evaluations: dict[str, Evaluation] = {}
        self._targets: dict[int, list] = {}

    def evaluation(self, period: Period) -> Evaluation:
        if not years_read(period) <= self.years:
            raise ValueError(f"the bulletin read the figure columns of {sorted(self.years)}, not of {period.label}")
        if period.label not in self._evaluations:
            self._evaluations[period.label] = Evaluation(self.columns, period, self.query.scope, self.as_of_us)
        return self._evaluations[period.label]

    def query_for(self, period: Period) -> Query:
        q = self.query
        return Query(q.region, period, q.as_of, q.level, q.category)

    def targets(self, year: int) -> list:
        """The year's targets as of the query, read once; only the region's and its sub-regions' (the
        only ones a report or rank of the region can use)."""
        if year not in self._targets:
            self._targets[year] = load_targets(self.store.engine, year, self.as_of_us, region=self.query.region)
        return self._targets[year]

    def rank(self, figure_id: str, period: Period, by: str) -> dict:
        """What `rank_for` gives (projfacts rank --format json), from the evaluation kept for the period."""
        return rank_json(self.evaluation(period), self.targets(period.year), self.query_for(period), figure_id, by, self.labels.township)


@without_gc
def build(store: EventStore, query: Query, bottom: int = BOTTOM, lights: Lights | None = None) -> Bulletin:
    if bottom < 0:
        raise ValueError(f"bottom must be ≥ 0, got {bottom}")
    lights = lights or load_lights()
    reads = _Reads(store, query)
    # `report_for`'s report, from the evaluation and the targets the rankings read (once, not twice)
    report = report_json(reads.evaluation(query.period), reads.targets(query.period.year), query, REPORT_FORMAT)
    by = sub_level(query.region)
    previous = previous_period(query.period)
    current_ranks = {fid: reads.rank(fid, query.period, by) for fid in RANKED}
    previous_ranks = {fid: reads.rank(fid, previous, by) for fid in RANKED}
    evaluation = reads.evaluation(query.period)
    plan_total = total(evaluation.total_investment, evaluation.planned)
    amounts, _ = contributions(evaluation, plan_total)
    desk_query = make_desk_query(query.region, period=query.period.label, as_of=query.as_of.isoformat())
    return Bulletin(
        query=query, report=report, previous=previous, by=by,
        plan_projects=int(report["figures"]["start_or_resume_rate"]["denominator"]),
        plan_total_investment=f"{Decimal(exact_sum(amounts)).scaleb(-2):.2f}",
        breakdown=breakdown_rows(report, current_ranks, by, lights),
        rankings=[ranking(fid, current_ranks[fid], previous_ranks[fid], report["pace"], bottom, lights)
                  for fid in RANKED],
        monthly=monthly_points(reads),
        lagging=lagging_for(store, desk_query, lights)["projects"],
        bottom=bottom,
        lights=lights,
        source={"regions": region_data_source()},
    )


# ---- tables by sub-region ------------------------------------------------------------------------------
def _key(row: dict) -> tuple[str, str | None]:
    return row["region"], row.get("township")


def _add(a, b):
    """Σ of two JSON numbers (万元 strings with 2 places, or ints)."""
    if a is None or b is None:
        return a if b is None else b
    if isinstance(a, str) or isinstance(b, str):
        return f"{Decimal(str(a)) + Decimal(str(b)):.2f}"
    return a + b


def _sub(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return f"{Decimal(str(a)) - Decimal(str(b)):.2f}"
    return a - b


def _zero(value):
    return value is None or Decimal(str(value)) == 0


def _value(numerator, denominator, figure_id: str):
    """A row's value from its numerator and denominator, rounded as the figures are."""
    if denominator is None:
        return numerator
    found = rate(Decimal(str(numerator)), Decimal(str(denominator)))
    return None if found is None else f"{found:.4f}"


def _summed(rows: list[dict[str, Totals]]) -> dict[str, Totals]:
    out = {}
    for fid in HEADLINE:
        numerator = denominator = None
        for row in rows:
            numerator = _add(numerator, row[fid].numerator)
            denominator = _add(denominator, row[fid].denominator)
        out[fid] = Totals(numerator, denominator, _value(numerator, denominator, fid))
    return out


def breakdown_rows(report: dict, ranks: dict[str, dict], by: str, lights: Lights = Lights()) -> list[BreakdownRow]:
    """合计 first, then per sub-region; a province's counties under their city's 小计."""
    pace = report["pace"]
    keyed: dict[tuple, dict[str, Totals]] = {}
    names: dict[tuple, tuple[str, str | None]] = {}
    for fid in HEADLINE:
        for row in ranks[fid]["rows"]:
            key = _key(row)
            keyed.setdefault(key, {})[fid] = Totals(row["numerator"], row["denominator"], row["value"])
            names[key] = (row["region_name"] or row["region"], row.get("township"))
    rows = [BreakdownRow("row", names[k][1] or names[k][0], k[0], k[1], keyed[k]) for k in sorted(keyed)]
    # projects with no township (a county's table) or no row: what the report has beyond the rows
    gathered = _summed([r.figures for r in rows]) if rows else None
    residual = {}
    for fid in HEADLINE:
        whole = report["figures"][fid]
        numerator = _sub(whole["numerator"], gathered[fid].numerator) if gathered else whole["numerator"]
        denominator = _sub(whole["denominator"], gathered[fid].denominator) if gathered else whole["denominator"]
        residual[fid] = Totals(numerator, denominator, _value(numerator, denominator, fid))
    if any(not (_zero(t.numerator) and _zero(t.denominator)) for t in residual.values()):
        rows.append(BreakdownRow("residual", NO_TOWNSHIP if by == "township" else "其他", None, None, residual))
    whole = BreakdownRow("total", "合计", None, None, _summed([r.figures for r in rows]) if rows else residual)
    out = [whole]
    if by == "county" and len(report["region"]) == 2:
        cities: dict[str, list[BreakdownRow]] = {}
        for row in rows:
            cities.setdefault((row.region or "")[:4], []).append(row)
        for city, members in cities.items():
            if city:
                out.append(BreakdownRow("subtotal", f"{region_label(city)}小计", city, None,
                                        _summed([m.figures for m in members])))
            out.extend(members)
    else:
        out.extend(rows)
    for row in out:
        row.light = pace_light(lights, row.figures["investment_completion_rate"].value, pace)
    return out


# ---- rankings with 较上期 -------------------------------------------------------------------------------
def ranking(figure_id: str, current: dict, previous: dict, pace: str, bottom: int, lights: Lights = Lights()) -> Ranking:
    before = {_key(r): r for r in previous["rows"]}
    rows = []
    for r in current["rows"]:
        then = before.get(_key(r), {})
        previous_rank, previous_value = then.get("rank"), then.get("value")
        rows.append(RankRow(
            rank=r["rank"], region=r["region"], region_name=r["region_name"] or r["region"], township=r.get("township"),
            numerator=r["numerator"], denominator=r["denominator"], value=r["value"], target=r["target"],
            behind=r["behind"], previous_rank=previous_rank, previous_value=previous_value,
            rank_change=None if r["rank"] is None or previous_rank is None else previous_rank - r["rank"],
            value_change=None if r["value"] is None or previous_value is None
            else Decimal(r["value"]) - Decimal(previous_value),
            light=pace_light(lights, r["value"], pace) if figure_id == "investment_completion_rate" else None))
    ranked = [row for row in rows if row.rank is not None]
    if bottom and len(ranked) > bottom:
        threshold = Decimal(ranked[-bottom].value)
        for row in ranked:
            row.bottom = Decimal(row.value) <= threshold
    return Ranking(figure_id, current, previous, rows)


# ---- completion by month -------------------------------------------------------------------------------
def monthly_points(reads: _Reads) -> list[MonthPoint]:
    """Cumulative completion at the end of each month 1..M of the year (as `report --period YYYY-MM`)."""
    year, last = reads.query.period.year, reads.query.period.month
    out = []
    for month in range(1, last + 1):
        period = parse_period(f"{year}-{month:02d}")
        found = figure_json(totals(reads.evaluation(period), ["investment_completion_rate"])
                            ["investment_completion_rate"])
        out.append(MonthPoint(month, found["numerator"], found["denominator"], found["value"], f"{period.pace:.4f}"))
    return out

"""Reports, explanations, rankings and targets: JSON-ready results from visible facts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Iterable

import orjson

from projections.facts import Fact
from projections.figures import FIGURES, FORMULAS, Figure, Side, rate
from projections.periods import Period
from projections.standing import ProjectFacts, Standing, group_by_project, stand


def dumps(obj) -> str:
    """Deterministic JSON: same content, same bytes (what `--format json` prints, less the newline)."""
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode()


@dataclass(frozen=True)
class Query:
    region: str
    period: Period
    as_of: datetime
    level: str | None = None


def standings(projects: dict[str, ProjectFacts], query: Query) -> list[Standing]:
    found = (stand(p, query.period.year, query.period.through, query.region, query.level)
             for _, p in sorted(projects.items()))
    return [s for s in found if s is not None]


@dataclass(frozen=True)
class Totals:
    """A figure's numerator and denominator (ints for counts, Decimals for money)."""

    numerator: int | Decimal
    denominator: int | Decimal
    money: bool

    @property
    def value(self) -> Decimal | None:
        return rate(self.numerator, self.denominator)


def totals_of(figure: Figure) -> Totals:
    return Totals(figure.numerator.total, figure.denominator.total, figure.numerator.money)


def format_total(total, money: bool) -> int | str:
    return f"{total:.2f}" if money else total


def format_side(side: Side) -> int | str:
    return format_total(side.total, side.money)


def format_amount(side: Side, amount) -> int | str:
    return format_total(amount, side.money)


def format_value(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def figure_json(totals: Totals) -> dict:
    return {
        "numerator": format_total(totals.numerator, totals.money),
        "denominator": format_total(totals.denominator, totals.money),
        "value": format_value(totals.value),
    }


def target_for(regional: Iterable[Fact], query: Query, figure_id: str) -> Decimal | None:
    """The region's target for this figure at the milestone the period closes (the latest set wins)."""
    milestone = query.period.milestone
    if milestone is None or query.level is not None:
        return None
    matching = [f for f in regional if f.event_type == "TargetSet" and f.data["region"] == query.region
                and f.data["year"] == query.period.year and f.data["figure"] == figure_id
                and f.data["by"] == milestone]
    if not matching:
        return None
    return Decimal(max(matching, key=lambda f: f.version_order).data["target"])


def report(facts: Iterable[Fact], query: Query) -> dict:
    projects, regional = group_by_project(facts)
    chosen = standings(projects, query)
    return report_json({fid: totals_of(compute(chosen, query.period)) for fid, compute in FIGURES.items()},
                       regional, query)


def report_json(figures: dict[str, Totals], regional: Iterable[Fact], query: Query) -> dict:
    """The report: each figure's totals, with the region's target where one is set."""
    regional = list(regional)
    entries = {}
    for figure_id in FIGURES:
        totals = figures[figure_id]
        entry = figure_json(totals)
        target = target_for(regional, query, figure_id)
        if target is not None:
            entry["target"] = f"{target:.4f}"
            entry["behind"] = totals.value is not None and totals.value < target
        entries[figure_id] = entry
    return {
        "region": query.region,
        "period": query.period.label,
        "through": query.period.through.isoformat(),
        "as_of": query.as_of.isoformat(),
        "figures": entries,
        "pace": f"{query.period.pace:.4f}",
    }


def _side_json(side: Side) -> dict:
    items = sorted(side.items, key=lambda i: i.project_id)
    return {
        "value": format_side(side),
        "items": [{"project_id": i.project_id, "amount": format_amount(side, i.amount), "events": list(i.events)}
                  for i in items],
    }


def explain(facts: Iterable[Fact], figure_id: str, query: Query) -> dict:
    if figure_id not in FIGURES:
        raise ValueError(f"unknown figure {figure_id!r}; known: {', '.join(FIGURES)}")
    projects, _ = group_by_project(facts)
    figure = FIGURES[figure_id](standings(projects, query), query.period)
    return {
        "figure": figure_id,
        "formula": FORMULAS[figure_id],
        "numerator": _side_json(figure.numerator),
        "denominator": _side_json(figure.denominator),
    }


def check_rank(figure_id: str, by: str) -> None:
    if figure_id not in FIGURES:
        raise ValueError(f"unknown figure {figure_id!r}; known: {', '.join(FIGURES)}")
    if by not in {"county", "township"}:
        raise ValueError(f"--by must be county or township, got {by!r}")


def rank(facts: Iterable[Fact], figure_id: str, query: Query, by: str) -> list[dict]:
    """比学赶超: the sub-regions (counties or townships) of the region, best first."""
    check_rank(figure_id, by)
    projects, _ = group_by_project(facts)
    groups: dict[tuple[str, str], list[Standing]] = {}
    for s in standings(projects, query):
        key = (s.region, "") if by == "county" else (s.region, s.township or "")
        groups.setdefault(key, []).append(s)
    return rank_rows({key: totals_of(FIGURES[figure_id](members, query.period)) for key, members in groups.items()},
                     by)


def rank_rows(groups: dict[tuple[str, str], Totals], by: str) -> list[dict]:
    """Rows of (county, township) → totals, best value first (then the greater numerator, then by name)."""
    rows = []
    for (county, township), totals in groups.items():
        row = {"county": county}
        if by == "township":
            row["township"] = township or None
        rows.append({**row, **figure_json(totals), "_value": totals.value, "_num": totals.numerator})
    rows.sort(key=lambda r: (r["_value"] is None, -(r["_value"] or 0), -r["_num"], r["county"], r.get("township") or ""))
    for place, row in enumerate(rows, start=1):
        row["rank"] = place
        del row["_value"], row["_num"]
    return rows

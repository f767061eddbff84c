"""Reports, explanations, rankings and targets: JSON-ready results from visible facts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Iterable

from projections.facts import Fact
from projections.figures import FIGURES, FORMULAS, Figure, Side
from projections.periods import Period
from projections.standing import ProjectFacts, Standing, group_by_project, stand


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


def format_side(side: Side) -> int | str:
    return f"{side.total:.2f}" if side.money else side.total


def format_amount(side: Side, amount) -> int | str:
    return f"{amount:.2f}" if side.money else amount


def format_value(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def figure_json(figure: Figure) -> dict:
    return {
        "numerator": format_side(figure.numerator),
        "denominator": format_side(figure.denominator),
        "value": format_value(figure.value),
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
    figures = {}
    for figure_id, compute in FIGURES.items():
        figure = compute(chosen, query.period)
        entry = figure_json(figure)
        target = target_for(regional, query, figure_id)
        if target is not None:
            entry["target"] = f"{target:.4f}"
            entry["behind"] = figure.value is not None and figure.value < target
        figures[figure_id] = entry
    return {
        "region": query.region,
        "period": query.period.label,
        "through": query.period.through.isoformat(),
        "as_of": query.as_of.isoformat(),
        "figures": figures,
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


def rank(facts: Iterable[Fact], figure_id: str, query: Query, by: str) -> list[dict]:
    """比学赶超: the sub-regions (counties or townships) of the region, best first."""
    if figure_id not in FIGURES:
        raise ValueError(f"unknown figure {figure_id!r}; known: {', '.join(FIGURES)}")
    if by not in {"county", "township"}:
        raise ValueError(f"--by must be county or township, got {by!r}")
    projects, _ = group_by_project(facts)
    groups: dict[tuple[str, str], list[Standing]] = {}
    for s in standings(projects, query):
        key = (s.region, "") if by == "county" else (s.region, s.township or "")
        groups.setdefault(key, []).append(s)
    rows = []
    for (county, township), members in groups.items():
        figure = FIGURES[figure_id](members, query.period)
        row = {"county": county}
        if by == "township":
            row["township"] = township or None
        rows.append({**row, **figure_json(figure), "_value": figure.value, "_num": figure.numerator.total})
    rows.sort(key=lambda r: (r["_value"] is None, -(r["_value"] or 0), -r["_num"], r["county"], r.get("township") or ""))
    for place, row in enumerate(rows, start=1):
        row["rank"] = place
        del row["_value"], row["_num"]
    return rows

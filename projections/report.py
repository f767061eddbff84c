"""Reports, rankings and explanations as the contract's JSON (CONTRACT §4, §6, §7).

The figures come from their declarations (`projections.figures`) evaluated over the figure columns;
this module shapes what they give — totals, totals per sub-region, items with their events — and
applies targets. The store path (services/query/figures.py) hands it the read model's columns and
lookups; `report`, `rank` and `explain` below do the same from a list of facts (tests, the oracle).

Report JSON has two formats: 2 (Part two: every figure with its kind, and the region's name) and 1
(CONTRACT §4 as it stood before: the eleven rates), which a report published before Part two was
fixed in — `projfacts verify` recomputes it in that format, byte for byte.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Callable, Iterable

import numpy as np
import orjson

from events.types import FIGURE_KINDS, MILESTONE_MONTHS, FigureKind, format_figure_target
from projections.facts import RECORDED_ORDER, VERSION_ORDER, Fact
from projections.figures import FIGURES, FORMULAS, V1_FIGURES
from projections.figures.columns import TOWNSHIP, MemoryLabels, from_facts
from projections.figures.results import Totals, group_totals, items, sides, totals
from projections.figures.vocabulary import Evaluation, Scope
from projections.names import region_name
from projections.periods import Period

BY = ("county", "township")
LATEST_FORMAT = 2


def dumps(obj) -> str:
    """Deterministic JSON: same content, same bytes (what `--format json` prints, less the newline)."""
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode()


def json_bytes(obj) -> bytes:
    """`dumps` as the UTF-8 bytes `--format json` prints and HTTP sends, newline included — written
    as they are, without a str copy (a province's 问题闭环 as JSON is 270 MB: as a str and its
    re-encoding it cost 1 GB more)."""
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


@dataclass(frozen=True)
class Query:
    region: str
    period: Period
    as_of: datetime
    level: str | None = None
    category: str | None = None

    @property
    def scope(self) -> Scope:
        return Scope(self.region, self.level, self.category)


def check_figure(figure_id: str) -> None:
    if figure_id not in FIGURES:
        raise ValueError(f"unknown figure {figure_id!r}; known: {', '.join(FIGURES)}")


def check_rank(figure_id: str, by: str) -> None:
    check_figure(figure_id)
    if by not in BY:
        raise ValueError(f"--by must be county or township, got {by!r}")


# ---- numbers as the contract writes them -------------------------------------------------------
def _money(cents: int) -> str:
    return f"{Decimal(cents).scaleb(-2):.2f}"


def _number(value: int, money: bool) -> int | str:
    return _money(value) if money else value


def value_json(totals: Totals) -> int | str | None:
    value = totals.value
    if value is None:
        return None
    if totals.kind is FigureKind.rate:
        return f"{value:.4f}"
    return f"{value:.2f}" if totals.numerator_money else value


def figure_json(totals: Totals, with_kind: bool = True) -> dict:
    out = {"kind": totals.kind.value} if with_kind else {}
    out["numerator"] = _number(totals.numerator, totals.numerator_money)
    out["denominator"] = None if totals.denominator is None else _number(totals.denominator, totals.denominator_money)
    out["value"] = value_json(totals)
    return out


# ---- targets ------------------------------------------------------------------------------------
def target_for(regional: Iterable[Fact], query: Query, figure_id: str, *, region: str | None = None,
               township: str | None = None, format: int = LATEST_FORMAT) -> Decimal | None:
    """The target (TargetSet) for `figure_id` that applies to a report of `region` (default: the
    query's, exactly) whose period ends on a milestone's day (Q1 = M03, …), for the township row
    `township` only when given; not with --level or --category. Of several, the one recorded last
    (format 1: the latest version, as reports published before Part two chose)."""
    if query.level is not None or query.category is not None:
        return None
    region = region or query.region
    matching = [f for f in regional if _is_milestone_target(f, query, figure_id) and f.data["region"] == region
                and f.data.get("township") == township]
    if not matching:
        return None
    chosen = max(matching, key=VERSION_ORDER if format == 1 else RECORDED_ORDER)
    return Decimal(chosen.data["target"])


def _is_milestone_target(fact: Fact, query: Query, figure_id: str) -> bool:
    """A TargetSet of `figure_id` for the query's year, due at the milestone its period ends on."""
    return (fact.event_type == "TargetSet" and fact.data["year"] == query.period.year
            and fact.data["figure"] == figure_id and MILESTONE_MONTHS[fact.data["by"]] == query.period.through.month)


def _targets_by_region(regional: Iterable[Fact], query: Query, figure_id: str) -> dict[str, list[Fact]]:
    """The targets `target_for` may choose from for `figure_id`, by region: a ranking looks up each
    of its rows' regions (a province's year holds ~10,000 targets, its ranking 117 counties)."""
    found: dict[str, list[Fact]] = {}
    for fact in regional:
        if _is_milestone_target(fact, query, figure_id):
            found.setdefault(fact.data["region"], []).append(fact)
    return found


def with_target(entry: dict, totals: Totals, target: Decimal | None, format: int = LATEST_FORMAT) -> dict:
    """`target` and `behind` (value < target; not behind when there is no value) where one applies."""
    if target is None:
        return entry
    value = totals.value
    if format == 1:
        entry["target"] = f"{target:.4f}"
    else:
        entry["target"] = format_figure_target(target, totals.kind)
    entry["behind"] = value is not None and Decimal(value) < target
    return entry


# ---- report -----------------------------------------------------------------------------------------
def report_json(evaluation: Evaluation, regional: Iterable[Fact], query: Query, format: int = LATEST_FORMAT) -> dict:
    """The report: every figure's totals, with the region's target where one is set."""
    regional = list(regional)
    figure_ids = V1_FIGURES if format == 1 else tuple(FIGURES)
    found = totals(evaluation, figure_ids)
    entries = {}
    for figure_id in figure_ids:
        entry = figure_json(found[figure_id], with_kind=format != 1)
        entries[figure_id] = with_target(entry, found[figure_id], target_for(regional, query, figure_id, format=format),
                                         format)
    head = {"region": query.region}
    if format != 1:
        head["region_name"] = region_name(query.region)
    return {**head, "period": query.period.label, "through": query.period.through.isoformat(),
            "as_of": query.as_of.isoformat(), "figures": entries, "pace": f"{query.period.pace:.4f}"}


# ---- rank (§7) --------------------------------------------------------------------------------------
def rank_json(evaluation: Evaluation, regional: Iterable[Fact], query: Query, figure_id: str, by: str,
              township_name: Callable[[int], str]) -> dict:
    """比学赶超: every sub-region (county, or township of a county) with projects registered in the
    region, best value first with standard competition ranking (equal values share a rank: 1, 1, 3);
    rows without a value last, unranked. Each row with its own target and `behind`."""
    check_rank(figure_id, by)
    targets = _targets_by_region(regional, query, figure_id)
    counties = evaluation.region_code.astype(np.int64)
    if by == "county":
        group = counties
        wanted = evaluation.in_region
    else:
        group = counties * (1 << 32) + evaluation.township
        wanted = evaluation.in_region & (evaluation.township != 0)
    keys = np.unique(group[wanted])
    rows = []
    for key, found in group_totals(evaluation, figure_id, group, keys).items():
        county = f"{key >> 32:06d}" if by == "township" else f"{key:06d}"
        township = township_name(key & ((1 << 32) - 1)) if by == "township" else None
        target = target_for(targets.get(county, ()), query, figure_id, region=county, township=township)
        row = {"rank": None, "region": county, "region_name": region_name(county), "township": township,
               **{k: v for k, v in figure_json(found).items() if k != "kind"}, "target": None, "behind": None}
        with_target(row, found, target)
        rows.append((found.value, row))
    ranked = sorted((r for r in rows if r[0] is not None), key=lambda r: (-r[0], r[1]["region"], r[1]["township"] or ""))
    place = 0
    for index, (value, row) in enumerate(ranked):
        if index == 0 or value != ranked[index - 1][0]:
            place = index + 1
        row["rank"] = place
    unranked = sorted((r for r in rows if r[0] is None), key=lambda r: (r[1]["region"], r[1]["township"] or ""))
    return {"figure": figure_id, "region": query.region, "period": query.period.label,
            "through": query.period.through.isoformat(), "as_of": query.as_of.isoformat(),
            "rows": [row for _, row in ranked + unranked]}


# ---- explain ----------------------------------------------------------------------------------------
def explain_json(evaluation: Evaluation, figure_id: str, project_id: Callable[[int], str],
                 event_ids: Callable[[list[int]], dict[int, str]]) -> dict:
    """One figure down to projects and events: per side, one item per project — its contribution
    (money as 万元, else a number; 1 for a project counted) and the events that made it count."""
    check_figure(figure_id)
    figure = FIGURES[figure_id]
    numerator, denominator = sides(figure, evaluation)
    found = totals(evaluation, [figure_id])[figure_id]
    explained = {"numerator": (numerator, found.numerator), "denominator": (denominator, found.denominator)}
    lists = {name: items(evaluation, side) if side is not None else [] for name, (side, _) in explained.items()}
    ids = event_ids(sorted({p for found_items in lists.values() for i in found_items for p in i.positions}))
    out = {"figure": figure_id, "formula": FORMULAS[figure_id]}
    for name, (side, total) in explained.items():
        rows = sorted(({"project_id": project_id(i.project), "amount": _number(i.amount, side.money),
                        "events": [ids[p] for p in i.positions]} for i in lists[name]),
                      key=lambda item: item["project_id"])
        out[name] = {"value": None if side is None else _number(total, side.money), "items": rows}
    return out


# ---- the same from a list of facts ------------------------------------------------------------------
@dataclass
class FactsEvaluation:
    """A query evaluated over facts in memory (visible as of the query's time or not: visibility is
    applied to the columns), with the lookups the JSON needs."""

    evaluation: Evaluation
    regional: list[Fact]
    labels: MemoryLabels
    event_ids: dict[int, str]

    @classmethod
    def of(cls, facts: Iterable[Fact], query: Query) -> "FactsEvaluation":
        from projections.ledger import fold_all, visible
        from projections.periods import to_micros

        facts = list(facts)
        labels = MemoryLabels()
        columns = from_facts(facts, labels.__getitem__)
        as_of_us = to_micros(query.as_of)
        regional = [f for f in visible(fold_all(facts), as_of_us) if f.project_id is None]
        return cls(Evaluation(columns, query.period, query.scope, as_of_us), regional, labels,
                   {f.position: f.event_id for f in facts})

    def project_id(self, key: int) -> str:
        return self.labels.text(key).removeprefix("project:")

    def township(self, key: int) -> str:
        return self.labels.text(key).removeprefix(TOWNSHIP)

    def lookup(self, positions: list[int]) -> dict[int, str]:
        return {p: self.event_ids[p] for p in positions}


def report(facts: Iterable[Fact], query: Query, format: int = LATEST_FORMAT) -> dict:
    found = FactsEvaluation.of(facts, query)
    return report_json(found.evaluation, found.regional, query, format)


def rank(facts: Iterable[Fact], figure_id: str, query: Query, by: str) -> dict:
    found = FactsEvaluation.of(facts, query)
    return rank_json(found.evaluation, found.regional, query, figure_id, by, found.township)


def explain(facts: Iterable[Fact], figure_id: str, query: Query) -> dict:
    found = FactsEvaluation.of(facts, query)
    return explain_json(found.evaluation, figure_id, found.project_id, found.lookup)


__all__ = ["FIGURE_KINDS", "Query", "check_figure", "check_rank", "dumps", "explain", "explain_json", "figure_json",
           "rank", "rank_json", "report", "report_json", "target_for"]

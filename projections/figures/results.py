"""What a declared figure gives for one evaluation: totals (a report), totals per group (a
ranking), and items per project with the facts behind them (explain)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from events.types import FigureKind
from projections.figures.catalog import FIGURES, Figure
from projections.figures.vocabulary import Evaluation, Side, exact_sum

FOUR_PLACES = Decimal("0.0001")


def rate(numerator, denominator) -> Decimal | None:
    """numerator ÷ denominator rounded half-up to 4 places; None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(FOUR_PLACES, ROUND_HALF_UP)


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@dataclass(frozen=True)
class Totals:
    """A figure's numerator and denominator as numbers (money in cents; no denominator unless a rate)."""

    kind: FigureKind
    numerator: int
    numerator_money: bool
    denominator: int | None = None
    denominator_money: bool = False

    @property
    def value(self) -> Decimal | int | None:
        """A rate rounded half-up to 4 places (None: denominator 0); an amount in 万元; a count."""
        if self.kind is FigureKind.rate:
            return rate(self.numerator, self.denominator)
        return money(self.numerator) if self.numerator_money else self.numerator


def sides(figure: Figure, evaluation: Evaluation) -> tuple[Side, Side | None]:
    return figure.numerator(evaluation), (figure.denominator(evaluation) if figure.denominator else None)


def contributions(evaluation: Evaluation, side: Side) -> tuple[np.ndarray, np.ndarray]:
    """(per project: amount, has an item) within the side's members."""
    present = side.present & evaluation.members(side.over)
    return np.where(present, side.amount, 0), present


def totals(evaluation: Evaluation, figure_ids=None) -> dict[str, Totals]:
    out = {}
    for figure_id in figure_ids or FIGURES:
        figure = FIGURES[figure_id]
        numerator, denominator = sides(figure, evaluation)
        num = exact_sum(contributions(evaluation, numerator)[0])
        den = None if denominator is None else exact_sum(contributions(evaluation, denominator)[0])
        out[figure_id] = Totals(figure.kind, num, numerator.money, den, bool(denominator and denominator.money))
    return out


def group_totals(evaluation: Evaluation, figure_id: str, group: np.ndarray, keys: np.ndarray) -> dict[int, Totals]:
    """Totals per group: `group[p]` is project p's group; `keys` the groups wanted (every one gets a
    row, with zeros when none of its projects counts)."""
    figure = FIGURES[figure_id]
    numerator, denominator = sides(figure, evaluation)

    def summed(side: Side) -> dict[int, int]:
        amount, present = contributions(evaluation, side)
        found = np.nonzero(present)[0]
        sums: dict[int, int] = {}
        for g, a in zip(group[found].tolist(), amount[found].tolist()):
            sums[g] = sums.get(g, 0) + a
        return sums

    num = summed(numerator)
    den = summed(denominator) if denominator is not None else None
    return {k: Totals(figure.kind, num.get(k, 0), numerator.money, None if den is None else den.get(k, 0),
                      bool(denominator and denominator.money)) for k in keys.tolist()}


@dataclass(frozen=True)
class Item:
    project: int  # project key
    amount: int  # cents for money, else a number
    positions: tuple[int, ...]  # the log positions of the facts behind it, in order, once each


def items(evaluation: Evaluation, side: Side) -> list[Item]:
    """One item per project counting on this side: its contribution and the facts that made it count —
    the facts putting it in the set first, then each piece of evidence in declaration order (each
    piece in log order)."""
    amount, present = contributions(evaluation, side)
    projects = np.nonzero(present)[0]
    if not len(projects):
        return []
    c = evaluation.c
    member = np.zeros(evaluation.size, dtype=bool)
    member[projects] = True
    found: dict[int, list[int]] = {int(p): [] for p in projects}
    for evidence in evaluation.base(side.over) + side.evidence:
        rows = np.nonzero(evidence.rows & member[c.project])[0]
        if evidence.when is not None:
            rows = rows[evidence.when[c.project[rows]]]
        rows = rows[np.lexsort((c.position[rows], c.project[rows]))]
        for project, position in zip(c.project[rows].tolist(), c.position[rows].tolist()):
            found[project].append(position)
    return [Item(int(p), int(amount[p]), tuple(dict.fromkeys(found[int(p)]))) for p in projects]

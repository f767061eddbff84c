"""The product's Part two (CONTRACT §5–§7) agrees with the independent oracle.

Written before the product's §6 exists, against its pure API as it will be:

    from projections.report import Query, report, rank
    Query(region, period, as_of, level=None, category=None)   # period: projections.periods.parse_period
    report(facts, query) -> the report JSON dict; figures[fid]: kind, numerator, denominator, value,
                            optional target / behind
    rank(facts, figure_id, query, by) -> the §7 dict (rows)

Facts are built as tests/unit/projections/scenario.py builds them (fact_from_json, fold_all,
visible). Compared: every one of the 26 figures (kind, numerator, denominator, value), the
report's target and behind, and the rank rows (without region_name) — on random mixed v1/v2
histories × regions × periods (month ends included) × as-ofs × levels × categories, and on
queries aimed at the histories' targets. Targets are compared as decimals (the product may
print "0.5" as "0.5000"). Where the two disagree, see the Readings of oracle.py first.
"""
from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

import orjson
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import oracle
from oracle_histories import random_history, random_history_v2, random_queries_v2, target_queries_v2
from test_oracle_agreement import as_of_instant




def _product(events: list[dict]):
    """(report, rank) of the product's pure projections over `events`, as of any query's as-of."""
    from projections.facts import fact_from_json
    from projections.ledger import fold_all, visible
    from projections.periods import parse_as_of, parse_period
    from projections.report import Query, rank, report
    from projections.periods import to_micros

    facts = [fact_from_json(i, e, to_micros(datetime.fromisoformat(e["recorded_at"])))
             for i, e in enumerate(events, start=1)]
    ledger = fold_all(facts)

    def query_of(region, period, as_of, level, category):
        return Query(region, parse_period(period), parse_as_of(as_of), level=level, category=category)

    def product_report(region, period, as_of, level, category) -> dict:
        query = query_of(region, period, as_of, level, category)
        return report(list(visible(ledger, to_micros(query.as_of))), query)

    def product_rank(figure_id, region, period, as_of, level, category, by) -> dict:
        query = query_of(region, period, as_of, level, category)
        return rank(list(visible(ledger, to_micros(query.as_of))), figure_id, query, by)

    return product_report, product_rank


def _decimal(value):
    return None if value is None else Decimal(str(value))


def report_disagreements(events, product_report, case) -> dict:
    region, period, as_of, level, category = case
    instant = as_of_instant(as_of)
    theirs = oracle.figures(events, region, period, instant, level, category)
    ours = product_report(*case)["figures"]
    found = {}
    for fid in oracle.ALL_FIGURES:
        mine = ours.get(fid)
        if mine is None:
            found[fid] = {"product": None, "oracle": theirs[fid]}
            continue
        got = (mine.get("kind"), mine["numerator"], mine["denominator"], mine["value"])
        goal = oracle.target(events, region, period, instant, fid, level, category)
        expected_behind = oracle.behind(theirs[fid][3], goal)
        if (got != theirs[fid] or _decimal(mine.get("target")) != _decimal(goal)
                or mine.get("behind") != expected_behind):
            found[fid] = {"product": (*got, mine.get("target"), mine.get("behind")),
                          "oracle": (*theirs[fid], goal, expected_behind)}
    return found


def rank_disagreements(events, product_rank, case, figure_id, by) -> list:
    region, period, as_of, level, category = case
    theirs = oracle.rank(events, figure_id, region, period, as_of_instant(as_of), by, level, category)
    ours = product_rank(figure_id, region, period, as_of, level, category, by)
    ours = ours["rows"] if isinstance(ours, dict) else ours  # the §7 dict (or its rows)

    def comparable(row):
        return {**{k: v for k, v in row.items() if k != "region_name"}, "target": _decimal(row.get("target"))}
    ours, theirs = [comparable(r) for r in ours], [comparable(r) for r in theirs]
    return [] if ours == theirs else [(case, figure_id, by, {"product": ours, "oracle": theirs})]


def _check(events, cases, rank_figures) -> dict:
    product_report, product_rank = _product(events)
    failures = {}
    for case in cases:
        diff = report_disagreements(events, product_report, case)
        if diff:
            failures[case] = diff
        for figure_id, by in rank_figures:
            for found in rank_disagreements(events, product_rank, case, figure_id, by):
                failures.setdefault(case, {})[f"rank {figure_id} by {by}"] = found[3]
    return failures


def _rank_choices(rng, count):
    return [(rng.choice(oracle.ALL_FIGURES), rng.choice(["county", "township"])) for _ in range(count)]


# ---------------------------------------------------------------------------------------------
# Random histories
# ---------------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False))
def test_random_part_two_histories_agree_with_the_oracle(rng):
    events = random_history_v2(rng)
    cases = random_queries_v2(rng, 4) + target_queries_v2(rng, events, 3)
    failures = _check(events, cases, _rank_choices(rng, 3))
    if failures:
        note("\n".join(orjson.dumps(e).decode() for e in events))
    assert failures == {}


@pytest.mark.parametrize("seed", range(25))
def test_random_part_two_histories_every_figure_ranked(seed):
    """Fixed seeds: every figure ranked by county and by township."""
    rng = random.Random(31_000 + seed)
    events = random_history_v2(rng)
    cases = random_queries_v2(rng, 2) + target_queries_v2(rng, events, 2)
    ranks = [(fid, by) for fid in oracle.ALL_FIGURES for by in ("county", "township")]
    assert _check(events, cases, ranks) == {}


@pytest.mark.parametrize("period", ["2025-01", "2025-02", "2025-03", "2025Q1", "2025-05", "2025H1", "2025-09",
                                    "2025-11", "2025", "2024-02", "2024-12"])
def test_month_ends_agree_with_the_oracle(period):
    """Every month end and milestone, across many histories, unfiltered and by category."""
    for seed in range(15):
        rng = random.Random(41_000 + seed)
        events = random_history_v2(rng)
        cases = [(region, period, as_of, level, category)
                 for region in ("14", "1405", "140522")
                 for as_of, level, category in (("2030-01-01", None, None), ("2025-07-10", None, "industry"),
                                                ("2030-01-01", rng.choice(["city", "county"]),
                                                 rng.choice([None, "industrial", "private"])))]
        assert _check(events, cases, [("started_count", "township")]) == {}, seed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False))
def test_v1_histories_agree_on_every_figure(rng):
    """A store of v1 events only: all 26 figures (kinds included), with categories."""
    events = random_history(rng)
    cases = [(r, p, a, lv, rng.choice([None, None, "industrial", "private"]))
             for r, p, a, lv, _ in random_queries_v2(rng, 5)]
    assert _check(events, cases, _rank_choices(rng, 2)) == {}

"""The figures over columns (projections/figure_arrays.py) equal the figures over facts
(projections/figures.py, the definition) — report and ranking JSON, byte for byte — on random
histories (retractions, amendments with tied dates, duplicates, late reports), the demo county
and a small province, for every region level, period kind, as-of and key level."""
from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oracle_histories import random_history, random_queries
from projections.columns import TOWNSHIP, from_facts
from projections.facts import fact_from_json
from projections.figure_arrays import Evaluation, rank_totals, totals
from projections.figures import FIGURES
from projections.ledger import fold_all, visible
from projections.periods import parse_as_of, parse_period
from projections.report import Query, rank, rank_rows, report, report_json
from services.entry.render import tables as render
from tools.history.county import demo_county, province
from services.log.store import to_micros


class Keys(dict):
    """A dictionary of texts → keys, as the read model's `labels` table keeps it."""

    def __call__(self, text: str) -> int:
        return self.setdefault(text, len(self) + 1)

    def text(self, key: int) -> str:
        return next(t for t, k in self.items() if k == key)


def _ledger(events: list[dict]):
    facts = [fact_from_json(i, e, to_micros(datetime.fromisoformat(e["recorded_at"])))
             for i, e in enumerate(events, start=1)]
    return fold_all(facts)


def _both(ledger, columns, keys: Keys, region: str, period: str, as_of: str | None, level: str | None):
    query = Query(region, parse_period(period), parse_as_of(as_of), level)
    as_of_us = to_micros(query.as_of)
    facts = list(visible(ledger, as_of_us))
    evaluation = Evaluation(columns, query.period, region, level, as_of_us)
    regional = [f for f in facts if f.project_id is None]
    pairs = [(report(facts, query), report_json(totals(evaluation), regional, query))]
    for figure_id in FIGURES:
        for by in ("county", "township"):
            township = (lambda key: keys.text(key)[len(TOWNSHIP):])
            pairs.append((rank(facts, figure_id, query, by),
                          rank_rows(rank_totals(evaluation, figure_id, by, township), by)))
    return [(render.dumps(a), render.dumps(b)) for a, b in pairs]


def _disagreements(events: list[dict], cases) -> list:
    ledger, keys = _ledger(events), Keys()
    columns = from_facts(ledger.facts.values(), keys)
    return [(case, a, b) for case in cases for a, b in _both(ledger, columns, keys, *case) if a != b]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False))
def test_random_histories_columns_agree_with_facts(rng):
    events = random_history(rng)
    assert _disagreements(events, random_queries(rng, 6)) == []


@pytest.mark.parametrize("region", ["14", "1405", "140522"])
def test_demo_county_columns_agree_with_facts(region):
    cases = [(region, period, as_of, level)
             for period in ("2024", "2024Q1", "2024H1", "2024-05", "2025Q1")
             for as_of in (None, "2024-04-10", "2024-07-15T08:00:00+08:00", "2025-01-20")
             for level in (None, "province", "county")]
    assert _disagreements(demo_county(), cases) == []


def test_small_province_columns_agree_with_facts():
    events = list(province(7, 300, (2023, 2024)))
    cases = [(region, period, as_of, level)
             for region in ("14", "1401", "1405")
             for period in ("2024", "2024Q3", "2024-02", "2023H1")
             for as_of in (None, "2024-05-01", "2024-11-10")
             for level in (None, "city")]
    assert _disagreements(events, cases) == []

"""The query patterns (projections/periods.py: DATE, PERIOD, AS_OF) that the OpenAPI document states
are exactly what the parsers accept: every real day of 1990-2199 and nothing else, every period
label, the as-of forms — and the parsers refuse whatever the patterns refuse."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import limits
from projections.periods import AS_OF, DATE, PERIOD, YEAR, parse_as_of, parse_day, parse_period


def test_year_is_the_limits_range():
    assert [y for y in range(1000, 10000) if re.fullmatch(YEAR, str(y))] == \
        list(range(limits.YEAR_MIN, limits.YEAR_MAX + 1))


def test_date_matches_exactly_the_real_days_of_the_years():
    day, last, real = date(limits.YEAR_MIN, 1, 1), date(limits.YEAR_MAX, 12, 31), set()
    while day <= last:
        real.add(day.isoformat())
        day += timedelta(days=1)
    candidates = {f"{y}-{m:02d}-{d:02d}" for y in range(limits.YEAR_MIN - 2, limits.YEAR_MAX + 3)
                  for m in range(0, 14) for d in range(0, 33)}
    matched = {text for text in candidates if re.fullmatch(DATE, text)}
    assert matched == real
    assert parse_day("2000-02-29") == date(2000, 2, 29)
    for bad in ("2100-02-29", "2025-02-29", "1989-12-31", "2200-01-01", "20250101", " 2025-01-01", "2025-01-01\n",
                "２０２５-01-01", "2025-W01-1"):
        with pytest.raises(ValueError):
            parse_day(bad)


def test_period_pattern_is_the_parser():
    labels = [f"{y}{s}" for y in (1989, 1990, 2025, 2199, 2200, 9999)
              for s in ("", "H1", "H2", "H3", "Q0", "Q1", "Q4", "Q5", "-00", "-01", "-12", "-13", "-1")]
    for label in labels + [" 2025", "2025 ", "2025q1", "١٤٠٥", "2025-05\n"]:
        accepted = True
        try:
            parse_period(label)
        except ValueError:
            accepted = False
        assert accepted == bool(re.fullmatch(PERIOD, label)), label


@pytest.mark.parametrize("text", ["2025-04-10", "2025-04-10T10:00", "2025-04-10 10:00:59", "2025-04-10T10:00:00.5Z",
                                  "2025-04-10T10:00:00.123456+05:45", "2199-12-31T23:59:59-14:00",
                                  "1990-01-01T00:00+14:00", "2025-04-10T10:00+0800", "2025-04-10T10:00:00-1400"])
def test_as_of_forms_accepted(text):
    assert re.fullmatch(AS_OF, text)
    assert parse_as_of(text).tzinfo is not None


@pytest.mark.parametrize("text", ["yesterday", "2025-04-10T24:00", "2025-04-10T10:00+14:01", "2025-04-10T10:00+1401",
                                  "2025-04-10T10", "20250410", "0001-01-01", "9999-12-31T23:59:59+08:00",
                                  "2025-04-10T10:00:00.1234567+08:00", " 2025-04-10", "2025-02-30",
                                  "2025-04-10T10:00:00+05:45:30"])
def test_as_of_forms_refused(text):
    assert not re.fullmatch(AS_OF, text)
    with pytest.raises(ValueError):
        parse_as_of(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.from_regex(AS_OF, fullmatch=True), st.text(max_size=40)))
def test_as_of_pattern_is_the_parser(text):
    try:
        parse_as_of(text)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == bool(re.fullmatch(AS_OF, text))

"""``Month``: the one reading of ``YYYY-MM`` and the one way months are counted."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.months import (
    MONTH_PATTERN,
    Month,
    MonthError,
    months_before,
    months_between,
)

# Ten years clear of either end of the range, so counting up to 120 months stays inside it.
MONTHS = st.builds(Month, st.integers(1910, 2090), st.integers(1, 12))


def test_reads_and_writes_the_stored_form():
    may = Month.parse("2026-05")
    assert (may.year, may.month, str(may), may.label) == (2026, 5, "2026-05", "May 2026")
    assert (may.first_day, may.last_day, may.end) == (
        dt.date(2026, 5, 1), dt.date(2026, 5, 31), dt.date(2026, 6, 1))
    assert may.bounds() == (dt.datetime(2026, 5, 1), dt.datetime(2026, 6, 1))
    assert Month.parse(" 2024-02 ").last_day == dt.date(2024, 2, 29)


@pytest.mark.parametrize("text", ["", "May", "2026-5", "2026-13", "2026-00", "26-05",
                                  "2026-05-01", "0000-01", "1899-12", "2101-01", None])
def test_refuses_anything_else_with_an_example(text):
    with pytest.raises(MonthError, match=r"2026-05|1900 to 2100"):
        Month.parse(text)


@given(MONTHS, st.integers(-120, 120))
def test_counting_is_consistent(month, n):
    moved = month.plus(n)
    assert moved.plus(-n) == month
    assert (moved > month) == (n > 0)
    assert month.next().previous() == month
    assert month.end == month.next().first_day


@given(MONTHS)
def test_the_pattern_and_the_parser_agree(month):
    assert re.match(MONTH_PATTERN, str(month))
    assert Month.parse(str(month)) == month == Month.of(month.first_day)


@given(MONTHS, st.integers(0, 120))
def test_months_between_lists_each_month_once(first, span):
    last = first.plus(span)
    listed = months_between(first, last)
    assert listed[0] == first and listed[-1] == last
    assert len(listed) == span + 1 == len(set(listed)) and listed == sorted(listed)
    assert months_between(last, first) == ([first] if first == last else [])


def test_months_before_clamps_to_the_end_of_a_shorter_month():
    assert months_before(dt.date(2026, 5, 31), 3) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2024, 5, 31), 3) == dt.date(2024, 2, 29)
    assert months_before(dt.date(2026, 1, 15), 1) == dt.date(2025, 12, 15)

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.summaries.bands import caseload_band, service_band
from audit_service.domain.summaries.periods import (
    Granularity,
    PeriodError,
    parse_period,
    period_containing,
    trailing_months,
)


def test_keys_round_trip_and_labels():
    assert parse_period("2026-03").label == "March 2026"
    q = parse_period("2026-Q2")
    assert (q.start, q.end, q.months) == (dt.date(2026, 4, 1), dt.date(2026, 7, 1),
                                          ["2026-04", "2026-05", "2026-06"])
    assert parse_period("2025").previous().key == "2024"
    with pytest.raises(PeriodError, match="2026-Q1"):
        parse_period("March")


@given(st.integers(min_value=0, max_value=9999), st.sampled_from(["{y}", "{y}-Q4", "{y}-12"]))
def test_a_period_names_a_year_from_1900_to_2100_or_is_refused(year, shape):
    """Month keys always held to these years; quarters and years did not, and ``9999`` was a
    server error when the page asked for the year after it."""
    key = shape.format(y=f"{year:04d}")
    if 1900 <= year <= 2100:
        assert parse_period(key).key == key
    else:
        with pytest.raises(PeriodError, match="from 1900 to 2100"):
            parse_period(key)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
       st.sampled_from(list(Granularity)))
def test_period_containing_contains_the_day_and_round_trips(day, granularity):
    period = period_containing(granularity, day)
    assert period.start <= day < period.end
    assert parse_period(period.key) == period
    assert period.next().previous() == period


def test_trailing_months():
    months = trailing_months(dt.date(2026, 2, 14), 3)
    assert [m.key for m in months] == ["2025-12", "2026-01", "2026-02"]


@pytest.mark.parametrize(("cases", "band"), [(0, "0-10"), (10, "0-10"), (11, "11-15"),
                                             (16, "16-20"), (20, "16-20"), (21, "21+")])
def test_caseload_bands(cases, band):
    assert caseload_band(cases).id == band


@pytest.mark.parametrize(("started", "band"), [
    (dt.date(2026, 1, 1), "<1y"), (dt.date(2025, 6, 30), "1-2y"), (dt.date(2024, 7, 1), "1-2y"),
    (dt.date(2024, 6, 30), "2-5y"), (dt.date(2021, 6, 30), "5y+"), (None, "unknown")])
def test_service_bands_at_a_date(started, band):
    assert service_band(started, dt.date(2026, 6, 30)).id == band

"""Working days and England and Wales bank holidays, checked against gov.uk's published lists."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.calendar import (
    BankHolidayFileError,
    HolidayAdjustments,
    WorkingCalendar,
    easter_sunday,
    england_and_wales_bank_holidays,
    england_and_wales_calendar,
    parse_adjustments,
    standing_rule_holidays,
)

D = dt.date

# https://www.gov.uk/bank-holidays (England and Wales), as published.
GOV_UK = {
    2022: [D(2022, 1, 3), D(2022, 4, 15), D(2022, 4, 18), D(2022, 5, 2), D(2022, 6, 2),
           D(2022, 6, 3), D(2022, 8, 29), D(2022, 9, 19), D(2022, 12, 26), D(2022, 12, 27)],
    2023: [D(2023, 1, 2), D(2023, 4, 7), D(2023, 4, 10), D(2023, 5, 1), D(2023, 5, 8),
           D(2023, 5, 29), D(2023, 8, 28), D(2023, 12, 25), D(2023, 12, 26)],
    2024: [D(2024, 1, 1), D(2024, 3, 29), D(2024, 4, 1), D(2024, 5, 6), D(2024, 5, 27),
           D(2024, 8, 26), D(2024, 12, 25), D(2024, 12, 26)],
    2025: [D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26),
           D(2025, 8, 25), D(2025, 12, 25), D(2025, 12, 26)],
    2026: [D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25),
           D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28)],
}


@pytest.mark.parametrize("year", sorted(GOV_UK))
def test_bank_holidays_match_gov_uk(year):
    assert sorted(england_and_wales_bank_holidays([year])) == GOV_UK[year]


def test_the_standing_rules_alone_miss_only_the_one_off_changes():
    computed = set().union(*(standing_rule_holidays(y) for y in GOV_UK))
    published = {d for days in GOV_UK.values() for d in days}
    assert published - computed == {D(2022, 6, 2), D(2022, 6, 3), D(2022, 9, 19), D(2023, 5, 8)}
    assert computed - published == {D(2022, 5, 30)}


@pytest.mark.parametrize(
    ("year", "easter"),
    [(1961, D(1961, 4, 2)), (2000, D(2000, 4, 23)), (2019, D(2019, 4, 21)),
     (2038, D(2038, 4, 25)), (2285, D(2285, 3, 22))],
)
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_christmas_substitutes_for_every_weekday_christmas_can_fall_on():
    # 2021 Sat, 2022 Sun, 2020 Fri, 2026 Fri-Sat, 2016 Sun.
    assert {d for d in standing_rule_holidays(2021) if d.month == 12} == {D(2021, 12, 27),
                                                                         D(2021, 12, 28)}
    assert {d for d in standing_rule_holidays(2016) if d.month == 12} == {D(2016, 12, 26),
                                                                         D(2016, 12, 27)}
    assert {d for d in standing_rule_holidays(2020) if d.month == 12} == {D(2020, 12, 25),
                                                                         D(2020, 12, 28)}


def test_the_file_adds_and_removes_dates_and_wins_over_the_known_changes():
    text = """
    # a council's local changes
    2027-06-07   # an invented extra day
    -2026-08-31
    -2023-05-08
    """
    adjustments = HolidayAdjustments().merged(parse_adjustments(text))
    days = england_and_wales_bank_holidays([2023, 2026, 2027], adjustments)
    assert D(2027, 6, 7) in days
    assert D(2026, 8, 31) not in days
    assert D(2023, 5, 8) not in days
    assert D(2023, 5, 29) in days


def test_bad_lines_in_the_file_are_all_reported_with_their_line_numbers():
    with pytest.raises(BankHolidayFileError) as error:
        parse_adjustments("2026-01-01\n2026-13-01\n\n-tomorrow\n20260102\n", source="hols.txt")
    message = str(error.value)
    assert "line 2 of hols.txt: '2026-13-01' is not a date" in message
    assert "line 4 of hols.txt: '-tomorrow'" in message
    assert "line 5 of hols.txt: '20260102'" in message


def test_working_days_in_a_bank_holiday_month():
    cal = england_and_wales_calendar([2026])
    assert cal.first_working_day(2026, 1) == D(2026, 1, 2)  # 1 Jan is a holiday
    assert cal.first_working_day(2026, 2) == D(2026, 2, 2)  # 1 Feb is a Sunday
    assert cal.first_working_day(2026, 6) == D(2026, 6, 1)
    assert cal.first_working_day(2026, 8) == D(2026, 8, 3)  # Saturday 1 August
    assert cal.add_working_days(D(2026, 4, 2), 1) == D(2026, 4, 7)  # over Easter
    assert cal.add_working_days(D(2026, 4, 7), -1) == D(2026, 4, 2)
    assert cal.working_days_between(D(2026, 4, 2), D(2026, 4, 7)) == 1
    assert cal.working_days_between(D(2026, 4, 7), D(2026, 4, 2)) == -1
    assert cal.add_working_days(D(2026, 4, 4), 0) == D(2026, 4, 4)


CAL = england_and_wales_calendar(range(2019, 2032))
days = st.dates(min_value=D(2020, 1, 1), max_value=D(2029, 12, 31))


@given(st.integers(2020, 2029), st.integers(1, 12))
def test_first_working_day_is_the_first_one(year, month):
    first = CAL.first_working_day(year, month)
    assert CAL.is_working_day(first)
    assert first.month == month
    assert not any(CAL.is_working_day(D(year, month, d)) for d in range(1, first.day))


@given(days, st.integers(0, 60))
def test_adding_working_days_is_counted_back_by_working_days_between(day, n):
    later = CAL.add_working_days(day, n)
    assert CAL.working_days_between(day, later) == n
    assert n == 0 or CAL.is_working_day(later)
    if CAL.is_working_day(day):
        assert CAL.add_working_days(later, -n) == day


@given(days, days)
def test_working_days_between_is_antisymmetric(a, b):
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)


def test_a_calendar_without_holidays_has_only_weekends():
    cal = WorkingCalendar(frozenset())
    assert cal.is_working_day(D(2026, 12, 25))
    assert not cal.is_working_day(D(2026, 12, 26))

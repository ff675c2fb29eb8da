"""When jobs are due: pure decisions on timezone-aware instants, across both clock changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.calendar import england_and_wales_calendar
from audit_service.scheduling.settings import (
    SchedulerConfigError,
    SchedulerSettings,
)
from audit_service.scheduling.timing import (
    daily_period,
    open_rounds_periods,
    reminder_date,
    rounds_open_at,
)

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
CAL = england_and_wales_calendar(range(2025, 2029))
SEVEN = dt.time(7, 0)


def _due(now: dt.datetime, **kwargs) -> list[str]:
    return open_rounds_periods(now, CAL, LONDON, SEVEN, **kwargs)


def test_a_year_of_quarter_hours_through_both_clock_changes_opens_each_month_once():
    """Walk 2026 in UTC quarter hours (the scheduler's tick), across 29 March and 25 October."""
    now = dt.datetime(2026, 1, 1, tzinfo=UTC)
    end = dt.datetime(2027, 1, 1, tzinfo=UTC)
    first_due: dict[str, dt.datetime] = {}
    while now < end:
        for period in _due(now):
            first_due.setdefault(period, now)
        now += dt.timedelta(minutes=15)
    assert sorted(first_due) == [f"2026-{m:02d}" for m in range(1, 13)]
    for period, when in first_due.items():
        local = when.astimezone(LONDON)
        assert local.time() == SEVEN, (period, local)
        assert local.date() == CAL.first_working_day(2026, int(period[5:]))
    # 07:00 London is 07:00 UTC in winter and 06:00 UTC in summer time.
    assert first_due["2026-03"] == dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert first_due["2026-04"] == dt.datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
    assert first_due["2026-10"] == dt.datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
    assert first_due["2026-11"] == dt.datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
    assert first_due["2026-01"] == dt.datetime(2026, 1, 2, 7, 0, tzinfo=UTC)  # after 1 Jan


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # The night of the spring change: 01:00 UTC jumps to 02:00 BST.
        (dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "2026-03-29"),
        (dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "2026-03-29"),
        # The autumn change: 01:00 BST happens twice.
        (dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "2026-10-25"),
        (dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "2026-10-25"),
    ],
)
def test_the_clock_change_nights_are_one_day_and_before_the_daily_start(utc, expected):
    assert daily_period(utc, LONDON, SEVEN) is None
    later = utc.replace(hour=7)
    assert daily_period(later, LONDON, SEVEN) == expected


def test_before_the_first_working_day_nothing_is_due_this_month():
    assert _due(dt.datetime(2026, 8, 3, 5, 59, tzinfo=UTC)) == []  # 06:59 BST, Monday 3 Aug
    assert _due(dt.datetime(2026, 8, 3, 6, 0, tzinfo=UTC)) == ["2026-08"]
    assert _due(dt.datetime(2026, 8, 1, 12, 0, tzinfo=UTC)) == []  # Saturday 1 August


def test_catch_up_covers_this_month_only_unless_configured():
    """Down from 31 July to 20 August: August is opened late; July was opened on time."""
    back = dt.datetime(2026, 8, 20, 10, 0, tzinfo=UTC)
    assert _due(back) == ["2026-08"]
    assert _due(back, previous_month_late=True) == ["2026-07", "2026-08"]
    # Back on the 1st before the month's opening: only last month, and only if configured.
    early = dt.datetime(2026, 9, 1, 5, 0, tzinfo=UTC)
    assert _due(early) == []
    assert _due(early, previous_month_late=True) == ["2026-08"]


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        _due(dt.datetime(2026, 3, 2, 7, 0))


@given(st.datetimes(min_value=dt.datetime(2025, 6, 1), max_value=dt.datetime(2027, 6, 1),
                    timezones=st.just(UTC)))
def test_due_exactly_when_past_the_opening_instant(now):
    local = now.astimezone(LONDON)
    opens = rounds_open_at(local.year, local.month, CAL, LONDON, SEVEN)
    assert (_due(now) == [f"{local.year}-{local.month:02d}"]) == (now >= opens)


def test_reminder_dates_count_working_days_back_from_the_due_date():
    assert reminder_date(dt.date(2026, 4, 8), CAL, 3) == dt.date(2026, 4, 1)  # over Easter
    assert reminder_date(dt.date(2026, 3, 20), CAL, 3) == dt.date(2026, 3, 17)


def test_settings_from_the_environment(tmp_path):
    holidays = tmp_path / "holidays.txt"
    holidays.write_text("2026-03-02\n-2026-12-28\n")
    settings = SchedulerSettings.from_config({}, {
        "AUDIT_TIMEZONE": "Europe/London", "AUDIT_REMINDER_WORKING_DAYS": "5",
        "AUDIT_BANK_HOLIDAYS_FILE": str(holidays), "AUDIT_OPEN_LATE_PREVIOUS_MONTH": "1"})
    assert settings.reminder_working_days == 5
    assert settings.open_previous_month_late
    cal = settings.calendar(dt.date(2026, 3, 1))
    assert cal.first_working_day(2026, 3) == dt.date(2026, 3, 3)
    assert cal.is_working_day(dt.date(2026, 12, 28))
    assert SchedulerSettings.from_config({}, {}).reminder_working_days == 3


@pytest.mark.parametrize(
    ("env", "message"),
    [({"AUDIT_TIMEZONE": "Mars/Olympus"}, "AUDIT_TIMEZONE 'Mars/Olympus' is not a known"),
     ({"AUDIT_REMINDER_WORKING_DAYS": "three"}, "must be a whole number of days, not 'three'"),
     ({"AUDIT_BANK_HOLIDAYS_FILE": "/nonexistent/h.txt"}, "cannot be read")],
)
def test_bad_settings_say_which_and_why(env, message):
    with pytest.raises(SchedulerConfigError, match=message):
        SchedulerSettings.from_config({}, env)

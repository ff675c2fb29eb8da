"""When each job is due: pure functions of a timezone-aware instant, so clock changes,
downtime and catch-up are tested without waiting and without a database.

A job is due for a *period*; the claim on (job, period) makes it run once. Because
"due" means "at or after the start time, in this period", the same function serves
the regular tick and the catch-up on start-up.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from audit_service.domain.calendar import WorkingCalendar
from audit_service.domain.months import Month

OPEN_ROUNDS = "open_rounds"
REMINDERS = "reminders"
ESCALATIONS = "escalations"
MODERATION_SAMPLE = "moderation_sample"


def local_now(now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError("scheduling needs a timezone-aware datetime, got a naive one")
    return now.astimezone(tz)


def rounds_open_at(year: int, month: int, calendar: WorkingCalendar, tz: ZoneInfo,
                   open_at: dt.time) -> dt.datetime:
    """The instant a month's rounds open: its first working day at ``open_at`` local time."""
    return dt.datetime.combine(calendar.first_working_day(year, month), open_at, tzinfo=tz)


def open_rounds_periods(now: dt.datetime, calendar: WorkingCalendar, tz: ZoneInfo,
                        open_at: dt.time, *, previous_month_late: bool = False) -> list[str]:
    """The months whose rounds should be open by ``now``.

    This month once its opening time has passed. The previous month only when
    ``previous_month_late`` is set: by default a month missed entirely is left closed.
    """
    local = local_now(now, tz)
    periods = []
    if previous_month_late:
        periods.append(str(Month.of(local).previous()))
    if local >= rounds_open_at(local.year, local.month, calendar, tz, open_at):
        periods.append(str(Month.of(local)))
    return periods


def daily_period(now: dt.datetime, tz: ZoneInfo, start: dt.time) -> str | None:
    """Today's local date once ``start`` has passed: the key of a once-a-day job."""
    local = local_now(now, tz)
    return local.date().isoformat() if local.timetz().replace(tzinfo=None) >= start else None


def reminder_date(due_on: dt.date, calendar: WorkingCalendar, working_days: int) -> dt.date:
    """The working day ``working_days`` before the due date."""
    return calendar.add_working_days(due_on, -working_days)

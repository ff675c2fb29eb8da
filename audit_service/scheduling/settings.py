"""The scheduler's configuration, read once from the app config and ``AUDIT_*`` variables."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from audit_service.domain.calendar import (
    HolidayAdjustments,
    WorkingCalendar,
    england_and_wales_calendar,
    parse_adjustments,
)

DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_REMINDER_WORKING_DAYS = 3
OPEN_AT = dt.time(7, 0)


class SchedulerConfigError(ValueError):
    """A scheduler setting is wrong; the message names the variable and the value."""


@dataclass(frozen=True)
class SchedulerSettings:
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    reminder_working_days: int = DEFAULT_REMINDER_WORKING_DAYS
    open_at: dt.time = OPEN_AT
    # Off by default: a month whose first working day passed entirely while the
    # scheduler was down is not opened late, because its audits would be due at once.
    open_previous_month_late: bool = False
    holidays: HolidayAdjustments = field(default_factory=HolidayAdjustments)

    @classmethod
    def from_config(cls, config: Mapping[str, Any],
                    environ: Mapping[str, str] | None = None) -> SchedulerSettings:
        env = os.environ if environ is None else environ
        tz_name = config.get("TIMEZONE") or env.get("AUDIT_TIMEZONE") or DEFAULT_TIMEZONE
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise SchedulerConfigError(
                f"AUDIT_TIMEZONE {tz_name!r} is not a known time zone (e.g. Europe/London)"
            ) from None
        raw_days = str(config.get("REMINDER_WORKING_DAYS")
                       or env.get("AUDIT_REMINDER_WORKING_DAYS")
                       or DEFAULT_REMINDER_WORKING_DAYS)
        if not raw_days.strip().isdigit():
            raise SchedulerConfigError(
                f"AUDIT_REMINDER_WORKING_DAYS must be a whole number of days, not {raw_days!r}"
            )
        late = str(config.get("OPEN_LATE_PREVIOUS_MONTH")
                   or env.get("AUDIT_OPEN_LATE_PREVIOUS_MONTH") or "")
        holidays = HolidayAdjustments()
        path = config.get("BANK_HOLIDAYS_FILE") or env.get("AUDIT_BANK_HOLIDAYS_FILE")
        if path:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise SchedulerConfigError(
                    f"AUDIT_BANK_HOLIDAYS_FILE {path!r} cannot be read: {exc.strerror}"
                ) from None
            holidays = holidays.merged(parse_adjustments(text, source=str(path)))
        return cls(
            timezone=tz,
            reminder_working_days=int(raw_days),
            open_previous_month_late=late.lower() in ("1", "true", "yes"),
            holidays=holidays,
        )

    def calendar(self, around: dt.date) -> WorkingCalendar:
        """Bank holidays for the years a job run at ``around`` can look at."""
        return england_and_wales_calendar(range(around.year - 1, around.year + 3), self.holidays)

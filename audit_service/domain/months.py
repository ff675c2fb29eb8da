"""A calendar month, the unit of the quality assurance cycle.

Rounds, moderation samples and practice themes are kept per month and carried in
URLs, the API and the database as ``YYYY-MM`` (``2026-05``). ``Month`` is the one
place that text is read and the one place months are counted, so "the month
before", "twelve months back" and "the first instant of the next month" agree
everywhere. Years run from 1900 to 2100: outside that a typed month is a typo, and
the database's dates and the pages' labels stay meaningful.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MIN_YEAR = 1900
MAX_YEAR = 2100
_TEXT = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
#: The same rule as ``Month.parse``, for schema validators and HTML ``pattern`` attributes.
MONTH_PATTERN = r"^(19\d\d|20\d\d|2100)-(0[1-9]|1[0-2])$"


class MonthError(ValueError):
    """Text that is not a month; the message gives an example of one."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not (MIN_YEAR <= self.year <= MAX_YEAR and 1 <= self.month <= 12):
            raise MonthError(f"{self.year:04d}-{self.month:02d} is not a month from "
                             f"{MIN_YEAR} to {MAX_YEAR}")

    @classmethod
    def parse(cls, text: str | None) -> Month:
        """``"2026-05"``; anything else raises ``MonthError`` saying what a month looks like."""
        match = _TEXT.match((text or "").strip())
        if not match:
            raise MonthError(f"{text!r} is not a month written YYYY-MM, such as 2026-05")
        year = int(match.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise MonthError(f"{text} is outside {MIN_YEAR} to {MAX_YEAR}")
        return cls(year, int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date | dt.datetime) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def end(self) -> dt.date:
        """The first day of the next month: months are half-open ranges of days."""
        return self.last_day + dt.timedelta(days=1)

    @property
    def label(self) -> str:
        """"May 2026", as pages and notifications say it."""
        return self.first_day.strftime("%B %Y")

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def previous(self) -> Month:
        return self.plus(-1)

    def next(self) -> Month:
        return self.plus(1)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The first instant of the month and of the next, naive, as timestamps are stored."""
        return (dt.datetime.combine(self.first_day, dt.time()),
                dt.datetime.combine(self.end, dt.time()))


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from ``first`` to ``last``, both included (empty when ``last`` is earlier)."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [first.plus(i) for i in range(max(count, 0))]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, clamped to the month's end (31 May - 3 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))

"""Reporting periods: a calendar month, quarter or year, written as a stable key.

Keys are what URLs, exports and the API carry (``2026-03``, ``2026-Q1``,
``2026``), so a Power BI report that asks for a period keeps working. Quarters
are calendar quarters (January to March is Q1).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from audit_service.domain.months import MAX_YEAR, MIN_YEAR, Month, MonthError


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.value]


_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period key that is not a month, quarter or year; the message gives examples."""


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """Days from ``start`` (included) to ``end`` (excluded)."""

    start: dt.date
    granularity: Granularity

    @property
    def end(self) -> dt.date:
        return _add_months(self.start, self.granularity.months)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def key(self) -> str:
        if self.granularity is Granularity.MONTH:
            return f"{self.start:%Y-%m}"
        if self.granularity is Granularity.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def label(self) -> str:
        if self.granularity is Granularity.MONTH:
            return self.start.strftime("%B %Y")
        if self.granularity is Granularity.QUARTER:
            return (f"{self.key[-2:]} {self.start.year} ({self.start:%B} to "
                    f"{self.last_day:%B})")
        return f"{self.start.year} (January to December)"

    @property
    def months(self) -> list[str]:
        """The sampling-round periods (``YYYY-MM``) inside this period."""
        return [f"{_add_months(self.start, i):%Y-%m}" for i in range(self.granularity.months)]

    def previous(self) -> Period:
        return Period(_add_months(self.start, -self.granularity.months), self.granularity)

    def next(self) -> Period:
        return Period(self.end, self.granularity)


def period_containing(granularity: Granularity | str, day: dt.date) -> Period:
    granularity = Granularity(granularity)
    if granularity is Granularity.MONTH:
        start = day.replace(day=1)
    elif granularity is Granularity.QUARTER:
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    else:
        start = dt.date(day.year, 1, 1)
    return Period(start, granularity)


def _named_year(text: str) -> bool:
    """Years a period may name, as a month may (1900 to 2100): 9999 is a typo, and the
    period after it cannot be written as a date."""
    return MIN_YEAR <= int(text) <= MAX_YEAR


def parse_period(key: str) -> Period:
    """``2026-03`` (month), ``2026-Q1`` (quarter) or ``2026`` (year)."""
    text = (key or "").strip()
    if "-" in text and "Q" not in text:
        try:
            return Period(Month.parse(text).first_day, Granularity.MONTH)
        except MonthError:
            pass
    if (match := _QUARTER.match(text)) and _named_year(match[1]):
        return Period(dt.date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1), Granularity.QUARTER)
    if (match := _YEAR.match(text)) and _named_year(match[1]):
        return Period(dt.date(int(match[1]), 1, 1), Granularity.YEAR)
    raise PeriodError(
        f"period {key!r} is not a month, quarter or year from {MIN_YEAR} to {MAX_YEAR}: "
        f"write 2026-03, 2026-Q1 or 2026"
    )


def trailing_months(last: dt.date, count: int) -> list[Period]:
    """``count`` months ending with the month containing ``last``, oldest first."""
    if count < 1:
        raise PeriodError("a trend needs at least one month")
    final = period_containing(Granularity.MONTH, last)
    return [Period(_add_months(final.start, -i), Granularity.MONTH)
            for i in range(count - 1, -1, -1)]

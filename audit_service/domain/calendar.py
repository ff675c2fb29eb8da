"""Working days in England and Wales: when rounds open, when reminders fall due.

Bank holidays are computed from their standing rules so the service needs no
yearly data update. One-off changes (a coronation, a state funeral, a moved
spring bank holiday) cannot be computed: the known ones are listed here, and a
council adds or removes others with a simple file (``AUDIT_BANK_HOLIDAYS_FILE``).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

SATURDAY = 5

# Published one-off changes to the England and Wales list (gov.uk/bank-holidays):
# dates added, and standing-rule dates that were moved away (so removed).
KNOWN_ADDITIONS: frozenset[dt.date] = frozenset(
    {
        dt.date(2020, 5, 8),  # VE Day 75 (early May moved from 4 May)
        dt.date(2022, 6, 2),  # Platinum Jubilee (spring bank holiday moved from 30 May)
        dt.date(2022, 6, 3),  # Platinum Jubilee bank holiday
        dt.date(2022, 9, 19),  # State funeral of Queen Elizabeth II
        dt.date(2023, 5, 8),  # Coronation of King Charles III
    }
)
KNOWN_REMOVALS: frozenset[dt.date] = frozenset({dt.date(2020, 5, 4), dt.date(2022, 5, 30)})


class BankHolidayFileError(ValueError):
    """A line of the bank holidays file is not a date; the message names the line."""


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _first_monday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    last = dt.date(year, month, _stdlib_calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=last.weekday())


def _with_substitutes(fixed: Iterable[dt.date]) -> set[dt.date]:
    """A fixed-date holiday on a weekend moves to the next weekday not already a holiday."""
    fixed = sorted(fixed)
    taken = {d for d in fixed if d.weekday() < SATURDAY}
    for day in fixed:
        if day.weekday() >= SATURDAY:
            substitute = day + dt.timedelta(days=1)
            while substitute.weekday() >= SATURDAY or substitute in taken:
                substitute += dt.timedelta(days=1)
            taken.add(substitute)
    return taken


def standing_rule_holidays(year: int) -> set[dt.date]:
    """The bank holidays the standing rules give for ``year``, without one-off changes."""
    easter = easter_sunday(year)
    days = _with_substitutes([dt.date(year, 1, 1)])
    days |= {
        easter - dt.timedelta(days=2),  # Good Friday
        easter + dt.timedelta(days=1),  # Easter Monday
        _first_monday(year, 5),  # early May bank holiday
        _last_monday(year, 5),  # spring bank holiday
        _last_monday(year, 8),  # summer bank holiday
    }
    days |= _with_substitutes([dt.date(year, 12, 25), dt.date(year, 12, 26)])
    return days


@dataclass(frozen=True)
class HolidayAdjustments:
    """Dates added to, and removed from, the computed list."""

    added: frozenset[dt.date] = KNOWN_ADDITIONS
    removed: frozenset[dt.date] = KNOWN_REMOVALS

    def merged(self, other: HolidayAdjustments) -> HolidayAdjustments:
        """``other`` wins: a date it adds is no longer removed, and the reverse."""
        return HolidayAdjustments(
            added=(self.added - other.removed) | other.added,
            removed=(self.removed - other.added) | other.removed,
        )


def parse_adjustments(text: str, source: str = "the bank holidays file") -> HolidayAdjustments:
    """Read one date a line: ``YYYY-MM-DD`` adds a bank holiday, ``-YYYY-MM-DD`` removes one.

    Blank lines and ``#`` comments are ignored. Every bad line is reported, not just the first.
    """
    added: set[dt.date] = set()
    removed: set[dt.date] = set()
    errors = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        remove = line.startswith("-")
        value = line[1:].strip() if remove else line
        try:
            day = dt.date.fromisoformat(value)
            if len(value) != 10:
                raise ValueError(value)
        except ValueError:
            errors.append(
                f"line {number} of {source}: {raw.strip()!r} is not a date written "
                f"YYYY-MM-DD (or -YYYY-MM-DD to remove one)"
            )
            continue
        (removed if remove else added).add(day)
    if errors:
        raise BankHolidayFileError("; ".join(errors))
    return HolidayAdjustments(frozenset(added), frozenset(removed))


def england_and_wales_bank_holidays(
    years: Iterable[int], adjustments: HolidayAdjustments | None = None
) -> frozenset[dt.date]:
    """England and Wales bank holidays for ``years``: the rules, then the one-off changes."""
    adjustments = HolidayAdjustments() if adjustments is None else adjustments
    wanted = set(years)
    days: set[dt.date] = set()
    for year in wanted:
        days |= standing_rule_holidays(year)
    days -= adjustments.removed
    days |= {d for d in adjustments.added if d.year in wanted}
    return frozenset(days)


@dataclass(frozen=True)
class WorkingCalendar:
    """Monday to Friday, except bank holidays."""

    bank_holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < SATURDAY and day not in self.bank_holidays

    def first_working_day(self, year: int, month: int) -> dt.date:
        day = dt.date(year, month, 1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (before it when ``n`` is negative).

        ``n == 0`` returns ``day`` unchanged, working day or not.
        """
        step = dt.timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def england_and_wales_calendar(
    years: Iterable[int], adjustments: HolidayAdjustments | None = None
) -> WorkingCalendar:
    return WorkingCalendar(england_and_wales_bank_holidays(years, adjustments))

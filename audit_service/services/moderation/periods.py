"""The months a moderation sample or a report covers, read once for every caller.

Samples are drawn per month; the agreement statistics and the themes over time
cover a span of months, twelve to this one unless the reader asks for others.
"""

from __future__ import annotations

import datetime as dt

from audit_service.domain.audits import FieldError
from audit_service.domain.months import Month, MonthError, months_between
from audit_service.services.moderation.rules import InvalidModeration

#: How many months a report covers when the reader names none (this month included).
DEFAULT_SPAN = 12
#: The most a report covers, on the pages and in the API alike: a column per month, so ten
#: years is a report and 1900 to 2100 would be 2,412 columns per theme built for one request.
MAX_SPAN = 120


def period_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the month and of the next (naive UTC, as stored)."""
    try:
        return Month.parse(period).bounds()
    except MonthError:
        raise InvalidModeration([FieldError(
            "period", f"Enter the month as a year and month, like 2026-03, not “{period}”")]
        ) from None


def span_bounds(period_from: str, period_to: str) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``period_from`` and the end of ``period_to``, which must not
    come before it, nor more than ``MAX_SPAN`` months before it."""
    start, _ = period_bounds(period_from)
    _, end = period_bounds(period_to)
    if start >= end:
        raise InvalidModeration([FieldError(
            "period_from", "The first month must be the same as or before the last month")])
    if len(months_between(Month.parse(period_from), Month.parse(period_to))) > MAX_SPAN:
        raise InvalidModeration([FieldError(
            "period_to", f"Choose at most {MAX_SPAN} months (ten years)")])
    return start, end


def requested_span(period_from: str | None, period_to: str | None,
                   today: dt.date) -> tuple[str, str]:
    """The months a report page shows: those asked for, else the twelve up to this one."""
    this_month = Month.of(today)
    return ((period_from or str(this_month.plus(1 - DEFAULT_SPAN))).strip(),
            (period_to or str(this_month)).strip())


def last_month(today: dt.date) -> str:
    """The month whose sample is drawn next: the scheduler draws it early in this one."""
    return str(Month.of(today).previous())

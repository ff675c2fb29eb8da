"""The council's local time (``AUDIT_TIMEZONE``, default Europe/London) for the current app.

Dates people see and periods ("this month") are local; timestamps are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app

from audit_service.config import DEFAULT_TIMEZONE


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or DEFAULT_TIMEZONE)


def local_today() -> dt.date:
    return dt.datetime.now(local_zone()).date()


def local_time(moment: dt.datetime) -> dt.datetime:
    """A stored timestamp (naive UTC) as the council's clock shows it."""
    return moment.replace(tzinfo=dt.UTC).astimezone(local_zone())

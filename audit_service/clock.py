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

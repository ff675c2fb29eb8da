"""Slow down password guessing: too many failed sign-ins for one username are refused.

The audit trail already records every failed sign-in, so the count comes from
there rather than from a second store that could disagree with it.
"""

from __future__ import annotations

import datetime as dt

from audit_service.storage.models import Event, utcnow

LOGIN_FAILED = "login.failed"


def recent_failures(username: str, window: dt.timedelta) -> int:
    since = utcnow() - window
    return (
        Event.select()
        .where(
            (Event.action == LOGIN_FAILED)
            & (Event.object_type == "login")
            & (Event.object_id == username)
            & (Event.occurred_at >= since)
        )
        .count()
    )


def is_throttled(username: str, *, limit: int, window: dt.timedelta) -> bool:
    return recent_failures(username, window) >= limit

"""Readiness for load balancers: can the process reach its database, and is it migrated?"""

from __future__ import annotations

from dataclasses import dataclass

from audit_service.storage.database import database
from audit_service.storage.migrations import pending


@dataclass(frozen=True)
class Readiness:
    """``database_error`` names the exception type only: readiness reveals no data."""

    database_error: str | None = None
    pending_migrations: tuple[str, ...] = ()


def readiness() -> Readiness:
    try:
        database.execute_sql("SELECT 1")
        waiting = pending(database.obj)
    except Exception as exc:  # any database failure means not ready
        return Readiness(database_error=type(exc).__name__)
    return Readiness(pending_migrations=tuple(waiting))

"""Who may read which summaries, with what suppression, and the record of every look.

- HR, senior leaders, quality leads and administrators read summaries for the
  whole council; a supervisor reads their own team's only.
- Figures shown to HR are suppressed (``c``) below the threshold; the others are
  staff who can already open the audits behind them, so they see exact counts.
- The list of high-risk cases never audited names cases, so HR never gets it.
- Every view, download and API read is written to the audit trail
  (``summary.viewed`` / ``summary.exported``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from audit_service.domain.accounts.case_reading import reads_every_audit
from audit_service.domain.summaries.suppression import DEFAULT_THRESHOLD
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts.views import Account
from audit_service.services.errors import NotAllowed
from audit_service.services.platform import audit_trail
from audit_service.services.summaries.figures import Scope
from audit_service.storage.models import Staff

SUMMARY_ROLES = (Role.HR, Role.SENIOR_LEADER, Role.QUALITY_LEAD, Role.ADMIN, Role.SUPERVISOR)
COVERAGE_ROLES = (Role.HR, Role.SENIOR_LEADER, Role.QUALITY_LEAD, Role.ADMIN)
#: Who may see the list of high-risk cases never audited: it names children's cases, so not
#: HR, and administrators and senior leaders only with the case reader grant.
CASE_LIST_ROLES = frozenset({Role.QUALITY_LEAD})
SUPPRESSED_ROLES = frozenset({Role.HR})


class NoTeam(NotAllowed):
    """A supervisor with no team has no summary to read."""


def configured_threshold(config: Mapping[str, Any], environ: Mapping[str, str] | None = None
                         ) -> int:
    """``AUDIT_SUPPRESSION_THRESHOLD`` (default 5); a wrong value is refused with its name."""
    env = os.environ if environ is None else environ
    raw = config.get("SUPPRESSION_THRESHOLD") or env.get("AUDIT_SUPPRESSION_THRESHOLD")
    if raw in (None, ""):
        return DEFAULT_THRESHOLD
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"AUDIT_SUPPRESSION_THRESHOLD must be a whole number, not {raw!r}"
                         ) from None
    if value < 1:
        raise ValueError(f"AUDIT_SUPPRESSION_THRESHOLD must be 1 or more, not {value}")
    return value


def threshold_for(user: Account, configured: int) -> int | None:
    return configured if Role(user.role) in SUPPRESSED_ROLES else None


def may_list_cases(user: Account) -> bool:
    return reads_every_audit(user.role, user.case_reader)


def scope_for(user: Account, requested: Scope) -> Scope:
    """The scope the user may read: a supervisor is held to their own team."""
    if Role(user.role) is not Role.SUPERVISOR:
        return requested
    team_id = Staff.get_by_id(user.staff_id).team_id if user.staff_id else None
    if team_id is None:
        raise NoTeam("You have no team, so there is no summary for you to read.")
    return Scope(team_id=team_id)


def held_scope(user: Account) -> Scope | None:
    """The scope the user is held to whatever they ask for (a supervisor's team), or None."""
    held = scope_for(user, Scope())
    return held if held != Scope() else None


def record(user: Account, action: str, what: str, filters: Mapping[str, Any], *, via: str,
           remote_addr: str | None = None) -> None:
    audit_trail.record(action, actor=user, object_type="summary", object_id=what,
                       after={"filters": dict(filters), "via": via, "role": user.role},
                       remote_addr=remote_addr)

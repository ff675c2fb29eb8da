"""Re-audits: the cases whose last grade brings them back, what a re-audit shows, and the
alert when a case closes before its re-audit.

A re-audit exists to check that practice changed, so it shows the audit it follows up,
that audit's actions and the change in grade. A case that closes while it waits would
otherwise drop out of sampling silently; the quality leads are told instead.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from peewee import JOIN

from audit_service.domain.sampling import reaudit_state
from audit_service.domain.sampling.population import DUE, WAITING
from audit_service.domain.vocabulary import AuditStatus, Role
from audit_service.services.audits.access import can_read
from audit_service.services.audits.rows import action_view, case_view
from audit_service.services.audits.views import (
    AwaitingReaudit,
    PreviousAuditView,
    ReauditView,
)
from audit_service.services.platform import audit_trail, outbox
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling.population import load_population
from audit_service.storage.models import Audit, AuditAction, Case, Team, User

REAUDITS_LINK = "/reaudits"


def reaudit_view(user: User, audit: Audit) -> ReauditView | None:
    """What ``audit`` shows as a re-audit, to ``user``; None when it re-audits nothing."""
    if audit.reaudit_of_id is None:
        return None
    previous = Audit.get_or_none(Audit.id == audit.reaudit_of_id)
    if previous is None:
        return None
    actions = (AuditAction.select(AuditAction, User)
               .join(User, on=(AuditAction.owner == User.id))
               .where(AuditAction.audit == previous.id)
               .order_by(AuditAction.due_on, AuditAction.id))
    grade = audit.effective_grade if audit.status == AuditStatus.SUBMITTED else None
    return ReauditView(PreviousAuditView(
        previous.public_id, previous.submitted_at, previous.effective_grade,
        tuple(action_view(a, previous.public_id, a.owner) for a in actions),
        can_read(user, previous)), grade)


def awaiting(today: dt.date, case_ids: Sequence[int] | None = None) -> list[AwaitingReaudit]:
    """Every case (of ``case_ids``, when given) a re-audit is pending for, open or closed
    since, under its team's policy: the quality lead's list, and what the closed-case alert
    counts."""
    policies = sampling_policies.newest_by_scope()
    builtin = sampling_policies.BUILTIN_DEFAULT
    rows = []
    for case in load_population(closed_since=dt.date.min, case_ids=case_ids):
        if case.last_grade is None:
            continue
        policy = sampling_policies.resolve(case.team_id, case.service_id, policies)
        settings = sampling_policies.settings_of(policy) if policy else builtin
        state = reaudit_state(case, settings, today)
        if state in (DUE, WAITING):
            rows.append((case, state == DUE))
    if not rows:
        return []
    cases = {c.id: c for c in Case.select(Case, Team).join(Team, JOIN.LEFT_OUTER)
             .where(Case.id.in_([int(c.key) for c, _ in rows]))}
    found = []
    for case, due in rows:
        stored = cases[int(case.key)]
        team = stored.team.name if stored.team_id else None
        found.append(AwaitingReaudit(case_view(stored, team), team or "No team",
                                     case.last_grade, case.last_graded_on, due,
                                     not case.is_open))
    return sorted(found, key=lambda r: (not r.closed, r.team.casefold(),
                                        r.graded_on or dt.date.min))


def alert_closed_awaiting(case_ids: Sequence[int], *, today: dt.date,
                          batch_public_id: str | None = None) -> int:
    """Tell the quality leads that cases awaiting a re-audit have closed (inside the import's
    transaction). Returns how many. The message names no child: it links to the list."""
    if not case_ids:
        return 0
    waiting = [row for row in awaiting(today, list(case_ids)) if row.closed]
    if not waiting:
        return 0
    by_team: dict[str, int] = defaultdict(int)
    for row in waiting:
        by_team[row.team] += 1
        audit_trail.record("case.closed_awaiting_reaudit", actor_label="system",
                           object_type="case", object_id=row.case.public_id,
                           after={"last_grade": row.last_grade,
                                  "graded_on": row.graded_on.isoformat() if row.graded_on
                                  else None, "import": batch_public_id})
    teams = ", ".join(f"{team} ({count})" for team, count in sorted(by_team.items()))
    count = len(waiting)
    text = (f"{count} case{'s' if count != 1 else ''} waiting for a re-audit "
            f"{'have' if count != 1 else 'has'} closed: {teams}. Decide whether to audit the "
            f"closure instead: {REAUDITS_LINK}")
    key = f"reaudit-closed:{batch_public_id or today.isoformat()}"
    for lead in User.select().where((User.role == Role.QUALITY_LEAD.value)
                                    & (User.is_active == True)):  # noqa: E712
        outbox.enqueue(f"{key}:{lead.id}", lead, "Cases waiting for a re-audit have closed",
                       text, None, REAUDITS_LINK)
    return count

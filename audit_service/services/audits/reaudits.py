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
from dataclasses import dataclass

from peewee import JOIN

from audit_service.domain.rubrics import DEFAULT_SCALE
from audit_service.domain.sampling import reaudit_state
from audit_service.domain.sampling.population import DUE, WAITING
from audit_service.domain.vocabulary import AuditStatus, Role
from audit_service.services.platform import audit_trail, outbox
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling.population import load_population
from audit_service.storage.models import Audit, AuditAction, Case, Team, User

REAUDITS_LINK = "/reaudits"
CHANGES = {1: "improved", 0: "unchanged", -1: "worse"}


@dataclass(frozen=True)
class PreviousAudit:
    audit: Audit
    actions: list[AuditAction]


@dataclass(frozen=True)
class ReauditView:
    """What a re-audit shows beside its own grade: the audit it follows up and the change."""

    previous: PreviousAudit
    grade: str | None

    @property
    def change(self) -> str | None:
        """"improved", "unchanged" or "worse" once both grades are known."""
        before, now = self.previous.audit.effective_grade, self.grade
        if not before or not now:
            return None
        step = DEFAULT_SCALE.level(now).score - DEFAULT_SCALE.level(before).score
        return CHANGES[(step > 0) - (step < 0)]


def reaudit_view(audit: Audit) -> ReauditView | None:
    """The re-audit view of ``audit``, or None when it re-audits nothing."""
    if audit.reaudit_of_id is None:
        return None
    previous = Audit.get_or_none(Audit.id == audit.reaudit_of_id)
    if previous is None:
        return None
    actions = list(AuditAction.select().where(AuditAction.audit == previous.id)
                   .order_by(AuditAction.due_on, AuditAction.id))
    grade = audit.effective_grade if audit.status == AuditStatus.SUBMITTED else None
    return ReauditView(PreviousAudit(previous, actions), grade)


@dataclass(frozen=True)
class AwaitingRow:
    """A case whose last grade brings it back for a re-audit."""

    case: Case
    team: str
    last_grade: str | None
    graded_on: dt.date | None
    due: bool
    closed: bool


def awaiting(today: dt.date, case_ids: Sequence[int] | None = None) -> list[AwaitingRow]:
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
        found.append(AwaitingRow(stored, stored.team.name if stored.team_id else "No team",
                                 case.last_grade, case.last_graded_on, due, not case.is_open))
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

"""Database rows turned into the read model's views: the one place a row's columns are read
for showing, so a person, a case or an action reads the same on every page and endpoint."""

from __future__ import annotations

from audit_service.services.audits.views import ActionView, AuditSummary, CaseView, PersonView
from audit_service.services.cases.facts import case_facts
from audit_service.storage.models import Audit, AuditAction, Case, User


def person(user: User) -> PersonView:
    return PersonView(user.id, user.username, user.display_name)


def case_view(case: Case, team: str | None, *, with_facts: bool = False) -> CaseView:
    """The case; ``team`` is its team's name, read by the caller's query."""
    return CaseView(case.public_id, case.child_id, case.case_type, case.status, case.closed_on,
                    case.closure_reason, team, case_facts(case) if with_facts else None)


def action_view(action: AuditAction, audit_public_id: str, owner: User, *,
                may_update: bool = False) -> ActionView:
    return ActionView(action.public_id, audit_public_id, action.description, person(owner),
                      action.due_on, action.status, action.version, action.created_at,
                      action.completed_at, may_update)


def summary(audit: Audit, case: CaseView, auditor: User, *, moderated: bool,
            blind: bool = False) -> AuditSummary:
    """An audit in a list; ``blind`` hides its grades from a moderator who has not yet
    submitted their own audit of it."""
    return AuditSummary(
        audit.public_id, audit.status, audit.kind, audit.version, case, person(auditor),
        None if blind else audit.effective_grade, None if blind else audit.overall_grade,
        bool(moderated), audit.submitted_at, audit.acknowledged_at, bool(audit.response))

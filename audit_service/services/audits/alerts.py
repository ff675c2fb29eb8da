"""Urgent messages an audit raises: a child who may not be safe now, and an Inadequate grade.

Both go to the people who must act (line managers; the quality leads when there is
nobody) inside the transaction that records the audit, so a message is sent exactly
when the audit it speaks of is stored.
"""

from __future__ import annotations

from collections.abc import Sequence

from audit_service.domain.audits import Alert
from audit_service.domain.vocabulary import Role
from audit_service.services.audits.notices import audit_link, user_for_staff
from audit_service.services.platform import audit_trail, outbox
from audit_service.storage.models import Audit, Event, Staff, User

INADEQUATE = "inadequate"


def alert_recipients(audit: Audit) -> list[User]:
    """Who must act at once on an alert about this audit's child: the auditor's line manager
    (the service manager, for a team manager's audit) and the line managers of the case
    team's managers; when the service has no such person with a login, the quality leads."""
    staff_ids = []
    auditor = User.get_by_id(audit.auditor_id)
    if auditor.staff_id is not None:
        staff_ids.append(Staff.get_by_id(auditor.staff_id).line_manager_id)
    if audit.team_id is not None:
        staff_ids += [s.line_manager_id for s in Staff.select(Staff.line_manager).where(
            (Staff.team == audit.team_id) & (Staff.staff_role == "team_manager")
            & Staff.left_on.is_null())]
    wanted = [i for i in dict.fromkeys(staff_ids) if i is not None]
    people = list(User.select().where(User.staff.in_(wanted) & (User.is_active == True)  # noqa: E712
                                      & (User.id != auditor.id))) if wanted else []
    if not people:
        people = list(User.select().where((User.role == Role.QUALITY_LEAD.value)
                                          & (User.is_active == True)  # noqa: E712
                                          & (User.id != auditor.id)))
    return sorted(people, key=lambda u: u.id)


def raise_alerts(user: User, audit: Audit, fired: Sequence[Alert], *,
                 remote_addr: str | None = None) -> None:
    """Alert the service manager once per rule and audit (the outbox key makes it once).

    Inside the caller's transaction. The message carries a link only: no child id, no
    evidence, nothing that could identify the child outside the service.
    """
    if not fired:
        return
    link = audit_link(audit)
    raised = {event.after.get("rule") for event in Event.select(Event.after).where(
        (Event.action == "audit.alert_raised") & (Event.object_id == audit.public_id))}
    fired = [a for a in fired if f"{a.rubric_id}/{a.rule_id}" not in raised]
    recipients = alert_recipients(audit) if fired else []
    for alert in fired:
        for recipient in recipients:
            outbox.enqueue(
                f"audit-alert:{audit.public_id}:{alert.rule_id}:{recipient.id}", recipient,
                "Urgent: a case audit found a child or young person may not be safe",
                f"{user.display_name} recorded in a case audit: {alert.explanation}. "
                f"Act on it today under your safeguarding procedures. Read the audit: {link}",
                None, link)
        audit_trail.record(
            "audit.alert_raised", actor=user, object_type="audit", object_id=audit.public_id,
            after={"rule": f"{alert.rubric_id}/{alert.rule_id}",
                   "notified": [r.username for r in recipients]},
            remote_addr=remote_addr)


def escalate_inadequate(user: User, audit: Audit, *, agreed: bool = False) -> None:
    """Mark the case for re-audit and tell the auditor's line manager: at submission, or when
    a moderation agrees an Inadequate grade (``agreed``; ``user`` then adjudicated)."""
    auditor = user if user.id == audit.auditor_id else User.get_by_id(audit.auditor_id)
    manager = None
    if auditor.staff_id is not None:
        line_manager_id = Staff.get_by_id(auditor.staff_id).line_manager_id
        manager = user_for_staff(line_manager_id)
    audit_trail.record("audit.escalated", actor=user, object_type="audit",
                       object_id=audit.public_id,
                       after={"grade": INADEQUATE, "reaudit": True, "agreed": agreed,
                              "notified": manager.username if manager else None})
    if manager is not None:
        link = audit_link(audit)
        who = ("A moderation agreed that a case audit by "
               f"{auditor.display_name} is Inadequate" if agreed
               else f"{auditor.display_name} graded a case audit Inadequate")
        text = f"{who}. The case will be re-audited in a later round. Read the audit: {link}"
        outbox.enqueue(f"audit-inadequate:{audit.public_id}", manager,
                       "A case audit was graded Inadequate", text, None, link)

"""What the audit journey tells people, and the link each message carries.

Messages carry a link to the audit, never the child's id or any evidence: nothing
that could identify the child leaves the service in a notification.
"""

from __future__ import annotations

from audit_service.domain.vocabulary import Role
from audit_service.services.platform import audit_trail, outbox
from audit_service.storage.models import Audit, Moderation, User

AUDIT_LINK = "/audits/{public_id}"
MODERATION_LINK = "/moderation/{public_id}"


def audit_link(audit: Audit) -> str:
    return AUDIT_LINK.format(public_id=audit.public_id)


def user_for_staff(staff_id: int | None) -> User | None:
    """The active login of a member of staff, if they have one."""
    if staff_id is None:
        return None
    return User.get_or_none((User.staff == staff_id) & (User.is_active == True))  # noqa: E712


def audit_submitted(auditor: User, audit: Audit) -> None:
    """Ask the practitioner to read the audit of their case, respond and acknowledge it."""
    practitioner = user_for_staff(audit.practitioner_id)
    if practitioner is None or practitioner.id == auditor.id:
        return
    link = audit_link(audit)
    text = (
        f"{auditor.display_name} has submitted an audit of one of your cases. "
        f"Read it, add your response and acknowledge it: {link}"
    )
    outbox.enqueue(f"audit-submitted:{audit.public_id}", practitioner,
                   "An audit of your case is ready to read", text, None, link)


def audit_acknowledged(practitioner: User, audit: Audit) -> None:
    """Tell the auditor that the practitioner has read the audit."""
    auditor = User.get_by_id(audit.auditor_id)
    link = audit_link(audit)
    outbox.enqueue(f"audit-acknowledged:{audit.public_id}", auditor,
                   "A practitioner acknowledged your audit",
                   f"{practitioner.display_name} has read and acknowledged your audit: {link}",
                   None, link)


def moderation_submitted(user: User, audit: Audit) -> None:
    """A moderator's second audit is in (inside the submit transaction): record it against
    the moderation and tell the quality leads it is ready to adjudicate. Here rather than in
    the moderation capability, which reads audits: the audit journey must not import it."""
    moderation = Moderation.get_or_none(Moderation.moderation_audit == audit.id)
    if moderation is None:
        return
    audit_trail.record("moderation.submitted", actor=user, object_type="moderation",
                       object_id=moderation.public_id,
                       after={"moderation_audit": audit.public_id,
                              "overall_grade": audit.overall_grade})
    link = MODERATION_LINK.format(public_id=moderation.public_id)
    for lead in User.select().where((User.role == Role.QUALITY_LEAD.value)
                                    & (User.is_active == True)):  # noqa: E712
        if lead.id == user.id:
            continue
        outbox.enqueue(f"moderation-ready:{moderation.public_id}:{lead.id}", lead,
                       "A moderation is ready to adjudicate",
                       f"{user.display_name} has submitted a moderation. Compare the two "
                       f"audits and record the agreed grade: {link}", None, link)

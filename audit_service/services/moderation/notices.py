"""What a moderation tells people as it moves on, apart from the workflow itself.

Kept apart so that an audit's submission (``audits.lifecycle``) can announce a submitted
moderation without importing the moderation workflow, which itself reads audits.
"""

from __future__ import annotations

from audit_service.domain.vocabulary import Role
from audit_service.services.platform import audit_trail, outbox
from audit_service.storage.models import Audit, Moderation, User

MODERATION_LINK = "/moderation/{public_id}"


def moderation_link(moderation: Moderation) -> str:
    return MODERATION_LINK.format(public_id=moderation.public_id)


def moderation_submitted(user: User, audit: Audit) -> None:
    """Inside the submit transaction: record it and tell the quality leads."""
    moderation = Moderation.get_or_none(Moderation.moderation_audit == audit.id)
    if moderation is None:
        return
    audit_trail.record("moderation.submitted", actor=user, object_type="moderation",
                       object_id=moderation.public_id,
                       after={"moderation_audit": audit.public_id,
                              "overall_grade": audit.overall_grade})
    link = moderation_link(moderation)
    for lead in User.select().where((User.role == Role.QUALITY_LEAD.value)
                                    & (User.is_active == True)):  # noqa: E712
        if lead.id == user.id:
            continue
        outbox.enqueue(f"moderation-ready:{moderation.public_id}:{lead.id}", lead,
                       "A moderation is ready to adjudicate",
                       f"{user.display_name} has submitted a moderation. Compare the two "
                       f"audits and record the agreed grade: {link}", None, link)

"""What moderation and learning agree on: who manages them, and how they refuse.

The pages and the API gate their routes on ``MANAGERS`` and ``READERS`` and ask
``manages`` what to offer, so who may do what is written once, here.
"""

from __future__ import annotations

from audit_service.domain.audits import FieldError
from audit_service.domain.vocabulary import Role
from audit_service.services.errors import Conflict, Invalid
from audit_service.storage.models import User

#: Pick, assign, adjudicate, set the share; keep the theme list, tag audits, share exemplars.
#: Quality leads' work: administrators run the service, not its audits (issue 16).
MANAGERS = (Role.QUALITY_LEAD,)
#: Everyone who works with audits, or leads those who do, learns from them (the learning page
#: and its API).
READERS = (Role.QUALITY_LEAD, Role.SUPERVISOR, Role.PRACTITIONER, Role.SENIOR_LEADER)


def manages(user: User) -> bool:
    """True for the people who run moderation and the learning lists, not only read them."""
    return user.role in MANAGERS


class InvalidModeration(Invalid):
    """Input that cannot be saved; ``errors`` name each field, and the message joins them
    unless a refusal has one sentence for the whole request."""

    def __init__(self, errors: list[FieldError], message: str | None = None):
        super().__init__(message or "; ".join(e.message for e in errors), errors)


class ModerationConflict(Conflict):
    """The moderation moved on since the page was read (already assigned, adjudicated...)."""

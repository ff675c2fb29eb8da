"""The practitioner's part once an audit is submitted: a response, then an acknowledgement.

The response may change until the audit is acknowledged; both go through the same
optimistic lock as drafts, so two windows cannot overwrite each other.
"""

from __future__ import annotations

from audit_service.domain.audits import FieldError
from audit_service.domain.vocabulary import AuditStatus
from audit_service.services.audits import notices
from audit_service.services.audits.access import is_practitioner, readable_audit
from audit_service.services.audits.locking import ACKNOWLEDGED_ALREADY, bump_submitted
from audit_service.services.audits.refusals import InvalidAnswers, ReadOnly
from audit_service.services.errors import NotAllowed
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import Audit, User, utcnow

MAX_RESPONSE = 20_000


def _check_practitioner(user: User, audit: Audit) -> None:
    if not is_practitioner(user, audit):
        raise NotAllowed("Only the practitioner whose case was audited can do this.")
    if audit.status != AuditStatus.SUBMITTED:
        raise ReadOnly("This audit has not been submitted yet.")
    if audit.acknowledged_at is not None:
        raise ReadOnly(ACKNOWLEDGED_ALREADY)


def _problems(text: str) -> list[FieldError]:
    if not text:
        return [FieldError("response", "Enter your response")]
    if len(text) > MAX_RESPONSE:
        return [FieldError("response",
                           f"Your response must be {MAX_RESPONSE:,} characters or fewer")]
    return []


def respond(user: User, audit: Audit | str, text: str, version: int, *,
            remote_addr: str | None = None) -> int:
    """Save the practitioner's response to the audit (or to the audit at this public id).
    Returns the new version."""
    audit = readable_audit(user, audit) if isinstance(audit, str) else audit
    _check_practitioner(user, audit)
    text = (text or "").replace("\r\n", "\n").strip()
    problems = _problems(text)
    if problems:
        raise InvalidAnswers(problems, audit.version, "the response cannot be saved")
    before = audit.response
    with database.atomic():
        new_version = bump_submitted(audit, version, response=text, responded_at=utcnow())
        audit_trail.record("audit.responded", actor=user, object_type="audit",
                           object_id=audit.public_id,
                           before={"version": version, "response": before},
                           after={"version": new_version, "response": text},
                           remote_addr=remote_addr)
    return new_version


def acknowledge(user: User, audit: Audit | str, version: int, *,
                remote_addr: str | None = None) -> int:
    """The practitioner confirms they have read the audit; the response is then final."""
    audit = readable_audit(user, audit) if isinstance(audit, str) else audit
    _check_practitioner(user, audit)
    now = utcnow()
    with database.atomic():
        new_version = bump_submitted(audit, version, acknowledged_at=now)
        audit_trail.record("audit.acknowledged", actor=user, object_type="audit",
                           object_id=audit.public_id,
                           before={"version": version, "acknowledged_at": None},
                           after={"version": new_version, "acknowledged_at": now.isoformat()},
                           remote_addr=remote_addr)
        notices.audit_acknowledged(user, audit)
    return new_version

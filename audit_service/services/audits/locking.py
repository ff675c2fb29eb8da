"""The optimistic lock every change to an audit goes through.

Every change is ``UPDATE audit ... WHERE id = ? AND version = ?`` while the audit is
still at the stage the change belongs to. When no row changes, either someone saved
first (``VersionConflict``, with both versions, instead of silently overwriting their
work) or the audit has moved on (``ReadOnly``).
"""

from __future__ import annotations

from peewee import Expression

from audit_service.domain.vocabulary import AuditStatus
from audit_service.services.audits.refusals import ReadOnly, VersionConflict
from audit_service.storage.models import Audit, utcnow

SUBMITTED_ALREADY = "This audit has been submitted and can no longer be changed."
ACKNOWLEDGED_ALREADY = "This audit has been acknowledged; the response can no longer change."


def _bump(audit: Audit, version: int, stage: Expression, moved_on: str, changes: dict) -> int:
    changes = {**changes, "version": version + 1, "updated_at": utcnow()}
    changed = (
        Audit.update(**changes)
        .where((Audit.id == audit.id) & (Audit.version == version) & stage)
        .execute()
    )
    if changed == 1:
        for name, value in changes.items():  # the row in hand now reads as stored
            setattr(audit, name, value)
        return audit.version
    current = Audit.select(Audit, stage.alias("at_stage")).where(Audit.id == audit.id).get()
    if not current.at_stage:
        raise ReadOnly(moved_on)
    raise VersionConflict(current, version, current.version)


def bump_draft(audit: Audit, version: int, **changes) -> int:
    """Change a draft only if nobody saved since ``version``; returns the new version."""
    return _bump(audit, version, Audit.status == AuditStatus.DRAFT, SUBMITTED_ALREADY, changes)


def bump_submitted(audit: Audit, version: int, **changes) -> int:
    """Change a submitted audit the practitioner has not yet acknowledged, likewise."""
    stage = (Audit.status == AuditStatus.SUBMITTED) & Audit.acknowledged_at.is_null()
    return _bump(audit, version, stage, ACKNOWLEDGED_ALREADY, changes)

"""A round is completed by its last submitted audit, whichever audit that is."""

from __future__ import annotations

from peewee import fn

from audit_service.domain.vocabulary import AuditStatus, RoundStatus
from audit_service.services.platform import audit_trail
from audit_service.storage.database import is_sqlite
from audit_service.storage.models import Audit, RoundCase, SamplingRound, utcnow


def complete_round_if_done(audit: Audit) -> bool:
    """Mark the audit's round completed once every drawn (unreplaced) case is submitted."""
    if audit.round_case_id is None:
        return False
    round_id = RoundCase.get_by_id(audit.round_case_id).round_id
    if not is_sqlite():
        # Two last submits at once would each count the other's audit as a draft under READ
        # COMMITTED and leave the round open for good; the row lock makes the second recount.
        # (SQLite already serialises writers.)
        locked = SamplingRound.select(SamplingRound.id).where(SamplingRound.id == round_id)
        locked.for_update().execute()
    submitted = Audit.select(Audit.id).where(
        (Audit.round_case == RoundCase.id) & (Audit.status == AuditStatus.SUBMITTED)
    )
    outstanding = (
        RoundCase.select()
        .where((RoundCase.round == round_id) & RoundCase.replaced_at.is_null()
               & ~fn.EXISTS(submitted))
        .count()
    )
    if outstanding:
        return False
    now = utcnow()
    changed = (
        SamplingRound.update(status=RoundStatus.COMPLETED, completed_at=now)
        .where((SamplingRound.id == round_id) & (SamplingRound.status != RoundStatus.COMPLETED))
        .execute()
    )
    if changed:
        round_ = SamplingRound.get_by_id(round_id)
        audit_trail.record("round.completed", actor_label="system", object_type="round",
                           object_id=round_.public_id, after={"completed_at": now.isoformat()})
    return bool(changed)

"""Starting an audit: a drawn case's draft, created once and pinned to today's rubrics."""

from __future__ import annotations

from collections.abc import Mapping

from peewee import IntegrityError

from audit_service.domain.rubrics import CriterionType
from audit_service.domain.vocabulary import AuditKind, CaseType, Pool
from audit_service.plugins.installed import RubricSource
from audit_service.services.audits.access import owns_round
from audit_service.services.audits.refusals import NoRubrics
from audit_service.services.errors import NotAllowed, NotFound
from audit_service.services.platform import audit_trail
from audit_service.services.rubrics import assignments as rubric_assignments
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.database import database
from audit_service.storage.models import (
    Audit,
    AuditRubric,
    Case,
    RoundCase,
    RubricVersion,
    SamplingRound,
    User,
)


def ensure_published(installed: Mapping[str, RubricSource]) -> None:
    """Publish the installed rubrics if no version exists yet (``serve`` normally has).

    A server started some other way (a test server, ``flask run``) must still be
    able to start audits; publishing is idempotent, so this is safe to repeat.
    """
    if RubricVersion.select().exists():
        return
    rubric_versions.sync_installed(installed)


def round_case_for(round_public_id: str, case_public_id: str) -> RoundCase:
    found = (
        RoundCase.select(RoundCase, SamplingRound, Case)
        .join(SamplingRound)
        .switch(RoundCase)
        .join(Case)
        .where(
            (SamplingRound.public_id == round_public_id)
            & (Case.public_id == case_public_id)
            & RoundCase.replaced_at.is_null()
        )
        .first()
    )
    if found is None:
        raise NotFound("That case is not in that round (it may have been replaced).")
    return found


def start_audit(user: User, round_public_id: str, case_public_id: str,
                criterion_types: Mapping[str, CriterionType], *,
                remote_addr: str | None = None) -> tuple[Audit, bool]:
    """Open the audit of a drawn case, creating its draft the first time only.

    Returns the audit and whether it was created. The draft is pinned to the
    rubric versions current now, so later rubric edits never change it.
    """
    round_case = round_case_for(round_public_id, case_public_id)
    if not owns_round(user, round_case.round):
        raise NotAllowed("Only the team manager the case was drawn for can audit it.")
    existing = Audit.get_or_none(Audit.round_case == round_case.id)
    if existing is not None:
        return existing, False
    case = round_case.case
    versions = rubric_assignments.rubrics_for(case, criterion_types)
    if not versions:
        raise NoRubrics(
            f"No rubric covers {CaseType(case.case_type).label.lower()} cases. "
            "Ask a quality lead to publish one."
        )
    reaudit = round_case.pool == Pool.REAUDIT
    try:
        with database.atomic():
            audit = Audit.create(
                case=case, round_case=round_case, auditor=user,
                practitioner=case.worker_id, team=case.team_id, case_type=case.case_type,
                kind=AuditKind.REAUDIT.value if reaudit else AuditKind.MONTHLY.value,
                reaudit_of=round_case.reaudit_of_id if reaudit else None,
            )
            AuditRubric.insert_many(
                [{"audit": audit.id, "rubric_version": v.id, "position": i}
                 for i, v in enumerate(versions)]
            ).execute()
            audit_trail.record(
                "audit.started", actor=user, object_type="audit", object_id=audit.public_id,
                after={"case": case.public_id, "round": round_case.round.public_id,
                       "rubrics": [f"{v.rubric.rubric_id}/{v.number}" for v in versions]},
                remote_addr=remote_addr,
            )
    except IntegrityError:
        # Opened twice at once: the other request created it; use theirs.
        return Audit.get(Audit.round_case == round_case.id), False
    return audit, True


def start_drawn(user: User, round_public_id: str, case_public_id: str,
                criterion_types: Mapping[str, CriterionType],
                installed: Mapping[str, RubricSource], *,
                remote_addr: str | None = None) -> tuple[str, bool]:
    """"Start" on the team manager's page or through the API: the public id of the case's
    audit, and whether it was created now. Publishes the installed rubrics first if a
    server started without doing so."""
    ensure_published(installed)
    audit, created = start_audit(user, round_public_id, case_public_id, criterion_types,
                                 remote_addr=remote_addr)
    return audit.public_id, created

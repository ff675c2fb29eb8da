"""Submitting an audit: scored, stored and announced in one transaction, or not at all.

Submission writes the ratings, each domain's result, the overall grade, the round's
progress and the notifications together. Incomplete answers are first kept as a draft
(nothing typed is lost) and then refused, field by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from audit_service.domain.audits import (
    Answer,
    AuditScore,
    CriterionKey,
    JudgementAnswer,
    alerts,
    answers_from_form,
    draft_problems,
    explain,
    judgement_from_form,
    score_audit,
    submit_problems,
)
from audit_service.domain.rubrics import CriterionType
from audit_service.domain.vocabulary import AuditKind, AuditStatus
from audit_service.services.audits import notices
from audit_service.services.audits.alerts import INADEQUATE, escalate_inadequate, raise_alerts
from audit_service.services.audits.drafting import (
    changes,
    check_editable,
    draft_for,
    judgement_columns,
    save_draft,
    write_ratings,
)
from audit_service.services.audits.locking import bump_draft
from audit_service.services.audits.refusals import InvalidAnswers
from audit_service.services.audits.round_progress import complete_round_if_done
from audit_service.services.audits.state import AuditState, case_type_of, load_state
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import Audit, AuditRubric, User, utcnow


@dataclass(frozen=True)
class Submitted:
    audit: Audit
    score: AuditScore


def submit(user: User, audit: Audit, answers: Mapping[CriterionKey, Answer], version: int,
           criterion_types: Mapping[str, CriterionType], *,
           judgement: JudgementAnswer | None = None, remote_addr: str | None = None,
           state: AuditState | None = None) -> Submitted:
    """Score and submit the audit, all or nothing, with any last ``answers``.

    Incomplete answers are first kept as a draft and then refused with ``InvalidAnswers``
    listing every field still to do. A judgement the rules do not allow is refused the
    same way, saying which rule. ``state`` is the audit as already loaded, if the caller
    has it.
    """
    check_editable(user, audit)
    state = state or load_state(audit, criterion_types)
    merged = {**state.answers, **answers}
    judged = state.judgement if judgement is None else judgement
    case_type = case_type_of(audit)
    problems = submit_problems(state.rubrics, merged, criterion_types, judged,
                               case_type=case_type)
    if problems:
        new_version = version
        if not draft_problems(state.rubrics, answers, criterion_types, judgement):
            new_version = save_draft(user, audit, answers, version, criterion_types,
                                     judgement=judgement, remote_addr=remote_addr,
                                     via="submit", state=state)
        raise InvalidAnswers(problems, new_version,
                             f"the audit is not complete (draft version {new_version})")
    score = score_audit(state.rubrics, merged, criterion_types, case_type=case_type,
                        judgement=judged.as_judgement())
    explanation = explain(score)
    overall = score.overall
    grade = overall.grade
    before, after = changes(state.answers, merged, state.keys)
    now = utcnow()
    with database.atomic():
        new_version = bump_draft(
            audit, version, status=AuditStatus.SUBMITTED, submitted_at=now,
            overall_grade=grade.id if grade else None, overall_score=overall.score,
            calculated_grade=overall.calculated_grade.id if overall.calculated_grade else None,
            effective_grade=grade.id if grade else None, effective_score=overall.score,
            result=explanation, **judgement_columns(judged if overall.judged
                                                    else JudgementAnswer()),
        )
        write_ratings(state, merged, final=True)
        for pinned, domain in zip(state.pinned, explanation["domains"], strict=True):
            domain_score = Decimal(domain["score"]) if domain["score"] else None
            domain_grade = domain["grade"]["id"] if domain["grade"] else None
            AuditRubric.update(
                score=domain_score, grade=domain_grade, explanation=domain,
                effective_score=domain_score, effective_grade=domain_grade,
            ).where(AuditRubric.id == pinned.audit_rubric.id).execute()
        audit_trail.record(
            "audit.submitted", actor=user, object_type="audit", object_id=audit.public_id,
            before={"version": version, "status": AuditStatus.DRAFT, "answers": before},
            after={"version": new_version, "status": AuditStatus.SUBMITTED, "answers": after,
                   "overall_grade": grade.id if grade else None,
                   "overall_score": explanation["overall"]["score"],
                   "calculated_grade": explanation["overall"]["calculated_grade"],
                   "judgement": explanation["overall"]["judgement"]},
            remote_addr=remote_addr,
        )
        raise_alerts(user, audit, alerts(state.rubrics, merged, case_type),
                     remote_addr=remote_addr)
        fresh = Audit.get_by_id(audit.id)
        _after_submit(user, fresh)
    return Submitted(fresh, score)


def submit_posted(user: User, public_id: str, fields: Mapping[str, object], version: int,
                  criterion_types: Mapping[str, CriterionType], *,
                  remote_addr: str | None = None) -> Submitted:
    """Submit the audit with the answers and judgement posted by the audit form."""
    audit = draft_for(user, public_id)
    state = load_state(audit, criterion_types)
    return submit(user, audit, answers_from_form(fields, state.keys), version, criterion_types,
                  judgement=judgement_from_form(fields), remote_addr=remote_addr, state=state)


def _after_submit(user: User, audit: Audit) -> None:
    """Round progress, the practitioner's notice and any escalation (inside the transaction)."""
    if audit.kind == AuditKind.MODERATION:
        # A moderation checks the auditor: the practitioner is not told, nothing escalates;
        # the quality leads hear that it is ready to adjudicate.
        notices.moderation_submitted(user, audit)
        return
    complete_round_if_done(audit)
    notices.audit_submitted(user, audit)
    if audit.effective_grade == INADEQUATE:
        escalate_inadequate(user, audit)
    if audit.reaudit_of_id is not None:
        previous = Audit.get_by_id(audit.reaudit_of_id)
        audit_trail.record("audit.reaudited", actor=user, object_type="audit",
                           object_id=audit.public_id,
                           after={"previous_audit": previous.public_id,
                                  "previous_grade": previous.effective_grade,
                                  "grade": audit.effective_grade})

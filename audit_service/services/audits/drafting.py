"""Saving a draft audit: answers and judgement, under the optimistic lock, as often as wanted.

Criteria left out of a save keep their saved answers, so the form, the autosave, the
conflict page and the API can each send only what they have. A rating that fires an
``alert`` rule (the child is not safe now) alerts at once, not at submission.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from audit_service.domain.audits import (
    Answer,
    CriterionKey,
    JudgementAnswer,
    alerts,
    answers_from_form,
    differences,
    draft_problems,
    judgement_from_form,
    merge,
)
from audit_service.domain.rubrics import CriterionType
from audit_service.domain.vocabulary import AuditStatus
from audit_service.services.audits.access import is_auditor, readable_audit
from audit_service.services.audits.alerts import raise_alerts
from audit_service.services.audits.locking import SUBMITTED_ALREADY, bump_draft
from audit_service.services.audits.refusals import InvalidAnswers, ReadOnly
from audit_service.services.audits.state import AuditState, case_type_of, load_state
from audit_service.services.errors import NotAllowed
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import Audit, AuditRating, User

KEEP = ("choices", "yours", "saved")


def check_editable(user: User, audit: Audit) -> None:
    if not is_auditor(user, audit):
        raise NotAllowed("Only the auditor can change this audit.")
    if audit.status != AuditStatus.DRAFT:
        raise ReadOnly(SUBMITTED_ALREADY)


def draft_for(user: User, public_id: str) -> Audit:
    """The audit ``user`` may change at this address: one they can read and carry out."""
    audit = readable_audit(user, public_id)
    if not is_auditor(user, audit):
        raise NotAllowed("Only the auditor can change this audit.")
    return audit


def _label(key: CriterionKey) -> str:
    return f"{key.rubric_id}/{key.criterion_id}"


def write_ratings(state: AuditState, answers: Mapping[CriterionKey, Answer],
                  *, final: bool = False) -> None:
    AuditRating.delete().where(AuditRating.audit == state.audit.id).execute()
    rows = []
    for key in state.keys:
        answer = answers.get(key, Answer())
        if answer.is_empty:
            continue
        rows.append({
            "audit": state.audit.id,
            "rubric_version": state.version_of(key.rubric_id).id,
            "criterion_id": key.criterion_id,
            # A submitted N/A keeps no rating: summaries count it as not applicable.
            "rating": None if final and answer.not_applicable else answer.rating,
            "na_reason": answer.na_reason if answer.not_applicable else None,
            "evidence": answer.evidence,
        })
    if rows:
        AuditRating.insert_many(rows).execute()


def changes(before: Mapping[CriterionKey, Answer], after: Mapping[CriterionKey, Answer],
            keys: list[CriterionKey]) -> tuple[dict, dict]:
    """The answers that differ, before and after, as the audit trail records them."""
    changed = [k for k in keys if before.get(k, Answer()) != after.get(k, Answer())]
    return (
        {_label(k): before.get(k, Answer()).as_dict() for k in changed},
        {_label(k): after.get(k, Answer()).as_dict() for k in changed},
    )


def judgement_columns(judgement: JudgementAnswer) -> dict:
    return {"judgement_grade": judgement.grade, "judgement_reason": judgement.reason or None}


def save_draft(user: User, audit: Audit, answers: Mapping[CriterionKey, Answer], version: int,
               criterion_types: Mapping[str, CriterionType], *,
               judgement: JudgementAnswer | None = None, remote_addr: str | None = None,
               via: str = "form", state: AuditState | None = None) -> int:
    """Save ``answers`` (and ``judgement``, when given) over the draft; criteria not given
    keep their saved answers, and the saved judgement stays when none is given.

    Returns the draft's version after the save. Saving exactly what is already
    stored changes nothing and is never a conflict, even from an older page.
    ``state`` is the audit as already loaded, if the caller has it.
    Raises ``VersionConflict``, ``ReadOnly``, ``NotAllowed`` or ``InvalidAnswers``.
    """
    check_editable(user, audit)
    state = state or load_state(audit, criterion_types)
    problems = draft_problems(state.rubrics, answers, criterion_types, judgement)
    if problems:
        raise InvalidAnswers(problems, audit.version, "some answers cannot be saved")
    merged = {**state.answers, **answers}
    judged = state.judgement if judgement is None else judgement
    before, after = changes(state.answers, merged, state.keys)
    if judged != state.judgement:
        before["overall_judgement"] = state.judgement.as_dict()
        after["overall_judgement"] = judged.as_dict()
    if not after:
        return audit.version
    with database.atomic():
        new_version = bump_draft(audit, version, **judgement_columns(judged))
        write_ratings(state, merged)
        audit_trail.record("audit.draft_saved", actor=user, object_type="audit",
                           object_id=audit.public_id,
                           before={"version": version, "answers": before},
                           after={"version": new_version, "answers": after, "via": via},
                           remote_addr=remote_addr)
        raise_alerts(user, audit, alerts(state.rubrics, merged, case_type_of(audit)),
                     remote_addr=remote_addr)
    return new_version


@dataclass(frozen=True)
class SavedDraft:
    """What the autosave tells the page: the version to send next, and when it was saved."""

    version: int
    saved_at: dt.datetime


def save_posted(user: User, public_id: str, fields: Mapping[str, object], version: int,
                criterion_types: Mapping[str, CriterionType], *,
                remote_addr: str | None = None, via: str = "form") -> SavedDraft:
    """Save the answers and judgement posted by the audit form (or its autosave)."""
    audit = draft_for(user, public_id)
    state = load_state(audit, criterion_types)
    new_version = save_draft(user, audit, answers_from_form(fields, state.keys), version,
                             criterion_types, judgement=judgement_from_form(fields),
                             remote_addr=remote_addr, via=via, state=state)
    return SavedDraft(new_version, audit.updated_at)


def resolve_conflict(user: User, public_id: str, fields: Mapping[str, object], version: int,
                     keep: str, criterion_types: Mapping[str, CriterionType], *,
                     remote_addr: str | None = None) -> int:
    """Save what the conflict page chose against the version saved now: ``keep`` is
    "choices" (each difference's ``choice-<field>``, yours unless "saved"), "yours" or
    "saved" for every difference."""
    audit = draft_for(user, public_id)
    state = load_state(audit, criterion_types)
    yours = answers_from_form(fields, state.keys)
    if keep == "choices":
        choices = {diff.field: "saved" if fields.get(f"choice-{diff.field}") == "saved"
                   else "yours" for diff in differences(yours, state.answers, state.keys)}
        merged = merge(yours, state.answers, choices, state.keys)
    else:
        merged = merge(yours, state.answers, {}, state.keys, default=keep)
    return save_draft(user, audit, merged, version, criterion_types,
                      judgement=judgement_from_form(fields), remote_addr=remote_addr,
                      via="conflict", state=state)

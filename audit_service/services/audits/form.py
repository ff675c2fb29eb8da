"""The audit form and the conflict page: an audit's view with what its auditor is typing.

Both are built from the audit's view (``reading``) without another query: the case's
facts for the evidence prompts, the pinned rubrics for the grade preview. A form shown
again with errors shows the answers as posted; the conflict page lays the posted
answers beside the saved ones, part by part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from audit_service.domain.audits import (
    Answer,
    AuditScore,
    CriterionKey,
    FieldError,
    answers_from_form,
    differences,
    judgement_from_form,
    judgement_grades,
    score_audit,
    submit_problems,
)
from audit_service.domain.audits.evidence import EvidencePromptProvider, prompts_for
from audit_service.domain.rubrics import CriterionType, Rubric
from audit_service.domain.vocabulary import CaseType
from audit_service.services.audits.criteria import with_prompts
from audit_service.services.audits.reading import audit_view
from audit_service.services.audits.views import AuditForm, AuditView, ConflictView
from audit_service.storage.models import User


def calculated_preview(rubrics: Mapping[str, Rubric], answers: Mapping[CriterionKey, Answer],
                       criterion_types: Mapping[str, CriterionType],
                       case_type: CaseType | None) -> AuditScore | None:
    """The grade these answers would get, before any judgement of the auditor's: shown on
    the form once every criterion is answered, so a judgement is made knowing it."""
    if submit_problems(rubrics, answers, criterion_types):
        return None
    return score_audit(rubrics, answers, criterion_types, case_type=case_type)


def form_of(view: AuditView, criterion_types: Mapping[str, CriterionType],
            providers: Mapping[str, EvidencePromptProvider], today: dt.date, *,
            posted: Mapping[str, object] | None = None, errors: Sequence[FieldError] = (),
            version: int | None = None) -> AuditForm:
    """The form for ``view`` (an audit its reader may change): the saved answers, or those
    ``posted`` over them when the form comes back with ``errors`` at ``version``."""
    answers = dict(view.answers)
    judgement = view.judgement
    if posted is not None:
        answers.update(answers_from_form(posted, view.keys))
        judgement = judgement_from_form(posted) or judgement
    rubrics = {section.rubric.id: section.rubric for section in view.sections}
    case_type = CaseType(view.audited_case_type) if view.audited_case_type else None
    prompts = prompts_for(providers.values(), view.case.facts, today)
    return AuditForm(
        audit=view, sections=with_prompts(view.sections, prompts), answers=answers,
        judgement=judgement, judgement_grades=judgement_grades(),
        preview=calculated_preview(rubrics, answers, criterion_types, case_type),
        version=view.version if version is None else version, errors=tuple(errors))


def audit_form(user: User, public_id: str, criterion_types: Mapping[str, CriterionType],
               providers: Mapping[str, EvidencePromptProvider], today: dt.date, *,
               posted: Mapping[str, object] | None = None, errors: Sequence[FieldError] = (),
               version: int | None = None) -> AuditForm:
    """``form_of`` the audit at this address, read afresh."""
    return form_of(audit_view(user, public_id, criterion_types), criterion_types, providers,
                   today, posted=posted, errors=errors, version=version)


def conflict_view(user: User, public_id: str, posted: Mapping[str, object], your_version: int,
                  criterion_types: Mapping[str, CriterionType]) -> ConflictView:
    """The answers ``posted`` from a page at ``your_version`` against those saved now."""
    view = audit_view(user, public_id, criterion_types)
    yours = answers_from_form(posted, view.keys)
    return ConflictView(view, tuple(differences(yours, view.answers, view.keys)), yours,
                        your_version)

"""The checks on an audit's answers: light ones for a draft, complete ones for submission.

A draft may be half-finished, but it may not hold something the form could
never have offered (an unknown rating, "not applicable" where the rubric does
not allow it), so a stored draft is always a valid start for a submission.
Errors come in the order the criteria appear on the form, each naming the
control (``FieldError.field``) the error summary links to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from audit_service.domain.audits.answers import (
    JUDGEMENT,
    JUDGEMENT_REASON,
    MAX_TEXT,
    Answer,
    CriterionKey,
    FieldError,
    JudgementAnswer,
    field_id,
)
from audit_service.domain.audits.results import domain_results
from audit_service.domain.rubrics import (
    DEFAULT_SCALE,
    Criterion,
    CriterionType,
    Level,
    Rubric,
    RubricResult,
)
from audit_service.domain.rubrics.scoring import judgement_ceiling
from audit_service.domain.vocabulary import CaseType


def criterion_label(rubric: Rubric, index: int) -> str:
    """How messages name a criterion: '<domain>, criterion <n>' (as numbered on the form)."""
    return f"{rubric.domain}, criterion {index + 1}"


def unknown_keys(
    rubrics: Mapping[str, Rubric], answers: Mapping[CriterionKey, Answer]
) -> list[FieldError]:
    """Answers for criteria this audit does not have (only an API client can send them)."""
    errors = []
    for key in sorted(answers):
        rubric = rubrics.get(key.rubric_id)
        if rubric is None:
            errors.append(FieldError(f"{key.rubric_id}.{key.criterion_id}",
                                     f"this audit has no rubric {key.rubric_id!r}"))
        elif not any(c.id == key.criterion_id for c in rubric.criteria):
            errors.append(FieldError(f"{key.rubric_id}.{key.criterion_id}",
                                     f"{rubric.title} has no criterion {key.criterion_id!r}"))
    return errors


def _draft_checks(
    key: CriterionKey, label: str, criterion: Criterion, rubric: Rubric, answer: Answer,
    types: Mapping[str, CriterionType],
) -> list[FieldError]:
    errors = []
    if answer.rating is not None:
        kind = types.get(criterion.type)
        allowed = [] if kind is None else [o.value for o in kind.options(rubric.scale)]
        if answer.rating not in allowed:
            errors.append(FieldError(field_id("rating", key),
                                     f"Select one of the ratings offered for {label}"))
    if answer.not_applicable and not criterion.na_allowed:
        errors.append(FieldError(field_id("na", key),
                                 f"{label} cannot be marked not applicable; select a rating"))
    limit = f"{MAX_TEXT:,} characters or fewer"
    if len(answer.na_reason) > MAX_TEXT:
        errors.append(FieldError(field_id("na-reason", key),
                                 f"The reason for {label} must be {limit}"))
    if len(answer.evidence) > MAX_TEXT:
        errors.append(FieldError(field_id("evidence", key),
                                 f"The evidence for {label} must be {limit}"))
    return errors


def judgement_draft_problems(judgement: JudgementAnswer | None) -> list[FieldError]:
    """A drafted judgement may be incomplete, but only name a grade the form offers."""
    if judgement is None:
        return []
    errors = []
    if judgement.grade is not None and not DEFAULT_SCALE.has_level(judgement.grade):
        errors.append(FieldError(JUDGEMENT, "Select one of the overall grades offered"))
    if len(judgement.reason) > MAX_TEXT:
        errors.append(FieldError(JUDGEMENT_REASON,
                                 f"The reason for your overall judgement must be "
                                 f"{MAX_TEXT:,} characters or fewer"))
    return errors


def draft_problems(
    rubrics: Mapping[str, Rubric],
    answers: Mapping[CriterionKey, Answer],
    criterion_types: Mapping[str, CriterionType],
    judgement: JudgementAnswer | None = None,
) -> list[FieldError]:
    """What stops these answers being saved as a draft (empty answers are fine)."""
    errors = unknown_keys(rubrics, answers) + judgement_draft_problems(judgement)
    for rubric in rubrics.values():
        for index, criterion in enumerate(rubric.criteria):
            key = CriterionKey(rubric.id, criterion.id)
            answer = answers.get(key)
            if answer is not None:
                label = criterion_label(rubric, index)
                errors += _draft_checks(key, label, criterion, rubric, answer, criterion_types)
    return errors


def submit_problems(
    rubrics: Mapping[str, Rubric],
    answers: Mapping[CriterionKey, Answer],
    criterion_types: Mapping[str, CriterionType],
    judgement: JudgementAnswer | None = None,
    *,
    case_type: CaseType | str | None = None,
) -> list[FieldError]:
    """Everything still to do before the audit can be submitted and scored."""
    errors = unknown_keys(rubrics, answers) + _criteria_problems(rubrics, answers,
                                                                 criterion_types)
    errors += judgement_draft_problems(judgement)
    if judgement is None or judgement.grade is None or errors:
        return errors
    if not judgement.reason:
        return [FieldError(JUDGEMENT_REASON,
                           "Enter why your overall judgement differs from the calculated grade")]
    results = domain_results(rubrics, answers, criterion_types, case_type=case_type)
    ceiling = judgement_ceiling(results)
    if ceiling is None:
        return [FieldError(JUDGEMENT, "No domain could be graded, so there is no calculated "
                                      "grade to differ from; choose the calculated grade")]
    if DEFAULT_SCALE.level(judgement.grade).score > ceiling.score:
        return [FieldError(JUDGEMENT, _above_ceiling(results, ceiling))]
    return []


def _above_ceiling(results: Sequence[RubricResult], ceiling: Level) -> str:
    for result in results:
        for cap in result.overall_caps:
            if cap.level.score == ceiling.score:
                return (f"Your overall judgement cannot be above {ceiling.label}: "
                        f"{cap.explanation.rstrip('.')}. No judgement can outweigh that finding")
    return (f"Your overall judgement cannot be above {ceiling.label}, the best grade of any "
            "domain")


def _criteria_problems(
    rubrics: Mapping[str, Rubric],
    answers: Mapping[CriterionKey, Answer],
    criterion_types: Mapping[str, CriterionType],
) -> list[FieldError]:
    errors: list[FieldError] = []
    for rubric in rubrics.values():
        for index, criterion in enumerate(rubric.criteria):
            key = CriterionKey(rubric.id, criterion.id)
            answer = answers.get(key, Answer())
            label = criterion_label(rubric, index)
            errors += _draft_checks(key, label, criterion, rubric, answer, criterion_types)
            if answer.not_applicable and criterion.na_allowed:
                if not answer.na_reason:
                    errors.append(FieldError(
                        field_id("na-reason", key),
                        f"Enter why {label} is not applicable",
                    ))
                continue
            if answer.rating is None:
                hint = ", or mark it not applicable" if criterion.na_allowed else ""
                errors.append(FieldError(field_id("rating", key),
                                         f"Select a rating for {label}{hint}"))
            if criterion.evidence_required and not answer.evidence:
                errors.append(FieldError(field_id("evidence", key),
                                         f"Enter the evidence for {label}"))
    return errors

"""An audit as the journey works on it: its pinned rubric versions and the answers so far.

Everything that changes or shows an audit starts from ``load_state``: two queries,
whatever the number of rubrics and criteria.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from audit_service.domain.audits import Answer, CriterionKey, JudgementAnswer
from audit_service.domain.rubrics import CriterionType, Rubric
from audit_service.domain.vocabulary import CaseType
from audit_service.services.rubrics.versions import WITHOUT_DOCUMENT, rubric_of
from audit_service.storage.models import (
    Audit,
    AuditRating,
    AuditRubric,
    RubricDefinition,
    RubricVersion,
)


@dataclass(frozen=True)
class PinnedRubric:
    audit_rubric: AuditRubric
    version: RubricVersion
    rubric: Rubric


@dataclass
class AuditState:
    """An audit with its pinned rubrics (in form order), its answers and judgement so far."""

    audit: Audit
    pinned: list[PinnedRubric]
    answers: dict[CriterionKey, Answer]
    judgement: JudgementAnswer = field(default_factory=JudgementAnswer)
    rubrics: dict[str, Rubric] = field(init=False)
    keys: list[CriterionKey] = field(init=False)

    def __post_init__(self) -> None:
        self.rubrics = {p.rubric.id: p.rubric for p in self.pinned}
        self.keys = [CriterionKey(r.id, c.id) for r in self.rubrics.values() for c in r.criteria]

    def version_of(self, rubric_id: str) -> RubricVersion:
        return next(p.version for p in self.pinned if p.rubric.id == rubric_id)


def load_state(audit: Audit, criterion_types: Mapping[str, CriterionType]) -> AuditState:
    """Two queries, whatever the number of rubrics and criteria.

    The pinned versions' documents are not read: their parsed rubrics are cached per
    process by content hash (``rubric_of``), as a published version never changes.
    """
    rows = (
        AuditRubric.select(AuditRubric, *WITHOUT_DOCUMENT, RubricDefinition)
        .join(RubricVersion)
        .join(RubricDefinition)
        .where(AuditRubric.audit == audit.id)
        .order_by(AuditRubric.position, AuditRubric.id)
    )
    pinned = [
        PinnedRubric(row, row.rubric_version, rubric_of(row.rubric_version, criterion_types))
        for row in rows
    ]
    rubric_by_version = {p.version.id: p.rubric.id for p in pinned}
    answers = {}
    for rating in AuditRating.select().where(AuditRating.audit == audit.id):
        rubric_id = rubric_by_version.get(rating.rubric_version_id)
        if rubric_id is None:
            continue
        answers[CriterionKey(rubric_id, rating.criterion_id)] = Answer(
            rating=rating.rating,
            not_applicable=rating.na_reason is not None,
            na_reason=rating.na_reason or "",
            evidence=rating.evidence or "",
        )
    judgement = JudgementAnswer(audit.judgement_grade, audit.judgement_reason or "")
    return AuditState(audit, pinned, answers, judgement)


def case_type_of(audit: Audit) -> CaseType | None:
    """The case type the audit's rules are judged by: as it was when the audit started."""
    return CaseType(audit.case_type) if audit.case_type else None

"""Audits as pure Python: the answers an auditor gives, how they are checked, scored and merged.

No Flask and no peewee: the services layer loads rubric versions and stored
ratings, hands them in as values, and stores what comes back.
"""

from audit_service.domain.audits.answers import (
    JUDGEMENT,
    JUDGEMENT_REASON,
    MAX_TEXT,
    Answer,
    CriterionKey,
    FieldError,
    JudgementAnswer,
    answers_from_form,
    field_id,
    first_message_per_field,
    judgement_from_form,
    judgement_grades,
)
from audit_service.domain.audits.conflicts import FieldDifference, differences, merge
from audit_service.domain.audits.results import Alert, AuditScore, alerts, explain, score_audit
from audit_service.domain.audits.validation import draft_problems, submit_problems

__all__ = [
    "JUDGEMENT",
    "JUDGEMENT_REASON",
    "MAX_TEXT",
    "Alert",
    "Answer",
    "AuditScore",
    "CriterionKey",
    "FieldDifference",
    "FieldError",
    "JudgementAnswer",
    "alerts",
    "answers_from_form",
    "differences",
    "draft_problems",
    "explain",
    "field_id",
    "first_message_per_field",
    "judgement_from_form",
    "judgement_grades",
    "merge",
    "score_audit",
    "submit_problems",
]

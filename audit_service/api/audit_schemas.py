"""marshmallow schemas for the audits API. Unknown fields are refused, never ignored."""

from __future__ import annotations

import marshmallow as ma

from audit_service.api.schemas import StrictSchema, UtcDateTime
from audit_service.domain.audits import MAX_TEXT

STATUSES = ("open", "in_progress", "done")


class AnswerSchema(StrictSchema):
    rubric = ma.fields.String(required=True, metadata={"description": "Rubric id"})
    criterion = ma.fields.String(required=True, metadata={"description": "Criterion id"})
    rating = ma.fields.String(load_default=None, allow_none=True,
                              metadata={"description": "One of the criterion's option values"})
    not_applicable = ma.fields.Boolean(load_default=False)
    na_reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_TEXT))
    evidence = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_TEXT))


class VersionedSchema(StrictSchema):
    version = ma.fields.Integer(
        required=True, strict=True, validate=ma.validate.Range(min=1),
        metadata={"description": "The version you read; a stale version is refused with 409"},
    )


class DraftSchema(VersionedSchema):
    answers = ma.fields.List(
        ma.fields.Nested(AnswerSchema), load_default=list,
        metadata={"description": "Answers to save; criteria left out keep their saved answers"},
    )


class StartSchema(StrictSchema):
    round = ma.fields.String(required=True, metadata={"description": "Round id"})
    case = ma.fields.String(required=True, metadata={"description": "Case id (within the round)"})


class RoundQuerySchema(StrictSchema):
    round = ma.fields.String(required=True, metadata={"description": "Round id"})


class ResponseSchema(VersionedSchema):
    response = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20_000))


class OptionSchema(StrictSchema):
    value = ma.fields.String(required=True)
    label = ma.fields.String(required=True)


class CriterionSchema(StrictSchema):
    id = ma.fields.String(required=True)
    prompt = ma.fields.String(required=True)
    guidance = ma.fields.String(required=True)
    type = ma.fields.String(required=True)
    na_allowed = ma.fields.Boolean(required=True)
    evidence_required = ma.fields.Boolean(required=True)
    options = ma.fields.List(ma.fields.Nested(OptionSchema), required=True)


class PinnedRubricSchema(StrictSchema):
    rubric = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    domain = ma.fields.String(required=True)
    criteria = ma.fields.List(ma.fields.Nested(CriterionSchema), required=True)


class CaseRefSchema(StrictSchema):
    id = ma.fields.String(required=True)
    child_id = ma.fields.String(required=True, metadata={"description": "The case system's id"})
    case_type = ma.fields.String(required=True)


class ActionSchema(StrictSchema):
    id = ma.fields.String(required=True)
    audit = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    owner = ma.fields.String(required=True, metadata={"description": "Owner's username"})
    due_on = ma.fields.Date(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    version = ma.fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    completed_at = UtcDateTime(allow_none=True)


class AuditSummarySchema(StrictSchema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"description": "draft or submitted"})
    version = ma.fields.Integer(required=True)
    case = ma.fields.Nested(CaseRefSchema, required=True)
    auditor = ma.fields.String(required=True)
    overall_grade = ma.fields.String(allow_none=True, metadata={"description": "Level id"})
    submitted_at = UtcDateTime(allow_none=True)
    acknowledged_at = UtcDateTime(allow_none=True)


class AuditSchema(AuditSummarySchema):
    team = ma.fields.String(allow_none=True)
    practitioner = ma.fields.String(allow_none=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    overall_score = ma.fields.String(allow_none=True)
    rubrics = ma.fields.List(ma.fields.Nested(PinnedRubricSchema), required=True)
    answers = ma.fields.List(ma.fields.Nested(AnswerSchema), required=True)
    result = ma.fields.Dict(allow_none=True, metadata={
        "description": "Once submitted: overall and per-domain grades, scores and the limiting "
                       "rules that capped them"})
    response = ma.fields.String(allow_none=True)
    responded_at = UtcDateTime(allow_none=True)
    actions = ma.fields.List(ma.fields.Nested(ActionSchema), required=True)


class RoundAuditSchema(StrictSchema):
    case = ma.fields.Nested(CaseRefSchema, required=True)
    position = ma.fields.Integer(required=True)
    reason = ma.fields.String(required=True, metadata={"description": "Why it was drawn"})
    audit = ma.fields.Nested(AuditSummarySchema, allow_none=True)


class SavedSchema(StrictSchema):
    version = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True)


class ConflictSchema(StrictSchema):
    """A stale version (both versions given), or an audit that can no longer change."""

    code = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    your_version = ma.fields.Integer(metadata={"description": "Only for a stale version"})
    current_version = ma.fields.Integer(metadata={"description": "Only for a stale version"})


class ResultSchema(StrictSchema):
    id = ma.fields.String(required=True)
    overall_grade = ma.fields.String(allow_none=True)
    overall_score = ma.fields.String(allow_none=True)
    result = ma.fields.Dict(required=True)


class ActionCreateSchema(StrictSchema):
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2_000))
    owner = ma.fields.String(required=True, metadata={"description": "Owner's username"})
    due_on = ma.fields.Date(required=True)
    status = ma.fields.String(load_default="open", validate=ma.validate.OneOf(STATUSES))


class ActionUpdateSchema(VersionedSchema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))

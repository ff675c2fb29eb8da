"""marshmallow schemas for the audits API. Unknown fields are refused, never ignored."""

from __future__ import annotations

import marshmallow as ma

from audit_service.api.schemas import StrictSchema, UtcDateTime
from audit_service.domain.audits import MAX_TEXT
from audit_service.domain.rubrics import DEFAULT_SCALE
from audit_service.domain.vocabulary import ActionStatus

STATUSES = tuple(ActionStatus)


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


class JudgementSchema(StrictSchema):
    """The auditor's own overall grade where it differs from the calculated one."""

    grade = ma.fields.String(
        required=True, allow_none=True, validate=ma.validate.OneOf(DEFAULT_SCALE.ids),
        metadata={"description": "A grade id, or null to use the calculated grade. It may not "
                                 "be above the best domain grade, or above a limiting rule's "
                                 "cap on the overall grade"})
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_TEXT),
                              metadata={"description": "Required with a grade at submission"})


class DraftSchema(VersionedSchema):
    answers = ma.fields.List(
        ma.fields.Nested(AnswerSchema), load_default=list,
        metadata={"description": "Answers to save; criteria left out keep their saved answers"},
    )
    overall_judgement = ma.fields.Nested(
        JudgementSchema, load_default=None, allow_none=True,
        metadata={"description": "Left out: the saved judgement stays"})


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
    scored = ma.fields.Boolean(required=True, metadata={
        "description": "False for a judgement that only limiting rules read (Is the child safe "
                       "now?): it never moves a score"})
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
    status = ma.fields.String(required=True, metadata={"description": "open or closed"})
    closed_on = ma.fields.Date(allow_none=True, metadata={
        "description": "A case closed since it was drawn is audited as a closure"})


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


GRADE_FIELDS_DOC = {
    "overall_grade": "The audit's grade (level id): the agreed grade once a moderation is "
                     "adjudicated, else the auditor's",
    "auditor_grade": "The grade the auditor's submission gave, kept for audit-the-auditor "
                     "figures",
}


class AuditSummarySchema(StrictSchema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"description": "draft or submitted"})
    kind = ma.fields.String(required=True, metadata={
        "description": "monthly, reaudit, thematic or moderation"})
    version = ma.fields.Integer(required=True)
    case = ma.fields.Nested(CaseRefSchema, required=True)
    auditor = ma.fields.String(required=True)
    overall_grade = ma.fields.String(allow_none=True, metadata={
        "description": GRADE_FIELDS_DOC["overall_grade"]})
    auditor_grade = ma.fields.String(allow_none=True, metadata={
        "description": GRADE_FIELDS_DOC["auditor_grade"]})
    moderated = ma.fields.Boolean(required=True, metadata={
        "description": "A moderation of this audit has been adjudicated"})
    submitted_at = UtcDateTime(allow_none=True)
    acknowledged_at = UtcDateTime(allow_none=True)


class ReauditActionSchema(StrictSchema):
    description = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    due_on = ma.fields.Date(required=True)
    completed_at = UtcDateTime(allow_none=True)


class PreviousAuditSchema(StrictSchema):
    id = ma.fields.String(required=True)
    submitted_at = UtcDateTime(allow_none=True)
    grade = ma.fields.String(allow_none=True, metadata={"description": "Its effective grade"})
    actions = ma.fields.List(ma.fields.Nested(ReauditActionSchema), required=True)


class ReauditSchema(StrictSchema):
    previous = ma.fields.Nested(PreviousAuditSchema, required=True)
    grade = ma.fields.String(allow_none=True, metadata={"description": "This re-audit's grade"})
    change = ma.fields.String(allow_none=True, metadata={
        "description": "improved, unchanged or worse, once submitted"})


class AuditSchema(AuditSummarySchema):
    team = ma.fields.String(allow_none=True)
    practitioner = ma.fields.String(allow_none=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    overall_score = ma.fields.String(allow_none=True, metadata={
        "description": "Held within the overall grade; null when no score reads as it"})
    calculated_grade = ma.fields.String(allow_none=True, metadata={
        "description": "The grade the rules gave, before any judgement of the auditor's"})
    overall_judgement = ma.fields.Nested(JudgementSchema, allow_none=True)
    reaudit = ma.fields.Nested(ReauditSchema, allow_none=True, metadata={
        "description": "For a re-audit: the audit it follows up, its actions, the change"})
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
    pool = ma.fields.String(required=True, metadata={
        "description": "open, reaudit, closed (closed last month) or unallocated"})
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
    overall_grade = ma.fields.String(allow_none=True, metadata={
        "description": GRADE_FIELDS_DOC["overall_grade"]})
    overall_score = ma.fields.String(allow_none=True)
    auditor_grade = ma.fields.String(allow_none=True, metadata={
        "description": GRADE_FIELDS_DOC["auditor_grade"]})
    calculated_grade = ma.fields.String(allow_none=True)
    result = ma.fields.Dict(required=True, metadata={
        "description": "Overall and per-domain grades, scores and every limiting rule that "
                       "fired (findings), with the auditor's judgement if any"})


class ActionCreateSchema(StrictSchema):
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2_000))
    owner = ma.fields.String(required=True, metadata={"description": "Owner's username"})
    due_on = ma.fields.Date(required=True)
    status = ma.fields.String(load_default=ActionStatus.OPEN.value,
                              validate=ma.validate.OneOf(STATUSES))


class ActionUpdateSchema(VersionedSchema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))

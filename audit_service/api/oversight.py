"""``/api/v1/reaudits`` and ``/api/v1/judgements``: the quality lead's oversight lists, as on
the ``/reaudits`` and ``/judgements`` pages."""

from __future__ import annotations

import marshmallow as ma

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import MONTH, StrictSchema, UtcDateTime
from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.services.audits import judgements, reaudits

bp = Blueprint("api_oversight", __name__, url_prefix="/api/v1",
               description="Re-audits pending and overall judgements that differ from the "
                           "calculated grade")

READERS = (Role.QUALITY_LEAD,)


class ReauditRowSchema(StrictSchema):
    """A case waiting for its re-audit, or closed before it (``AwaitingReaudit``)."""

    case = ma.fields.String(attribute="case.public_id", required=True,
                            metadata={"description": "Case id"})
    child_id = ma.fields.String(attribute="case.child_id", required=True)
    case_type = ma.fields.String(attribute="case.case_type", required=True)
    team = ma.fields.String(required=True)
    last_grade = ma.fields.String(allow_none=True, metadata={
        "description": "The effective grade that brings the case back"})
    graded_on = ma.fields.Date(allow_none=True)
    due = ma.fields.Boolean(required=True, metadata={
        "description": "The policy's interval has passed: drawn first in the next round"})
    closed_on = ma.fields.Date(allow_none=True, metadata={
        "description": "Set when the case closed before its re-audit"})


class JudgementQuerySchema(StrictSchema):
    from_ = ma.fields.String(data_key="from", load_default=None, validate=MONTH)
    to = ma.fields.String(load_default=None, validate=MONTH)


class JudgementRowSchema(StrictSchema):
    """An audit graded differently from the rules by its auditor (``JudgementRow``)."""

    audit = ma.fields.String(attribute="audit_public_id", required=True,
                             metadata={"description": "Audit id"})
    child_id = ma.fields.String(attribute="case.child_id", required=True)
    team = ma.fields.String(required=True)
    auditor = ma.fields.String(attribute="auditor.username", required=True)
    submitted_at = UtcDateTime(required=True)
    calculated_grade = ma.fields.String(allow_none=True)
    judged_grade = ma.fields.String(required=True)
    direction = ma.fields.String(required=True, metadata={"description": "above or below"})
    reason = ma.fields.String(required=True)


@bp.route("/reaudits", methods=["GET"])
@require_api_roles(*READERS)
@bp.response(200, ReauditRowSchema(many=True))
def list_reaudits():
    """Every case a re-audit is pending for, and those that closed before it."""
    return reaudits.awaiting(local_today())


@bp.route("/judgements", methods=["GET"])
@require_api_roles(*READERS)
@bp.arguments(JudgementQuerySchema, location="query", as_kwargs=True)
@bp.response(200, JudgementRowSchema(many=True))
def list_judgements(from_: str | None = None, to: str | None = None):
    """Audits whose auditor recorded an overall grade different from the calculated one
    (default: the last twelve months)."""
    return list(judgements.judgement_list(current_api_user(), from_, to, local_today()).rows)

"""``/api/v1/rubrics``: published rubric versions, and validation of an uploaded rubric.

Reading is open to the roles that audit or oversee audits; validation is a
quality lead's tool (it writes nothing, but it is part of editing rubrics).
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import abort

from audit_service.api.auth import require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import StrictSchema, UtcDateTime
from audit_service.domain.rubrics import check_document
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.rubrics import versions as rubric_versions

bp = Blueprint("api_rubrics", __name__, url_prefix="/api/v1/rubrics", description="Rubrics")

READERS = (Role.ADMIN, Role.QUALITY_LEAD, Role.SUPERVISOR, Role.PRACTITIONER,
           Role.SENIOR_LEADER)


class RubricSummarySchema(StrictSchema):
    id = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    domain = ma.fields.String(required=True)
    latest_version = ma.fields.Integer(required=True)
    retired = ma.fields.Boolean(required=True)
    versions = ma.fields.List(ma.fields.Integer(), required=True)


class RubricVersionSchema(StrictSchema):
    id = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    version_notes = ma.fields.String(required=True)
    content_hash = ma.fields.String(required=True)
    source = ma.fields.String(required=True)
    created_at = UtcDateTime(required=True)
    created_by = ma.fields.String(required=True)
    document = ma.fields.Dict(required=True, metadata={
        "description": "The rubric in the rubric file format (docs/rubrics.md)"})


class RubricErrorSchema(StrictSchema):
    path = ma.fields.String(required=True, metadata={"description": "e.g. criteria[3].weight"})
    message = ma.fields.String(required=True)
    line = ma.fields.Integer(allow_none=True)
    column = ma.fields.Integer(allow_none=True)


class ValidationResultSchema(StrictSchema):
    valid = ma.fields.Boolean(required=True)
    rubric_id = ma.fields.String(allow_none=True)
    errors = ma.fields.List(ma.fields.Nested(RubricErrorSchema), required=True)


class RubricUploadSchema(StrictSchema):
    class Meta(StrictSchema.Meta):
        unknown = ma.INCLUDE  # the rubric document is checked by the rubric validators

    def load(self, data, *args, **kwargs):  # the body IS the rubric document
        if not isinstance(data, dict):
            raise ma.ValidationError({"json": ["the body must be a rubric document (an object)"]})
        return data


@bp.route("", methods=["GET"])
@require_api_roles(*READERS)
@bp.response(200, RubricSummarySchema(many=True))
def list_rubrics():
    """Every rubric loaded into the database, with its version numbers."""
    rows = []
    for definition, latest in rubric_versions.list_definitions():
        rows.append({
            "id": definition.rubric_id,
            "title": definition.title,
            "domain": definition.domain,
            "latest_version": latest,
            "retired": definition.retired_at is not None,
            "versions": list(range(1, latest + 1)),
        })
    return rows


@bp.route("/<string:rubric_id>/versions/<int:number>", methods=["GET"])
@require_api_roles(*READERS)
@bp.response(200, RubricVersionSchema)
@bp.alt_response(404, response="NOT_FOUND")
def get_version(rubric_id: str, number: int):
    """One published, immutable rubric version."""
    try:
        version = rubric_versions.get_version(rubric_id, number)
    except rubric_versions.UnknownRubric as exc:
        abort(404, message=str(exc))
    return {
        "id": rubric_id,
        "version": version.number,
        "title": version.title,
        "version_notes": version.version_notes,
        "content_hash": version.content_hash,
        "source": version.source,
        "created_at": version.created_at,
        "created_by": version.created_by,
        "document": version.document,
    }


@bp.route("/validate", methods=["POST"])
@require_api_roles(Role.QUALITY_LEAD, Role.ADMIN)
@bp.arguments(RubricUploadSchema)
@bp.response(200, ValidationResultSchema)
def validate(document):
    """Check a rubric document with the same validators as rubric files. Saves nothing."""
    rubric, errors = check_document(document, "<upload>", registries().criterion_types)
    return {
        "valid": not errors,
        "rubric_id": rubric.id if rubric else None,
        "errors": [
            {"path": e.path, "message": e.message, "line": e.line, "column": e.column}
            for e in errors
        ],
    }

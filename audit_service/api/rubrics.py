"""``/api/v1/rubrics``: published rubric versions, and validation of an uploaded rubric.

Reading is open to the roles that audit or oversee audits; validation is a
quality lead's tool (it writes nothing, but it is part of editing rubrics).
"""

from __future__ import annotations

import marshmallow as ma

from audit_service.api.auth import require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import StrictSchema, UtcDateTime
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.rubrics import drafts as rubric_drafts
from audit_service.services.rubrics import versions as rubric_versions

bp = Blueprint("api_rubrics", __name__, url_prefix="/api/v1/rubrics", description="Rubrics")

READERS = (Role.ADMIN, Role.QUALITY_LEAD, Role.SUPERVISOR, Role.PRACTITIONER,
           Role.SENIOR_LEADER)


class RubricSummarySchema(StrictSchema):
    """A ``RubricSummary``: every version number, so a client can fetch any of them."""

    id = ma.fields.String(attribute="rubric_id", required=True)
    title = ma.fields.String(required=True)
    domain = ma.fields.String(required=True)
    latest_version = ma.fields.Integer(required=True)
    retired = ma.fields.Boolean(required=True, metadata={
        "description": "New audits do not use it; its versions stay readable"})
    versions = ma.fields.List(ma.fields.Integer(), required=True)


class RubricVersionSchema(StrictSchema):
    """A ``VersionView``: immutable, so a client may keep it for as long as it likes."""

    id = ma.fields.String(attribute="rubric_id", required=True)
    version = ma.fields.Integer(attribute="number", required=True)
    title = ma.fields.String(required=True)
    version_notes = ma.fields.String(required=True)
    content_hash = ma.fields.String(required=True)
    source = ma.fields.String(required=True)
    created_at = UtcDateTime(required=True)
    created_by = ma.fields.String(required=True)
    document = ma.fields.Dict(required=True, metadata={
        "description": "The rubric in the rubric file format (docs/rubrics.md)"})


class RubricErrorSchema(StrictSchema):
    """One ``RubricError``, located as the rubric file checks locate it."""

    path = ma.fields.String(required=True, metadata={"description": "e.g. criteria[3].weight"})
    message = ma.fields.String(required=True)
    line = ma.fields.Integer(allow_none=True)
    column = ma.fields.Integer(allow_none=True)


class ValidationResultSchema(StrictSchema):
    """A ``RubricCheck`` of an upload: the id is given only when the document is valid."""

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
    return rubric_versions.list_rubrics()


@bp.route("/<string:rubric_id>/versions/<int:number>", methods=["GET"])
@require_api_roles(*READERS)
@bp.response(200, RubricVersionSchema)
@bp.alt_response(404, response="NOT_FOUND")
def get_version(rubric_id: str, number: int):
    """One published, immutable rubric version."""
    return rubric_versions.read_version(rubric_id, number)


@bp.route("/validate", methods=["POST"])
@require_api_roles(Role.QUALITY_LEAD, Role.ADMIN)
@bp.arguments(RubricUploadSchema)
@bp.response(200, ValidationResultSchema)
def validate(document):
    """Check a rubric document with the same validators as rubric files. Saves nothing."""
    return rubric_drafts.validate_document(document, registries().criterion_types)

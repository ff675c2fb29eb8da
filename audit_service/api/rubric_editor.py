"""Rubric editing over the API: drafts, validation, publishing, retiring, diffs, export and
assignments. Everyone who may read rubrics may read these; only quality leads and
administrators change anything.
"""

from __future__ import annotations

import marshmallow as ma

from audit_service.api.audit_schemas import ConflictSchema
from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.rubrics import RubricErrorSchema
from audit_service.api.schemas import StrictSchema, UtcDateTime
from audit_service.domain.vocabulary import CaseType, Role
from audit_service.extension import registries
from audit_service.services.rubrics import assignments as rubric_assignments
from audit_service.services.rubrics import drafts as rubric_drafts
from audit_service.services.rubrics import history as rubric_history
from audit_service.services.rubrics import versions as rubric_versions

WRITERS = (Role.QUALITY_LEAD, Role.ADMIN)
READERS = (Role.QUALITY_LEAD, Role.ADMIN, Role.SENIOR_LEADER)

drafts_bp = Blueprint("api_rubric_drafts", __name__, url_prefix="/api/v1/rubric-drafts",
                      description="Rubric drafts: edit, validate and publish")
rubric_bp = Blueprint("api_rubric_changes", __name__, url_prefix="/api/v1/rubrics",
                      description="Retire, compare and export rubrics")
assignments_bp = Blueprint("api_rubric_assignments", __name__,
                           url_prefix="/api/v1/rubric-assignments",
                           description="Which rubrics audits of each case type use")


class RubricDraftSchema(StrictSchema):
    """A ``DraftView``: what was typed so far, under the version that guards it."""

    id = ma.fields.String(attribute="public_id", required=True)
    rubric_id = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True, metadata={
        "description": "Send it back when saving or publishing: a stale version is refused"})
    base_version = ma.fields.Integer(allow_none=True, dump_only=True, metadata={
        "description": "The number of the version the draft started from, if any"})
    updated_at = UtcDateTime(required=True)
    document = ma.fields.Dict(required=True, metadata={
        "description": "The rubric as typed so far, valid or not (rubric file format)"})


class DraftCreateSchema(StrictSchema):
    rubric_id = ma.fields.String(metadata={"description": "A new rubric's id (with title, domain)"})
    title = ma.fields.String()
    domain = ma.fields.String()
    from_rubric = ma.fields.String(metadata={"description": "Copy a published version: rubric id"})
    from_version = ma.fields.Integer(metadata={"description": "... and its version number"})
    document = ma.fields.Dict(metadata={"description": "Or a whole rubric document to import"})

    @ma.validates_schema
    def one_way(self, data, **kwargs):
        ways = [bool(data.get("rubric_id")), bool(data.get("from_rubric")),
                "document" in data]
        if sum(ways) != 1:
            raise ma.ValidationError("give exactly one of: rubric_id (with title and domain), "
                                     "from_rubric (with from_version) or document")


class DraftSaveSchema(StrictSchema):
    version = ma.fields.Integer(required=True)
    document = ma.fields.Dict(required=True)


class VersionOnlySchema(StrictSchema):
    version = ma.fields.Integer(required=True)


class DraftCheckSchema(StrictSchema):
    """A ``RubricCheck`` of a saved draft (its id is in the draft itself)."""

    valid = ma.fields.Boolean(required=True)
    errors = ma.fields.List(ma.fields.Nested(RubricErrorSchema), required=True)


class PublishedSchema(StrictSchema):
    """A ``Published``: the version the draft became, or the identical one it matched."""

    rubric_id = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    created = ma.fields.Boolean(required=True, metadata={
        "description": "False when the draft was identical to the latest version"})
    content_hash = ma.fields.String(required=True)


class DiffQuerySchema(StrictSchema):
    """Both versions are required: the API compares only what the client names."""

    from_version = ma.fields.Integer(required=True, data_key="from")
    to_version = ma.fields.Integer(required=True, data_key="to")


class ChangeSchema(StrictSchema):
    """One ``Change`` of a ``RubricDiff``, with the sentence the editor's diff page shows."""

    section = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "added, removed, changed, "
                                                                    "moved"})
    subject = ma.fields.String(required=True)
    field = ma.fields.String(required=True)
    old = ma.fields.Raw(allow_none=True)
    new = ma.fields.Raw(allow_none=True)
    description = ma.fields.Function(lambda change: change.describe(), required=True,
                                     metadata={"type": "string"})


class ExportSchema(StrictSchema):
    """A ``VersionView`` as a file: the YAML in the body, so a client need not download."""

    filename = ma.fields.String(required=True)
    yaml = ma.fields.String(required=True, metadata={
        "description": "A rubric file that `audit-service rubrics validate` accepts"})


class AssignmentSchema(StrictSchema):
    """An ``AssignmentView``; the service by its name, None for all services."""

    id = ma.fields.Integer(required=True)
    rubric_id = ma.fields.String(dump_only=True)
    service = ma.fields.String(allow_none=True, dump_only=True)
    case_types = ma.fields.List(ma.fields.String(), required=True)


class AssignmentCreateSchema(StrictSchema):
    rubric_id = ma.fields.String(required=True)
    service = ma.fields.String(load_default=None, metadata={
        "description": "A service's name; leave out for all services"})
    case_types = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(
        [t.value for t in CaseType])), required=True)


def blueprints() -> list[Blueprint]:
    return [drafts_bp, rubric_bp, assignments_bp]


# --- drafts -------------------------------------------------------------------------------


@drafts_bp.route("", methods=["GET"])
@require_api_roles(*WRITERS)
@drafts_bp.response(200, RubricDraftSchema(many=True))
def list_drafts():
    """Every rubric draft."""
    return rubric_drafts.list_drafts()


@drafts_bp.route("", methods=["POST"])
@require_api_roles(*WRITERS)
@drafts_bp.arguments(DraftCreateSchema)
@drafts_bp.response(201, RubricDraftSchema)
def create_draft(body):
    """Start a draft: a new rubric, a copy of a published version, or a whole document."""
    return rubric_drafts.start_draft(author=current_api_user(), **body)


@drafts_bp.route("/<string:public_id>", methods=["GET"])
@require_api_roles(*WRITERS)
@drafts_bp.response(200, RubricDraftSchema)
@drafts_bp.alt_response(404, response="NOT_FOUND")
def get_draft(public_id: str):
    """One draft."""
    return rubric_drafts.get_draft(public_id)


@drafts_bp.route("/<string:public_id>", methods=["PUT"])
@require_api_roles(*WRITERS)
@drafts_bp.arguments(DraftSaveSchema)
@drafts_bp.response(200, RubricDraftSchema)
@drafts_bp.alt_response(409, schema=ConflictSchema, description="Saved since `version`")
def save_draft(body, public_id: str):
    """Replace the draft's document. ``version`` must be the draft's current version."""
    return rubric_drafts.save(public_id, body["document"], body["version"],
                              actor=current_api_user())


@drafts_bp.route("/<string:public_id>", methods=["DELETE"])
@require_api_roles(*WRITERS)
@drafts_bp.response(204)
def delete_draft(public_id: str):
    """Delete a draft (published versions are never deleted)."""
    rubric_drafts.delete(public_id, actor=current_api_user())


@drafts_bp.route("/<string:public_id>/validate", methods=["POST"])
@require_api_roles(*WRITERS)
@drafts_bp.response(200, DraftCheckSchema)
def validate_draft(public_id: str):
    """Check the draft with the same validators as rubric files."""
    return rubric_drafts.validate(public_id, registries().criterion_types)


@drafts_bp.route("/<string:public_id>/publish", methods=["POST"])
@require_api_roles(*WRITERS)
@drafts_bp.arguments(VersionOnlySchema)
@drafts_bp.response(200, PublishedSchema)
@drafts_bp.alt_response(409, schema=ConflictSchema, description="Saved since `version`")
def publish_draft(body, public_id: str):
    """Publish the draft as the rubric's next immutable version (and remove the draft).
    A draft that does not validate is refused with its problems under ``document``."""
    return rubric_drafts.publish(public_id, body["version"], actor=current_api_user(),
                                 criterion_types=registries().criterion_types)


# --- published rubrics --------------------------------------------------------------------


@rubric_bp.route("/<string:rubric_id>/retire", methods=["POST"])
@require_api_roles(*WRITERS)
@rubric_bp.response(204)
@rubric_bp.alt_response(404, response="NOT_FOUND")
def retire(rubric_id: str):
    """Stop using a rubric for new audits; its versions and past grades stay."""
    rubric_versions.retire(rubric_id, actor=current_api_user())


@rubric_bp.route("/<string:rubric_id>/diff", methods=["GET"])
@require_api_roles(*READERS)
@rubric_bp.arguments(DiffQuerySchema, location="query")
@rubric_bp.response(200, ChangeSchema(many=True))
@rubric_bp.alt_response(404, response="NOT_FOUND")
def diff(query, rubric_id: str):
    """Field-by-field differences between two versions (``?from=1&to=2``)."""
    compared = rubric_history.compare(rubric_id, query["from_version"], query["to_version"])
    return list(compared.changes)  # a tuple would be read as (body, status, headers)


@rubric_bp.route("/<string:rubric_id>/versions/<int:number>/export", methods=["GET"])
@require_api_roles(*READERS)
@rubric_bp.response(200, ExportSchema)
@rubric_bp.alt_response(404, response="NOT_FOUND")
def export(rubric_id: str, number: int):
    """A version as a rubric file (YAML): validate and load it back to the same version."""
    return rubric_versions.read_version(rubric_id, number)


# --- assignments --------------------------------------------------------------------------


@assignments_bp.route("", methods=["GET"])
@require_api_roles(*READERS)
@assignments_bp.response(200, AssignmentSchema(many=True))
def list_assignments():
    """Every assignment. With none, audits use every rubric covering the case's type."""
    return rubric_assignments.list_assignments()


@assignments_bp.route("", methods=["POST"])
@require_api_roles(*WRITERS)
@assignments_bp.arguments(AssignmentCreateSchema)
@assignments_bp.response(201, AssignmentSchema)
def assign(body):
    """Assign a rubric to case types, in one service or all (replaces the same service's)."""
    return rubric_assignments.assign(body["rubric_id"], body["case_types"],
                                     actor=current_api_user(), service_name=body["service"])


@assignments_bp.route("/<int:assignment_id>", methods=["DELETE"])
@require_api_roles(*WRITERS)
@assignments_bp.response(204)
def unassign(assignment_id: int):
    """Remove an assignment."""
    rubric_assignments.unassign(assignment_id, actor=current_api_user())

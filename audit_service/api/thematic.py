"""``/api/v1/thematic-audits``: define a cohort, count it, draw a seeded sample, pin rubrics
and assign auditors. Only quality leads and administrators use it.
"""

from __future__ import annotations

import marshmallow as ma

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import StrictSchema, UtcDateTime
from audit_service.clock import local_today
from audit_service.domain.sampling import FLAG_IDS
from audit_service.domain.sampling.thematic import CLOSURES
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.sampling import thematic

LEADS = (Role.QUALITY_LEAD,)

bp = Blueprint("api_thematic", __name__, url_prefix="/api/v1/thematic-audits",
               description="Thematic audits of a cohort of cases")


class FiltersSchema(StrictSchema):
    case_types = ma.fields.List(ma.fields.String(), load_default=list)
    statuses = ma.fields.List(ma.fields.String(), load_default=list)
    closed_from = ma.fields.Date(load_default=None)
    closed_to = ma.fields.Date(load_default=None)
    closure = ma.fields.String(load_default="", validate=ma.validate.OneOf(list(CLOSURES)))
    age_bands = ma.fields.List(ma.fields.String(), load_default=list)
    team_ids = ma.fields.List(ma.fields.Integer(), load_default=list)
    service_ids = ma.fields.List(ma.fields.Integer(), load_default=list)
    flags = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(FLAG_IDS)),
                           load_default=list)


class DefineSchema(StrictSchema):
    title = ma.fields.String(required=True)
    filters = ma.fields.Nested(FiltersSchema, load_default=dict)


class CohortQuerySchema(StrictSchema):
    filters = ma.fields.Nested(FiltersSchema, required=True)


class CohortSizeSchema(StrictSchema):
    size = ma.fields.Integer(required=True)
    filters = ma.fields.List(ma.fields.String(), attribute="filters_text", required=True,
                             metadata={"description": "The filters in plain words"})


class ThematicDrawSchema(StrictSchema):
    sample_size = ma.fields.Integer(required=True)
    strategy = ma.fields.String(load_default="simple_random")
    seed = ma.fields.String(load_default=None, metadata={
        "description": "Repeat a draw exactly; by default a new random seed"})


class RubricsSchema(StrictSchema):
    rubrics = ma.fields.List(ma.fields.String(), required=True,
                             metadata={"description": "Rubric ids; their latest versions are "
                                                      "pinned"})


class CaseAuditorSchema(StrictSchema):
    case = ma.fields.String(required=True, metadata={"description": "The case's public id"})
    auditor = ma.fields.String(required=True, metadata={"description": "A username"})


class ThematicAssignSchema(StrictSchema):
    assignments = ma.fields.List(ma.fields.Nested(CaseAuditorSchema), required=True)


class ThematicCaseSchema(StrictSchema):
    case = ma.fields.String(attribute="case.public_id", required=True)
    position = ma.fields.Integer(required=True)
    reason = ma.fields.String(required=True)
    auditor = ma.fields.String(allow_none=True, metadata={"description": "A username"})
    audit = ma.fields.String(attribute="audit_id", allow_none=True,
                             metadata={"description": "The audit's public id"})


class ThematicSchema(StrictSchema):
    id = ma.fields.String(attribute="public_id", required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"description": "defined or drawn"})
    filters = ma.fields.Dict(required=True)
    cohort_size = ma.fields.Integer(allow_none=True)
    sample_size = ma.fields.Integer(allow_none=True)
    strategy = ma.fields.String(allow_none=True)
    seed = ma.fields.String(allow_none=True)
    drawn_at = UtcDateTime(allow_none=True)
    rubrics = ma.fields.List(ma.fields.String(), attribute="rubric_refs", required=True,
                             metadata={"description": "Pinned versions, rubric_id/number"})
    cases = ma.fields.List(ma.fields.Nested(ThematicCaseSchema), required=True)


@bp.route("", methods=["GET"])
@require_api_roles(*LEADS)
@bp.response(200, ThematicSchema(many=True))
def list_thematic():
    """Every thematic audit, newest first."""
    return thematic.list_all()


@bp.route("", methods=["POST"])
@require_api_roles(*LEADS)
@bp.arguments(DefineSchema)
@bp.response(201, ThematicSchema)
def define(body):
    """Define a thematic audit by its cohort's filters."""
    return thematic.define(body["title"], thematic.cohort_filters(body["filters"]),
                           actor=current_api_user())


@bp.route("/cohort-size", methods=["POST"])
@require_api_roles(*LEADS)
@bp.arguments(CohortQuerySchema)
@bp.response(200, CohortSizeSchema)
def cohort_size(body):
    """How many cases the filters select today (saves nothing)."""
    return thematic.preview(thematic.cohort_filters(body["filters"]), local_today())


@bp.route("/<string:public_id>", methods=["GET"])
@require_api_roles(*LEADS)
@bp.response(200, ThematicSchema)
@bp.alt_response(404, response="NOT_FOUND")
def get_thematic(public_id: str):
    """One thematic audit with its cases, their reasons, auditors and audits."""
    return thematic.find(public_id)


@bp.route("/<string:public_id>/draw", methods=["POST"])
@require_api_roles(*LEADS)
@bp.arguments(ThematicDrawSchema)
@bp.response(200, ThematicSchema)
def draw(body, public_id: str):
    """Draw the sample once, with a sampling strategy plugin; the seed is recorded."""
    return thematic.draw(public_id, body["sample_size"], body["strategy"],
                         actor=current_api_user(), registry=registries().sampling_strategies,
                         today=local_today(), seed=body["seed"])


@bp.route("/<string:public_id>/rubrics", methods=["PUT"])
@require_api_roles(*LEADS)
@bp.arguments(RubricsSchema)
@bp.response(200, ThematicSchema)
def choose_rubrics(body, public_id: str):
    """Choose the rubrics (their latest versions are pinned) before audits start."""
    return thematic.choose_rubrics(public_id, body["rubrics"], actor=current_api_user())


@bp.route("/<string:public_id>/auditors", methods=["POST"])
@require_api_roles(*LEADS)
@bp.arguments(ThematicAssignSchema)
@bp.response(200, ThematicSchema)
def assign(body, public_id: str):
    """Give cases to auditors (team managers or quality leads); each gets a normal audit."""
    return thematic.assign_by_case(
        public_id, {item["case"]: item["auditor"] for item in body["assignments"]},
        actor=current_api_user())

"""``/api/v1/moderation``: pick, assign, adjudicate, the random share and agreement statistics.

The moderator submits through the audits API (``/api/v1/audits/<id>/submit``),
like any audit. Only quality leads and administrators write here; the first
audit stays hidden from its moderator until they have submitted.
"""

from __future__ import annotations

import marshmallow as ma
from flask import request

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import MONTH, StrictSchema, UtcDateTime
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.moderation import agreement as agreement_stats
from audit_service.services.moderation import workflow as moderation_service
from audit_service.services.moderation.rules import MANAGERS
from audit_service.services.moderation.views import STATES

bp = Blueprint("api_moderation", __name__, url_prefix="/api/v1/moderation",
               description="Moderation: blind second audits, adjudication and agreement")


class ListQuerySchema(StrictSchema):
    period = ma.fields.String(load_default=None, validate=MONTH,
                              metadata={"description": "Month the audits were submitted"})
    state = ma.fields.String(load_default=None,
                             validate=ma.validate.OneOf(list(STATES)))


class PickSchema(StrictSchema):
    audit = ma.fields.String(required=True, metadata={"description": "The submitted audit's id"})


class AssignSchema(StrictSchema):
    moderator = ma.fields.String(required=True, metadata={
        "description": "Username of a quality lead or team manager (not the first auditor)"})


class AdjudicateSchema(StrictSchema):
    agreed_grade = ma.fields.String(required=True, metadata={"description": "A grade level id"})
    agreed_domains = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(),
                                    load_default=dict,
                                    metadata={"description": "Rubric id -> agreed grade"})
    note = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5_000))


class ShareSchema(StrictSchema):
    share_percent = ma.fields.Integer(required=True, strict=True,
                                      validate=ma.validate.Range(min=0, max=100))


class SettingSchema(StrictSchema):
    share_percent = ma.fields.Integer(required=True)
    seed = ma.fields.String(allow_none=True)
    created_at = UtcDateTime(allow_none=True)
    created_by = ma.fields.String(allow_none=True)


class DrawSchema(StrictSchema):
    period = ma.fields.String(required=True, validate=MONTH)


class DrawReportSchema(StrictSchema):
    period = ma.fields.String(required=True)
    share_percent = ma.fields.Integer(required=True)
    eligible = ma.fields.Integer(required=True)
    target = ma.fields.Integer(required=True)
    picked = ma.fields.List(ma.fields.String(), required=True)


class CriterionComparisonSchema(StrictSchema):
    """One criterion as each auditor rated it ("n/a", or null when left unanswered)."""

    rubric = ma.fields.String(required=True, attribute="key.rubric_id")
    criterion = ma.fields.String(required=True, attribute="key.criterion_id")
    prompt = ma.fields.String(required=True)
    first_rating = ma.fields.String(allow_none=True, attribute="first")
    moderation_rating = ma.fields.String(allow_none=True, attribute="second")
    differs = ma.fields.Boolean(required=True)


def _nullable(description: str, kind: type[ma.fields.Field] = ma.fields.String
              ) -> ma.fields.Field:
    """A field that stays null until the moderation reaches the step that fills it."""
    return kind(allow_none=True, metadata={"description": description})


class ModerationSchema(StrictSchema):
    id = ma.fields.String(required=True)
    audit = ma.fields.String(required=True, metadata={"description": "The first audit's id"})
    period = ma.fields.String(required=True)
    source = ma.fields.String(required=True, metadata={"description": "chosen or random"})
    reason = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    first_grade = _nullable("Withheld (null) from everyone until the moderator has submitted")
    first_grade_withheld = ma.fields.Boolean(required=True)
    moderator = _nullable("The moderator's username, once one is assigned")
    moderation_audit = _nullable(
        "The moderator's own audit of the case (submit it through the audits API)")
    moderation_grade = _nullable("The moderator's own grade, once they have submitted")
    agreed_grade = _nullable(
        "Set by adjudication; it becomes the first audit's grade everywhere")
    agreed_domains = _nullable("Rubric id -> agreed grade, where a domain was graded apart",
                               ma.fields.Dict)
    note = ma.fields.String(allow_none=True)
    adjudicated_at = UtcDateTime(allow_none=True)
    comparison = ma.fields.List(ma.fields.Nested(CriterionComparisonSchema), allow_none=True,
                                attribute="criteria", metadata={
                                    "description": "Null until the moderator has submitted"})


class EstimateSchema(StrictSchema):
    value = ma.fields.Float(allow_none=True)
    low = ma.fields.Float(allow_none=True, metadata={"description": "95% confidence interval"})
    high = ma.fields.Float(allow_none=True)
    se = ma.fields.Float(allow_none=True)


class SummarySchema(StrictSchema):
    label = ma.fields.String(required=True)
    pairs = ma.fields.Integer(required=True)
    percent_agreement = ma.fields.Nested(EstimateSchema, required=True)
    kappa_linear = ma.fields.Nested(EstimateSchema, required=True)
    kappa_quadratic = ma.fields.Nested(EstimateSchema, required=True)
    ac1 = ma.fields.Nested(EstimateSchema, required=True)
    ac2_linear = ma.fields.Nested(EstimateSchema, required=True)
    left_out = ma.fields.Integer(required=True, metadata={
        "description": "Pairs on another scale, left out of the pooled figures"})


class AuditorSchema(SummarySchema):
    username = ma.fields.String(required=True)
    mean_score_difference = ma.fields.Nested(EstimateSchema, required=True,
                                             attribute="flag.mean")
    sign_test_p = ma.fields.Float(required=True, attribute="flag.sign_p")
    flagged = ma.fields.Boolean(required=True, attribute="flag.flagged")
    reason = ma.fields.String(required=True, attribute="flag.reason")


class StatisticsQuerySchema(StrictSchema):
    period_from = ma.fields.String(required=True, data_key="from", validate=MONTH)
    period_to = ma.fields.String(required=True, data_key="to", validate=MONTH)


class StatisticsSchema(StrictSchema):
    period_from = ma.fields.String(required=True, data_key="from")
    period_to = ma.fields.String(required=True, data_key="to")
    moderations = ma.fields.Integer(required=True)
    criteria = ma.fields.List(ma.fields.Nested(SummarySchema), required=True)
    auditors = ma.fields.List(ma.fields.Nested(AuditorSchema), required=True)
    teams = ma.fields.List(ma.fields.Nested(SummarySchema), required=True)


def _types():
    return registries().criterion_types


@bp.route("", methods=["GET"])
@require_api_roles(*MANAGERS)
@bp.arguments(ListQuerySchema, location="query", as_kwargs=True)
@bp.response(200, ModerationSchema(many=True))
def list_moderations(period: str | None, state: str | None):
    """Picked audits and where their moderation has got to, newest first."""
    return moderation_service.moderation_list(current_api_user(), period=period, state=state)


@bp.route("", methods=["POST"])
@require_api_roles(*MANAGERS)
@bp.arguments(PickSchema)
@bp.response(201, ModerationSchema)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(409, response="CONFLICT")
def pick(body):
    """Pick a submitted audit for moderation (409 if it was already picked)."""
    return moderation_service.pick(current_api_user(), body["audit"],
                                   remote_addr=request.remote_addr)


@bp.route("/settings", methods=["GET"])
@require_api_roles(*MANAGERS)
@bp.response(200, SettingSchema)
def get_setting():
    """The share of each month's audits drawn at random (0 when none is set)."""
    return moderation_service.share_setting()


@bp.route("/settings", methods=["PUT"])
@require_api_roles(*MANAGERS)
@bp.arguments(ShareSchema)
@bp.response(200, SettingSchema)
def put_setting(body):
    """Set a new share (a new version, with a new seed; 0 turns the random draw off)."""
    return moderation_service.set_share(current_api_user(), body["share_percent"],
                                        remote_addr=request.remote_addr)


@bp.route("/draw", methods=["POST"])
@require_api_roles(*MANAGERS)
@bp.arguments(DrawSchema)
@bp.response(200, DrawReportSchema)
def draw(body):
    """Draw a month's random sample now (the scheduler does this on the next month's first
    working day); repeating it only tops the sample up."""
    return moderation_service.pick_moderation_sample(body["period"], actor=current_api_user())


@bp.route("/statistics", methods=["GET"])
@require_api_roles(*MANAGERS, Role.SENIOR_LEADER)
@bp.arguments(StatisticsQuerySchema, location="query", as_kwargs=True)
@bp.response(200, StatisticsSchema)
def statistics(period_from: str, period_to: str):
    """Agreement per criterion, auditor and team, each with a 95% confidence interval,
    and the auditors whose grades run higher than moderation."""
    return agreement_stats.statistics(period_from, period_to, _types())


@bp.route("/<public_id>", methods=["GET"])
@require_api_roles(*MANAGERS)
@bp.response(200, ModerationSchema)
def get_moderation(public_id: str):
    """A moderation; once the moderator has submitted, both audits' ratings side by side."""
    return moderation_service.moderation_view(current_api_user(), public_id, _types())


@bp.route("/<public_id>/assign", methods=["POST"])
@require_api_roles(*MANAGERS)
@bp.arguments(AssignSchema)
@bp.response(200, ModerationSchema)
@bp.alt_response(409, response="CONFLICT")
def assign(body, public_id: str):
    """Assign the moderator: their blind draft is created, pinned to the same rubric versions."""
    return moderation_service.assign(current_api_user(), public_id, body["moderator"],
                                     remote_addr=request.remote_addr)


@bp.route("/<public_id>/adjudicate", methods=["POST"])
@require_api_roles(*MANAGERS)
@bp.arguments(AdjudicateSchema)
@bp.response(200, ModerationSchema)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="The agreed grade, a "
                 "domain's grade or the note cannot be recorded; `errors` names each")
@bp.alt_response(409, response="CONFLICT",
                 description="The moderator has not submitted yet, or it was adjudicated")
def adjudicate(body, public_id: str):
    """Record the agreed grade (overall, optionally per domain) with a note."""
    return moderation_service.adjudicate(
        current_api_user(), public_id, body["agreed_grade"], body["agreed_domains"],
        body["note"], _types(), remote_addr=request.remote_addr)

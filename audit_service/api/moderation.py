"""``/api/v1/moderation``: pick, assign, adjudicate, the random share and agreement statistics.

The moderator submits through the audits API (``/api/v1/audits/<id>/submit``),
like any audit. Only quality leads and administrators write here; the first
audit stays hidden from its moderator until they have submitted.
"""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_smorest import abort

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import MONTH, StrictSchema, UtcDateTime
from audit_service.domain.agreement import Estimate
from audit_service.domain.audits import FieldError
from audit_service.domain.vocabulary import AuditStatus, Role
from audit_service.extension import registries
from audit_service.services.errors import NotFound
from audit_service.services.moderation import agreement as agreement_stats
from audit_service.services.moderation import workflow as moderation_service
from audit_service.services.moderation.workflow import InvalidModeration, ModerationConflict
from audit_service.storage.models import Audit, Moderation, User

bp = Blueprint("api_moderation", __name__, url_prefix="/api/v1/moderation",
               description="Moderation: blind second audits, adjudication and agreement")

WRITERS = (Role.QUALITY_LEAD, Role.ADMIN)


class ListQuerySchema(StrictSchema):
    period = ma.fields.String(load_default=None, validate=MONTH,
                              metadata={"description": "Month the audits were submitted"})
    state = ma.fields.String(load_default=None,
                             validate=ma.validate.OneOf(list(moderation_service.STATES)))


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
    rubric = ma.fields.String(required=True)
    criterion = ma.fields.String(required=True)
    prompt = ma.fields.String(required=True)
    first_rating = ma.fields.String(allow_none=True)
    moderation_rating = ma.fields.String(allow_none=True)
    differs = ma.fields.Boolean(required=True)


class ModerationSchema(StrictSchema):
    id = ma.fields.String(required=True)
    audit = ma.fields.String(required=True, metadata={"description": "The first audit's id"})
    period = ma.fields.String(required=True)
    source = ma.fields.String(required=True, metadata={"description": "chosen or random"})
    reason = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    first_grade = ma.fields.String(allow_none=True, metadata={
        "description": "Hidden (null) from the moderator until they have submitted"})
    moderator = ma.fields.String(allow_none=True)
    moderation_audit = ma.fields.String(allow_none=True)
    moderation_grade = ma.fields.String(allow_none=True)
    agreed_grade = ma.fields.String(allow_none=True)
    agreed_domains = ma.fields.Dict(allow_none=True)
    note = ma.fields.String(allow_none=True)
    adjudicated_at = UtcDateTime(allow_none=True)
    comparison = ma.fields.List(ma.fields.Nested(CriterionComparisonSchema), allow_none=True)


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
    mean_score_difference = ma.fields.Nested(EstimateSchema, required=True)
    sign_test_p = ma.fields.Float(required=True)
    flagged = ma.fields.Boolean(required=True)
    reason = ma.fields.String(required=True)


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


def _field_errors(errors: list[FieldError]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error.field, []).append(error.message)
    return grouped


def _types():
    return registries().criterion_types


def _moderation(public_id: str) -> Moderation:
    try:
        return moderation_service.get(public_id)
    except NotFound as exc:
        abort(404, message=str(exc))


def _out(moderation: Moderation, *, with_comparison: bool = False) -> dict:
    user = current_api_user()
    first = Audit.get_by_id(moderation.audit_id)
    second = (Audit.get_by_id(moderation.moderation_audit_id)
              if moderation.moderation_audit_id else None)
    moderator = User.get_by_id(moderation.moderator_id) if moderation.moderator_id else None
    comparison = None
    if with_comparison and second is not None and second.status == AuditStatus.SUBMITTED:
        compared = moderation_service.compare(moderation, _types())
        comparison = [
            {"rubric": c.key.rubric_id, "criterion": c.key.criterion_id, "prompt": c.prompt,
             "first_rating": c.first, "moderation_rating": c.second, "differs": c.differs}
            for c in compared.criteria
        ]
    return {
        "id": moderation.public_id, "audit": first.public_id, "period": moderation.period,
        "source": moderation.source, "reason": moderation.reason,
        "state": moderation_service.state_of(moderation, second),
        "first_grade": first.overall_grade
        if moderation_service.may_see_first(user, moderation) else None,
        "moderator": moderator.username if moderator else None,
        "moderation_audit": second.public_id if second else None,
        "moderation_grade": second.overall_grade if second else None,
        "agreed_grade": moderation.agreed_grade, "agreed_domains": moderation.agreed_domains,
        "note": moderation.note, "adjudicated_at": moderation.adjudicated_at,
        "comparison": comparison,
    }


@bp.route("", methods=["GET"])
@require_api_roles(*WRITERS)
@bp.arguments(ListQuerySchema, location="query", as_kwargs=True)
@bp.response(200, ModerationSchema(many=True))
def list_moderations(period: str | None, state: str | None):
    """Picked audits and where their moderation has got to, newest first."""
    query = Moderation.select().order_by(Moderation.picked_at.desc(), Moderation.id.desc())
    if period:
        query = query.where(Moderation.period == period)
    found = [_out(m) for m in query.limit(500)]
    return [m for m in found if state is None or m["state"] == state]


@bp.route("", methods=["POST"])
@require_api_roles(*WRITERS)
@bp.arguments(PickSchema)
@bp.response(201, ModerationSchema)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(409, response="CONFLICT")
def pick(body):
    """Pick a submitted audit for moderation (409 if it was already picked)."""
    try:
        moderation = moderation_service.pick(current_api_user(), body["audit"],
                                             remote_addr=request.remote_addr)
    except NotFound as exc:
        abort(404, message=str(exc))
    except InvalidModeration as exc:
        abort(400, message=str(exc), errors=_field_errors(exc.errors))
    except ModerationConflict as exc:
        abort(409, message=str(exc))
    return _out(moderation)


@bp.route("/settings", methods=["GET"])
@require_api_roles(*WRITERS)
@bp.response(200, SettingSchema)
def get_setting():
    """The share of each month's audits drawn at random (0 when none is set)."""
    setting = moderation_service.current_setting()
    if setting is None:
        return {"share_percent": 0, "seed": None, "created_at": None, "created_by": None}
    return {"share_percent": setting.share_percent, "seed": setting.seed,
            "created_at": setting.created_at, "created_by": setting.created_by}


@bp.route("/settings", methods=["PUT"])
@require_api_roles(*WRITERS)
@bp.arguments(ShareSchema)
@bp.response(200, SettingSchema)
def put_setting(body):
    """Set a new share (a new version, with a new seed; 0 turns the random draw off)."""
    setting = moderation_service.set_share(current_api_user(), body["share_percent"],
                                           remote_addr=request.remote_addr)
    return {"share_percent": setting.share_percent, "seed": setting.seed,
            "created_at": setting.created_at, "created_by": setting.created_by}


@bp.route("/draw", methods=["POST"])
@require_api_roles(*WRITERS)
@bp.arguments(DrawSchema)
@bp.response(200, DrawReportSchema)
def draw(body):
    """Draw a month's random sample now (the scheduler does this on the next month's first
    working day); repeating it only tops the sample up."""
    try:
        report = moderation_service.pick_moderation_sample(body["period"],
                                                           actor=current_api_user())
    except InvalidModeration as exc:  # a month the calendar cannot hold, e.g. 0000-01
        abort(400, message=str(exc), errors=_field_errors(exc.errors))
    return {"period": report.period, "share_percent": report.share_percent,
            "eligible": report.eligible, "target": report.target, "picked": report.picked}


def _estimate(estimate: Estimate) -> dict:
    return {"value": estimate.value, "low": estimate.low, "high": estimate.high,
            "se": estimate.se}


def _summary(label: str, summary, left_out: int) -> dict:
    empty = Estimate(None)
    return {
        "label": label, "pairs": summary.n if summary else 0,
        "percent_agreement": _estimate(summary.percent if summary else empty),
        "kappa_linear": _estimate(summary.kappa_linear if summary else empty),
        "kappa_quadratic": _estimate(summary.kappa_quadratic if summary else empty),
        "ac1": _estimate(summary.ac1 if summary else empty),
        "ac2_linear": _estimate(summary.ac2_linear if summary else empty),
        "left_out": left_out,
    }


@bp.route("/statistics", methods=["GET"])
@require_api_roles(Role.QUALITY_LEAD, Role.ADMIN, Role.SENIOR_LEADER)
@bp.arguments(StatisticsQuerySchema, location="query", as_kwargs=True)
@bp.response(200, StatisticsSchema)
@bp.alt_response(400, response="BAD_REQUEST")
def statistics(period_from: str, period_to: str):
    """Agreement per criterion, auditor and team, each with a 95% confidence interval,
    and the auditors whose grades run higher than moderation."""
    try:
        report = agreement_stats.statistics(period_from, period_to, _types())
    except InvalidModeration as exc:
        abort(400, message=str(exc), errors=_field_errors(exc.errors))
    return {
        "period_from": report.period_from, "period_to": report.period_to,
        "moderations": report.moderations,
        "criteria": [_summary(r.label, r.summary, r.left_out) for r in report.criteria],
        "teams": [_summary(r.label, r.summary, r.left_out) for r in report.teams],
        "auditors": [
            {**_summary(r.label, r.summary, r.left_out), "username": r.username,
             "mean_score_difference": _estimate(r.flag.mean), "sign_test_p": r.flag.sign_p,
             "flagged": r.flag.flagged, "reason": r.flag.reason}
            for r in report.auditors
        ],
    }


@bp.route("/<public_id>", methods=["GET"])
@require_api_roles(*WRITERS)
@bp.response(200, ModerationSchema)
def get_moderation(public_id: str):
    """A moderation; once the moderator has submitted, both audits' ratings side by side."""
    return _out(_moderation(public_id), with_comparison=True)


@bp.route("/<public_id>/assign", methods=["POST"])
@require_api_roles(*WRITERS)
@bp.arguments(AssignSchema)
@bp.response(200, ModerationSchema)
@bp.alt_response(409, response="CONFLICT")
def assign(body, public_id: str):
    """Assign the moderator: their blind draft is created, pinned to the same rubric versions."""
    moderation = _moderation(public_id)
    try:
        moderation_service.assign(current_api_user(), moderation, body["moderator"],
                                  remote_addr=request.remote_addr)
    except InvalidModeration as exc:
        abort(400, message=str(exc), errors=_field_errors(exc.errors))
    except ModerationConflict as exc:
        abort(409, message=str(exc))
    return _out(Moderation.get_by_id(moderation.id))


@bp.route("/<public_id>/adjudicate", methods=["POST"])
@require_api_roles(*WRITERS)
@bp.arguments(AdjudicateSchema)
@bp.response(200, ModerationSchema)
@bp.alt_response(409, response="CONFLICT")
def adjudicate(body, public_id: str):
    """Record the agreed grade (overall, optionally per domain) with a note."""
    moderation = _moderation(public_id)
    try:
        done = moderation_service.adjudicate(
            current_api_user(), moderation, body["agreed_grade"], body["agreed_domains"],
            body["note"], _types(), remote_addr=request.remote_addr)
    except InvalidModeration as exc:
        abort(400, message=str(exc), errors=_field_errors(exc.errors))
    except ModerationConflict as exc:
        abort(409, message=str(exc))
    return _out(done, with_comparison=True)

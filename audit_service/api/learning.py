"""``/api/v1/themes`` and ``/api/v1/exemplars``: practice themes and shared good practice.

Everyone who may read the learning page may read these; only quality leads
write. Exemplars carry no link to their case.
"""

from __future__ import annotations

import marshmallow as ma
from flask import request

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import MONTH, StrictSchema, UtcDateTime
from audit_service.services.moderation import learning
from audit_service.services.moderation.periods import MAX_SPAN
from audit_service.services.moderation.rules import MANAGERS, READERS

bp = Blueprint("api_learning", __name__, url_prefix="/api/v1",
               description="Learning: practice themes and shared exemplars")


class ThemeSchema(StrictSchema):
    id = ma.fields.Integer(required=True, metadata={
        "description": "What tagging an audit names the theme by"})
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True, metadata={
        "description": "What the theme covers, in the quality lead's words"})
    controlled = ma.fields.Boolean(required=True, metadata={
        "description": "On the quality lead's list (false: a free theme added while tagging)"})
    retired = ma.fields.Boolean(required=True, metadata={
        "description": "Off the list; audits tagged with it keep it"})


class ThemeCreateSchema(StrictSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=80))
    description = ma.fields.String(load_default="",
                                   validate=ma.validate.Length(max=learning.MAX_DESCRIPTION))


class AuditThemesSchema(StrictSchema):
    themes = ma.fields.List(ma.fields.Integer(), load_default=list,
                            metadata={"description": "Ids of themes from the list"})
    free_themes = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=80)),
                                 load_default=list,
                                 metadata={"description": "New free themes, by name"})


class CountsQuerySchema(StrictSchema):
    """The span is checked where the page's is (``periods.span_bounds``): at most
    ``MAX_SPAN`` months, the first not after the last."""

    period_from = ma.fields.String(required=True, data_key="from", validate=MONTH)
    period_to = ma.fields.String(required=True, data_key="to", validate=MONTH, metadata={
        "description": f"At most {MAX_SPAN} months after `from`"})


class ThemeCountSchema(StrictSchema):
    theme = ma.fields.String(required=True)
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True,
                            metadata={"description": "Month (YYYY-MM) -> tagged audits"})
    total = ma.fields.Integer(required=True)


class ExemplarSchema(StrictSchema):
    id = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    criterion = ma.fields.String(required=True)
    excerpt = ma.fields.String(required=True)
    shared_at = UtcDateTime(required=True)


class ExemplarCreateSchema(StrictSchema):
    audit = ma.fields.String(required=True, metadata={"description": "The submitted audit's id"})
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=150))
    criterion = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    excerpt = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2_000))


@bp.route("/themes", methods=["GET"])
@require_api_roles(*READERS)
@bp.response(200, ThemeSchema(many=True))
def list_themes():
    """The practice themes in use (retired ones are left out)."""
    return learning.themes()


@bp.route("/themes", methods=["POST"])
@require_api_roles(*MANAGERS)
@bp.arguments(ThemeCreateSchema)
@bp.response(201, ThemeSchema)
def add_theme(body):
    """Add a theme to the controlled list."""
    return learning.add_theme(current_api_user(), body["name"], body["description"],
                              remote_addr=request.remote_addr)


@bp.route("/themes/<int:theme_id>/retire", methods=["POST"])
@require_api_roles(*MANAGERS)
@bp.response(200, ThemeSchema)
def retire_theme(theme_id: int):
    """Take a theme off the list; audits tagged with it keep it."""
    return learning.retire_theme(current_api_user(), theme_id, remote_addr=request.remote_addr)


@bp.route("/themes/counts", methods=["GET"])
@require_api_roles(*READERS)
@bp.arguments(CountsQuerySchema, location="query", as_kwargs=True)
@bp.response(200, ThemeCountSchema(many=True))
def theme_counts(period_from: str, period_to: str):
    """Audits tagged with each theme, by month submitted."""
    return learning.theme_counts(period_from, period_to).rows


@bp.route("/audits/<public_id>/themes", methods=["PUT"])
@require_api_roles(*MANAGERS)
@bp.arguments(AuditThemesSchema)
@bp.response(200, ThemeSchema(many=True))
def set_audit_themes(body, public_id: str):
    """Set a submitted audit's themes (exactly these)."""
    return learning.tag_audit(current_api_user(), public_id, body["themes"],
                              body["free_themes"], remote_addr=request.remote_addr)


@bp.route("/exemplars", methods=["GET"])
@require_api_roles(*READERS)
@bp.response(200, ExemplarSchema(many=True))
def list_exemplars():
    """Shared exemplars of good practice, newest first, with no link to their case."""
    return learning.exemplars_for(current_api_user())


@bp.route("/exemplars", methods=["POST"])
@require_api_roles(*MANAGERS)
@bp.arguments(ExemplarCreateSchema)
@bp.response(201, ExemplarSchema)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="The excerpt carries a "
                 "child identifier (a child id, a full date or a postcode); `errors` says which")
def share_exemplar(body):
    """Share an excerpt of good practice from a submitted audit."""
    return learning.share_excerpt(current_api_user(), body["audit"], body["title"],
                                  body["criterion"], body["excerpt"],
                                  remote_addr=request.remote_addr)


@bp.route("/exemplars/<public_id>/withdraw", methods=["POST"])
@require_api_roles(*MANAGERS)
@bp.response(204)
def withdraw_exemplar(public_id: str):
    """Withdraw a shared exemplar."""
    learning.withdraw_exemplar(current_api_user(), public_id, remote_addr=request.remote_addr)
    return ""

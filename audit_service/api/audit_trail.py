"""``GET /api/v1/audit-trail``: search the audit trail (admins only), newest first."""

from __future__ import annotations

import marshmallow as ma
from flask import request

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import PagingSchema, StrictSchema, UtcDateTime
from audit_service.domain.vocabulary import Role
from audit_service.services.platform import trail_search
from audit_service.services.platform.trail_search import TrailFilter

bp = Blueprint(
    "api_audit_trail", __name__, url_prefix="/api/v1/audit-trail",
    description="The append-only audit trail",
)


class TrailQuerySchema(PagingSchema):
    """Filters; any other parameter is refused, except ``page`` and ``page_size``."""

    user = ma.fields.String(
        load_default=None, validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "Username or label of who acted (system, anonymous, cli:name)"},
    )
    action = ma.fields.String(
        load_default=None, validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "An action, or a prefix ending in a dot such as `login.`"},
    )
    object_type = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=100))
    object_id = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=200))
    since = ma.fields.Date(load_default=None, metadata={"description": "First UTC day included"})
    until = ma.fields.Date(load_default=None, metadata={"description": "Last UTC day included"})

    @ma.validates_schema
    def _range(self, data: dict, **_kwargs) -> None:
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ma.ValidationError("until must be the same as or after since", "until")


class EventSchema(StrictSchema):
    id = ma.fields.Integer(required=True)
    occurred_at = UtcDateTime(required=True, metadata={"description": "UTC"})
    actor = ma.fields.String(attribute="actor_label", required=True)
    action = ma.fields.String(required=True)
    object_type = ma.fields.String(allow_none=True)
    object_id = ma.fields.String(allow_none=True)
    remote_addr = ma.fields.String(allow_none=True)
    before = ma.fields.Raw(allow_none=True, metadata={"description": "State before (JSON)"})
    after = ma.fields.Raw(allow_none=True, metadata={"description": "State after or details"})


@bp.route("", methods=["GET"])
@require_api_roles(Role.ADMIN)
@bp.arguments(TrailQuerySchema, location="query", as_kwargs=True)
@bp.response(200, EventSchema(many=True))
@bp.paginate()
def list_events(pagination_parameters, **filters):
    """Events matching every filter given, newest first. The search itself is recorded."""
    page = trail_search.search_page(
        TrailFilter(**filters), pagination_parameters.page, pagination_parameters.page_size,
        actor=current_api_user(), remote_addr=request.remote_addr, via="api",
        empty_past_the_end=True,
    )
    pagination_parameters.item_count = page.total
    return list(page.items)

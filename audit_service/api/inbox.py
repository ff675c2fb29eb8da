"""``GET /api/v1/inbox`` and ``POST /api/v1/inbox/<id>/read``: the token user's notifications."""

from __future__ import annotations

import marshmallow as ma

from audit_service.api.auth import ALL_ROLES, current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import UtcDateTime
from audit_service.services.platform import inbox

bp = Blueprint("api_inbox", __name__, url_prefix="/api/v1",
               description="In-app notifications for the token's user")


class InboxItemSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True

    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    link = ma.fields.String(allow_none=True, metadata={"description": "A path in the service"})
    created_at = UtcDateTime(required=True, metadata={"description": "UTC"})
    read_at = UtcDateTime(allow_none=True, metadata={"description": "UTC; null if unread"})


@bp.route("/inbox")
@require_api_roles(*ALL_ROLES)
@bp.response(200, InboxItemSchema(many=True))
def list_inbox():
    """The user's inbox items, newest first (at most 100)."""
    return list(inbox.inbox_of(current_api_user()).items)


@bp.route("/inbox/<int:item_id>/read", methods=["POST"])
@require_api_roles(*ALL_ROLES)
@bp.response(200, InboxItemSchema)
def mark_read(item_id: int):
    """Mark one of the user's inbox items as read (again is fine); another's is 404."""
    return inbox.mark_read(current_api_user(), item_id)

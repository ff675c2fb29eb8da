"""``GET /api/v1/me``: who does this token belong to?"""

from __future__ import annotations

from audit_service.api.auth import ALL_ROLES, current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import UserSchema

bp = Blueprint("api_me", __name__, url_prefix="/api/v1", description="The token's own account")


@bp.route("/me")
@require_api_roles(*ALL_ROLES)
@bp.response(200, UserSchema)
def me():
    """The account the bearer token belongs to."""
    return current_api_user()

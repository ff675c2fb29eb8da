"""``GET /api/v1/plugins``: which plugins are loaded, their versions and hooks (admins)."""

from __future__ import annotations

import marshmallow as ma

from audit_service.api.auth import require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import StrictSchema
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.plugins.manager import describe_plugins

bp = Blueprint("api_plugins", __name__, url_prefix="/api/v1/plugins", description="Plugins")


class PluginSchema(StrictSchema):
    name = ma.fields.String(required=True)
    version = ma.fields.String(required=True)
    source = ma.fields.String(required=True, metadata={
        "description": "built-in, entry point (<distribution>) "
                       "or AUDIT_PLUGINS"})
    hooks = ma.fields.List(ma.fields.String(), required=True)


@bp.route("", methods=["GET"])
@require_api_roles(Role.ADMIN, Role.QUALITY_LEAD)
@bp.response(200, PluginSchema(many=True))
def list_plugins():
    """Every loaded plugin, built-ins first, with the hooks it implements."""
    return describe_plugins(registries().plugin_manager)

"""``/api/v1/policies``: read and set sampling policies (each change is a new version)."""

from __future__ import annotations

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.round_schemas import PolicyListQuerySchema, PolicySchema, PolicyUpdateSchema
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.sampling import policies

bp = Blueprint("api_policies", __name__, url_prefix="/api/v1/policies",
               description="Sampling policies")


@bp.route("", methods=["GET"])
@require_api_roles(Role.QUALITY_LEAD, Role.ADMIN, Role.SENIOR_LEADER)
@bp.arguments(PolicyListQuerySchema, location="query", as_kwargs=True)
@bp.response(200, PolicySchema(many=True))
def list_policies(history: bool = False):
    """The newest policy of every scope (council, services, teams); ``history`` for all versions.

    The most specific applies to a team: team over service over council over the
    built-in default (scope ``default``).
    """
    return policies.all_versions() if history else policies.newest_versions()


@bp.route("", methods=["PUT"])
@require_api_roles(Role.QUALITY_LEAD, Role.ADMIN)
@bp.arguments(PolicyUpdateSchema)
@bp.response(200, PolicySchema)
def set_policy(body):
    """Save a new version of the council's, a service's (``service``) or a team's (``team``)
    policy. Settings left out are kept from the policy that applies to that scope now."""
    scope = policies.named_scope(team=body.pop("team", None), service=body.pop("service", None))
    return policies.save(scope, body, actor=current_api_user(),
                         registry=registries().sampling_strategies)

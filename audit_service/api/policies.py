"""``/api/v1/policies``: read and set sampling policies (each change is a new version)."""

from __future__ import annotations

from flask_smorest import abort

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.round_schemas import PolicyListQuerySchema, PolicySchema, PolicyUpdateSchema
from audit_service.domain.sampling import PolicyError, SamplingPolicySettings
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.sampling import policies
from audit_service.storage.models import SamplingPolicy, Service, Team

bp = Blueprint("api_policies", __name__, url_prefix="/api/v1/policies",
               description="Sampling policies")


def described(row: SamplingPolicy) -> SamplingPolicy:
    row.applies_to = policies.describe_scope(row.scope)
    return row


@bp.route("", methods=["GET"])
@require_api_roles(Role.QUALITY_LEAD, Role.ADMIN, Role.SENIOR_LEADER)
@bp.arguments(PolicyListQuerySchema, location="query", as_kwargs=True)
@bp.response(200, PolicySchema(many=True))
def list_policies(history: bool = False):
    """The newest policy of every scope (council, services, teams); ``history`` for all versions.

    The most specific applies to a team: team over service over council over the
    built-in default (scope ``default``).
    """
    if history:
        return [described(row) for row in policies.list_versions()]
    return [described(row) for _, row in sorted(policies.newest_by_scope().items())]


@bp.route("", methods=["PUT"])
@require_api_roles(Role.QUALITY_LEAD, Role.ADMIN)
@bp.arguments(PolicyUpdateSchema)
@bp.response(200, PolicySchema)
def set_policy(body):
    """Save a new version of the council's, a service's (``service``) or a team's (``team``)
    policy. Settings left out are kept from the policy that applies to that scope now."""
    team = found_service = None
    if body.get("team"):
        team = Team.get_or_none(Team.name == body.pop("team"))
        if team is None:
            abort(422, message="there is no team with that name",
                  errors={"json": {"team": ["no such team"]}})
    elif body.get("service"):
        found_service = Service.get_or_none(Service.name == body.pop("service"))
        if found_service is None:
            abort(422, message="there is no service with that name",
                  errors={"json": {"service": ["no such service"]}})
    body.pop("team", None)
    body.pop("service", None)
    if "strategy" in body and "strategy_options" not in body:
        body["strategy_options"] = {}
    base = policies.base_settings(team=team, service=found_service)
    try:
        settings = SamplingPolicySettings.from_mapping({**base.as_dict(), **body})
        row = policies.set_policy(settings, team=team, service=found_service,
                                  actor=current_api_user(),
                                  registry=registries().sampling_strategies)
    except PolicyError as exc:
        abort(422, message="the policy was not saved: " + "; ".join(exc.errors),
              errors={"json": {"policy": exc.errors}})
    return described(row)

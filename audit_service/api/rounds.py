"""``/api/v1/rounds``: the monthly sampling rounds, their cases and why each was drawn.

Supervisors see only their own rounds; quality leads, admins and senior leaders
see all. Practitioners and HR are refused: HR never gets child-level data.
"""

from __future__ import annotations

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.round_schemas import (
    PeriodQuerySchema,
    PopulationSchema,
    ReplaceSchema,
    RoundSchema,
)
from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.sampling import round_draws, round_reads

bp = Blueprint("api_rounds", __name__, url_prefix="/api/v1/rounds",
               description="Monthly sampling rounds")

READERS = (Role.SUPERVISOR, Role.QUALITY_LEAD, Role.ADMIN, Role.SENIOR_LEADER)


@bp.route("", methods=["GET"])
@require_api_roles(*READERS)
@bp.arguments(PeriodQuerySchema, location="query", as_kwargs=True)
@bp.response(200, RoundSchema(many=True))
def list_rounds(period=None):
    """A month's rounds with supervisor, team, due date, status and cases with reasons.

    Supervisors get only their own round.
    """
    period = period or f"{local_today():%Y-%m}"
    # A list, as a tuple returned from a view would be read as (body, status).
    return list(round_reads.month(period, current_api_user()).rounds)


@bp.route("/<public_id>", methods=["GET"])
@require_api_roles(Role.SUPERVISOR, Role.QUALITY_LEAD, case_readers=True)
@bp.response(200, RoundSchema)
def get_round(public_id: str):
    """One round, with its cases and the reason each was drawn."""
    return round_reads.find(public_id, current_api_user())


@bp.route("/<public_id>/draw", methods=["POST"])
@require_api_roles(Role.SUPERVISOR)
@bp.response(200, RoundSchema)
@bp.alt_response(409, response="CONFLICT", description="Already drawn")
def draw(public_id: str):
    """Draw my sample (policies that leave the draw to the team manager); seeded and recorded."""
    return round_draws.draw(public_id, current_api_user(), today=local_today(),
                            registry=registries().sampling_strategies)


@bp.route("/<public_id>/cases/<int:position>/replace", methods=["POST"])
@require_api_roles(Role.SUPERVISOR)
@bp.arguments(ReplaceSchema)
@bp.response(200, RoundSchema)
@bp.alt_response(409, response="CONFLICT", description="The case cannot be replaced")
def replace(body, public_id: str, position: int):
    """Replace the case at ``position`` with another drawn by the same strategy; give a reason."""
    return round_draws.replace(public_id, position, body["reason"], current_api_user(),
                               today=local_today(), registry=registries().sampling_strategies)


@bp.route("/<public_id>/population", methods=["GET"])
@require_api_roles(Role.QUALITY_LEAD, case_readers=True)
@bp.response(200, PopulationSchema)
def population(public_id: str):
    """The cases the round's policy makes eligible for its team manager today."""
    return round_reads.population(public_id, current_api_user(), today=local_today())

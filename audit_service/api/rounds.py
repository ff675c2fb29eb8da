"""``/api/v1/rounds``: the monthly sampling rounds, their cases and why each was drawn.

Supervisors see only their own rounds; quality leads, admins and senior leaders
see all. Practitioners and HR are refused: HR never gets child-level data.
"""

from __future__ import annotations

from flask_smorest import abort

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
from audit_service.services.sampling import rounds
from audit_service.storage.models import SamplingRound, User

bp = Blueprint("api_rounds", __name__, url_prefix="/api/v1/rounds",
               description="Monthly sampling rounds")

READERS = (Role.SUPERVISOR, Role.QUALITY_LEAD, Role.ADMIN, Role.SENIOR_LEADER)
ERRORS = {"forbidden": 403, "conflict": 409, "invalid": 422}




def with_cases(round_: SamplingRound) -> SamplingRound:
    round_.current = rounds.current_cases(round_)
    round_.replaced = rounds.replaced_cases(round_)
    return round_


def visible_round(public_id: str, user: User) -> SamplingRound:
    """The round, or 404 when it does not exist or is another team manager's."""
    round_ = SamplingRound.get_or_none(SamplingRound.public_id == public_id)
    if round_ is None or not rounds.may_see(round_, user):
        abort(404, message="there is no round with that id that you can see")
    return round_


def fail(exc: rounds.RoundError):
    abort(ERRORS.get(exc.kind, 409), message=str(exc))


@bp.route("", methods=["GET"])
@require_api_roles(*READERS)
@bp.arguments(PeriodQuerySchema, location="query", as_kwargs=True)
@bp.response(200, RoundSchema(many=True))
def list_rounds(period=None):
    """A month's rounds with supervisor, team, due date, status and cases with reasons.

    Supervisors get only their own round.
    """
    period = period or f"{local_today():%Y-%m}"
    found = list(rounds.rounds_for(period, current_api_user()))
    cases = rounds.cases_by_round(found)
    for round_ in found:
        round_.current, round_.replaced = cases[round_.id]
    return found


@bp.route("/<public_id>", methods=["GET"])
@require_api_roles(*READERS)
@bp.response(200, RoundSchema)
def get_round(public_id: str):
    """One round, with its cases and the reason each was drawn."""
    return with_cases(visible_round(public_id, current_api_user()))


@bp.route("/<public_id>/draw", methods=["POST"])
@require_api_roles(Role.SUPERVISOR)
@bp.response(200, RoundSchema)
@bp.alt_response(409, response="CONFLICT", description="Already drawn")
def draw(public_id: str):
    """Draw my sample (policies that leave the draw to the team manager); seeded and recorded."""
    user = current_api_user()
    round_ = visible_round(public_id, user)
    try:
        round_ = rounds.draw_round(round_, user, today=local_today(),
                                   registry=registries().sampling_strategies)
    except rounds.RoundError as exc:
        fail(exc)
    return with_cases(round_)


@bp.route("/<public_id>/cases/<int:position>/replace", methods=["POST"])
@require_api_roles(Role.SUPERVISOR)
@bp.arguments(ReplaceSchema)
@bp.response(200, RoundSchema)
@bp.alt_response(409, response="CONFLICT", description="The case cannot be replaced")
def replace(body, public_id: str, position: int):
    """Replace the case at ``position`` with another drawn by the same strategy; give a reason."""
    user = current_api_user()
    round_ = visible_round(public_id, user)
    current = {rc.position: rc for rc in rounds.current_cases(round_)}
    if position not in current:
        abort(404, message=f"the round has no case at position {position}")
    try:
        rounds.replace_case(current[position], body["reason"], user, today=local_today(),
                            registry=registries().sampling_strategies)
    except rounds.RoundError as exc:
        fail(exc)
    return with_cases(SamplingRound.get_by_id(round_.id))


@bp.route("/<public_id>/population", methods=["GET"])
@require_api_roles(Role.QUALITY_LEAD, Role.ADMIN)
@bp.response(200, PopulationSchema)
def population(public_id: str):
    """The cases the round's policy makes eligible for its team manager today."""
    round_ = visible_round(public_id, current_api_user())
    try:
        rows = rounds.eligible_population(round_, today=local_today())
    except rounds.RoundError as exc:
        fail(exc)
    return {"round": round_.public_id, "eligible_count_at_draw": round_.eligible_count,
            "eligible_now": sum(1 for row in rows if not row.in_round), "cases": rows}

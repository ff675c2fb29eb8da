"""``/rounds``: a supervisor's monthly sample, and the quality lead's view of every round.

Supervisors see the cases drawn for them and why, draw their own sample when
the policy leaves it to them, and replace a case only with a recorded reason.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.sampling import round_draws, round_reads
from audit_service.services.sampling.rounds import InvalidRound, RoundConflict
from audit_service.services.sampling.views import RoundView
from audit_service.web.access import require_roles

bp = Blueprint("rounds", __name__, url_prefix="/rounds")

OVERSEERS = (Role.QUALITY_LEAD, Role.ADMIN, Role.SENIOR_LEADER)


@bp.get("")
@require_roles(*OVERSEERS)
def index():
    period = request.args.get("period") or f"{local_today():%Y-%m}"
    return render_template("rounds/index.html",
                           month=round_reads.month(period, current_user.record))


def _render_round(round_: RoundView, errors: dict[str, str] | None = None,
                  reasons: dict[int, str] | None = None, status: int = 200):
    """The round page; ``errors`` puts a refusal on the reason it concerns
    (``reason-<position>``) and ``reasons`` keeps what was typed."""
    return render_template("rounds/round.html", round=round_, errors=errors or {},
                           reasons=reasons or {}), status


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


@bp.get("/<public_id>")
@require_roles(Role.SUPERVISOR, Role.QUALITY_LEAD, case_readers=True)
def show(public_id: str):
    return _render_round(round_reads.find(public_id, current_user.record))


@bp.post("/<public_id>/draw")
@require_roles(Role.SUPERVISOR)
def draw(public_id: str):
    round_draws.draw(public_id, current_user.record, today=local_today(),
                     registry=registries().sampling_strategies)
    flash("Your sample has been drawn.", "success")
    return redirect(url_for("rounds.show", public_id=public_id))


@bp.post("/<public_id>/cases/<int:position>/replace")
@require_roles(Role.SUPERVISOR)
def replace(public_id: str, position: int):
    user = current_user.record
    reason = request.form.get("reason", "")
    try:
        round_draws.replace(public_id, position, reason, user, today=local_today(),
                            registry=registries().sampling_strategies)
    except (InvalidRound, RoundConflict) as exc:
        message = exc.error_for.get("reason") or _sentence(exc.message)
        return _render_round(round_reads.find(public_id, user),
                             {f"reason-{position}": message}, {position: reason}, exc.status)
    flash(f"Case {position} has been replaced.", "success")
    return redirect(url_for("rounds.show", public_id=public_id))


@bp.get("/<public_id>/population")
@require_roles(Role.QUALITY_LEAD, case_readers=True)
def population(public_id: str):
    return render_template("rounds/population.html",
                           population=round_reads.population(public_id, current_user.record,
                                                             today=local_today()))

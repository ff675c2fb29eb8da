"""``/rounds``: a supervisor's monthly sample, and the quality lead's view of every round.

Supervisors see the cases drawn for them and why, draw their own sample when
the policy leaves it to them, and replace a case only with a recorded reason.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.vocabulary import CaseType, Role, RoundStatus
from audit_service.extension import registries
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling import rounds
from audit_service.storage.models import SamplingRound
from audit_service.web.access import require_roles

bp = Blueprint("rounds", __name__, url_prefix="/rounds")

OVERSEERS = (Role.QUALITY_LEAD, Role.ADMIN, Role.SENIOR_LEADER)
STATUS_LABELS = {RoundStatus.AWAITING_DRAW: "Waiting for the team manager to draw",
                 RoundStatus.OPEN: "Open"}




def type_label(value: str) -> str:
    try:
        return CaseType(value).label
    except ValueError:
        return value


def _round_or_404(public_id: str) -> SamplingRound:
    round_ = SamplingRound.get_or_none(SamplingRound.public_id == public_id)
    if round_ is None or not rounds.may_see(round_, current_user.record):
        abort(404)
    return round_


def _is_owner(round_: SamplingRound) -> bool:
    user = current_user.record
    return user.role == Role.SUPERVISOR.value and user.staff_id == round_.supervisor_id


@bp.get("")
@require_roles(*OVERSEERS)
def index():
    period = request.args.get("period") or f"{local_today():%Y-%m}"
    try:
        found = rounds.rounds_for(period, current_user.record)
        label = rounds.period_label(period)
    except rounds.RoundError:
        abort(404)
    counts = rounds.current_case_counts(found)
    return render_template("rounds/index.html", rounds=found, counts=counts, period=period,
                           period_label=label, status_labels=STATUS_LABELS)


def _render_round(round_: SamplingRound, errors: dict[int, str] | None = None,
                  reasons: dict[int, str] | None = None, status: int = 200):
    return render_template(
        "rounds/round.html", round=round_, cases=rounds.current_cases(round_),
        replaced=rounds.replaced_cases(round_), owner=_is_owner(round_),
        may_see_population=current_user.role in (Role.QUALITY_LEAD, Role.ADMIN),
        period_label=rounds.period_label(round_.period), status_labels=STATUS_LABELS,
        policy_source=sampling_policies.describe_scope(round_.policy.scope),
        type_label=type_label, errors=errors or {}, reasons=reasons or {},
    ), status


@bp.get("/<public_id>")
@require_roles(Role.SUPERVISOR, *OVERSEERS)
def show(public_id: str):
    return _render_round(_round_or_404(public_id))


@bp.post("/<public_id>/draw")
@require_roles(Role.SUPERVISOR)
def draw(public_id: str):
    round_ = _round_or_404(public_id)
    try:
        rounds.draw_round(round_, current_user.record, today=local_today(),
                          registry=registries().sampling_strategies)
    except rounds.RoundError as exc:
        if exc.kind == "forbidden":
            abort(403)
        flash(f"Your sample was not drawn: {exc}.")
    else:
        flash("Your sample has been drawn.", "success")
    return redirect(url_for("rounds.show", public_id=public_id))


@bp.post("/<public_id>/cases/<int:position>/replace")
@require_roles(Role.SUPERVISOR)
def replace(public_id: str, position: int):
    round_ = _round_or_404(public_id)
    current = {rc.position: rc for rc in rounds.current_cases(round_)}
    if position not in current:
        abort(404)
    reason = request.form.get("reason", "")
    try:
        rounds.replace_case(current[position], reason, current_user.record, today=local_today(),
                            registry=registries().sampling_strategies)
    except rounds.RoundError as exc:
        if exc.kind == "forbidden":
            abort(403)
        message = ("Enter the reason for replacing this case" if exc.kind == "invalid"
                   else str(exc)[:1].upper() + str(exc)[1:])
        return _render_round(round_, {position: message}, {position: reason},
                             400 if exc.kind == "invalid" else 409)
    flash(f"Case {position} has been replaced.", "success")
    return redirect(url_for("rounds.show", public_id=public_id))


@bp.get("/<public_id>/population")
@require_roles(Role.QUALITY_LEAD, Role.ADMIN)
def population(public_id: str):
    round_ = _round_or_404(public_id)
    try:
        rows = rounds.eligible_population(round_, today=local_today())
    except rounds.RoundError:
        rows = []
    return render_template("rounds/population.html", round=round_, rows=rows,
                           period_label=rounds.period_label(round_.period),
                           type_label=type_label)

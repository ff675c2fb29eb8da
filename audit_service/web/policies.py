"""``/policies``: the sampling policy each team works under, where it comes from, and editing.

A policy is never changed in place: saving the form creates the scope's next
version (``policies.save``), and each round records the version that drew it.
Errors from the policy's own checks are shown on their fields.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_service.domain.sampling import DRAW_MODES, INDEPENDENCE
from audit_service.domain.sampling import SamplingPolicySettings as Settings
from audit_service.domain.vocabulary import CaseType, Role
from audit_service.extension import registries
from audit_service.services.errors import Invalid
from audit_service.services.sampling import policies
from audit_service.services.sampling.views import PolicyScope
from audit_service.web.access import require_roles

bp = Blueprint("policies", __name__, url_prefix="/policies")

EDITORS = (Role.QUALITY_LEAD, Role.ADMIN)
NUMBER_FIELDS = ("cases_per_supervisor", "exclusion_months", "due_working_days",
                 "reaudit_after_months", "closed_cases", "unallocated_cases")
INDEPENDENCE_LABELS = {"own_team": "Team managers audit their own team's cases",
                       "other_team": "Team managers audit another team's cases"}
DRAW_MODE_LABELS = {"automatic": "Drawn automatically when the round opens",
                    "supervisor": "The team manager draws the sample"}
REAUDIT_GRADE_LABELS = {"requires_improvement": "Requires improvement",
                        "inadequate": "Inadequate", "good": "Good"}
# The page's address says whose policy it is: /policies/council, /teams/<id>, /services/<id>.
SCOPE_KINDS = {"teams": "team_id", "services": "service_id"}


@bp.get("")
@require_roles(*EDITORS)
def index():
    return render_template("policies/index.html", overview=policies.overview(),
                           describe=describe)


def describe(settings: Settings) -> str:
    per = settings.cases_per_supervisor
    parts = [f"{per} case{'s' if per != 1 else ''} a month, "
             f"{settings.strategy.replace('_', ' ')}, due in {settings.due_working_days} "
             "working days"]
    if settings.closed_cases:
        parts.append(f"plus {settings.closed_cases} closed last month")
    if settings.unallocated_cases:
        parts.append(f"{settings.unallocated_cases} unallocated for each service manager")
    grades = [REAUDIT_GRADE_LABELS.get(g, g) for g in settings.reaudit_grades]
    if grades:
        parts.append(f"re-audit {' or '.join(grades)} after {settings.reaudit_after_months} "
                     f"month{'s' if settings.reaudit_after_months != 1 else ''}")
    return "; ".join(parts)


def _scope(kind: str, ident: int | None) -> PolicyScope:
    if kind == "council" and ident is None:
        return policies.find_scope()
    if kind in SCOPE_KINDS and ident is not None:
        return policies.find_scope(**{SCOPE_KINDS[kind]: ident})
    abort(404)


def settings_from_form(form) -> tuple[dict[str, Any], dict[str, str]]:
    """The posted values as policy settings, and errors the policy cannot word itself."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in NUMBER_FIELDS:
        raw = (form.get(name) or "").strip()
        values[name] = int(raw) if raw.isdigit() and len(raw) < 6 else raw
        if not raw:
            errors[name] = "Enter a whole number"
    values["case_types"] = form.getlist("case_types")
    values["strategy"] = (form.get("strategy") or "").strip()
    values["independence"] = form.get("independence") or ""
    values["draw_mode"] = form.get("draw_mode") or ""
    values["reaudit_grades"] = form.getlist("reaudit_grades")
    raw_options = (form.get("strategy_options") or "").strip()
    values["strategy_options_text"] = raw_options
    try:
        options = json.loads(raw_options) if raw_options else {}
        if not isinstance(options, dict):
            raise ValueError
        values["strategy_options"] = options
    except ValueError:
        values["strategy_options"] = {}
        errors["strategy_options"] = ('Enter the strategy options as JSON, like '
                                      '{"rules": []}, or leave the box empty')
    return values, errors


@bp.route("/<kind>", defaults={"ident": None}, methods=["GET", "POST"])
@bp.route("/<kind>/<int:ident>", methods=["GET", "POST"])
@require_roles(*EDITORS)
def edit(kind: str, ident: int | None):
    scope = _scope(kind, ident)
    registry = registries().sampling_strategies
    applies = policies.effective(scope)
    values = applies.settings.as_dict()
    values["strategy_options_text"] = (json.dumps(applies.settings.strategy_options, indent=2)
                                       if applies.settings.strategy_options else "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = settings_from_form(request.form)
        if not errors:
            settings = {k: v for k, v in values.items() if k != "strategy_options_text"}
            try:
                saved = policies.save(scope, settings, actor=current_user.record,
                                      registry=registry)
            except policies.InvalidPolicy as exc:
                errors = exc.error_for
            else:
                flash(f"Version {saved.version} of the policy for {scope.label} has been "
                      "saved. Rounds opened from now on use it.", "success")
                return redirect(url_for("policies.index"))
    return render_template(
        "policies/edit.html", scope=scope, values=values, errors=errors,
        case_types=[(t.value, t.label) for t in CaseType],
        strategies=[(s, strategy.label) for s, strategy in registry.items()],
        independence=[(v, INDEPENDENCE_LABELS.get(v, v)) for v in INDEPENDENCE],
        draw_modes=[(v, DRAW_MODE_LABELS.get(v, v)) for v in DRAW_MODES],
        reaudit_grades=list(REAUDIT_GRADE_LABELS.items()),
        history=policies.all_versions(scope),
        inherited_from=applies.source if scope.team_id is not None else None,
        describe=describe,
    ), Invalid.status if errors else 200

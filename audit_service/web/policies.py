"""``/policies``: the sampling policy each team works under, where it comes from, and editing.

A policy is never changed in place: saving the form creates the scope's next
version (``sampling_policies.set_policy``), and each round records the version
that drew it. Errors from the policy's own checks are shown on their fields.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_service.domain.sampling import DRAW_MODES, INDEPENDENCE, PolicyError
from audit_service.domain.sampling import SamplingPolicySettings as Settings
from audit_service.domain.vocabulary import CaseType, Role
from audit_service.extension import registries
from audit_service.services.sampling import policies
from audit_service.storage.models import Service, Team
from audit_service.web.access import require_roles

bp = Blueprint("policies", __name__, url_prefix="/policies")

EDITORS = (Role.QUALITY_LEAD, Role.ADMIN)
NUMBER_FIELDS = ("cases_per_supervisor", "exclusion_months", "due_working_days",
                 "reaudit_after_months", "closed_cases", "unallocated_cases")
# The policy's messages start with the setting's name in words; map them to form fields.
MESSAGE_FIELDS = {
    "cases per supervisor": "cases_per_supervisor",
    "exclusion months": "exclusion_months",
    "due working days": "due_working_days",
    "case types": "case_types",
    "strategy options": "strategy_options",
    "strategy": "strategy",
    "independence": "independence",
    "draw mode": "draw_mode",
    "re-audit grades": "reaudit_grades",
    "re-audit after months": "reaudit_after_months",
    "closed cases": "closed_cases",
    "unallocated cases": "unallocated_cases",
}
INDEPENDENCE_LABELS = {"own_team": "Team managers audit their own team's cases",
                       "other_team": "Team managers audit another team's cases"}
DRAW_MODE_LABELS = {"automatic": "Drawn automatically when the round opens",
                    "supervisor": "The team manager draws the sample"}
REAUDIT_GRADE_LABELS = {"requires_improvement": "Requires improvement",
                        "inadequate": "Inadequate", "good": "Good"}


@bp.get("")
@require_roles(*EDITORS)
def index():
    teams = list(Team.select().order_by(Team.name))
    rows = [(team, policies.effective_policy(team)) for team in teams]
    services = list(Service.select().order_by(Service.name))
    newest = policies.newest_by_scope()
    return render_template(
        "policies/index.html", rows=rows, services=services, council=newest.get(policies.COUNCIL),
        service_policies={s.id: newest.get(f"service:{s.id}") for s in services},
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


def _scope(kind: str, ident: int | None) -> tuple[str, Team | None, Service | None, str]:
    if kind == "council":
        return policies.COUNCIL, None, None, "the council"
    if kind == "services":
        found = Service.get_or_none(Service.id == ident)
        if found is None:
            abort(404)
        return f"service:{found.id}", None, found, f"service {found.name}"
    if kind == "teams":
        team = Team.get_or_none(Team.id == ident)
        if team is None:
            abort(404)
        return f"team:{team.id}", team, None, f"team {team.name}"
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


def field_errors(messages: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for message in messages:
        name, _, text = message.partition(": ")
        field = MESSAGE_FIELDS.get(name, "cases_per_supervisor")
        found.setdefault(field, (text or message)[:1].upper() + (text or message)[1:])
    return found


@bp.route("/<kind>", defaults={"ident": None}, methods=["GET", "POST"])
@bp.route("/<kind>/<int:ident>", methods=["GET", "POST"])
@require_roles(*EDITORS)
def edit(kind: str, ident: int | None):
    if (kind == "council") != (ident is None):
        abort(404)
    scope, team, found_service, label = _scope(kind, ident)
    registry = registries().sampling_strategies
    current = policies.base_settings(team=team, service=found_service)
    values = current.as_dict()
    values["strategy_options_text"] = (json.dumps(current.strategy_options, indent=2)
                                       if current.strategy_options else "")
    error_for: dict[str, str] = {}
    if request.method == "POST":
        values, error_for = settings_from_form(request.form)
        if not error_for:
            settings_values = {k: v for k, v in values.items() if k != "strategy_options_text"}
            try:
                settings = Settings.from_mapping(settings_values)
                row = policies.set_policy(settings, team=team, service=found_service,
                                          actor=current_user.record, registry=registry)
            except PolicyError as exc:
                error_for = field_errors(exc.errors)
            else:
                flash(f"Version {row.version} of the policy for {label} has been saved. Rounds "
                      "opened from now on use it.", "success")
                return redirect(url_for("policies.index"))
    errors = [{"text": message, "href": f"#{field}"} for field, message in error_for.items()]
    return render_template(
        "policies/edit.html", label=label, scope=scope, kind=kind, ident=ident,
        values=values, error_for=error_for, errors=errors,
        case_types=list(CaseType),
        strategies=[(s, strategy.label) for s, strategy in registry.items()],
        independence=[(v, INDEPENDENCE_LABELS.get(v, v)) for v in INDEPENDENCE],
        draw_modes=[(v, DRAW_MODE_LABELS.get(v, v)) for v in DRAW_MODES],
        reaudit_grades=list(REAUDIT_GRADE_LABELS.items()),
        history=policies.list_versions(scope),
        inherited_from=policies.describe_scope(
            policies.effective_policy(team).scope) if team else None,
        describe=lambda row: describe(policies.settings_of(row)),
    ), 400 if errors else 200

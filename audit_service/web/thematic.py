"""``/thematic``: define a cohort, see its size, draw a seeded sample, pin rubrics, assign
auditors. Auditors then work in the normal audit journey at ``/audits/<id>``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.sampling import FLAG_IDS
from audit_service.domain.thematic import (
    CLOSURES,
    FLAG_LABELS,
    MAX_SAMPLE,
    CohortError,
    CohortFilters,
)
from audit_service.domain.vocabulary import AgeBand, CaseStatus, CaseType, Role, ThematicStatus
from audit_service.extension import registries
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.services.sampling import thematic as thematic_service
from audit_service.storage.models import Service, Team, ThematicAudit
from audit_service.web.access import require_roles

bp = Blueprint("thematic", __name__, url_prefix="/thematic")

LEADS = (Role.QUALITY_LEAD, Role.ADMIN)
DATE_PARTS = ("day", "month", "year")


def _thematic_or_404(public_id: str) -> ThematicAudit:
    found = thematic_service.get(public_id)
    if found is None:
        abort(404)
    return found


def _names() -> tuple[dict[int, str], dict[int, str]]:
    return ({t.id: t.name for t in Team.select()}, {s.id: s.name for s in Service.select()})


def _date(form, name: str, label: str, errors: dict[str, str]) -> dt.date | None:
    parts = {p: (form.get(f"{name}-{p}") or "").strip() for p in DATE_PARTS}
    if not any(parts.values()):
        return None
    try:
        return dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        errors[name] = f"{label} must be a real date, like 31 3 2024"
        return None


def filters_from_form(form) -> tuple[CohortFilters | None, dict[str, str], dict[str, Any]]:
    """The filters posted, the errors found, and the raw values to show again."""
    errors: dict[str, str] = {}
    raw = {
        "case_types": form.getlist("case_types"), "statuses": form.getlist("statuses"),
        "closure": form.get("closure", ""), "age_bands": form.getlist("age_bands"),
        "team_ids": [int(v) for v in form.getlist("team_ids") if v.isdigit()],
        "service_ids": [int(v) for v in form.getlist("service_ids") if v.isdigit()],
        "flags": form.getlist("flags"),
        "dates": {name: {p: form.get(f"{name}-{p}", "") for p in DATE_PARTS}
                  for name in ("closed_from", "closed_to")},
    }
    closed_from = _date(form, "closed_from", "The start date", errors)
    closed_to = _date(form, "closed_to", "The end date", errors)
    if errors:
        return None, errors, raw
    try:
        filters = CohortFilters(
            case_types=raw["case_types"], statuses=raw["statuses"], closed_from=closed_from,
            closed_to=closed_to, closure=raw["closure"], age_bands=raw["age_bands"],
            team_ids=raw["team_ids"], service_ids=raw["service_ids"], flags=raw["flags"])
    except CohortError as exc:
        return None, exc.errors, raw
    return filters, {}, raw


def _choices() -> dict[str, Any]:
    return {
        "case_type_choices": [(t.value, t.label) for t in CaseType],
        "status_choices": [(s.value, s.value.capitalize()) for s in CaseStatus],
        "age_band_choices": [(b.value, b.label) for b in AgeBand],
        "team_choices": [(str(t.id), t.name) for t in Team.select().order_by(Team.name)],
        "service_choices": [(str(s.id), s.name) for s in Service.select().order_by(Service.name)],
        "flag_choices": [(f, FLAG_LABELS[f]) for f in FLAG_IDS],
        "closure_choices": list(CLOSURES.items()),
    }


@bp.get("")
@require_roles(*LEADS)
def index():
    return render_template("thematic/index.html", audits=thematic_service.list_all(),
                           mine=thematic_service.assigned_to(current_user.record))


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*LEADS)
def new():
    raw: dict[str, Any] = {"case_types": [], "statuses": [], "closure": "", "age_bands": [],
                           "team_ids": [], "service_ids": [], "flags": [], "dates": {}}
    title = ""
    error_for: dict[str, str] = {}
    size = None
    filters_text: list[str] = []
    if request.method == "POST":
        title = (request.form.get("title") or "").strip()
        filters, error_for, raw = filters_from_form(request.form)
        if filters is not None:
            filters_text = filters.describe(*_names())
            if request.form.get("intent") == "preview":
                size = thematic_service.cohort_size(filters, local_today())
            else:
                try:
                    created = thematic_service.define(title, filters, actor=current_user.record)
                except thematic_service.ThematicError as exc:
                    error_for = exc.error_for
                else:
                    flash("The thematic audit has been defined. Draw its sample next.",
                          "success")
                    return redirect(url_for("thematic.show", public_id=created.public_id))
    errors = [{"text": m, "href": f"#{_anchor(f)}"} for f, m in error_for.items()]
    return render_template("thematic/new.html", raw=raw, title_value=title,
                           error_for=error_for, errors=errors, size=size,
                           filters_text=filters_text, **_choices()), 400 if errors else 200


def _anchor(field: str) -> str:
    return f"{field}-day" if field in ("closed_from", "closed_to") else field


def _render_show(thematic: ThematicAudit, error_for: dict[str, str] | None = None,
                 values: dict[str, Any] | None = None, status: int = 200):
    error_for = error_for or {}
    cases = thematic_service.cases_of(thematic)
    filters = thematic_service.filters_of(thematic)
    registry = registries().sampling_strategies
    pinned = thematic_service.pinned_versions(thematic)
    return render_template(
        "thematic/show.html", thematic=thematic, filters_text=filters.describe(*_names()),
        size=(thematic_service.cohort_size(filters, local_today())
              if thematic.status == ThematicStatus.DEFINED else thematic.cohort_size),
        cases=cases, audits=thematic_service.audits_of(thematic),
        strategies=[(s, strategy.label) for s, strategy in registry.items()],
        rubrics=rubric_versions.latest_in_use(), pinned=pinned,
        pinned_ids={v.rubric.rubric_id for v in pinned},
        started=thematic_service.started(thematic),
        auditors=thematic_service.auditor_choices(), max_sample=MAX_SAMPLE,
        values=values or {}, error_for=error_for,
        errors=[{"text": m, "href": f"#{f}"} for f, m in error_for.items()],
    ), status


@bp.get("/<public_id>")
@require_roles(*LEADS)
def show(public_id: str):
    return _render_show(_thematic_or_404(public_id))


@bp.post("/<public_id>/draw")
@require_roles(*LEADS)
def draw(public_id: str):
    thematic = _thematic_or_404(public_id)
    raw_size = (request.form.get("sample_size") or "").strip()
    values = {"sample_size": raw_size, "strategy": request.form.get("strategy", ""),
              "seed": request.form.get("seed", "")}
    size = int(raw_size) if raw_size.isdigit() and len(raw_size) < 6 else -1
    try:
        thematic_service.draw(thematic, size, values["strategy"], actor=current_user.record,
                              registry=registries().sampling_strategies, today=local_today(),
                              seed=values["seed"])
    except thematic_service.ThematicError as exc:
        return _render_show(thematic, exc.error_for, values, 400)
    flash("The sample has been drawn. Choose the rubrics and assign auditors next.", "success")
    return redirect(url_for("thematic.show", public_id=public_id))


@bp.post("/<public_id>/rubrics")
@require_roles(*LEADS)
def rubrics(public_id: str):
    thematic = _thematic_or_404(public_id)
    try:
        thematic_service.choose_rubrics(thematic, request.form.getlist("rubrics"),
                                        actor=current_user.record)
    except thematic_service.ThematicError as exc:
        return _render_show(thematic, exc.error_for, status=400)
    flash("The rubrics have been chosen: their current versions are pinned.", "success")
    return redirect(url_for("thematic.show", public_id=public_id))


@bp.post("/<public_id>/auditors")
@require_roles(*LEADS)
def auditors(public_id: str):
    thematic = _thematic_or_404(public_id)
    choices = {}
    for key, value in request.form.items():
        if key.startswith("auditor-") and key[8:].isdigit():
            choices[int(key[8:])] = value
    try:
        opened = thematic_service.assign(thematic, choices, actor=current_user.record)
    except thematic_service.ThematicError as exc:
        return _render_show(thematic, exc.error_for, status=400)
    flash(f"{len(opened)} case{'s' if len(opened) != 1 else ''} assigned. Each auditor finds "
          "them on their home page.", "success")
    return redirect(url_for("thematic.show", public_id=public_id))

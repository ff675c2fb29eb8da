"""``/thematic``: define a cohort, see its size, draw a seeded sample, pin rubrics, assign
auditors. Auditors then work in the normal audit journey at ``/audits/<id>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.sampling import FLAG_IDS
from audit_service.domain.sampling.thematic import CLOSURES, FLAG_LABELS, MAX_SAMPLE
from audit_service.domain.vocabulary import AgeBand, CaseStatus, CaseType, Role
from audit_service.extension import registries
from audit_service.services.errors import Invalid
from audit_service.services.sampling import thematic as thematic_audits
from audit_service.services.sampling.views import CohortPreview
from audit_service.web.access import require_roles

bp = Blueprint("thematic", __name__, url_prefix="/thematic")

LEADS = (Role.QUALITY_LEAD,)
DATE_PARTS = ("day", "month", "year")
DATE_FIELDS = {"closed_from": "The start date", "closed_to": "The end date"}
NO_FILTERS: dict[str, Any] = {"case_types": [], "statuses": [], "closure": "", "age_bands": [],
                              "team_ids": [], "service_ids": [], "flags": [], "dates": {}}


def _date(form, name: str, errors: dict[str, str]) -> dt.date | None:
    parts = {p: (form.get(f"{name}-{p}") or "").strip() for p in DATE_PARTS}
    if not any(parts.values()):
        return None
    try:
        return dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        errors[name] = f"{DATE_FIELDS[name]} must be a real date, like 31 3 2024"
        return None


def filters_from_form(form) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """The filters posted, the dates that are not real dates, and the raw values to show
    again."""
    errors: dict[str, str] = {}
    raw = {
        "case_types": form.getlist("case_types"), "statuses": form.getlist("statuses"),
        "closure": form.get("closure", ""), "age_bands": form.getlist("age_bands"),
        "team_ids": [int(v) for v in form.getlist("team_ids") if v.isdigit()],
        "service_ids": [int(v) for v in form.getlist("service_ids") if v.isdigit()],
        "flags": form.getlist("flags"),
    }
    filters = {**raw, **{name: _date(form, name, errors) for name in DATE_FIELDS}}
    raw["dates"] = {name: {p: form.get(f"{name}-{p}", "") for p in DATE_PARTS}
                    for name in DATE_FIELDS}
    return filters, errors, raw


@bp.get("")
@require_roles(*LEADS)
def index():
    return render_template("thematic/index.html", audits=thematic_audits.list_all(),
                           mine=thematic_audits.assigned_to(current_user.record))


def _render_new(raw: dict[str, Any], title: str, errors: dict[str, str] | None = None,
                preview: CohortPreview | None = None):
    names = thematic_audits.names()
    return render_template(
        "thematic/new.html", raw=raw, title_value=title, errors=errors or {}, preview=preview,
        case_type_choices=[(t.value, t.label) for t in CaseType],
        status_choices=[(s.value, s.value.capitalize()) for s in CaseStatus],
        age_band_choices=[(b.value, b.label) for b in AgeBand],
        team_choices=[(str(i), name) for i, name in names.teams],
        service_choices=[(str(i), name) for i, name in names.services],
        flag_choices=[(f, FLAG_LABELS[f]) for f in FLAG_IDS],
        closure_choices=list(CLOSURES.items()),
    ), Invalid.status if errors else 200


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*LEADS)
def new():
    if request.method != "POST":
        return _render_new(NO_FILTERS, "")
    title = (request.form.get("title") or "").strip()
    filters, errors, raw = filters_from_form(request.form)
    if errors:
        return _render_new(raw, title, errors)
    try:
        cohort = thematic_audits.cohort_filters(filters)
        if request.form.get("intent") == "preview":
            return _render_new(raw, title, preview=thematic_audits.preview(cohort, local_today()))
        created = thematic_audits.define(title, cohort, actor=current_user.record)
    except (thematic_audits.InvalidCohort, thematic_audits.ThematicError) as exc:
        return _render_new(raw, title, exc.error_for)
    flash("The thematic audit has been defined. Draw its sample next.", "success")
    return redirect(url_for("thematic.show", public_id=created.public_id))


def _render_show(public_id: str, errors: dict[str, str] | None = None,
                 values: dict[str, Any] | None = None, status: int = 200):
    strategies = registries().sampling_strategies.items()
    return render_template(
        "thematic/show.html", workspace=thematic_audits.workspace(public_id, today=local_today()),
        strategies=[(s, strategy.label) for s, strategy in strategies], max_sample=MAX_SAMPLE,
        values=values or {}, errors=errors or {},
    ), status


def _act(public_id: str, action: Callable[[], object], done: str,
         values: dict[str, Any] | None = None):
    """Each step of the page is one form: on a refusal it comes back with the refusal on its
    fields and what was entered; otherwise the page says what was done."""
    try:
        action()
    except thematic_audits.ThematicError as exc:
        return _render_show(public_id, exc.error_for, values, exc.status)
    flash(done, "success")
    return redirect(url_for("thematic.show", public_id=public_id))


@bp.get("/<public_id>")
@require_roles(*LEADS)
def show(public_id: str):
    return _render_show(public_id)


@bp.post("/<public_id>/draw")
@require_roles(*LEADS)
def draw(public_id: str):
    raw_size = (request.form.get("sample_size") or "").strip()
    values = {"sample_size": raw_size, "strategy": request.form.get("strategy", ""),
              "seed": request.form.get("seed", "")}
    size = int(raw_size) if raw_size.isdigit() and len(raw_size) < 6 else -1
    return _act(public_id, lambda: thematic_audits.draw(
        public_id, size, values["strategy"], actor=current_user.record,
        registry=registries().sampling_strategies, today=local_today(), seed=values["seed"]),
        "The sample has been drawn. Choose the rubrics and assign auditors next.", values)


@bp.post("/<public_id>/rubrics")
@require_roles(*LEADS)
def rubrics(public_id: str):
    chosen = request.form.getlist("rubrics")
    return _act(public_id, lambda: thematic_audits.choose_rubrics(
        public_id, chosen, actor=current_user.record),
        "The rubrics have been chosen: their current versions are pinned.")


@bp.post("/<public_id>/auditors")
@require_roles(*LEADS)
def auditors(public_id: str):
    choices = {int(key[8:]): value for key, value in request.form.items()
               if key.startswith("auditor-") and key[8:].isdigit()}
    assigned = sum(1 for username in choices.values() if username)
    return _act(public_id, lambda: thematic_audits.assign(
        public_id, choices, actor=current_user.record),
        f"{assigned} case{'s' if assigned != 1 else ''} assigned. Each auditor finds them on "
        "their home page.")

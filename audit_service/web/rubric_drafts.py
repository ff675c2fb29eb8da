"""``/rubrics/drafts/<id>``: edit a rubric draft one section per page, preview and publish it.

Every page is a plain GOV.UK form (no JavaScript needed). A save always keeps
what was typed, valid or not, then the page shows the rubric validator's
errors on the fields they belong to, so a quality lead sees exactly what the
rubric file checks would say. A save from a stale page is refused (the
draft's ``version``) and the typed values are shown again, not lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.audits import Answer
from audit_service.domain.evidence import CaseFacts, prompts_for
from audit_service.domain.rubrics import DEFAULT_SCALE, Level, RubricError, Scale
from audit_service.domain.rubrics import editing as ed
from audit_service.domain.vocabulary import AgeBand, CaseType, Role
from audit_service.extension import registries
from audit_service.services.rubrics import drafts as rubric_drafts
from audit_service.storage.models import RubricDraft
from audit_service.web.access import require_roles

bp = Blueprint("rubric_drafts", __name__, url_prefix="/rubrics/drafts")

EDITORS = (Role.QUALITY_LEAD, Role.ADMIN)
SECTION_TITLES = {
    ed.DETAILS: "Details", ed.SCALE: "Rating scale", ed.CRITERIA: "Criteria",
    ed.CRITERION: "Criterion", ed.BANDS: "Grade bands", ed.RULES: "Limiting rules",
    ed.RULE: "Limiting rule",
}


# --- helpers ------------------------------------------------------------------------------


def _types():
    return registries().criterion_types


def _draft_or_404(public_id: str) -> RubricDraft:
    try:
        return rubric_drafts.get_draft(public_id)
    except rubric_drafts.DraftNotFound:
        abort(404)


def _posted_version() -> int:
    raw = (request.form.get("version") or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        abort(400)
    return int(raw)


def _list(document: dict, name: str) -> list:
    value = document.get(name)
    return list(value) if isinstance(value, list) else []


def scale_of(document: dict) -> Scale:
    """The draft's scale when it is usable, else the default (to offer rating choices)."""
    levels = []
    for level in _list(document, "scale"):
        if isinstance(level, dict) and isinstance(level.get("id"), str) and level["id"]:
            score = level.get("score")
            levels.append(Level(level["id"], str(level.get("label") or level["id"]),
                                score if isinstance(score, int) else 0))
    return Scale(tuple(levels)) if len(levels) >= 2 else DEFAULT_SCALE


def rating_options(document: dict, criterion_type: str) -> list:
    kind = _types().get(criterion_type) or _types().get("scale")
    return list(kind.options(scale_of(document)))


def section_url(draft: RubricDraft, section: str, index: int | None) -> str:
    if section == ed.CRITERION and index is not None:
        return url_for("rubric_drafts.criterion", public_id=draft.public_id, index=index)
    if section == ed.RULE and index is not None:
        return url_for("rubric_drafts.rule", public_id=draft.public_id, index=index)
    endpoint = {ed.DETAILS: "details", ed.SCALE: "scale", ed.CRITERIA: "criteria",
                ed.BANDS: "bands", ed.RULES: "rules"}.get(section, "details")
    return url_for(f"rubric_drafts.{endpoint}", public_id=draft.public_id)


def located_errors(draft: RubricDraft, document: dict) -> list[dict[str, Any]]:
    """Every validator error with the page and field it belongs to."""
    _, errors = rubric_drafts.check(document, _types())
    return [_locate(draft, error) for error in errors]


def _locate(draft: RubricDraft, error: RubricError) -> dict[str, Any]:
    where = ed.locate(error.path)
    subject = error.path or "rubric"
    message = f"{subject}: {error.message}" if error.path else error.message
    return {"section": where.section, "index": where.index, "field": where.field_id,
            "message": message, "field_message": _sentence(error.message),
            "href": f"{section_url(draft, where.section, where.index)}#{where.field_id}"}


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _page_errors(all_errors: list[dict], section: str, index: int | None = None) -> list[dict]:
    return [e for e in all_errors if e["section"] == section and e["index"] == index]


def _render(template: str, draft: RubricDraft, *, section: str, index: int | None = None,
            document: dict | None = None, version: int | None = None,
            conflict: str | None = None, status: int = 200, **context: Any):
    document = draft.document if document is None else document
    errors = _page_errors(located_errors(draft, document), section, index)
    error_for: dict[str, str] = {}
    for error in errors:
        error_for.setdefault(error["field"], error["field_message"])
    summary = [{"text": e["field_message"], "href": "#" + e["field"]} for e in errors]
    if conflict:
        summary.insert(0, {"text": conflict, "href": "#draft-form"})
    return render_template(
        template, draft=draft, doc=document, version=draft.version if version is None else version,
        errors=summary, error_for=error_for, conflict=conflict,
        section_title=SECTION_TITLES[section], **context), status


def _save(draft: RubricDraft, document: dict, *, section: str, index: int | None,
          template: str, done: Callable[[RubricDraft], str], **context: Any):
    """Save, then show the page again if this section has errors, else go to ``done``."""
    version = _posted_version()
    try:
        saved = rubric_drafts.save(draft, document, version, actor=current_user.record)
    except rubric_drafts.DraftConflict as exc:
        return _render(template, exc.current, section=section, index=index, document=document,
                       version=exc.current.version, conflict=str(exc), status=409, **context)
    except rubric_drafts.DraftNotFound:
        abort(404)
    if _page_errors(located_errors(saved, saved.document), section, index):
        flash("Your changes have been saved. Fix the problems shown before you publish.")
        return redirect(section_url(saved, section, index))
    flash("Your changes have been saved.", "success")
    return redirect(done(saved))


def _overview(draft: RubricDraft) -> str:
    return url_for("rubric_drafts.show", public_id=draft.public_id)


# --- overview, preview, publish, delete ----------------------------------------------------


@bp.get("/<public_id>")
@require_roles(*EDITORS)
def show(public_id: str):
    draft = _draft_or_404(public_id)
    return _render_overview(draft)


def _render_overview(draft: RubricDraft, status: int = 200):
    problems = located_errors(draft, draft.document)
    doc = draft.document
    return render_template(
        "rubric_editor/draft.html", draft=draft, doc=doc, problems=problems,
        errors=[{"text": p["message"], "href": p["href"]} for p in problems] if status != 200
        else [], version=draft.version, criteria=_list(doc, "criteria"),
        levels=_list(doc, "scale"), bands=_list(doc, "grade_bands"),
        rules=_list(doc, "limiting_rules"), type_label=_type_label,
    ), status


def _type_label(value: str) -> str:
    try:
        return CaseType(value).label
    except ValueError:
        return str(value)


def example_facts(case_type: CaseType, today: dt.date) -> CaseFacts:
    """A made-up case that raises most evidence prompts, to show what auditors will see."""
    return CaseFacts(case_type=case_type, age_band=AgeBand.AGE_1_4,
                     opened_on=today - dt.timedelta(days=200),
                     last_seen_on=today - dt.timedelta(days=50), seen_alone=False,
                     referrals_12m=2, previous_cp_plans=1, placements_12m=3)


@bp.get("/<public_id>/preview")
@require_roles(*EDITORS)
def preview(public_id: str):
    from audit_service.web.audits import sections

    draft = _draft_or_404(public_id)
    rubric, _ = rubric_drafts.check(draft, _types())
    if rubric is None:
        flash("The draft has problems to fix before it can be previewed.")
        return redirect(_overview(draft))
    today = local_today()
    case_type = rubric.case_types[0]
    facts = example_facts(case_type, today)
    prompts = prompts_for(registries().evidence_providers.values(), facts, today)
    state = SimpleNamespace(pinned=[SimpleNamespace(
        rubric=rubric, version=SimpleNamespace(number="draft"), audit_rubric=None)])
    return render_template("rubric_editor/preview.html", draft=draft, rubric=rubric,
                           sections=sections(state, prompts), answers={},
                           empty_answer=Answer(), error_for={}, facts=facts,
                           case_type=case_type.label)


@bp.post("/<public_id>/publish")
@require_roles(*EDITORS)
def publish(public_id: str):
    draft = _draft_or_404(public_id)
    version = _posted_version()
    try:
        published, created = rubric_drafts.publish(draft, version, actor=current_user.record,
                                                   criterion_types=_types())
    except rubric_drafts.InvalidDraft:
        return _render_overview(draft, status=400)
    except rubric_drafts.DraftConflict as exc:
        flash(str(exc).split(" Your changes")[0] + " Check the draft and publish again.")
        return redirect(_overview(exc.current))
    if not created:
        flash(f"Nothing was published: the draft is identical to version {published.number}.")
        return redirect(_overview(draft))
    flash(f"Version {published.number} of {published.title} has been published.", "success")
    return redirect(url_for("rubric_editor.rubric", rubric_id=published.rubric.rubric_id))


@bp.post("/<public_id>/delete")
@require_roles(*EDITORS)
def delete(public_id: str):
    draft = _draft_or_404(public_id)
    rubric_drafts.delete(draft, actor=current_user.record)
    flash("The draft has been deleted.", "success")
    return redirect(url_for("rubric_editor.index"))


# --- details ------------------------------------------------------------------------------


def _details_context(draft: RubricDraft) -> dict:
    return {"id_editable": draft.base_version_id is None,
            "case_type_choices": [(t.value, t.label) for t in CaseType]}


@bp.route("/<public_id>/details", methods=["GET", "POST"])
@require_roles(*EDITORS)
def details(public_id: str):
    draft = _draft_or_404(public_id)
    context = _details_context(draft)
    if request.method != "POST":  # GET, and HEAD (which must never save)
        return _render("rubric_editor/details.html", draft, section=ed.DETAILS, **context)
    document = {**draft.document, **ed.details_from_form(
        request.form, request.form.getlist("case_types"), id_editable=context["id_editable"],
        current_id=str(draft.document.get("id") or ""))}
    return _save(draft, document, section=ed.DETAILS, index=None,
                 template="rubric_editor/details.html", done=_overview, **context)


# --- scale and bands ----------------------------------------------------------------------


@bp.route("/<public_id>/scale", methods=["GET", "POST"])
@require_roles(*EDITORS)
def scale(public_id: str):
    draft = _draft_or_404(public_id)
    if request.method != "POST":  # GET, and HEAD (which must never save)
        return _render("rubric_editor/scale.html", draft, section=ed.SCALE)
    document = {**draft.document, "scale": ed.scale_from_form(request.form)}
    return _save(draft, document, section=ed.SCALE, index=None,
                 template="rubric_editor/scale.html", done=_overview)


@bp.route("/<public_id>/bands", methods=["GET", "POST"])
@require_roles(*EDITORS)
def bands(public_id: str):
    draft = _draft_or_404(public_id)
    context = {"grades": scale_of(draft.document).levels}
    if request.method != "POST":  # GET, and HEAD (which must never save)
        return _render("rubric_editor/bands.html", draft, section=ed.BANDS, **context)
    document = {**draft.document, "grade_bands": ed.bands_from_form(request.form)}
    return _save(draft, document, section=ed.BANDS, index=None,
                 template="rubric_editor/bands.html", done=_overview, **context)


# --- criteria -----------------------------------------------------------------------------


@bp.get("/<public_id>/criteria")
@require_roles(*EDITORS)
def criteria(public_id: str):
    draft = _draft_or_404(public_id)
    return _render("rubric_editor/criteria.html", draft, section=ed.CRITERIA,
                   items=_list(draft.document, "criteria"))


def _list_change(draft: RubricDraft, name: str, change: Callable[[list], list],
                 message: str, back: str):
    version = _posted_version()
    document = {**draft.document, name: change(_list(draft.document, name))}
    try:
        rubric_drafts.save(draft, document, version, actor=current_user.record)
    except rubric_drafts.DraftConflict:
        flash("Someone else saved this draft after you opened it, so nothing was changed. "
              "Check the list and try again.")
        return redirect(back)
    flash(message, "success")
    return redirect(back)


@bp.post("/<public_id>/criteria/<int:index>/move")
@require_roles(*EDITORS)
def move_criterion(public_id: str, index: int):
    draft = _draft_or_404(public_id)
    if index >= len(_list(draft.document, "criteria")):
        abort(404)
    offset = -1 if request.form.get("direction") == "up" else 1
    return _list_change(draft, "criteria", lambda items: ed.move(items, index, offset),
                        "The criterion has been moved.",
                        url_for("rubric_drafts.criteria", public_id=public_id))


@bp.post("/<public_id>/criteria/<int:index>/remove")
@require_roles(*EDITORS)
def remove_criterion(public_id: str, index: int):
    draft = _draft_or_404(public_id)
    if index >= len(_list(draft.document, "criteria")):
        abort(404)
    return _list_change(draft, "criteria", lambda items: ed.remove_at(items, index),
                        "The criterion has been removed.",
                        url_for("rubric_drafts.criteria", public_id=public_id))


def _criterion_context(draft: RubricDraft, item: dict) -> dict:
    kind = str(item.get("type") or "scale")
    return {"item": item, "type_choices": [(t, k.label) for t, k in sorted(_types().items())],
            "options": rating_options(draft.document, kind)}


def _criterion_page(draft: RubricDraft, index: int | None):
    items = _list(draft.document, "criteria")
    if index is not None and index >= len(items):
        abort(404)
    current = items[index] if index is not None else {
        "id": "", "prompt": "", "guidance": "", "weight": 1, "evidence_required": True,
        "na_allowed": False, "type": "scale", "level_descriptors": {}}
    current = current if isinstance(current, dict) else {}
    context = {**_criterion_context(draft, current), "item_index": index}
    if request.method != "POST":  # GET, and HEAD (which must never save)
        return _render("rubric_editor/criterion.html", draft, section=ed.CRITERION, index=index,
                       **context)
    values = [o.value for o in rating_options(draft.document, request.form.get("type", "scale"))]
    values += [o.value for o in context["options"]]
    options = request.form.getlist("options")
    form = {**request.form.to_dict(),
            "evidence_required": "yes" if "evidence_required" in options else "",
            "na_allowed": "yes" if "na_allowed" in options else ""}
    new_item = ed.criterion_from_form(form, list(dict.fromkeys(values)))
    new_items = ed.replace_at(items, index, new_item)
    saved_index = len(new_items) - 1 if index is None else index
    document = {**draft.document, "criteria": new_items}
    context = {**_criterion_context(draft, new_item), "item_index": index}
    return _save(draft, document, section=ed.CRITERION, index=saved_index,
                 template="rubric_editor/criterion.html",
                 done=lambda d: url_for("rubric_drafts.criteria", public_id=d.public_id),
                 **context)


@bp.route("/<public_id>/criteria/new", methods=["GET", "POST"])
@require_roles(*EDITORS)
def new_criterion(public_id: str):
    return _criterion_page(_draft_or_404(public_id), None)


@bp.route("/<public_id>/criteria/<int:index>", methods=["GET", "POST"])
@require_roles(*EDITORS)
def criterion(public_id: str, index: int):
    return _criterion_page(_draft_or_404(public_id), index)


# --- limiting rules -----------------------------------------------------------------------


@bp.get("/<public_id>/rules")
@require_roles(*EDITORS)
def rules(public_id: str):
    draft = _draft_or_404(public_id)
    return _render("rubric_editor/rules.html", draft, section=ed.RULES,
                   items=_list(draft.document, "limiting_rules"))


@bp.post("/<public_id>/rules/<int:index>/remove")
@require_roles(*EDITORS)
def remove_rule(public_id: str, index: int):
    draft = _draft_or_404(public_id)
    if index >= len(_list(draft.document, "limiting_rules")):
        abort(404)
    return _list_change(draft, "limiting_rules", lambda items: ed.remove_at(items, index),
                        "The limiting rule has been removed.",
                        url_for("rubric_drafts.rules", public_id=public_id))


def _rule_context(draft: RubricDraft, item: dict) -> dict:
    criteria_items = [c for c in _list(draft.document, "criteria") if isinstance(c, dict)]
    chosen = next((c for c in criteria_items if c.get("id") == item.get("criterion")), None)
    options = rating_options(draft.document, str(chosen.get("type") or "scale")
                             if chosen else "scale")
    return {"item": item, "criterion_choices": [str(c.get("id") or "") for c in criteria_items],
            "when_options": options, "cap_levels": scale_of(draft.document).levels,
            "overall_levels": DEFAULT_SCALE.levels}


def _rule_page(draft: RubricDraft, index: int | None):
    items = _list(draft.document, "limiting_rules")
    if index is not None and index >= len(items):
        abort(404)
    current = items[index] if index is not None else {
        "id": "", "criterion": "", "when": [], "cap": "", "applies_to": "domain",
        "explanation": ""}
    current = current if isinstance(current, dict) else {}
    if request.method != "POST":  # GET, and HEAD (which must never save)
        return _render("rubric_editor/rule.html", draft, section=ed.RULE, index=index,
                       item_index=index, **_rule_context(draft, current))
    new_item = ed.rule_from_form(request.form, request.form.getlist("when"))
    new_items = ed.replace_at(items, index, new_item)
    saved_index = len(new_items) - 1 if index is None else index
    document = {**draft.document, "limiting_rules": new_items}
    return _save(draft, document, section=ed.RULE, index=saved_index,
                 template="rubric_editor/rule.html",
                 done=lambda d: url_for("rubric_drafts.rules", public_id=d.public_id),
                 item_index=index, **_rule_context(draft, new_item))


@bp.route("/<public_id>/rules/new", methods=["GET", "POST"])
@require_roles(*EDITORS)
def new_rule(public_id: str):
    return _rule_page(_draft_or_404(public_id), None)


@bp.route("/<public_id>/rules/<int:index>", methods=["GET", "POST"])
@require_roles(*EDITORS)
def rule(public_id: str, index: int):
    return _rule_page(_draft_or_404(public_id), index)

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
from audit_service.domain.audits.evidence import CaseFacts, prompts_for
from audit_service.domain.rubrics import DEFAULT_SCALE, Level, RubricError, Scale
from audit_service.domain.rubrics import editing as ed
from audit_service.domain.vocabulary import AgeBand, CaseType, Role
from audit_service.extension import registries
from audit_service.services.rubrics import drafts as rubric_drafts
from audit_service.services.rubrics.views import DraftView
from audit_service.web.access import require_roles
from audit_service.web.rubric_editor import done, draft_url

bp = Blueprint("rubric_drafts", __name__, url_prefix="/rubrics/drafts")

EDITORS = (Role.QUALITY_LEAD, Role.ADMIN)


# --- helpers ------------------------------------------------------------------------------


def _types():
    return registries().criterion_types


def _posted_version() -> int:
    raw = (request.form.get("version") or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        abort(400)
    return int(raw)


def scale_of(draft: DraftView) -> Scale:
    """The draft's scale when it is usable, else the default (to offer rating choices)."""
    levels = []
    for level in draft.items("scale"):
        if isinstance(level, dict) and isinstance(level.get("id"), str) and level["id"]:
            score = level.get("score")
            levels.append(Level(level["id"], str(level.get("label") or level["id"]),
                                score if isinstance(score, int) else 0))
    return Scale(tuple(levels)) if len(levels) >= 2 else DEFAULT_SCALE


def rating_options(draft: DraftView, criterion_type: str) -> list:
    kind = _types().get(criterion_type) or _types().get("scale")
    return list(kind.options(scale_of(draft)))


def section_url(draft: DraftView, section: str, index: int | None) -> str:
    if section == ed.CRITERION and index is not None:
        return url_for("rubric_drafts.criterion", public_id=draft.public_id, index=index)
    if section == ed.RULE and index is not None:
        return url_for("rubric_drafts.rule", public_id=draft.public_id, index=index)
    endpoint = {ed.DETAILS: "details", ed.SCALE: "scale", ed.CRITERIA: "criteria",
                ed.BANDS: "bands", ed.RULES: "rules"}.get(section, "details")
    return url_for(f"rubric_drafts.{endpoint}", public_id=draft.public_id)


def located_errors(draft: DraftView, document: dict) -> list[dict[str, Any]]:
    """Every validator error with the page and field it belongs to."""
    _, errors = rubric_drafts.check(document, _types())
    return [_locate(draft, error) for error in errors]


def _locate(draft: DraftView, error: RubricError) -> dict[str, Any]:
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


def _render(template: str, draft: DraftView, *, section: str, index: int | None = None,
            document: dict | None = None, conflict: str | None = None, status: int = 200,
            **context: Any):
    """One section's page, its validator errors on their fields; ``document`` is what was
    typed when it differs from the saved draft (a refused save)."""
    document = draft.document if document is None else document
    errors = _page_errors(located_errors(draft, document), section, index)
    error_for: dict[str, str] = {}
    for error in errors:
        error_for.setdefault(error["field"], error["field_message"])
    summary = [{"text": e["field_message"], "href": "#" + e["field"]} for e in errors]
    if conflict:
        summary.insert(0, {"text": conflict, "href": "#draft-form"})
    return render_template(template, draft=draft, doc=document, version=draft.version,
                           errors=summary, error_for=error_for, **context), status


def _save(draft: DraftView, document: dict, *, section: str, index: int | None,
          template: str, next_url: Callable[[DraftView], str], **context: Any):
    """Save, then show the page again if this section has errors, else go to ``next_url``.
    A stale save shows what was typed over the draft as it now is, to save again."""
    version = _posted_version()
    try:
        saved = rubric_drafts.save(draft.public_id, document, version,
                                   actor=current_user.record)
    except rubric_drafts.DraftConflict as exc:
        return _render(template, exc.current, section=section, index=index, document=document,
                       conflict=f"{exc.message} Your changes have not been saved: they are "
                       "shown below so you can check the draft and save again.",
                       status=exc.status, **context)
    if _page_errors(located_errors(saved, saved.document), section, index):
        flash("Your changes have been saved. Fix the problems shown before you publish.")
        return redirect(section_url(saved, section, index))
    return done("Your changes have been saved.", next_url(saved))


# --- overview, preview, publish, delete ----------------------------------------------------


@bp.get("/<public_id>")
@require_roles(*EDITORS)
def show(public_id: str):
    draft = rubric_drafts.get_draft(public_id)
    return _render_overview(draft)


def _render_overview(draft: DraftView, status: int = 200):
    """The whole draft; its problems are also an error summary after a refused publish."""
    problems = located_errors(draft, draft.document)
    return render_template(
        "rubric_editor/draft.html", draft=draft, doc=draft.document, problems=problems,
        errors=[{"text": p["message"], "href": p["href"]} for p in problems] if status != 200
        else [], version=draft.version, criteria=draft.items("criteria"),
        levels=draft.items("scale"), bands=draft.items("grade_bands"),
        rules=draft.items("limiting_rules"),
    ), status


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

    draft = rubric_drafts.get_draft(public_id)
    rubric, _ = rubric_drafts.check(draft, _types())
    if rubric is None:
        flash("The draft has problems to fix before it can be previewed.")
        return redirect(draft_url(draft))
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
    draft = rubric_drafts.get_draft(public_id)
    version = _posted_version()
    try:
        published = rubric_drafts.publish(public_id, version, actor=current_user.record,
                                          criterion_types=_types())
    except rubric_drafts.InvalidDraft as exc:
        return _render_overview(draft, status=exc.status)
    except rubric_drafts.DraftConflict as exc:
        flash(f"{exc.message} Check the draft and publish again.")
        return redirect(draft_url(exc.current))
    if not published.created:
        flash(f"Nothing was published: the draft is identical to version {published.version}.")
        return redirect(draft_url(draft))
    return done(f"Version {published.version} of {published.title} has been published.",
                url_for("rubric_editor.rubric", rubric_id=published.rubric_id))


@bp.post("/<public_id>/delete")
@require_roles(*EDITORS)
def delete(public_id: str):
    rubric_drafts.delete(public_id, actor=current_user.record)
    return done("The draft has been deleted.", url_for("rubric_editor.index"))


# --- details ------------------------------------------------------------------------------


def _details_context(draft: DraftView) -> dict:
    return {"id_editable": draft.base_version is None,
            "case_type_choices": [(t.value, t.label) for t in CaseType]}


@bp.route("/<public_id>/details", methods=["GET", "POST"])
@require_roles(*EDITORS)
def details(public_id: str):
    draft = rubric_drafts.get_draft(public_id)
    context = _details_context(draft)
    if request.method != "POST":  # GET, and HEAD (which must never save)
        return _render("rubric_editor/details.html", draft, section=ed.DETAILS, **context)
    document = {**draft.document, **ed.details_from_form(
        request.form, request.form.getlist("case_types"), id_editable=context["id_editable"],
        current_id=str(draft.document.get("id") or ""))}
    return _save(draft, document, section=ed.DETAILS, index=None,
                 template="rubric_editor/details.html", next_url=draft_url, **context)


# --- scale and bands ----------------------------------------------------------------------


@bp.route("/<public_id>/scale", methods=["GET", "POST"])
@require_roles(*EDITORS)
def scale(public_id: str):
    draft = rubric_drafts.get_draft(public_id)
    if request.method != "POST":  # GET, and HEAD (which must never save)
        return _render("rubric_editor/scale.html", draft, section=ed.SCALE)
    document = {**draft.document, "scale": ed.scale_from_form(request.form)}
    return _save(draft, document, section=ed.SCALE, index=None,
                 template="rubric_editor/scale.html", next_url=draft_url)


@bp.route("/<public_id>/bands", methods=["GET", "POST"])
@require_roles(*EDITORS)
def bands(public_id: str):
    draft = rubric_drafts.get_draft(public_id)
    context = {"grades": scale_of(draft).levels}
    if request.method != "POST":  # GET, and HEAD (which must never save)
        return _render("rubric_editor/bands.html", draft, section=ed.BANDS, **context)
    document = {**draft.document, "grade_bands": ed.bands_from_form(request.form)}
    return _save(draft, document, section=ed.BANDS, index=None,
                 template="rubric_editor/bands.html", next_url=draft_url, **context)


# --- criteria and limiting rules: lists of items, each edited on its own page ------------


@bp.get("/<public_id>/criteria")
@require_roles(*EDITORS)
def criteria(public_id: str):
    draft = rubric_drafts.get_draft(public_id)
    return _render("rubric_editor/criteria.html", draft, section=ed.CRITERIA,
                   items=draft.items("criteria"))


def _list_change(public_id: str, name: str, index: int, change: Callable[[list, int], list],
                 message: str, back: str):
    """Change one item's place in a list (move or remove it) and go back to the list."""
    draft = rubric_drafts.get_draft(public_id)
    rubric_drafts.item(draft, name, index)
    version = _posted_version()
    document = {**draft.document, name: change(draft.items(name), index)}
    try:
        rubric_drafts.save(public_id, document, version, actor=current_user.record)
    except rubric_drafts.DraftConflict:
        flash("Someone else saved this draft after you opened it, so nothing was changed. "
              "Check the list and try again.")
        return redirect(back)
    return done(message, back)


def _item_page(draft: DraftView, index: int | None, *, name: str, section: str,
               template: str, blank: dict, context_of: Callable[[DraftView, dict], dict],
               from_form: Callable[[DraftView, dict], dict], back: str):
    """Show item ``index`` of list ``name`` (a blank one to add, when None) or save it."""
    current = blank if index is None else rubric_drafts.item(draft, name, index)
    current = current if isinstance(current, dict) else {}
    if request.method != "POST":  # GET, and HEAD (which must never save)
        return _render(template, draft, section=section, index=index, item_index=index,
                       **context_of(draft, current))
    new_item = from_form(draft, current)
    new_items = ed.replace_at(draft.items(name), index, new_item)
    saved_index = len(new_items) - 1 if index is None else index
    return _save(draft, {**draft.document, name: new_items}, section=section,
                 index=saved_index, template=template,
                 next_url=lambda d: url_for(back, public_id=d.public_id),
                 item_index=index, **context_of(draft, new_item))


@bp.post("/<public_id>/criteria/<int:index>/move")
@require_roles(*EDITORS)
def move_criterion(public_id: str, index: int):
    offset = -1 if request.form.get("direction") == "up" else 1
    return _list_change(public_id, "criteria", index,
                        lambda items, at: ed.move(items, at, offset),
                        "The criterion has been moved.",
                        url_for("rubric_drafts.criteria", public_id=public_id))


@bp.post("/<public_id>/criteria/<int:index>/remove")
@require_roles(*EDITORS)
def remove_criterion(public_id: str, index: int):
    return _list_change(public_id, "criteria", index, ed.remove_at,
                        "The criterion has been removed.",
                        url_for("rubric_drafts.criteria", public_id=public_id))


BLANK_CRITERION = {"id": "", "prompt": "", "guidance": "", "weight": 1,
                   "evidence_required": True, "na_allowed": False, "type": "scale",
                   "level_descriptors": {}}


def _criterion_context(draft: DraftView, item: dict) -> dict:
    kind = str(item.get("type") or "scale")
    return {"item": item, "type_choices": [(t, k.label) for t, k in sorted(_types().items())],
            "options": rating_options(draft, kind)}


def _criterion_from_form(draft: DraftView, current: dict) -> dict:
    """The criterion as typed; descriptors may name the ratings of its old or new type."""
    values = [o.value for o in rating_options(draft, request.form.get("type", "scale"))]
    values += [o.value for o in rating_options(draft, str(current.get("type") or "scale"))]
    options = request.form.getlist("options")
    form = {**request.form.to_dict(),
            "evidence_required": "yes" if "evidence_required" in options else "",
            "na_allowed": "yes" if "na_allowed" in options else ""}
    return ed.criterion_from_form(form, list(dict.fromkeys(values)))


def _criterion_page(public_id: str, index: int | None):
    return _item_page(rubric_drafts.get_draft(public_id), index, name="criteria",
                      section=ed.CRITERION, template="rubric_editor/criterion.html",
                      blank=BLANK_CRITERION, context_of=_criterion_context,
                      from_form=_criterion_from_form, back="rubric_drafts.criteria")


@bp.route("/<public_id>/criteria/new", methods=["GET", "POST"])
@require_roles(*EDITORS)
def new_criterion(public_id: str):
    return _criterion_page(public_id, None)


@bp.route("/<public_id>/criteria/<int:index>", methods=["GET", "POST"])
@require_roles(*EDITORS)
def criterion(public_id: str, index: int):
    return _criterion_page(public_id, index)


@bp.get("/<public_id>/rules")
@require_roles(*EDITORS)
def rules(public_id: str):
    draft = rubric_drafts.get_draft(public_id)
    return _render("rubric_editor/rules.html", draft, section=ed.RULES,
                   items=draft.items("limiting_rules"))


@bp.post("/<public_id>/rules/<int:index>/remove")
@require_roles(*EDITORS)
def remove_rule(public_id: str, index: int):
    return _list_change(public_id, "limiting_rules", index, ed.remove_at,
                        "The limiting rule has been removed.",
                        url_for("rubric_drafts.rules", public_id=public_id))


BLANK_RULE = {"id": "", "criterion": "", "when": [], "cap": "", "applies_to": "domain",
              "explanation": ""}


def _rule_context(draft: DraftView, item: dict) -> dict:
    criteria_items = [c for c in draft.items("criteria") if isinstance(c, dict)]
    chosen = next((c for c in criteria_items if c.get("id") == item.get("criterion")), None)
    options = rating_options(draft, str(chosen.get("type") or "scale") if chosen else "scale")
    return {"item": item, "criterion_choices": [str(c.get("id") or "") for c in criteria_items],
            "when_options": options, "cap_levels": scale_of(draft).levels,
            "overall_levels": DEFAULT_SCALE.levels}


def _rule_page(public_id: str, index: int | None):
    return _item_page(rubric_drafts.get_draft(public_id), index, name="limiting_rules",
                      section=ed.RULE, template="rubric_editor/rule.html", blank=BLANK_RULE,
                      context_of=_rule_context,
                      from_form=lambda _draft, _current: ed.rule_from_form(
                          request.form, request.form.getlist("when")),
                      back="rubric_drafts.rules")


@bp.route("/<public_id>/rules/new", methods=["GET", "POST"])
@require_roles(*EDITORS)
def new_rule(public_id: str):
    return _rule_page(public_id, None)


@bp.route("/<public_id>/rules/<int:index>", methods=["GET", "POST"])
@require_roles(*EDITORS)
def rule(public_id: str, index: int):
    return _rule_page(public_id, index)

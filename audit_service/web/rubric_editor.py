"""``/rubrics``: rubrics and their versions, drafts, diffs, export, import, retiring and
assigning rubrics to case types and services. Drafts are edited in ``rubric_drafts``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_service.domain.vocabulary import CaseType, Role
from audit_service.services.errors import Invalid
from audit_service.services.rubrics import assignments as rubric_assignments
from audit_service.services.rubrics import drafts as rubric_drafts
from audit_service.services.rubrics import history as rubric_history
from audit_service.services.rubrics import uploads as rubric_uploads
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.services.rubrics.views import DraftView
from audit_service.web.access import require_roles

bp = Blueprint("rubric_editor", __name__, url_prefix="/rubrics")

EDITORS = (Role.QUALITY_LEAD, Role.ADMIN)


def done(message: str, url: str):
    """Go on to ``url``, saying there what was done."""
    flash(message, "success")
    return redirect(url)


def draft_url(draft: DraftView) -> str:
    """Where a draft is shown whole (its overview), with what to fix before publishing."""
    return url_for("rubric_drafts.show", public_id=draft.public_id)


def _form_page(template: str, action: Callable[[], Any], message: str,
               next_url: Callable[[Any], str], shown: Callable[[], dict[str, Any]] = dict,
               **context: Any):
    """A form that asks a service for one thing: on a POST, do ``action`` and go on to
    ``next_url(result)`` with ``message``; if the service refuses, show the form again
    with its errors. ``shown`` is what else the page lists, read only to show it."""
    error_for: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            result = action()
        except Invalid as exc:
            error_for, status = exc.error_for, exc.status
        else:
            return done(message, next_url(result))
    errors = [{"text": m, "href": f"#{f}"} for f, m in error_for.items()]
    return render_template(template, error_for=error_for, errors=errors, **shown(),
                           **context), status


def _int(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 10 else -1


@bp.get("")
@require_roles(*EDITORS)
def index():
    return render_template("rubric_editor/index.html", rubrics=rubric_versions.list_rubrics(),
                           drafts=rubric_drafts.list_drafts())


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*EDITORS)
def new():
    values = {k: (request.form.get(k) or "").strip() for k in ("id", "title", "domain")}
    return _form_page(
        "rubric_editor/new.html",
        lambda: rubric_drafts.new_draft(values["id"], values["title"], values["domain"],
                                        author=current_user.record),
        "The draft has been created. Add its case types and criteria next.", draft_url,
        values=values)


@bp.route("/import", methods=["GET", "POST"])
@require_roles(*EDITORS)
def import_file():
    upload = request.files.get("file")
    chosen = upload is not None and bool(upload.filename)
    return _form_page(
        "rubric_editor/import.html",
        lambda: rubric_uploads.draft_from_yaml(upload.read() if chosen else None,
                                               upload.filename if chosen else "",
                                               author=current_user.record),
        "The file has been imported as a draft. Check it, then publish it.", draft_url)


# --- assignments --------------------------------------------------------------------------


@bp.route("/assignments", methods=["GET", "POST"])
@require_roles(*EDITORS)
def assignments():
    values = {"rubric": request.form.get("rubric", ""),
              "service": request.form.get("service", ""),
              "case_types": request.form.getlist("case_types")}
    return _form_page(
        "rubric_editor/assignments.html",
        lambda: rubric_assignments.assign(
            values["rubric"], values["case_types"], actor=current_user.record,
            service_id=_int(values["service"]) if values["service"] else None),
        "The rubric has been assigned.", lambda _: url_for("rubric_editor.assignments"),
        lambda: {"rows": rubric_assignments.list_assignments(),
                 "choices": rubric_assignments.choices()},
        case_types=list(CaseType), values=values)


@bp.post("/assignments/<int:assignment_id>/remove")
@require_roles(*EDITORS)
def remove_assignment(assignment_id: int):
    rubric_assignments.unassign(assignment_id, actor=current_user.record)
    return done("The assignment has been removed.", url_for("rubric_editor.assignments"))


# --- one rubric ---------------------------------------------------------------------------


@bp.get("/<rubric_id>")
@require_roles(*EDITORS)
def rubric(rubric_id: str):
    return render_template("rubric_editor/rubric.html",
                           history=rubric_history.history(rubric_id))


@bp.post("/<rubric_id>/versions/<int:number>/draft")
@require_roles(*EDITORS)
def draft_from_version(rubric_id: str, number: int):
    draft = rubric_drafts.draft_from_version(rubric_id, number, author=current_user.record)
    return done(f"A draft has been created from version {number}.", draft_url(draft))


@bp.get("/<rubric_id>/versions/<int:number>/export")
@require_roles(*EDITORS)
def export(rubric_id: str, number: int):
    exported = rubric_versions.read_version(rubric_id, number)
    return Response(exported.yaml, mimetype="application/yaml", headers={
        "Content-Disposition": f'attachment; filename="{exported.filename}"'})


@bp.get("/<rubric_id>/diff")
@require_roles(*EDITORS)
def diff(rubric_id: str):
    if request.args:
        compared = rubric_history.compare(rubric_id, _int(request.args.get("from", "")),
                                          _int(request.args.get("to", "")))
    else:
        compared = rubric_history.compare(rubric_id)
    return render_template("rubric_editor/diff.html", diff=compared)


@bp.post("/<rubric_id>/retire")
@require_roles(*EDITORS)
def retire(rubric_id: str):
    retired = rubric_versions.retire(rubric_id, actor=current_user.record)
    return done(f"{retired.title} has been retired: new audits will not use it. Audits that "
                "used it keep their versions and grades.",
                url_for("rubric_editor.rubric", rubric_id=rubric_id))

"""``/rubrics``: rubrics and their versions, drafts, diffs, export, import, retiring and
assigning rubrics to case types and services. Drafts are edited in ``rubric_drafts``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_service.domain.rubrics.diff import summary
from audit_service.domain.vocabulary import CaseType, Role
from audit_service.services.rubrics import assignments as rubric_assignments
from audit_service.services.rubrics import drafts as rubric_drafts
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.models import RubricDefinition, Service
from audit_service.web.access import require_roles

bp = Blueprint("rubric_editor", __name__, url_prefix="/rubrics")

EDITORS = (Role.QUALITY_LEAD, Role.ADMIN)


def _definition_or_404(rubric_id: str) -> RubricDefinition:
    definition = RubricDefinition.get_or_none(RubricDefinition.rubric_id == rubric_id)
    if definition is None:
        abort(404)
    return definition


@bp.get("")
@require_roles(*EDITORS)
def index():
    return render_template("rubric_editor/index.html",
                           rubrics=rubric_versions.list_definitions(),
                           drafts=rubric_drafts.list_drafts())


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*EDITORS)
def new():
    values = {"id": "", "title": "", "domain": ""}
    error_for: dict[str, str] = {}
    if request.method == "POST":
        values = {k: (request.form.get(k) or "").strip() for k in values}
        try:
            draft = rubric_drafts.new_draft(values["id"], values["title"], values["domain"],
                                            author=current_user.record)
        except rubric_drafts.DraftError as exc:
            error_for = exc.error_for
        else:
            flash("The draft has been created. Add its case types and criteria next.",
                  "success")
            return redirect(url_for("rubric_drafts.show", public_id=draft.public_id))
    errors = [{"text": m, "href": f"#{f}"} for f, m in error_for.items()]
    return render_template("rubric_editor/new.html", values=values, error_for=error_for,
                           errors=errors), 400 if errors else 200


@bp.route("/import", methods=["GET", "POST"])
@require_roles(*EDITORS)
def import_file():
    error_for: dict[str, str] = {}
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error_for = {"file": "Choose a rubric file (.yaml) to import"}
        else:
            try:
                draft = rubric_drafts.draft_from_yaml(upload.read(), upload.filename,
                                                      author=current_user.record)
            except rubric_drafts.DraftError as exc:
                error_for = exc.error_for
            else:
                flash("The file has been imported as a draft. Check it, then publish it.",
                      "success")
                return redirect(url_for("rubric_drafts.show", public_id=draft.public_id))
    errors = [{"text": m, "href": f"#{f}"} for f, m in error_for.items()]
    return render_template("rubric_editor/import.html", error_for=error_for,
                           errors=errors), 400 if errors else 200


# --- assignments --------------------------------------------------------------------------


@bp.route("/assignments", methods=["GET", "POST"])
@require_roles(*EDITORS)
def assignments():
    error_for: dict[str, str] = {}
    values = {"rubric": "", "service": "", "case_types": []}
    if request.method == "POST":
        values = {"rubric": request.form.get("rubric", ""),
                  "service": request.form.get("service", ""),
                  "case_types": request.form.getlist("case_types")}
        chosen_service = None
        if values["service"]:
            chosen_service = Service.get_or_none(Service.id == _int(values["service"]))
            if chosen_service is None:
                error_for["service"] = "Choose a service from the list"
        if not error_for:
            try:
                rubric_assignments.assign(values["rubric"], chosen_service,
                                          values["case_types"], actor=current_user.record)
            except rubric_assignments.AssignmentError as exc:
                error_for = exc.error_for
            else:
                flash("The rubric has been assigned.", "success")
                return redirect(url_for("rubric_editor.assignments"))
    errors = [{"text": m, "href": f"#{f}"} for f, m in error_for.items()]
    in_use = [d for d, _ in rubric_versions.list_definitions() if d.retired_at is None]
    return render_template(
        "rubric_editor/assignments.html", rows=rubric_assignments.list_assignments(),
        rubrics=in_use, services=list(Service.select().order_by(Service.name)),
        case_types=list(CaseType), values=values, error_for=error_for, errors=errors,
        type_label=_type_label,
    ), 400 if errors else 200


def _int(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 10 else -1


@bp.app_template_filter("case_type_label")
def _type_label(value: str) -> str:
    """"Child in need" for "child_in_need"; an unknown value as it is (drafts may hold any)."""
    try:
        return CaseType(value).label
    except ValueError:
        return value


@bp.post("/assignments/<int:assignment_id>/remove")
@require_roles(*EDITORS)
def remove_assignment(assignment_id: int):
    rubric_assignments.unassign(assignment_id, actor=current_user.record)
    flash("The assignment has been removed.", "success")
    return redirect(url_for("rubric_editor.assignments"))


# --- one rubric ---------------------------------------------------------------------------


@bp.get("/<rubric_id>")
@require_roles(*EDITORS)
def rubric(rubric_id: str):
    definition = _definition_or_404(rubric_id)
    versions = rubric_versions.versions_of(rubric_id)
    drafts = rubric_drafts.list_drafts(rubric_id)
    return render_template("rubric_editor/rubric.html", definition=definition,
                           versions=list(reversed(versions)), drafts=drafts)


@bp.post("/<rubric_id>/versions/<int:number>/draft")
@require_roles(*EDITORS)
def draft_from_version(rubric_id: str, number: int):
    _definition_or_404(rubric_id)
    try:
        version = rubric_versions.get_version(rubric_id, number)
    except rubric_versions.UnknownRubric:
        abort(404)
    draft = rubric_drafts.draft_from_version(version, author=current_user.record)
    flash(f"A draft has been created from version {number}.", "success")
    return redirect(url_for("rubric_drafts.show", public_id=draft.public_id))


@bp.get("/<rubric_id>/versions/<int:number>/export")
@require_roles(*EDITORS)
def export(rubric_id: str, number: int):
    try:
        version = rubric_versions.get_version(rubric_id, number)
    except rubric_versions.UnknownRubric:
        abort(404)
    return Response(
        rubric_drafts.export_yaml(version), mimetype="application/yaml",
        headers={"Content-Disposition":
                 f'attachment; filename="{rubric_id}-v{number}.yaml"'})


@bp.get("/<rubric_id>/diff")
@require_roles(*EDITORS)
def diff(rubric_id: str):
    definition = _definition_or_404(rubric_id)
    numbers = [v.number for v in rubric_versions.versions_of(rubric_id)]
    old = _int(request.args.get("from", ""))
    new = _int(request.args.get("to", ""))
    if not request.args:
        old, new = (numbers[-2], numbers[-1]) if len(numbers) > 1 else (numbers[0], numbers[0])
    if old not in numbers or new not in numbers:
        abort(404)
    changes = rubric_drafts.diff_versions(rubric_id, old, new)
    return render_template("rubric_editor/diff.html", definition=definition, numbers=numbers,
                           old=old, new=new, changes=changes, headline=summary(changes))


@bp.post("/<rubric_id>/retire")
@require_roles(*EDITORS)
def retire(rubric_id: str):
    definition = _definition_or_404(rubric_id)
    rubric_versions.retire(rubric_id, actor=current_user.record)
    flash(f"{definition.title} has been retired: new audits will not use it. Audits that "
          "used it keep their versions and grades.", "success")
    return redirect(url_for("rubric_editor.rubric", rubric_id=rubric_id))

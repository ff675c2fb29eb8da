"""``/audits/<public_id>``: the audit form, its autosave, conflicts, submission and result.

The form works with no JavaScript: "Save draft" and "Submit audit" are plain
form posts. ``autosave.mjs`` posts the same fields to ``/autosave`` and gets
JSON back. A post from a stale page never overwrites anything: it gets the
conflict page, which lays out both versions field by field.

The services build every view these pages show and decide what the reader may do;
their refusals are answered by the app's one handler, except where a page shows its
own form again with what went wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import Form

from audit_service.clock import local_time, local_today
from audit_service.domain.audits import Answer, FieldError
from audit_service.domain.vocabulary import ActionStatus, Role
from audit_service.extension import registries
from audit_service.services.audits import actions as action_service
from audit_service.services.audits import drafting, reading, responses, starting, submission
from audit_service.services.audits.access import AUDIT_ROLES
from audit_service.services.audits.criteria import sections as criteria_sections
from audit_service.services.audits.criteria import with_prompts
from audit_service.services.audits.form import audit_form, conflict_view, form_of
from audit_service.services.audits.refusals import InvalidAnswers, VersionConflict
from audit_service.services.audits.views import STATUSES, AuditForm, AuditView, Section
from audit_service.services.errors import Conflict, Invalid
from audit_service.web.access import require_roles
from audit_service.web.forms import DateInputField

bp = Blueprint("audits", __name__, url_prefix="/audits")
# Supervisors audit their samples; quality leads also audit when they moderate.
AUDITOR_ROLES = (Role.SUPERVISOR, Role.QUALITY_LEAD)


@bp.context_processor
def _defaults() -> dict:
    return {"empty_answer": Answer(), "statuses": STATUSES}


# --- helpers ---------------------------------------------------------------------------


def _user():
    return current_user.record


def _types():
    return registries().criterion_types


def _posted_version() -> int | None:
    raw = (request.form.get("version") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def _version_or_400() -> int:
    version = _posted_version()
    if version is None:
        abort(400)
    return version


def _show(public_id: str, anchor: str = ""):
    return redirect(url_for("audits.show", public_id=public_id) + anchor)


# A criterion's heading and guidance depend only on a published version and the installed
# criterion types, so each is rendered once per process and reused for every audit.
_heads: dict[tuple, tuple] = {}


def with_heads(shown: Sequence[Section]) -> list[Section]:
    """The sections with each criterion's heading rendered, kept per published version."""
    found = []
    for section in shown:
        heads = _heads.get(section.cache_key) if section.cache_key else None
        if heads is None:
            head = get_template_attribute("components/audit.html", "criterion_head")
            heads = tuple(head(item) for item in section.criteria)
            if section.cache_key:
                _heads[section.cache_key] = heads
        found.append(replace(section, criteria=tuple(
            replace(item, head=rendered) for item, rendered in zip(section.criteria, heads,
                                                                    strict=True))))
    return found


def sections(state, prompts) -> list[Section]:
    """The form's sections for pinned rubrics (``state.pinned``), with evidence ``prompts``:
    the rubric editor's preview shows a draft rubric as the form will."""
    return with_heads(with_prompts(criteria_sections(state.pinned, _types()), prompts))


def _render_form(form: AuditForm, status: int = 200):
    return render_template("audits/form.html", form=form, audit=form.audit,
                           sections=with_heads(form.sections)), status


def _render_view(view: AuditView, *, status: int = 200, errors: Sequence[FieldError] = (),
                 action_form: dict | None = None, response_text: str | None = None):
    """The read-only audit, with the errors of the response, acknowledgement or action form
    the reader posted, and what they typed in it."""
    return render_template(
        "audits/view.html", audit=view, sections=view.sections, errors=list(errors),
        error_for={e.field: e.message for e in reversed(list(errors))},
        action_form=action_form or {},
        response_text=view.response if response_text is None else response_text,
    ), status


def _fresh_form(public_id: str, exc: InvalidAnswers):
    """The form again, with what was posted and what is wrong with it."""
    form = audit_form(_user(), public_id, _types(), registries().evidence_providers,
                      local_today(), posted=request.form, errors=exc.errors,
                      version=exc.version)
    return _render_form(form, exc.status)


def _conflict(public_id: str, your_version: int, status: int = 409):
    view = conflict_view(_user(), public_id, request.form, your_version, _types())
    return render_template("audits/conflict.html", conflict=view, audit=view.audit), status


# --- starting --------------------------------------------------------------------------


@bp.post("/start")
@require_roles(Role.SUPERVISOR)
def start():
    """Open (creating once) the audit of a drawn case, then go to its form."""
    round_id = (request.form.get("round") or "").strip()
    case_id = (request.form.get("case") or "").strip()
    if not round_id or not case_id:
        abort(400)
    public_id, _created = starting.start_drawn(
        _user(), round_id, case_id, _types(), registries().rubrics,
        remote_addr=request.remote_addr)
    return _show(public_id)


# --- the form and the read-only view ---------------------------------------------------


@bp.get("/<public_id>")
@require_roles(*AUDIT_ROLES, case_readers=True)
def show(public_id: str):
    view = reading.read_audit(_user(), public_id, _types(), via="page",
                              remote_addr=request.remote_addr)
    if view.editable:
        return _render_form(form_of(view, _types(), registries().evidence_providers,
                                    local_today()))
    return _render_view(view)


@bp.post("/<public_id>")
@require_roles(*AUDITOR_ROLES)
def save(public_id: str):
    """"Save draft" (``intent=save``) or "Submit audit" (``intent=submit``)."""
    intent = request.form.get("intent", "save")
    if intent not in ("save", "submit"):
        abort(400)
    version = _version_or_400()
    try:
        if intent == "submit":
            submission.submit_posted(_user(), public_id, request.form, version, _types(),
                                     remote_addr=request.remote_addr)
            flash("Audit submitted", "success")
            return _show(public_id)
        drafting.save_posted(_user(), public_id, request.form, version, _types(),
                             remote_addr=request.remote_addr)
    except VersionConflict:
        return _conflict(public_id, version)
    except InvalidAnswers as exc:
        return _fresh_form(public_id, exc)
    flash("Draft saved", "success")
    return _show(public_id, "#draft-status")


@bp.post("/<public_id>/autosave")
@require_roles(*AUDITOR_ROLES)
def autosave(public_id: str):
    """The background save: the same fields as the form, answered in JSON."""
    version = _posted_version()
    if version is None:
        return jsonify(status="invalid", message="The page did not send its version."), 400
    try:
        saved = drafting.save_posted(_user(), public_id, request.form, version, _types(),
                                     remote_addr=request.remote_addr, via="autosave")
    except VersionConflict as exc:
        return jsonify(status="conflict", message=exc.message, your_version=version,
                       current_version=exc.current_version), exc.status
    except Conflict as exc:
        return jsonify(status="read_only", message=exc.message), exc.status
    except Invalid as exc:
        return jsonify(status="invalid", message="The draft could not be saved.",
                       errors=[{"field": e.field, "message": e.message} for e in exc.errors]
                       ), exc.status
    return jsonify(status="saved", version=saved.version,
                   saved_at=local_time(saved.saved_at).strftime("%H:%M"))


@bp.post("/<public_id>/resolve")
@require_roles(*AUDITOR_ROLES)
def resolve(public_id: str):
    """Save the answers chosen field by field on the conflict page, against the current version."""
    version = _version_or_400()
    keep = request.form.get("keep", "choices")
    if keep not in drafting.KEEP:
        abort(400)
    try:
        drafting.resolve_conflict(_user(), public_id, request.form, version, keep, _types(),
                                  remote_addr=request.remote_addr)
    except VersionConflict:
        return _conflict(public_id, version)
    except InvalidAnswers as exc:
        return _fresh_form(public_id, exc)
    flash("Draft saved with the answers you chose", "success")
    return _show(public_id)


# --- after submission ------------------------------------------------------------------


@bp.post("/<public_id>/response")
@require_roles(Role.PRACTITIONER)
def respond(public_id: str):
    text = request.form.get("response", "")
    version = _version_or_400()
    try:
        responses.respond(_user(), public_id, text, version, remote_addr=request.remote_addr)
    except Invalid as exc:
        return _render_view(reading.audit_view(_user(), public_id, _types()),
                            status=exc.status, errors=exc.errors, response_text=text)
    except Conflict as exc:
        error = FieldError("response", f"{exc.message} Your response has not been saved; "
                                       "it is still in the box below.")
        return _render_view(reading.audit_view(_user(), public_id, _types()),
                            status=exc.status, errors=[error], response_text=text)
    flash("Response saved", "success")
    return _show(public_id, "#response-heading")


@bp.post("/<public_id>/acknowledge")
@require_roles(Role.PRACTITIONER)
def acknowledge(public_id: str):
    version = _version_or_400()
    try:
        responses.acknowledge(_user(), public_id, version, remote_addr=request.remote_addr)
    except Conflict as exc:
        error = FieldError("acknowledge-audit",
                           f"{exc.message} Check the audit and acknowledge it again.")
        return _render_view(reading.audit_view(_user(), public_id, _types()),
                            status=exc.status, errors=[error])
    flash("Audit acknowledged", "success")
    return _show(public_id)


class _DueForm(Form):
    due = DateInputField("Due date")


@bp.post("/<public_id>/actions")
@require_roles(Role.SUPERVISOR)
def create_action(public_id: str):
    due = _DueForm(request.form).due
    owner_key = (request.form.get("owner") or "").strip()
    description = request.form.get("description", "")
    status = request.form.get("status", ActionStatus.OPEN)
    try:
        action_service.record_action(
            _user(), public_id, description=description, due_on=due.data, status=status,
            today=local_today(), owner_id=int(owner_key) if owner_key.isdigit() else None,
            due_on_error=next(iter(due.process_errors), None), remote_addr=request.remote_addr)
    except Invalid as exc:
        errors = [FieldError("due-day" if e.field == "due_on" else e.field, e.message)
                  for e in exc.errors]
        form = {"description": description, "owner": owner_key, "due": due.parts,
                "status": status}
        return _render_view(reading.audit_view(_user(), public_id, _types()),
                            status=exc.status, errors=errors, action_form=form)
    flash("Action added", "success")
    return _show(public_id, "#actions-heading")


@bp.post("/actions/<public_id>")
@require_roles(Role.SUPERVISOR, Role.PRACTITIONER)
def update_action(public_id: str):
    """The owner (or the team's supervisor) moves an action to in progress or done."""
    version = _version_or_400()
    try:
        action = action_service.move_action(_user(), public_id, request.form.get("status", ""),
                                            version, remote_addr=request.remote_addr)
        audit_public_id = action.audit_public_id
        flash("Action updated", "success")
    except action_service.ActionConflict as exc:
        # Moved from a list by someone else meanwhile: back to the list, which shows it now.
        audit_public_id = exc.audit_public_id
        flash(exc.message, "warning")
    target = request.form.get("next", "")
    if target in ("supervisor", "practitioner"):
        return redirect(url_for(f"{target}.home") + "#actions-heading")
    return _show(audit_public_id, "#actions-heading")

"""``/audits/<public_id>``: the audit form, its autosave, conflicts, submission and result.

The form works with no JavaScript: "Save draft" and "Submit audit" are plain
form posts. ``autosave.mjs`` posts the same fields to ``/autosave`` and gets
JSON back. A post from a stale page never overwrites anything: it gets the
conflict page, which lays out both versions field by field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from flask import (
    Blueprint,
    abort,
    flash,
    get_template_attribute,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from peewee import JOIN
from wtforms import Form

from audit_service.clock import local_time, local_today
from audit_service.domain.audits import (
    JUDGEMENT,
    JUDGEMENT_REASON,
    Answer,
    CriterionKey,
    FieldError,
    JudgementAnswer,
    answers_from_form,
    differences,
    field_id,
    judgement_from_form,
    judgement_grades,
    merge,
)
from audit_service.domain.rubrics import Criterion, Rubric
from audit_service.domain.vocabulary import ActionStatus, AuditStatus, CaseType, Role
from audit_service.extension import registries
from audit_service.services.audits import actions as action_service
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.audits import reaudits
from audit_service.services.audits.access import (
    AUDIT_ROLES,
    BLIND_MESSAGE,
    can_manage_actions,
    can_read,
    can_update_action,
    is_auditor,
    is_practitioner,
    readable_audit,
)
from audit_service.services.errors import NotAllowed, NotFound
from audit_service.storage.models import Audit, Case, RoundCase, SamplingRound, Team, User
from audit_service.web.access import require_roles
from audit_service.web.forms import DateInputField

bp = Blueprint("audits", __name__, url_prefix="/audits")
# Supervisors audit their samples; quality leads also audit when they moderate.
AUDITOR_ROLES = (Role.SUPERVISOR, Role.QUALITY_LEAD)


@bp.context_processor
def _defaults() -> dict:
    return {"empty_answer": Answer()}


# --- helpers ---------------------------------------------------------------------------


def _user() -> User:
    return current_user.record


def _types():
    return registries().criterion_types


def _local_time(value: dt.datetime) -> str:
    return local_time(value).strftime("%H:%M")


def _audit_or_abort(public_id: str) -> Audit:
    try:
        return readable_audit(_user(), public_id)
    except NotFound:
        abort(404)
    except NotAllowed as exc:
        if str(exc) == BLIND_MESSAGE:
            # Moderation is blind: say why, and show nothing of the first audit.
            abort(make_response(render_template("moderation/blind.html", message=str(exc)), 403))
        abort(403)


def _posted_version() -> int:
    raw = (request.form.get("version") or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        abort(400)
    return int(raw)


def _context(audit: Audit) -> dict:
    """The case, team, round, why the case was drawn and the auditor shown at the top of
    every audit page (one query, none more when the auditor is the one looking)."""
    case = (
        Case.select(Case, Team, RoundCase, SamplingRound)
        .join(Team, JOIN.LEFT_OUTER, on=(Case.team == Team.id))
        .switch(Case)
        .join(RoundCase, JOIN.LEFT_OUTER, on=(RoundCase.id == audit.round_case_id),
              attr="drawn")
        .join(SamplingRound, JOIN.LEFT_OUTER, on=(SamplingRound.id == RoundCase.round),
              attr="sampling_round")
        .where(Case.id == audit.case_id).get()
    )
    user = _user()
    reaudit = reaudits.reaudit_view(audit)
    drawn = case.drawn if audit.round_case_id is not None else None
    return {
        "audit": audit,
        "case": case,
        "case_type": CaseType(case.case_type).label,
        "round": drawn.sampling_round if drawn else None,
        "auditor": user if audit.auditor_id == user.id else User.get_by_id(audit.auditor_id),
        "drawn_because": drawn.reason if drawn else None,
        "reaudit": reaudit,
        "can_read_previous": bool(reaudit) and can_read(user, reaudit.previous.audit),
        "action_statuses": action_service.STATUSES,
    }


@dataclass(frozen=True)
class CriterionItem:
    """One criterion as the form, the read-only view and the conflict page show it.

    An object rather than a dict: templates read a dozen attributes of each of the
    form's criteria, and Jinja finds an attribute at once but a dict key only after an
    ``AttributeError``.
    """

    key: CriterionKey
    number: int
    label: str
    criterion: Criterion
    options: tuple
    option_labels: dict
    descriptors: tuple
    ids: dict
    prompts: tuple = ()
    #: The heading and guidance, rendered once per version; None renders it in the page.
    head: Markup | None = None


# Everything above but the prompts depends only on a published (so immutable) rubric
# version and the installed criterion types: built once per process per version.
_criteria_of_version: dict[tuple[str, tuple[str, ...]], tuple[CriterionItem, ...]] = {}


def _criterion_items(rubric: Rubric, types: Mapping) -> tuple[CriterionItem, ...]:
    items = []
    for index, criterion in enumerate(rubric.criteria):
        kind = types.get(criterion.type)
        options = tuple(kind.options(rubric.scale)) if kind else ()
        descriptors = []
        for level in rubric.scale.levels:
            text = criterion.level_descriptors.get(level.id)
            if text:
                descriptors.append((level.label, text))
        for option in options:
            text = criterion.level_descriptors.get(option.value)
            if text and not rubric.scale.has_level(option.value):
                descriptors.append((option.label, text))
        key = CriterionKey(rubric.id, criterion.id)
        items.append(CriterionItem(
            key=key,
            number=index + 1,
            label=f"{rubric.domain}, criterion {index + 1}",
            criterion=criterion,
            options=options,
            option_labels={o.value: o.label for o in options},
            descriptors=tuple(descriptors),
            ids={part: field_id(part, key) for part in ("rating", "na", "na-reason", "evidence")},
        ))
    return tuple(items)


def sections(state: audit_service.AuditState, prompts: Mapping) -> list[dict]:
    """Everything the form shows per rubric and criterion, in form order."""
    types = _types()
    result = []
    for pinned in state.pinned:
        rubric = pinned.rubric
        content_hash = getattr(pinned.version, "content_hash", None)
        if content_hash is None:  # a draft being previewed: never cached
            items = _criterion_items(rubric, types)
        else:
            cache_key = (content_hash, tuple(sorted(types)))
            items = _criteria_of_version.get(cache_key)
            if items is None:
                head = get_template_attribute("components/audit.html", "criterion_head")
                items = _criteria_of_version[cache_key] = tuple(
                    replace(item, head=head(item)) for item in _criterion_items(rubric, types))
        criteria = [replace(item, prompts=tuple(prompts[item.key.criterion_id]))
                    if prompts.get(item.key.criterion_id) else item for item in items]
        result.append({"rubric": rubric, "version": pinned.version,
                       "audit_rubric": pinned.audit_rubric, "criteria": criteria})
    return result


def _render_form(audit: Audit, state: audit_service.AuditState, *,
                 answers: Mapping[CriterionKey, Answer] | None = None,
                 judgement: JudgementAnswer | None = None,
                 errors: list[FieldError] = (), version: int | None = None, status: int = 200):
    ctx = _context(audit)
    prompts = audit_service.evidence_prompts(
        ctx["case"], registries().evidence_providers, local_today())
    answers = answers if answers is not None else state.answers
    return render_template(
        "audits/form.html",
        **ctx,
        sections=sections(state, prompts),
        answers=answers,
        judgement=judgement if judgement is not None else state.judgement,
        judgement_grades=judgement_grades(),
        judgement_ids={"grade": JUDGEMENT, "reason": JUDGEMENT_REASON},
        preview=audit_service.calculated_preview(audit, state, answers, _types()),
        errors=list(errors),
        error_for={e.field: e.message for e in reversed(list(errors))},
        version=audit.version if version is None else version,
    ), status


def _render_view(audit: Audit, state: audit_service.AuditState, *, status: int = 200,
                 action_errors: list[FieldError] = (), action_form: dict | None = None,
                 response_errors: list[FieldError] = (), response_text: str | None = None):
    user = _user()
    ctx = _context(audit)
    actions = action_service.actions_of(audit)
    manage = can_manage_actions(user, audit)
    shown = sections(state, {})
    return render_template(
        "audits/view.html",
        **ctx,
        sections=shown,
        answers=state.answers,
        result=audit.result,
        judgements=_unscored_answers(shown, state),
        actions=actions,
        can_manage=manage,
        can_update={a.id for a in actions if can_update_action(user, a, audit)},
        owners=action_service.owner_choices(audit) if manage else [],
        statuses=action_service.STATUSES,
        is_practitioner=is_practitioner(user, audit),
        action_errors=list(action_errors),
        action_error_for={e.field: e.message for e in reversed(list(action_errors))},
        action_form=action_form or {},
        response_errors=list(response_errors),
        response_text=audit.response if response_text is None else response_text,
    ), status


def _unscored_answers(shown: list[dict], state: audit_service.AuditState) -> dict[str, str]:
    """The answer to each rubric made only of unscored judgements ("Is the child safe
    now?"), by rubric id, in words: shown where a graded domain shows its grade."""
    types = _types()
    found = {}
    for section in shown:
        items = section["criteria"]
        if items and not any(types[i.criterion.type].scored for i in items
                             if i.criterion.type in types):
            words = [i.option_labels.get(state.answers[i.key].rating or "", "Not answered")
                     for i in items if i.key in state.answers]
            found[section["rubric"].id] = ", ".join(words) or "Not answered"
    return found


def _render_conflict(audit: Audit, yours: Mapping[CriterionKey, Answer],
                     current: audit_service.AuditState, your_version: int, status: int = 409):
    diffs = differences(yours, current.answers, current.keys)
    ctx = _context(audit)
    return render_template(
        "audits/conflict.html",
        **ctx,
        diffs=diffs,
        sections={s["rubric"].id: s for s in sections(current, {})},
        yours=yours,
        keys=current.keys,
        your_version=your_version,
        current_version=current.audit.version,
    ), status


# --- starting --------------------------------------------------------------------------


@bp.post("/start")
@require_roles(Role.SUPERVISOR)
def start():
    """Open (creating once) the audit of a drawn case, then go to its form."""
    round_id = (request.form.get("round") or "").strip()
    case_id = (request.form.get("case") or "").strip()
    if not round_id or not case_id:
        abort(400)
    audit_service.ensure_published(registries().rubrics)
    try:
        audit, _created = audit_service.start_audit(
            _user(), round_id, case_id, _types(), remote_addr=request.remote_addr)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except audit_service.NoRubrics as exc:
        flash(str(exc))
        return redirect(url_for("supervisor.home"))
    return redirect(url_for("audits.show", public_id=audit.public_id))


# --- the form and the read-only view ---------------------------------------------------


@bp.get("/<public_id>")
@require_roles(*AUDIT_ROLES)
def show(public_id: str):
    audit = _audit_or_abort(public_id)
    audit_service.record_view(_user(), audit, via="page", remote_addr=request.remote_addr)
    state = audit_service.load_state(audit, _types())
    if audit.status == AuditStatus.DRAFT and is_auditor(_user(), audit):
        return _render_form(audit, state)
    return _render_view(audit, state)


def _save_or_submit(audit: Audit, intent: str):
    user = _user()
    state = audit_service.load_state(audit, _types())
    answers = answers_from_form(request.form, state.keys)
    judgement = judgement_from_form(request.form)
    version = _posted_version()
    try:
        if intent == "submit":
            audit_service.submit(user, audit, answers, version, _types(), judgement=judgement,
                                 remote_addr=request.remote_addr)
            flash("Audit submitted", "success")
            return redirect(url_for("audits.show", public_id=audit.public_id))
        audit_service.save_draft(user, audit, answers, version, _types(), judgement=judgement,
                                 remote_addr=request.remote_addr)
    except audit_service.VersionConflict:
        return _render_conflict(audit, answers, audit_service.load_state(
            Audit.get_by_id(audit.id), _types()), version)
    except audit_service.InvalidAnswers as exc:
        fresh = Audit.get_by_id(audit.id)
        return _render_form(fresh, state, answers={**state.answers, **answers},
                            judgement=judgement, errors=exc.errors, version=exc.version,
                            status=400)
    except audit_service.ReadOnly as exc:
        flash(str(exc))
        return redirect(url_for("audits.show", public_id=audit.public_id))
    flash("Draft saved", "success")
    return redirect(url_for("audits.show", public_id=audit.public_id) + "#draft-status")


@bp.post("/<public_id>")
@require_roles(*AUDITOR_ROLES)
def save(public_id: str):
    """"Save draft" (``intent=save``) or "Submit audit" (``intent=submit``)."""
    audit = _audit_or_abort(public_id)
    if not is_auditor(_user(), audit):
        abort(403)
    intent = request.form.get("intent", "save")
    if intent not in ("save", "submit"):
        abort(400)
    return _save_or_submit(audit, intent)


@bp.post("/<public_id>/autosave")
@require_roles(*AUDITOR_ROLES)
def autosave(public_id: str):
    """The background save: the same fields as the form, answered in JSON."""
    user = _user()
    audit = Audit.get_or_none(Audit.public_id == public_id)
    if audit is None or not is_auditor(user, audit):
        return jsonify(status="not_found", message="There is no draft of yours here."), 404
    raw = (request.form.get("version") or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        return jsonify(status="invalid", message="The page did not send its version."), 400
    version = int(raw)
    state = audit_service.load_state(audit, _types())
    answers = answers_from_form(request.form, state.keys)
    try:
        new_version = audit_service.save_draft(user, audit, answers, version, _types(),
                                               judgement=judgement_from_form(request.form),
                                               remote_addr=request.remote_addr, via="autosave")
    except audit_service.VersionConflict as exc:
        return jsonify(status="conflict", message=str(exc), your_version=version,
                       current_version=exc.current_version), 409
    except audit_service.ReadOnly as exc:
        return jsonify(status="read_only", message=str(exc)), 409
    except audit_service.InvalidAnswers as exc:
        return jsonify(status="invalid", message="The draft could not be saved.",
                       errors=[{"field": e.field, "message": e.message} for e in exc.errors]), 400
    saved = Audit.get_by_id(audit.id).updated_at
    return jsonify(status="saved", version=new_version, saved_at=_local_time(saved))


@bp.post("/<public_id>/resolve")
@require_roles(*AUDITOR_ROLES)
def resolve(public_id: str):
    """Save the answers chosen field by field on the conflict page, against the current version."""
    user = _user()
    audit = _audit_or_abort(public_id)
    if not is_auditor(user, audit):
        abort(403)
    if audit.status != AuditStatus.DRAFT:
        flash("This audit has been submitted since; your version could not be saved.")
        return redirect(url_for("audits.show", public_id=audit.public_id))
    state = audit_service.load_state(audit, _types())
    yours = answers_from_form(request.form, state.keys)
    version = _posted_version()
    keep = request.form.get("keep", "choices")
    if keep not in ("choices", "yours", "saved"):
        abort(400)
    diffs = differences(yours, state.answers, state.keys)
    if keep == "choices":
        choices = {}
        for diff in diffs:
            choice = request.form.get(f"choice-{diff.field}", "yours")
            choices[diff.field] = "saved" if choice == "saved" else "yours"
        merged = merge(yours, state.answers, choices, state.keys)
    else:
        merged = merge(yours, state.answers, {}, state.keys, default=keep)
    try:
        audit_service.save_draft(user, audit, merged, version, _types(),
                                 judgement=judgement_from_form(request.form),
                                 remote_addr=request.remote_addr, via="conflict")
    except audit_service.VersionConflict:
        return _render_conflict(audit, yours, audit_service.load_state(
            Audit.get_by_id(audit.id), _types()), version)
    except audit_service.InvalidAnswers as exc:
        fresh = Audit.get_by_id(audit.id)
        return _render_form(fresh, state, answers=merged, errors=exc.errors,
                            version=exc.version, status=400)
    flash("Draft saved with the answers you chose", "success")
    return redirect(url_for("audits.show", public_id=audit.public_id))


# --- after submission ------------------------------------------------------------------


@bp.post("/<public_id>/response")
@require_roles(Role.PRACTITIONER)
def respond(public_id: str):
    user = _user()
    audit = _audit_or_abort(public_id)
    text = request.form.get("response", "")
    version = _posted_version()
    try:
        audit_service.respond(user, audit, text, version, remote_addr=request.remote_addr)
    except NotAllowed:
        abort(403)
    except audit_service.InvalidAnswers as exc:
        return _render_view(audit, audit_service.load_state(audit, _types()), status=400,
                            response_errors=exc.errors, response_text=text)
    except (audit_service.VersionConflict, audit_service.ReadOnly) as exc:
        error = FieldError("response", f"{exc} Your response has not been saved; "
                                       "it is still in the box below.")
        fresh = Audit.get_by_id(audit.id)
        return _render_view(fresh, audit_service.load_state(fresh, _types()), status=409,
                            response_errors=[error], response_text=text)
    flash("Response saved", "success")
    return redirect(url_for("audits.show", public_id=public_id) + "#response-heading")


@bp.post("/<public_id>/acknowledge")
@require_roles(Role.PRACTITIONER)
def acknowledge(public_id: str):
    user = _user()
    audit = _audit_or_abort(public_id)
    version = _posted_version()
    try:
        audit_service.acknowledge(user, audit, version, remote_addr=request.remote_addr)
    except NotAllowed:
        abort(403)
    except (audit_service.VersionConflict, audit_service.ReadOnly) as exc:
        flash(f"{exc} Check the audit and acknowledge it again.")
        return redirect(url_for("audits.show", public_id=public_id))
    flash("Audit acknowledged", "success")
    return redirect(url_for("audits.show", public_id=public_id))


class _DueForm(Form):
    due = DateInputField("Due date")


@bp.post("/<public_id>/actions")
@require_roles(Role.SUPERVISOR)
def create_action(public_id: str):
    user = _user()
    audit = _audit_or_abort(public_id)
    due = _DueForm(request.form).due
    owner_key = (request.form.get("owner") or "").strip()
    owner = next((u for u in action_service.owner_choices(audit) if str(u.id) == owner_key),
                 None)
    data = action_service.ActionInput(
        description=request.form.get("description", ""), owner=owner,
        due_on=due.data, status=request.form.get("status", ActionStatus.OPEN))
    form = {"description": data.description, "owner": owner_key, "due": due.parts,
            "status": data.status}
    if not can_manage_actions(user, audit):
        abort(403)
    errors = [FieldError("due_on", message) for message in due.process_errors]
    errors += [e for e in action_service.problems(audit, data, local_today())
               if not (errors and e.field == "due_on")]
    try:
        if errors:
            raise audit_service.InvalidAnswers(errors, audit.version)
        action_service.create_action(user, audit, data, local_today(),
                                     remote_addr=request.remote_addr)
    except NotAllowed:
        abort(403)
    except audit_service.ReadOnly:
        abort(403)
    except audit_service.InvalidAnswers as exc:
        mapped = [FieldError("due-day" if e.field == "due_on" else e.field, e.message)
                  for e in exc.errors]
        return _render_view(audit, audit_service.load_state(audit, _types()), status=400,
                            action_errors=mapped, action_form=form)
    flash("Action added", "success")
    return redirect(url_for("audits.show", public_id=public_id) + "#actions-heading")


@bp.post("/actions/<public_id>")
@require_roles(Role.SUPERVISOR, Role.PRACTITIONER)
def update_action(public_id: str):
    """The owner (or the team's supervisor) moves an action to in progress or done."""
    user = _user()
    action = action_service.AuditAction.get_or_none(
        action_service.AuditAction.public_id == public_id)
    if action is None:
        abort(404)
    audit = Audit.get_by_id(action.audit_id)
    if not can_update_action(user, action, audit):
        abort(403)
    version = _posted_version()
    try:
        action_service.update_status(user, action, request.form.get("status", ""), version,
                                     remote_addr=request.remote_addr)
    except action_service.ActionConflict as exc:
        flash(f"{exc} It is now {action_service.STATUSES.get(exc.action.status, '')}; "
              "choose the status again if it still needs changing.")
    except audit_service.InvalidAnswers:
        flash("Select open, in progress or done.")
    else:
        flash("Action updated", "success")
    target = request.form.get("next", "")
    if target in ("supervisor", "practitioner"):
        return redirect(url_for(f"{target}.home") + "#actions-heading")
    return redirect(url_for("audits.show", public_id=audit.public_id) + "#actions-heading")

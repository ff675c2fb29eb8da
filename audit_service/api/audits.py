"""``/api/v1/audits``: the audit journey for API clients, on the same services as the pages.

Drafts are saved with the version the client read: a stale version is refused
with 409 and a body that holds both versions. Submission with missing answers
is refused with 400 and an error per form field (the same field ids the
browser's error summary links to).
"""

from __future__ import annotations

from flask import jsonify, request
from flask_smorest import abort
from werkzeug.http import HTTP_STATUS_CODES

from audit_service.api.audit_schemas import (
    ActionCreateSchema,
    ActionSchema,
    ActionUpdateSchema,
    AuditSchema,
    ConflictSchema,
    DraftSchema,
    ResponseSchema,
    ResultSchema,
    RoundAuditSchema,
    RoundQuerySchema,
    SavedSchema,
    StartSchema,
    VersionedSchema,
)
from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.clock import local_today
from audit_service.domain.audits import Answer, CriterionKey, FieldError, JudgementAnswer
from audit_service.domain.vocabulary import AuditStatus, Role
from audit_service.extension import registries
from audit_service.services.audits import actions as action_service
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.audits import reaudits
from audit_service.services.audits.access import (
    AUDIT_ROLES,
    blinded_ids,
    can_update_action,
    readable_audit,
)
from audit_service.services.audits.overview import round_rows
from audit_service.services.errors import NotAllowed, NotFound
from audit_service.storage.models import (
    Audit,
    AuditAction,
    Case,
    Moderation,
    SamplingRound,
    Staff,
    Team,
    User,
)

bp = Blueprint("api_audits", __name__, url_prefix="/api/v1",
               description="Audits: drafts, submission, results, responses and actions")


def _types():
    return registries().criterion_types


def _audit(public_id: str) -> Audit:
    return readable_audit(current_api_user(), public_id)


def _answers(items: list[dict]) -> dict[CriterionKey, Answer]:
    return {
        CriterionKey(item["rubric"], item["criterion"]): Answer(
            rating=item.get("rating") or None,
            not_applicable=bool(item.get("not_applicable")),
            na_reason=(item.get("na_reason") or "").strip(),
            evidence=(item.get("evidence") or "").strip(),
        )
        for item in items
    }


def _judgement(body: dict) -> JudgementAnswer | None:
    given = body.get("overall_judgement")
    if given is None:
        return None
    return JudgementAnswer(given.get("grade"), (given.get("reason") or "").strip())


def _score(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _field_errors(errors: list[FieldError]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error.field, []).append(error.message)
    return grouped


def _refusal(code: int, exc: Exception, **extra):
    """The service's refusal in flask-smorest's error shape (code, status, message)."""
    response = jsonify(code=code, status=HTTP_STATUS_CODES[code], message=str(exc), **extra)
    response.status_code = code
    return response


# The services' refusals mean the same thing at every endpoint, so they are translated once.
@bp.errorhandler(audit_service.VersionConflict)
@bp.errorhandler(action_service.ActionConflict)
def _stale_version(exc):
    return _refusal(409, exc, your_version=exc.your_version,
                    current_version=exc.current_version)


@bp.errorhandler(audit_service.ReadOnly)
def _read_only(exc):
    return _refusal(409, exc)


@bp.errorhandler(NotAllowed)
def _not_allowed(exc):
    return _refusal(403, exc)


@bp.errorhandler(NotFound)
def _not_found(exc):
    return _refusal(404, exc)


def _case_ref(case: Case) -> dict:
    return {"id": case.public_id, "child_id": case.child_id, "case_type": case.case_type,
            "status": case.status, "closed_on": case.closed_on}


def _moderated(audit: Audit) -> bool:
    return Moderation.select().where((Moderation.audit == audit.id)
                                     & Moderation.adjudicated_at.is_null(False)).exists()


def _summary(audit: Audit, case: Case | None = None) -> dict:
    return {
        "id": audit.public_id,
        "status": audit.status,
        "kind": audit.kind,
        "version": audit.version,
        "case": _case_ref(case or Case.get_by_id(audit.case_id)),
        "auditor": User.get_by_id(audit.auditor_id).username,
        "overall_grade": audit.effective_grade,
        "auditor_grade": audit.overall_grade,
        "moderated": _moderated(audit),
        "submitted_at": audit.submitted_at,
        "acknowledged_at": audit.acknowledged_at,
    }


def _reaudit(audit: Audit) -> dict | None:
    view = reaudits.reaudit_view(audit)
    if view is None:
        return None
    previous = view.previous.audit
    return {
        "previous": {
            "id": previous.public_id, "submitted_at": previous.submitted_at,
            "grade": previous.effective_grade,
            "actions": [{"description": a.description, "status": a.status,
                         "due_on": a.due_on, "completed_at": a.completed_at}
                        for a in view.previous.actions],
        },
        "grade": view.grade,
        "change": view.change,
    }


def _action(action: AuditAction, audit: Audit) -> dict:
    return {
        "id": action.public_id, "audit": audit.public_id, "description": action.description,
        "owner": action.owner.username, "due_on": action.due_on, "status": action.status,
        "version": action.version, "created_at": action.created_at,
        "completed_at": action.completed_at,
    }


def _full(audit: Audit) -> dict:
    state = audit_service.load_state(audit, _types())
    types = _types()
    rubrics = []
    for pinned in state.pinned:
        rubric = pinned.rubric
        rubrics.append({
            "rubric": rubric.id, "version": pinned.version.number, "title": rubric.title,
            "domain": rubric.domain,
            "criteria": [
                {"id": c.id, "prompt": c.prompt, "guidance": c.guidance, "type": c.type,
                 "na_allowed": c.na_allowed, "evidence_required": c.evidence_required,
                 "scored": types[c.type].scored if c.type in types else True,
                 "options": [{"value": o.value, "label": o.label}
                             for o in (types[c.type].options(rubric.scale)
                                       if c.type in types else ())]}
                for c in rubric.criteria
            ],
        })
    answers = [
        {"rubric": key.rubric_id, "criterion": key.criterion_id, **answer.as_dict()}
        for key in state.keys if (answer := state.answers.get(key)) is not None
    ]
    team = Team.get_or_none(Team.id == audit.team_id) if audit.team_id else None
    practitioner = Staff.get_or_none(Staff.id == audit.practitioner_id) \
        if audit.practitioner_id else None
    return {
        **_summary(audit),
        "team": team.name if team else None,
        "practitioner": practitioner.name if practitioner else None,
        "created_at": audit.created_at,
        "updated_at": audit.updated_at,
        "overall_score": _score(audit.effective_score),
        "calculated_grade": audit.calculated_grade,
        "overall_judgement": state.judgement.as_dict() if not state.judgement.is_empty
        else None,
        "reaudit": _reaudit(audit),
        "rubrics": rubrics,
        "answers": answers,
        "result": audit.result,
        "response": audit.response,
        "responded_at": audit.responded_at,
        "actions": [_action(a, audit) for a in action_service.actions_of(audit)],
    }


@bp.route("/audits", methods=["GET"])
@require_api_roles(Role.SUPERVISOR, Role.QUALITY_LEAD, Role.ADMIN, Role.SENIOR_LEADER)
@bp.arguments(RoundQuerySchema, location="query", as_kwargs=True)
@bp.response(200, RoundAuditSchema(many=True))
@bp.alt_response(404, response="NOT_FOUND")
def round_audits(round: str):
    """A round's cases, each with the reason it was drawn and its audit (if started)."""
    from audit_service.services.sampling.rounds import may_see

    round_ = SamplingRound.get_or_none(SamplingRound.public_id == round)
    if round_ is None or not may_see(round_, current_api_user()):
        abort(404, message="no round with that id that you can see")
    hidden = {row.moderates_id for row in blinded_ids(current_api_user())}
    return [
        {"case": _case_ref(row.case), "position": row.round_case.position,
         "reason": row.round_case.reason, "pool": row.round_case.pool,
         "audit": _blinded(_summary(row.audit, row.case), row.audit.id in hidden)
         if row.audit else None}
        for row in round_rows(round_)
    ]


def _blinded(summary: dict, hidden: bool) -> dict:
    """A moderator sees that the audit exists, never its grade, until they have submitted."""
    return {**summary, "overall_grade": None, "auditor_grade": None} if hidden else summary


@bp.route("/audits", methods=["POST"])
@require_api_roles(Role.SUPERVISOR)
@bp.arguments(StartSchema)
@bp.response(201, AuditSchema)
@bp.alt_response(200, schema=AuditSchema, description="The audit had already been started")
@bp.alt_response(404, response="NOT_FOUND")
def start_audit(body):
    """Start the audit of a case in your round (idempotent: the same draft every time)."""
    audit_service.ensure_published(registries().rubrics)
    try:
        audit, created = audit_service.start_audit(
            current_api_user(), body["round"], body["case"], _types(),
            remote_addr=request.remote_addr)
    except audit_service.NoRubrics as exc:
        abort(422, message=str(exc))
    return _full(audit), 201 if created else 200


@bp.route("/audits/<public_id>", methods=["GET"])
@require_api_roles(*AUDIT_ROLES)
@bp.response(200, AuditSchema)
def get_audit(public_id: str):
    """An audit: its rubrics and options, the answers so far, its version and any result."""
    audit = _audit(public_id)
    audit_service.record_view(current_api_user(), audit, via="api",
                              remote_addr=request.remote_addr)
    return _full(audit)


@bp.route("/audits/<public_id>/draft", methods=["PUT"])
@require_api_roles(Role.SUPERVISOR, Role.QUALITY_LEAD)
@bp.arguments(DraftSchema)
@bp.response(200, SavedSchema)
@bp.alt_response(409, schema=ConflictSchema, description="Saved elsewhere since `version`, "
                 "or already submitted")
@bp.alt_response(400, response="DEFAULT_ERROR", description="An answer cannot be saved")
def save_draft(body, public_id: str):
    """Save answers to the draft under the version you read."""
    audit = _audit(public_id)
    try:
        version = audit_service.save_draft(current_api_user(), audit, _answers(body["answers"]),
                                           body["version"], _types(), judgement=_judgement(body),
                                           remote_addr=request.remote_addr, via="api")
    except audit_service.InvalidAnswers as exc:
        abort(400, message="some answers cannot be saved", errors=_field_errors(exc.errors))
    return {"version": version, "status": AuditStatus.DRAFT}


@bp.route("/audits/<public_id>/submit", methods=["POST"])
@require_api_roles(Role.SUPERVISOR, Role.QUALITY_LEAD)
@bp.arguments(DraftSchema)
@bp.response(200, ResultSchema)
@bp.alt_response(409, schema=ConflictSchema, description="Saved elsewhere since `version`")
@bp.alt_response(400, response="DEFAULT_ERROR", description="Answers are missing or invalid; "
                 "`errors` lists them by field (the answers given are kept as a draft)")
def submit_audit(body, public_id: str):
    """Submit the audit (with any last answers): it is scored and becomes read-only."""
    audit = _audit(public_id)
    try:
        done = audit_service.submit(current_api_user(), audit, _answers(body["answers"]),
                                    body["version"], _types(), judgement=_judgement(body),
                                    remote_addr=request.remote_addr)
    except audit_service.InvalidAnswers as exc:
        abort(400, message=f"the audit is not complete (draft version {exc.version})",
              errors=_field_errors(exc.errors))
    return _result(done.audit)


def _result(audit: Audit) -> dict:
    return {"id": audit.public_id, "overall_grade": audit.effective_grade,
            "overall_score": _score(audit.effective_score), "auditor_grade": audit.overall_grade,
            "calculated_grade": audit.calculated_grade, "result": audit.result}


@bp.route("/audits/<public_id>/result", methods=["GET"])
@require_api_roles(*AUDIT_ROLES)
@bp.response(200, ResultSchema)
def get_result(public_id: str):
    """A submitted audit's grades and the scoring explanation."""
    audit = _audit(public_id)
    if audit.status != AuditStatus.SUBMITTED:
        abort(404, message="this audit has not been submitted, so it has no result yet")
    audit_service.record_view(current_api_user(), audit, via="api",
                              remote_addr=request.remote_addr)
    return _result(audit)


@bp.route("/audits/<public_id>/response", methods=["PUT"])
@require_api_roles(Role.PRACTITIONER)
@bp.arguments(ResponseSchema)
@bp.response(200, SavedSchema)
@bp.alt_response(409, schema=ConflictSchema, description="Changed since `version`")
def respond(body, public_id: str):
    """The practitioner's response to the audit of their case."""
    audit = _audit(public_id)
    try:
        version = audit_service.respond(current_api_user(), audit, body["response"],
                                        body["version"], remote_addr=request.remote_addr)
    except audit_service.InvalidAnswers as exc:
        abort(400, message="the response cannot be saved", errors=_field_errors(exc.errors))
    return {"version": version, "status": AuditStatus.SUBMITTED}


@bp.route("/audits/<public_id>/acknowledge", methods=["POST"])
@require_api_roles(Role.PRACTITIONER)
@bp.arguments(VersionedSchema)
@bp.response(200, SavedSchema)
@bp.alt_response(409, schema=ConflictSchema, description="Changed since `version`")
def acknowledge(body, public_id: str):
    """The practitioner confirms they have read the audit; the response becomes final."""
    audit = _audit(public_id)
    version = audit_service.acknowledge(current_api_user(), audit, body["version"],
                                        remote_addr=request.remote_addr)
    return {"version": version, "status": "acknowledged"}


@bp.route("/audits/<public_id>/actions", methods=["POST"])
@require_api_roles(Role.SUPERVISOR)
@bp.arguments(ActionCreateSchema)
@bp.response(201, ActionSchema)
@bp.alt_response(400, response="DEFAULT_ERROR", description="Invalid owner or due date")
@bp.alt_response(409, response="CONFLICT")
def create_action(body, public_id: str):
    """Record an action agreed after a submitted audit (owner: the practitioner or a team
    member, by username)."""
    audit = _audit(public_id)
    owner = next((u for u in action_service.owner_choices(audit)
                  if u.username == body["owner"]), None)
    data = action_service.ActionInput(body["description"], owner, body["due_on"],
                                      body["status"])
    try:
        action = action_service.create_action(current_api_user(), audit, data, local_today(),
                                              remote_addr=request.remote_addr)
    except audit_service.InvalidAnswers as exc:
        abort(400, message="the action cannot be saved", errors=_field_errors(exc.errors))
    return _action(AuditAction.get_by_id(action.id), audit)


@bp.route("/actions/<public_id>", methods=["PATCH"])
@require_api_roles(Role.SUPERVISOR, Role.PRACTITIONER)
@bp.arguments(ActionUpdateSchema)
@bp.response(200, ActionSchema)
@bp.alt_response(409, schema=ConflictSchema, description="Changed since `version`")
def update_action(body, public_id: str):
    """Change an action's status (its owner, or the team's team manager)."""
    user = current_api_user()
    action = AuditAction.get_or_none(AuditAction.public_id == public_id)
    if action is None:
        abort(404, message="no action with that id")
    audit = Audit.get_by_id(action.audit_id)
    if not can_update_action(user, action, audit):
        abort(404 if user.role == Role.PRACTITIONER else 403,
              message="you cannot change this action")
    fresh = action_service.update_status(user, action, body["status"], body["version"],
                                         remote_addr=request.remote_addr)
    return _action(fresh, audit)

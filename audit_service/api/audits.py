"""``/api/v1/audits``: the audit journey for API clients, on the same services as the pages.

Drafts are saved with the version the client read: a stale version is refused
with 409 and a body that holds both versions. Submission with missing answers
is refused with 422 and an error per form field (the same field ids the
browser's error summary links to). Every endpoint maps the services' views
(``services/audits/views.py``) to JSON; refusals are answered by the API's one
handler (``api/errors.py``).
"""

from __future__ import annotations

from flask import request

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
from audit_service.domain.audits import Answer, CriterionKey, JudgementAnswer
from audit_service.domain.vocabulary import AuditStatus, Role
from audit_service.extension import registries
from audit_service.services.audits import actions as action_service
from audit_service.services.audits.access import AUDIT_ROLES
from audit_service.services.audits.drafting import draft_for
from audit_service.services.audits.drafting import save_draft as save_answers
from audit_service.services.audits.overview import round_audits as round_cases
from audit_service.services.audits.reading import read_audit, read_result, result_of
from audit_service.services.audits.responses import acknowledge as acknowledge_audit
from audit_service.services.audits.responses import respond as respond_to
from audit_service.services.audits.starting import start_drawn
from audit_service.services.audits.submission import submit
from audit_service.services.audits.views import (
    ActionView,
    AuditResultView,
    AuditSummary,
    AuditView,
    CaseView,
    ReauditView,
)

bp = Blueprint("api_audits", __name__, url_prefix="/api/v1",
               description="Audits: drafts, submission, results, responses and actions")


def _types():
    return registries().criterion_types


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


def _case(case: CaseView) -> dict:
    return {"id": case.public_id, "child_id": case.child_id, "case_type": case.case_type,
            "status": case.status, "closed_on": case.closed_on}


def _summary(audit: AuditSummary) -> dict:
    return {
        "id": audit.public_id, "status": audit.status, "kind": audit.kind,
        "version": audit.version, "case": _case(audit.case), "auditor": audit.auditor.username,
        "overall_grade": audit.effective_grade, "auditor_grade": audit.auditor_grade,
        "moderated": audit.moderated, "submitted_at": audit.submitted_at,
        "acknowledged_at": audit.acknowledged_at,
    }


def _reaudit(view: ReauditView | None) -> dict | None:
    if view is None:
        return None
    previous = view.previous
    return {
        "previous": {
            "id": previous.public_id, "submitted_at": previous.submitted_at,
            "grade": previous.grade,
            "actions": [{"description": a.description, "status": a.status,
                         "due_on": a.due_on, "completed_at": a.completed_at}
                        for a in previous.actions],
        },
        "grade": view.grade,
        "change": view.change,
    }


def _action(action: ActionView) -> dict:
    return {
        "id": action.public_id, "audit": action.audit_public_id,
        "description": action.description, "owner": action.owner.username,
        "due_on": action.due_on, "status": action.status, "version": action.version,
        "created_at": action.created_at, "completed_at": action.completed_at,
    }


def _full(audit: AuditView) -> dict:
    rubrics = [
        {"rubric": section.rubric.id, "version": section.version,
         "title": section.rubric.title, "domain": section.rubric.domain,
         "criteria": [
             {"id": item.criterion.id, "prompt": item.criterion.prompt,
              "guidance": item.criterion.guidance, "type": item.criterion.type,
              "na_allowed": item.criterion.na_allowed,
              "evidence_required": item.criterion.evidence_required,
              "scored": item.scored,
              "options": [{"value": o.value, "label": o.label} for o in item.options]}
             for item in section.criteria
         ]}
        for section in audit.sections
    ]
    return {
        **_summary(audit),
        "team": audit.team,
        "practitioner": audit.practitioner,
        "created_at": audit.created_at,
        "updated_at": audit.updated_at,
        "overall_score": _score(audit.effective_score),
        "calculated_grade": audit.calculated_grade,
        "overall_judgement": audit.overall_judgement,
        "reaudit": _reaudit(audit.reaudit),
        "rubrics": rubrics,
        "answers": [vars(row) for row in audit.answer_rows],
        "result": audit.result,
        "response": audit.response,
        "responded_at": audit.responded_at,
        "actions": [_action(a) for a in audit.actions],
    }


def _result(result: AuditResultView) -> dict:
    return {"id": result.public_id, "overall_grade": result.effective_grade,
            "overall_score": _score(result.effective_score),
            "auditor_grade": result.auditor_grade, "calculated_grade": result.calculated_grade,
            "result": result.result}


def _read(public_id: str) -> dict:
    return _full(read_audit(current_api_user(), public_id, _types(), via="api",
                            remote_addr=request.remote_addr))


@bp.route("/audits", methods=["GET"])
@require_api_roles(Role.SUPERVISOR, Role.QUALITY_LEAD, case_readers=True)
@bp.arguments(RoundQuerySchema, location="query", as_kwargs=True)
@bp.response(200, RoundAuditSchema(many=True))
@bp.alt_response(404, response="NOT_FOUND")
def round_audits(round: str):
    """A round's cases, each with the reason it was drawn and its audit (if started); a
    moderator working blind sees that an audit exists, never its grade."""
    return [
        {"case": _case(row.case), "position": row.position, "reason": row.reason,
         "pool": row.pool, "audit": _summary(row.audit) if row.audit else None}
        for row in round_cases(current_api_user(), round)
    ]


@bp.route("/audits", methods=["POST"])
@require_api_roles(Role.SUPERVISOR)
@bp.arguments(StartSchema)
@bp.response(201, AuditSchema)
@bp.alt_response(200, schema=AuditSchema, description="The audit had already been started")
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="DEFAULT_ERROR", description="No rubric covers the case")
def start_audit(body):
    """Start the audit of a case in your round (idempotent: the same draft every time)."""
    public_id, created = start_drawn(current_api_user(), body["round"], body["case"], _types(),
                                     registries().rubrics, remote_addr=request.remote_addr)
    return _read(public_id), 201 if created else 200


@bp.route("/audits/<public_id>", methods=["GET"])
@require_api_roles(*AUDIT_ROLES, case_readers=True)
@bp.response(200, AuditSchema)
def get_audit(public_id: str):
    """An audit: its rubrics and options, the answers so far, its version and any result."""
    return _read(public_id)


@bp.route("/audits/<public_id>/draft", methods=["PUT"])
@require_api_roles(Role.SUPERVISOR, Role.QUALITY_LEAD)
@bp.arguments(DraftSchema)
@bp.response(200, SavedSchema)
@bp.alt_response(409, schema=ConflictSchema, description="Saved elsewhere since `version`, "
                 "or already submitted")
@bp.alt_response(422, response="DEFAULT_ERROR", description="An answer cannot be saved")
def save_draft(body, public_id: str):
    """Save answers to the draft under the version you read."""
    user = current_api_user()
    version = save_answers(user, draft_for(user, public_id), _answers(body["answers"]),
                         body["version"], _types(), judgement=_judgement(body),
                         remote_addr=request.remote_addr, via="api")
    return {"version": version, "status": AuditStatus.DRAFT}


@bp.route("/audits/<public_id>/submit", methods=["POST"])
@require_api_roles(Role.SUPERVISOR, Role.QUALITY_LEAD)
@bp.arguments(DraftSchema)
@bp.response(200, ResultSchema)
@bp.alt_response(409, schema=ConflictSchema, description="Saved elsewhere since `version`")
@bp.alt_response(422, response="DEFAULT_ERROR", description="Answers are missing or invalid; "
                 "`errors` lists them by field (the answers given are kept as a draft)")
def submit_audit(body, public_id: str):
    """Submit the audit (with any last answers): it is scored and becomes read-only."""
    user = current_api_user()
    done = submit(user, draft_for(user, public_id), _answers(body["answers"]), body["version"],
                  _types(), judgement=_judgement(body), remote_addr=request.remote_addr)
    return _result(result_of(done.audit))


@bp.route("/audits/<public_id>/result", methods=["GET"])
@require_api_roles(*AUDIT_ROLES, case_readers=True)
@bp.response(200, ResultSchema)
def get_result(public_id: str):
    """A submitted audit's grades and the scoring explanation."""
    return _result(read_result(current_api_user(), public_id,
                               remote_addr=request.remote_addr))


@bp.route("/audits/<public_id>/response", methods=["PUT"])
@require_api_roles(Role.PRACTITIONER)
@bp.arguments(ResponseSchema)
@bp.response(200, SavedSchema)
@bp.alt_response(409, schema=ConflictSchema, description="Changed since `version`")
def respond(body, public_id: str):
    """The practitioner's response to the audit of their case."""
    version = respond_to(current_api_user(), public_id, body["response"], body["version"],
                         remote_addr=request.remote_addr)
    return {"version": version, "status": AuditStatus.SUBMITTED}


@bp.route("/audits/<public_id>/acknowledge", methods=["POST"])
@require_api_roles(Role.PRACTITIONER)
@bp.arguments(VersionedSchema)
@bp.response(200, SavedSchema)
@bp.alt_response(409, schema=ConflictSchema, description="Changed since `version`")
def acknowledge(body, public_id: str):
    """The practitioner confirms they have read the audit; the response becomes final."""
    version = acknowledge_audit(current_api_user(), public_id, body["version"],
                                remote_addr=request.remote_addr)
    return {"version": version, "status": "acknowledged"}


@bp.route("/audits/<public_id>/actions", methods=["POST"])
@require_api_roles(Role.SUPERVISOR)
@bp.arguments(ActionCreateSchema)
@bp.response(201, ActionSchema)
@bp.alt_response(422, response="DEFAULT_ERROR", description="Invalid owner or due date")
@bp.alt_response(409, response="CONFLICT")
def create_action(body, public_id: str):
    """Record an action agreed after a submitted audit (owner: the practitioner or a team
    member, by username)."""
    return _action(action_service.record_action(
        current_api_user(), public_id, description=body["description"],
        due_on=body["due_on"], status=body["status"], today=local_today(),
        owner_username=body["owner"], remote_addr=request.remote_addr))


@bp.route("/actions/<public_id>", methods=["PATCH"])
@require_api_roles(Role.SUPERVISOR, Role.PRACTITIONER)
@bp.arguments(ActionUpdateSchema)
@bp.response(200, ActionSchema)
@bp.alt_response(409, schema=ConflictSchema, description="Changed since `version`")
def update_action(body, public_id: str):
    """Change an action's status (its owner, or the team's team manager)."""
    return _action(action_service.move_action(current_api_user(), public_id, body["status"],
                                              body["version"], remote_addr=request.remote_addr))

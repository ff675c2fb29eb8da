"""``/learning``: practice themes over time and shared exemplars of good practice.

Everyone who works with audits reads it; quality leads (and administrators)
manage the theme list, tag submitted audits and share excerpts. Exemplars are
shown with no link to their case: they are for learning, not for finding a child.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.months import Month
from audit_service.domain.vocabulary import CaseType, Role
from audit_service.extension import registries
from audit_service.services.audits.lifecycle import load_state
from audit_service.services.errors import NotAllowed, NotFound
from audit_service.services.moderation import learning
from audit_service.services.moderation.workflow import InvalidModeration
from audit_service.storage.models import Case, User
from audit_service.web.access import require_roles

bp = Blueprint("learning", __name__, url_prefix="/learning")

READERS = (Role.QUALITY_LEAD, Role.ADMIN, Role.SUPERVISOR, Role.PRACTITIONER,
           Role.SENIOR_LEADER)
WRITERS = (Role.QUALITY_LEAD, Role.ADMIN)


def _user() -> User:
    return current_user.record


def _this_month() -> str:
    return str(Month.of(local_today()))


def _months_back(period: str, months: int) -> str:
    return str(Month.parse(period).plus(-months))


def _render_index(errors: list | None = None, form: dict | None = None, status: int = 200):
    user = _user()
    writer = user.role in WRITERS
    this_month = _this_month()
    period_from = (request.args.get("from") or _months_back(this_month, 11)).strip()
    period_to = (request.args.get("to") or this_month).strip()
    errors = list(errors or [])
    counts = None
    try:
        counts = learning.theme_counts(period_from, period_to)
    except InvalidModeration as exc:
        errors += [type(e)("from", e.message) for e in exc.errors]
    recent = learning.recent_submitted() if writer else []
    return render_template(
        "learning/index.html", writer=writer, counts=counts, period_from=period_from,
        period_to=period_to, exemplars=learning.exemplars_for(user),
        themes=learning.themes() if writer else [], recent=recent,
        tagged=learning.tag_counts([a.id for a in recent]),
        errors=errors, error_for={e.field: e.message for e in reversed(errors)},
        form=form or {}, type_label=lambda v: CaseType(v).label,
    ), status


@bp.get("")
@require_roles(*READERS)
def index():
    return _render_index()


@bp.post("/themes")
@require_roles(*WRITERS)
def add_theme():
    form = {"name": request.form.get("name", ""),
            "description": request.form.get("description", "")}
    try:
        theme = learning.add_theme(_user(), form["name"], form["description"],
                                   remote_addr=request.remote_addr)
    except InvalidModeration as exc:
        return _render_index(exc.errors, form, status=400)
    flash(f"Theme “{theme.name}” added", "success")
    return redirect(url_for("learning.index") + "#themes-heading")


@bp.post("/themes/<int:theme_id>/retire")
@require_roles(*WRITERS)
def retire_theme(theme_id: int):
    try:
        learning.retire_theme(_user(), theme_id, remote_addr=request.remote_addr)
    except NotFound:
        abort(404)
    flash("Theme retired. Audits already tagged keep it.", "success")
    return redirect(url_for("learning.index") + "#themes-heading")


def _audit_or_404(public_id: str):
    try:
        return learning.taggable_audit(_user(), public_id)
    except NotFound:
        abort(404)
    except NotAllowed as exc:  # moderation is blind: say why, and show nothing of the audit
        abort(make_response(render_template("moderation/blind.html", message=str(exc)), 403))


def _render_audit(audit, *, errors: list | None = None, form: dict | None = None,
                  status: int = 200):
    state = load_state(audit, registries().criterion_types)
    evidence = []
    for pinned in state.pinned:
        for number, criterion in enumerate(pinned.rubric.criteria, start=1):
            answer = state.answers.get(
                next(k for k in state.keys if k.rubric_id == pinned.rubric.id
                     and k.criterion_id == criterion.id))
            if answer and answer.evidence:
                evidence.append((f"{pinned.rubric.title} {number}: {criterion.prompt}",
                                 answer.evidence))
    errors = list(errors or [])
    case = Case.get_by_id(audit.case_id)
    current = learning.themes_of(audit)
    return render_template(
        "learning/audit.html", audit=audit, case_type=CaseType(case.case_type).label,
        themes=learning.themes(), chosen={t.id for t in current},
        current=current, evidence=evidence,
        errors=errors, error_for={e.field: e.message for e in reversed(errors)},
        form=form or {},
    ), status


@bp.get("/audits/<public_id>")
@require_roles(*WRITERS)
def audit_page(public_id: str):
    return _render_audit(_audit_or_404(public_id))


@bp.post("/audits/<public_id>/themes")
@require_roles(*WRITERS)
def tag(public_id: str):
    audit = _audit_or_404(public_id)
    ids = [int(v) for v in request.form.getlist("theme") if v.isdigit() and len(v) < 10]
    free = request.form.get("free_theme", "")
    try:
        learning.set_themes(_user(), audit, ids, [free], remote_addr=request.remote_addr)
    except InvalidModeration as exc:
        return _render_audit(audit, errors=exc.errors, form={"free_theme": free}, status=400)
    flash("Themes saved", "success")
    return redirect(url_for("learning.audit_page", public_id=public_id))


@bp.post("/audits/<public_id>/exemplars")
@require_roles(*WRITERS)
def share(public_id: str):
    audit = _audit_or_404(public_id)
    form = {key: request.form.get(key, "") for key in ("title", "criterion", "excerpt")}
    try:
        learning.share_exemplar(_user(), audit, form["title"], form["criterion"],
                                form["excerpt"], remote_addr=request.remote_addr)
    except InvalidModeration as exc:
        return _render_audit(audit, errors=exc.errors, form=form, status=400)
    flash("Exemplar shared on the learning page", "success")
    return redirect(url_for("learning.audit_page", public_id=public_id))


@bp.post("/exemplars/<public_id>/withdraw")
@require_roles(*WRITERS)
def withdraw(public_id: str):
    try:
        learning.withdraw_exemplar(_user(), public_id, remote_addr=request.remote_addr)
    except NotFound:
        abort(404)
    flash("Exemplar withdrawn", "success")
    return redirect(url_for("learning.index") + "#exemplars-heading")

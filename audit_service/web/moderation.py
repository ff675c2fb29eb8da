"""``/moderation``: pick audits, set the random share, assign moderators, adjudicate, statistics.

Quality leads (and administrators) do all of it; a supervisor asked to moderate
sees the list of their own moderations here. The first audit stays hidden from
its moderator until they submit (``audit_access``), on these pages too.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.months import Month
from audit_service.domain.vocabulary import AuditStatus, CaseType, Role
from audit_service.extension import registries
from audit_service.services.errors import NotFound
from audit_service.services.moderation import agreement as agreement_stats
from audit_service.services.moderation import workflow as moderation_service
from audit_service.services.moderation.workflow import InvalidModeration, ModerationConflict
from audit_service.storage.models import Audit, Case, Team, User
from audit_service.web.access import require_roles

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

WRITERS = (Role.QUALITY_LEAD, Role.ADMIN)


def _user() -> User:
    return current_user.record


def _types():
    return registries().criterion_types


def _this_month() -> str:
    return str(Month.of(local_today()))


def _months_back(period: str, months: int) -> str:
    return str(Month.parse(period).plus(-months))


def _int_or_none(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def type_label(value: str) -> str:
    try:
        return CaseType(value).label
    except ValueError:
        return value


def _grade_labels() -> dict[str, str]:
    labels = {}
    for source in registries().rubrics.values():
        for level in source.rubric.scale.levels:
            labels.setdefault(level.id, level.label)
    return labels


def _render_index(errors: list | None = None, share_value: str | None = None,
                  draw_value: str | None = None, status: int = 200):
    user = _user()
    writer = user.role in WRITERS
    filters = {
        "period": (request.args.get("period") or "").strip(),
        "team": (request.args.get("team") or "").strip(),
        "auditor": (request.args.get("auditor") or "").strip(),
        "state": (request.args.get("state") or "").strip(),
    }
    filter_errors = []
    rows = []
    if writer:
        period = filters["period"] or None
        if period:
            try:
                moderation_service.period_bounds(period)
            except InvalidModeration as exc:
                filter_errors = exc.errors
                period = None
        state = filters["state"] if filters["state"] in moderation_service.STATES else None
        rows = moderation_service.submitted_audits(
            user, period=period, team_id=_int_or_none(filters["team"]),
            auditor_id=_int_or_none(filters["auditor"]), state=state)
    setting = moderation_service.current_setting()
    all_errors = list(errors or []) + list(filter_errors)
    return render_template(
        "moderation/index.html",
        writer=writer, rows=rows, filters=filters, mine=moderation_service.my_moderations(user),
        teams=list(Team.select().order_by(Team.name)) if writer else [],
        auditors=list(User.select().where(User.role == Role.SUPERVISOR.value)
                      .order_by(User.display_name)) if writer else [],
        states=moderation_service.STATES, setting=setting,
        share_value=share_value if share_value is not None
        else (str(setting.share_percent) if setting else ""),
        draw_value=draw_value if draw_value is not None else _months_back(_this_month(), 1),
        errors=all_errors, error_for={e.field: e.message for e in reversed(all_errors)},
        grade_labels=_grade_labels(), type_label=type_label,
    ), status


@bp.get("")
@require_roles(Role.QUALITY_LEAD, Role.ADMIN, Role.SUPERVISOR)
def index():
    return _render_index()


@bp.post("/pick")
@require_roles(*WRITERS)
def pick():
    try:
        moderation = moderation_service.pick(_user(), request.form.get("audit", ""),
                                             remote_addr=request.remote_addr)
    except NotFound:
        abort(404)
    except (ModerationConflict, InvalidModeration) as exc:
        flash(str(exc))
        return redirect(url_for("moderation.index"))
    flash("Audit picked for moderation. Now assign a moderator.", "success")
    return redirect(url_for("moderation.show", public_id=moderation.public_id))


@bp.post("/share")
@require_roles(*WRITERS)
def share():
    raw = request.form.get("share", "")
    try:
        setting = moderation_service.set_share(_user(), raw, remote_addr=request.remote_addr)
    except InvalidModeration as exc:
        return _render_index(exc.errors, share_value=raw, status=400)
    flash(f"{setting.share_percent}% of each month's audits will be drawn for moderation.",
          "success")
    return redirect(url_for("moderation.index"))


@bp.post("/draw")
@require_roles(*WRITERS)
def draw():
    period = (request.form.get("period") or "").strip()
    try:
        moderation_service.period_bounds(period)
        report = moderation_service.pick_moderation_sample(period, actor=_user())
    except InvalidModeration as exc:
        return _render_index(exc.errors, draw_value=period, status=400)
    if report.share_percent == 0:
        flash("Set a share above 0% before drawing a sample.")
    else:
        flash(f"Sample drawn: {report.summary()}.", "success")
    return redirect(url_for("moderation.index", period=period))


def _moderation_or_404(public_id: str):
    try:
        return moderation_service.get(public_id)
    except NotFound:
        abort(404)


def _render_show(moderation, *, errors: list | None = None, form: dict | None = None,
                 status: int = 200):
    user = _user()
    first = Audit.get_by_id(moderation.audit_id)
    case = Case.get_by_id(first.case_id)
    second = (Audit.get_by_id(moderation.moderation_audit_id)
              if moderation.moderation_audit_id else None)
    comparison = None
    if second is not None and second.status == AuditStatus.SUBMITTED:
        comparison = moderation_service.compare(moderation, _types())
    errors = list(errors or [])
    return render_template(
        "moderation/show.html",
        moderation=moderation, first=first, second=second, case=case,
        case_type=type_label(case.case_type),
        first_auditor=User.get_by_id(first.auditor_id),
        moderator=User.get_by_id(moderation.moderator_id) if moderation.moderator_id else None,
        may_see_first=moderation_service.may_see_first(user, moderation),
        state=moderation_service.state_of(moderation, second),
        states=moderation_service.STATES,
        choices=moderation_service.moderator_choices(first) if second is None else [],
        comparison=comparison, grade_labels=_grade_labels(),
        errors=errors, error_for={e.field: e.message for e in reversed(errors)},
        form=form or {},
    ), status


@bp.get("/<public_id>")
@require_roles(*WRITERS)
def show(public_id: str):
    return _render_show(_moderation_or_404(public_id))


@bp.post("/<public_id>/assign")
@require_roles(*WRITERS)
def assign(public_id: str):
    moderation = _moderation_or_404(public_id)
    chosen = request.form.get("moderator", "")
    try:
        moderation_service.assign(_user(), moderation, chosen, remote_addr=request.remote_addr)
    except InvalidModeration as exc:
        return _render_show(moderation, errors=exc.errors, form={"moderator": chosen},
                            status=400)
    except ModerationConflict as exc:
        flash(str(exc))
    else:
        flash("Moderator assigned. They have been sent a notification.", "success")
    return redirect(url_for("moderation.show", public_id=public_id))


@bp.post("/<public_id>/adjudicate")
@require_roles(*WRITERS)
def adjudicate(public_id: str):
    moderation = _moderation_or_404(public_id)
    domains = {key[len("domain-"):]: value for key, value in request.form.items()
               if key.startswith("domain-")}
    form = {"agreed_grade": request.form.get("agreed_grade", ""),
            "note": request.form.get("note", ""), **{f"domain-{k}": v for k, v in domains.items()}}
    try:
        moderation_service.adjudicate(_user(), moderation, form["agreed_grade"], domains,
                                      form["note"], _types(), remote_addr=request.remote_addr)
    except InvalidModeration as exc:
        return _render_show(moderation, errors=exc.errors, form=form, status=400)
    except ModerationConflict as exc:
        flash(str(exc))
        return redirect(url_for("moderation.show", public_id=public_id))
    flash("Agreed grade recorded", "success")
    return redirect(url_for("moderation.show", public_id=public_id))


@bp.get("/statistics")
@require_roles(Role.QUALITY_LEAD, Role.ADMIN, Role.SENIOR_LEADER)
def statistics():
    this_month = _this_month()
    period_from = (request.args.get("from") or _months_back(this_month, 11)).strip()
    period_to = (request.args.get("to") or this_month).strip()
    errors = []
    report = None
    try:
        report = agreement_stats.statistics(period_from, period_to, _types())
    except InvalidModeration as exc:
        errors = exc.errors
    status = 400 if errors else 200
    return render_template(
        "moderation/statistics.html", report=report, period_from=period_from,
        period_to=period_to, errors=errors,
        error_for={("period_from" if e.field == "period" else e.field): e.message
                   for e in reversed(errors)},
        threshold=agreement_stats.FLAG_THRESHOLD,
    ), status

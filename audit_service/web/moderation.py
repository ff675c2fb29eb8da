"""``/moderation``: pick audits, set the random share, assign moderators, adjudicate, statistics.

Quality leads (and administrators) do all of it; a supervisor asked to moderate
sees the list of their own moderations here. The first audit stays hidden from
its moderator until they submit (``audit_access``), on these pages too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.audits import FieldError
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.errors import Invalid
from audit_service.services.moderation import agreement as agreement_stats
from audit_service.services.moderation import workflow as moderation_service
from audit_service.services.moderation.periods import last_month, requested_span
from audit_service.services.moderation.rules import MANAGERS
from audit_service.services.moderation.views import STATES
from audit_service.web.access import require_roles

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


def _types():
    return registries().criterion_types


def grade_labels() -> dict[str, str]:
    """Each grade id's label on the installed rubrics' scales, as the tables show grades."""
    labels: dict[str, str] = {}
    for source in registries().rubrics.values():
        for level in source.rubric.scale.levels:
            labels.setdefault(level.id, level.label)
    return labels


def form_state(errors: Sequence[FieldError] = (), form: dict | None = None) -> dict:
    """What a page shows again after a refusal: the error summary, each field's first
    error beside it, and what was typed, so nothing has to be entered twice."""
    return {"errors": list(errors), "error_for": {e.field: e.message for e in reversed(errors)},
            "form": form or {}}


def _render_index(refusal: Invalid | None = None, *, share_value: str | None = None,
                  draw_value: str | None = None):
    filters = {key: (request.args.get(key) or "").strip()
               for key in ("period", "team", "auditor", "state")}
    page = moderation_service.moderation_index(current_user.record, **filters)
    setting = page.setting
    return render_template(
        "moderation/index.html", page=page, filters=filters, states=STATES,
        share_value=share_value if share_value is not None
        else (str(setting.share_percent) if setting.is_set else ""),
        draw_value=draw_value if draw_value is not None else last_month(local_today()),
        grade_labels=grade_labels(),
        **form_state([*(refusal.errors if refusal else []), *page.ignored]),
    ), refusal.status if refusal else (Invalid.status if page.ignored else 200)


@bp.get("")
@require_roles(*MANAGERS, Role.SUPERVISOR)
def index():
    return _render_index()


@bp.post("/pick")
@require_roles(*MANAGERS)
def pick():
    moderation = moderation_service.pick(current_user.record, request.form.get("audit", ""),
                                         remote_addr=request.remote_addr)
    flash("Audit picked for moderation. Now assign a moderator.", "success")
    return redirect(url_for("moderation.show", public_id=moderation.id))


@bp.post("/share")
@require_roles(*MANAGERS)
def share():
    raw = request.form.get("share", "")
    try:
        setting = moderation_service.set_share(current_user.record, raw,
                                               remote_addr=request.remote_addr)
    except Invalid as refusal:
        return _render_index(refusal, share_value=raw)
    flash(f"{setting.share_percent}% of each month's audits will be drawn for moderation.",
          "success")
    return redirect(url_for("moderation.index"))


@bp.post("/draw")
@require_roles(*MANAGERS)
def draw():
    period = (request.form.get("period") or "").strip()
    try:
        report = moderation_service.pick_moderation_sample(period, actor=current_user.record)
    except Invalid as refusal:
        return _render_index(refusal, draw_value=period)
    if report.share_percent == 0:
        flash("Set a share above 0% before drawing a sample.")
    else:
        flash(f"Sample drawn: {report.summary()}.", "success")
    return redirect(url_for("moderation.index", period=period))


def _render_show(public_id: str, refusal: Invalid | None = None, form: dict | None = None):
    page = moderation_service.moderation_page(current_user.record, public_id, _types())
    return render_template(
        "moderation/show.html", moderation=page.moderation, moderators=page.moderators,
        comparison=page.moderation.comparison, grade_labels=grade_labels(),
        **form_state(refusal.errors if refusal else [], form),
    ), refusal.status if refusal else 200


def saved(save: Callable[..., Any], public_id: str, *args: Any, again: Callable[..., Any],
          form: dict, done: str, then: str):
    """Post/redirect/get for a form about one object: ``save`` it as the signed-in user,
    say ``done`` and go on to the ``then`` page of the object; if the service refuses the
    input, ``again`` shows the form once more with the refusal and what was typed."""
    try:
        save(current_user.record, public_id, *args, remote_addr=request.remote_addr)
    except Invalid as refusal:
        return again(public_id, refusal, form)
    flash(done, "success")
    return redirect(url_for(then, public_id=public_id))


@bp.get("/<public_id>")
@require_roles(*MANAGERS)
def show(public_id: str):
    return _render_show(public_id)


@bp.post("/<public_id>/assign")
@require_roles(*MANAGERS)
def assign(public_id: str):
    chosen = request.form.get("moderator", "")
    return saved(moderation_service.assign, public_id, chosen, again=_render_show,
                 form={"moderator": chosen}, then="moderation.show",
                 done="Moderator assigned. They have been sent a notification.")


@bp.post("/<public_id>/adjudicate")
@require_roles(*MANAGERS)
def adjudicate(public_id: str):
    domains = {key[len("domain-"):]: value for key, value in request.form.items()
               if key.startswith("domain-")}
    form = {"agreed_grade": request.form.get("agreed_grade", ""),
            "note": request.form.get("note", ""), **{f"domain-{k}": v for k, v in domains.items()}}
    return saved(moderation_service.adjudicate, public_id, form["agreed_grade"], domains,
                 form["note"], _types(), again=_render_show, form=form,
                 then="moderation.show", done="Agreed grade recorded")


@dataclass(frozen=True)
class MonthReport:
    """A report over the months the address asks for (twelve to this one if none), or why
    there is none: its errors are shown at the "from" field, with ``status``."""

    period_from: str
    period_to: str
    report: Any = None
    errors: list[FieldError] = field(default_factory=list)
    status: int = 200


def month_report(build: Callable[[str, str], Any]) -> MonthReport:
    """``build(from, to)`` over the months asked for; a refusal is shown on the page."""
    period_from, period_to = requested_span(request.args.get("from"), request.args.get("to"),
                                            local_today())
    try:
        return MonthReport(period_from, period_to, build(period_from, period_to))
    except Invalid as exc:
        return MonthReport(period_from, period_to, None,
                           [FieldError("from", e.message) for e in exc.errors], exc.status)


@bp.get("/statistics")
@require_roles(*MANAGERS, Role.SENIOR_LEADER)
def statistics():
    span = month_report(lambda first, last: agreement_stats.statistics(first, last, _types()))
    return render_template("moderation/statistics.html", span=span, report=span.report,
                           threshold=agreement_stats.FLAG_THRESHOLD,
                           **form_state(span.errors)), span.status

"""``/learning``: practice themes over time and shared exemplars of good practice.

Everyone who works with audits reads it; quality leads manage the theme list,
tag submitted audits and share excerpts. Exemplars are shown with no link to
their case: they are for learning, not for finding a child.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_service.extension import registries
from audit_service.services.errors import Invalid
from audit_service.services.moderation import learning
from audit_service.services.moderation.rules import MANAGERS, READERS
from audit_service.web.access import require_roles
from audit_service.web.moderation import form_state, month_report, saved

bp = Blueprint("learning", __name__, url_prefix="/learning")


def _render_index(refusal: Invalid | None = None, form: dict | None = None):
    span = month_report(learning.theme_counts)
    return render_template(
        "learning/index.html", page=learning.learning_page(current_user.record), span=span,
        **form_state([*(refusal.errors if refusal else []), *span.errors], form),
    ), refusal.status if refusal else span.status


def _back_to_index(message: str, anchor: str):
    """Done: say so, and show the part of the learning page that changed."""
    flash(message, "success")
    return redirect(url_for("learning.index") + anchor)


@bp.get("")
@require_roles(*READERS)
def index():
    return _render_index()


@bp.post("/themes")
@require_roles(*MANAGERS)
def add_theme():
    form = {"name": request.form.get("name", ""),
            "description": request.form.get("description", "")}
    try:
        theme = learning.add_theme(current_user.record, form["name"], form["description"],
                                   remote_addr=request.remote_addr)
    except Invalid as refusal:
        return _render_index(refusal, form)
    return _back_to_index(f"Theme “{theme.name}” added", "#themes-heading")


@bp.post("/themes/<int:theme_id>/retire")
@require_roles(*MANAGERS)
def retire_theme(theme_id: int):
    learning.retire_theme(current_user.record, theme_id, remote_addr=request.remote_addr)
    return _back_to_index("Theme retired. Audits already tagged keep it.", "#themes-heading")


def _render_audit(public_id: str, refusal: Invalid | None = None, form: dict | None = None):
    audit = learning.tagging_page(current_user.record, public_id, registries().criterion_types)
    return render_template(
        "learning/audit.html", audit=audit,
        **form_state(refusal.errors if refusal else [], form),
    ), refusal.status if refusal else 200


@bp.get("/audits/<public_id>")
@require_roles(*MANAGERS)
def audit_page(public_id: str):
    return _render_audit(public_id)


@bp.post("/audits/<public_id>/themes")
@require_roles(*MANAGERS)
def tag(public_id: str):
    ids = [int(v) for v in request.form.getlist("theme") if v.isdecimal() and len(v) < 10]
    free = request.form.get("free_theme", "")
    return saved(learning.tag_audit, public_id, ids, [free], again=_render_audit,
                 form={"free_theme": free}, then="learning.audit_page", done="Themes saved")


@bp.post("/audits/<public_id>/exemplars")
@require_roles(*MANAGERS)
def share(public_id: str):
    form = {key: request.form.get(key, "") for key in ("title", "criterion", "excerpt")}
    return saved(learning.share_excerpt, public_id, form["title"], form["criterion"],
                 form["excerpt"], again=_render_audit, form=form, then="learning.audit_page",
                 done="Exemplar shared on the learning page")


@bp.post("/exemplars/<public_id>/withdraw")
@require_roles(*MANAGERS)
def withdraw(public_id: str):
    learning.withdraw_exemplar(current_user.record, public_id, remote_addr=request.remote_addr)
    return _back_to_index("Exemplar withdrawn", "#exemplars-heading")

"""``/inbox``: the signed-in user's notifications, newest first; mark one as read."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from audit_service.services.platform import inbox
from audit_service.web.access import ALL_ROLES, require_roles, safe_next

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.get("")
@require_roles(*ALL_ROLES)
def index():
    shown = inbox.inbox_of(current_user.record)
    # Only a link into this service is followed from a message.
    links = {item.id: safe_next(item.link) for item in shown.items}
    return render_template("inbox/index.html", inbox=shown, links=links)


@bp.post("/<int:item_id>/read")
@require_roles(*ALL_ROLES)
def mark_read(item_id: int):
    # CSRF is checked by the app-wide CSRFProtect before this runs.
    inbox.mark_read(current_user.record, item_id)
    return redirect(url_for("inbox.index"))

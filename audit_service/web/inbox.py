"""``/inbox``: the signed-in user's notifications, newest first; mark one as read."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from audit_service.services.platform import inbox
from audit_service.web.access import ALL_ROLES, require_roles, safe_next

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.get("")
@require_roles(*ALL_ROLES)
def index():
    user = current_user.record
    items = inbox.items_for(user)
    return render_template(
        "inbox/index.html",
        items=items,
        unread=sum(1 for item in items if item.read_at is None),
        links={item.id: safe_next(item.link) for item in items},
    )


@bp.post("/<int:item_id>/read")
@require_roles(*ALL_ROLES)
def mark_read(item_id: int):
    # CSRF is checked by the app-wide CSRFProtect before this runs.
    try:
        inbox.mark_read(current_user.record, item_id)
    except inbox.InboxItemNotFound:
        abort(404)
    return redirect(url_for("inbox.index"))

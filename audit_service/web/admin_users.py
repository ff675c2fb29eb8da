"""``/admin/users``: who can sign in, and with which role."""

from __future__ import annotations

from flask import Blueprint, render_template

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.web.access import require_roles

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")


@bp.get("")
@require_roles(Role.ADMIN)
def index():
    return render_template("admin/users.html", users=accounts.list_users())

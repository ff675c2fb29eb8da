"""``/``: where each role starts after signing in."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from audit_service.web.access import ALL_ROLES, require_roles
from audit_service.web.navigation import items_for

bp = Blueprint("home", __name__)


@bp.get("/")
@require_roles(*ALL_ROLES)
def index():
    return render_template("home/index.html", items=items_for(current_user.role))

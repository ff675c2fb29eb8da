"""``/my-audits``: a supervisor's month at a glance, and where each audit starts from."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.services.audits.overview import supervisor_overview
from audit_service.web.access import require_roles

bp = Blueprint("supervisor", __name__)


@bp.get("/my-audits")
@require_roles(Role.SUPERVISOR)
def home():
    today = local_today()
    return render_template("supervisor/home.html", today=today,
                           overview=supervisor_overview(current_user.record, today))

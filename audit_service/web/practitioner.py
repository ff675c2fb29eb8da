"""``/my-case-audits``: a practitioner's audited cases and the actions they own."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.services.audits.overview import practitioner_overview
from audit_service.services.audits.views import STATUSES
from audit_service.web.access import require_roles

bp = Blueprint("practitioner", __name__)


@bp.get("/my-case-audits")
@require_roles(Role.PRACTITIONER)
def home():
    return render_template("practitioner/home.html", statuses=STATUSES, today=local_today(),
                           overview=practitioner_overview(current_user.record))

"""``/my-case-audits``: a practitioner's audited cases and the actions they own."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.vocabulary import CaseType, Role
from audit_service.services.audits import actions as action_service
from audit_service.services.audits.overview import practitioner_overview
from audit_service.web.access import require_roles

bp = Blueprint("practitioner", __name__)


@bp.get("/my-case-audits")
@require_roles(Role.PRACTITIONER)
def home():
    overview = practitioner_overview(current_user.record)
    return render_template(
        "practitioner/home.html",
        overview=overview,
        today=local_today(),
        case_type_label=lambda value: CaseType(value).label,
        statuses=action_service.STATUSES,
    )

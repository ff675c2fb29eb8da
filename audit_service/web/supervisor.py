"""``/my-audits``: a supervisor's month at a glance, and where each audit starts from."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.months import Month
from audit_service.domain.vocabulary import CaseType, Role
from audit_service.services.audits import actions as action_service
from audit_service.services.audits.overview import supervisor_overview
from audit_service.web.access import require_roles

bp = Blueprint("supervisor", __name__)


def period_label(period: str) -> str:
    return Month.parse(period).label


@bp.get("/my-audits")
@require_roles(Role.SUPERVISOR)
def home():
    day = local_today()
    period = f"{day:%Y-%m}"
    overview = supervisor_overview(current_user.record, period, day)
    return render_template(
        "supervisor/home.html",
        overview=overview,
        period_label=period_label,
        this_month=period_label(period),
        today=day,
        case_type_label=lambda value: CaseType(value).label,
        statuses=action_service.STATUSES,
        has_staff=current_user.record.staff_id is not None,
    )

"""``/reaudits`` and ``/judgements``: what a quality lead checks beyond single audits.

Re-audits lists every case a re-audit is pending for, and those that closed first (the
quality leads are told when an import closes one). Judgements lists every audit whose
auditor recorded an overall grade different from the calculated one, with the reason.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.vocabulary import CaseType, Role
from audit_service.services import judgements as judgement_service
from audit_service.services import reaudits
from audit_service.web.access import require_roles

bp = Blueprint("oversight", __name__)

READERS = (Role.QUALITY_LEAD, Role.ADMIN)


def _type_label(value: str) -> str:
    try:
        return CaseType(value).label
    except ValueError:
        return value


@bp.get("/reaudits")
@require_roles(*READERS)
def reaudit_list():
    rows = reaudits.awaiting(local_today())
    return render_template("oversight/reaudits.html", rows=rows, type_label=_type_label,
                           closed=[r for r in rows if r.closed],
                           waiting=[r for r in rows if not r.closed])


def _month(raw: str | None, default: dt.date) -> dt.date:
    if not raw:
        return default
    try:
        start = dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        abort(404)
    if not 1900 <= start.year <= 2100:
        abort(404)
    return start


@bp.get("/judgements")
@require_roles(*READERS)
def judgement_list():
    today = local_today()
    first = _month(request.args.get("from"), (today.replace(day=1) - dt.timedelta(days=335))
                   .replace(day=1))
    last_month = _month(request.args.get("to"), today.replace(day=1))
    until = (last_month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) \
        - dt.timedelta(days=1)
    rows = judgement_service.judgements(current_user.record, first, until)
    return render_template("oversight/judgements.html", rows=rows, type_label=_type_label,
                           first=first, last=last_month)

"""``/reaudits`` and ``/judgements``: what a quality lead checks beyond single audits.

Re-audits lists every case a re-audit is pending for, and those that closed first (the
quality leads are told when an import closes one). Judgements lists every audit whose
auditor recorded an overall grade different from the calculated one, with the reason.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.services.audits import judgements, reaudits
from audit_service.web.access import require_roles

bp = Blueprint("oversight", __name__)

READERS = (Role.QUALITY_LEAD,)


@bp.get("/reaudits")
@require_roles(*READERS)
def reaudit_list():
    rows = reaudits.awaiting(local_today())
    return render_template("oversight/reaudits.html", closed=[r for r in rows if r.closed],
                           waiting=[r for r in rows if not r.closed])


@bp.get("/judgements")
@require_roles(*READERS)
def judgement_list():
    shown = judgements.judgement_list(current_user.record, request.args.get("from"),
                                      request.args.get("to"), local_today())
    return render_template("oversight/judgements.html", judgements=shown)

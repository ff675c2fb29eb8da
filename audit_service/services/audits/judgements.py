"""The overall judgements auditors recorded against the calculated grade, for quality leads.

An auditor may grade an audit differently from the rules' grade, with a reason; the
quality lead sees every such judgement, so a habit of lifting grades (or of lowering
them) is visible and can be moderated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from audit_service.domain.months import Month
from audit_service.services.audits.access import blinded_ids
from audit_service.storage.models import Audit, Case, Team, User, practice_audit


def window(first: str | None, last: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days from the first of month ``first`` to the end of month ``last`` ("YYYY-MM",
    1900 to 2100), by default the twelve months to this one. Raises ``ValueError``."""
    this_month = Month.of(today)
    start = Month.parse(first) if first else this_month.plus(-11)
    end = Month.parse(last) if last else this_month
    return start.first_day, end.last_day


@dataclass(frozen=True)
class JudgementRow:
    audit: Audit
    case: Case
    team: str
    auditor: str

    @property
    def direction(self) -> str:
        """"above" or "below" the calculated grade."""
        order = ("inadequate", "requires_improvement", "good", "outstanding")
        judged, calculated = self.audit.overall_grade, self.audit.calculated_grade
        if judged in order and calculated in order:
            return "above" if order.index(judged) > order.index(calculated) else "below"
        return "different"


def judgements(user: User, since: dt.date, until: dt.date, *, limit: int = 500
               ) -> list[JudgementRow]:
    """Submitted audits of practice whose auditor's grade differs from the calculated one,
    newest first, submitted from ``since`` to ``until`` (inclusive); never one the reader
    is moderating blind."""
    query = (Audit.select(Audit, Case, Team, User)
             .join(Case, on=(Audit.case == Case.id))
             .switch(Audit).join(Team, JOIN.LEFT_OUTER, on=(Audit.team == Team.id))
             .switch(Audit).join(User, on=(Audit.auditor == User.id))
             .where(practice_audit() & Audit.judgement_grade.is_null(False)
                    & (Audit.submitted_at >= dt.datetime(since.year, since.month, since.day))
                    & (Audit.submitted_at < dt.datetime(until.year, until.month, until.day)
                       + dt.timedelta(days=1))
                    & ~Audit.id.in_(blinded_ids(user)))
             .order_by(Audit.submitted_at.desc(), Audit.id.desc())
             .limit(limit))
    return [JudgementRow(audit, audit.case, audit.team.name if audit.team_id else "No team",
                         audit.auditor.display_name) for audit in query]

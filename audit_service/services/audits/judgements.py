"""The overall judgements auditors recorded against the calculated grade, for quality leads.

An auditor may grade an audit differently from the rules' grade, with a reason; the
quality lead sees every such judgement, so a habit of lifting grades (or of lowering
them) is visible and can be moderated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from audit_service.domain.months import Month, MonthError
from audit_service.services.audits.access import blinded_ids
from audit_service.services.audits.rows import case_view, person
from audit_service.services.audits.views import JudgementRow
from audit_service.services.errors import NotFound
from audit_service.storage.models import Audit, Case, Team, User, practice_audit


def window(first: str | None, last: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days from the first of month ``first`` to the end of month ``last`` ("YYYY-MM",
    1900 to 2100), by default the twelve months to this one. Raises ``MonthError``."""
    this_month = Month.of(today)
    start = Month.parse(first) if first else this_month.plus(-11)
    end = Month.parse(last) if last else this_month
    return start.first_day, end.last_day


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
    return [JudgementRow(audit.public_id, case_view(audit.case, None),
                         audit.team.name if audit.team_id else "No team", person(audit.auditor),
                         audit.submitted_at, audit.calculated_grade, audit.overall_grade,
                         audit.judgement_reason or "") for audit in query]


@dataclass(frozen=True)
class JudgementList:
    """The judgements of the months asked for (the first and last day shown)."""

    first: dt.date
    last: dt.date
    rows: tuple[JudgementRow, ...]


def judgement_list(user: User, first: str | None, last: str | None, today: dt.date
                   ) -> JudgementList:
    """The judgements from month ``first`` to month ``last`` ("YYYY-MM"; by default the
    twelve months to this one); a month that is no month is not found."""
    try:
        since, until = window(first, last, today)
    except MonthError as exc:
        raise NotFound(str(exc)) from exc
    return JudgementList(since, until, tuple(judgements(user, since, until)))

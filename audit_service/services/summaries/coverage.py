"""Audit coverage: how much of the open caseload was audited in the last 12 months.

Aggregates are for everyone who may read summaries; the list of high-risk
cases never audited names cases, so only quality leads, senior leaders and
administrators get it (``never_audited_high_risk``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from audit_service.domain.sampling.flags import (
    PLACEMENT_MOVES,
    REPEAT_REFERRALS,
    UNDER_FIVE,
    VISIT_DAYS,
    case_flags,
)
from audit_service.domain.vocabulary import CaseStatus, CaseType
from audit_service.services.audits.lifecycle import case_facts
from audit_service.storage.models import Audit, Team, practice_audit
from audit_service.storage.models import Case as CaseFile


@dataclass(frozen=True)
class CoverageRow:
    team_id: int | None
    team: str
    case_type: str
    open_cases: int
    audited_12m: int
    high_risk: int
    high_risk_never_audited: int


@dataclass(frozen=True)
class HighRiskCase:
    """An open case raising a risk flag that was never audited, with the flags it raises.

    It names a case, so only readers who may list cases are given it.
    """

    public_id: str
    team: str
    case_type: str
    reasons: tuple[str, ...]


def _high_risk(today: dt.date):
    """The risk flags of ``domain.sampling.flags`` as one SQL condition (a case raising any
    flag is high-risk); ``_reasons`` names them with the domain's own words."""
    condition = (
        (CaseFile.case_type == CaseType.CHILD_PROTECTION.value)
        | CaseFile.age_band.in_([b.value for b in UNDER_FIVE])
        | (CaseFile.placements_12m >= PLACEMENT_MOVES)
        | (CaseFile.referrals_12m >= REPEAT_REFERRALS)
        | CaseFile.last_seen_on.is_null()
    )
    for case_type, days in VISIT_DAYS.items():
        condition |= ((CaseFile.case_type == str(case_type))
                      & (CaseFile.last_seen_on < today - dt.timedelta(days=days)))
    return condition


def _audited_since(since: dt.date | None):
    query = Audit.select(Audit.case).where(practice_audit())
    if since is not None:
        query = query.where(Audit.submitted_at >= dt.datetime(since.year, since.month, since.day))
    return query.distinct()


def _count_if(condition):
    return fn.SUM(Case(None, ((condition, 1),), 0))


def coverage(today: dt.date, *, team_id: int | None = None,
             service_id: int | None = None) -> list[CoverageRow]:
    """Open cases, audited in 12 months, high-risk and high-risk never audited, by team and type."""
    recent = _audited_since(today - dt.timedelta(days=365)).alias("recent")
    ever = _audited_since(None).alias("ever")
    risky = _high_risk(today)
    query = (
        CaseFile.select(CaseFile.team, Team.name, CaseFile.case_type, fn.COUNT(CaseFile.id),
                        fn.COUNT(recent.c.case_id), _count_if(risky),
                        _count_if(risky & ever.c.case_id.is_null()))
        .join(Team, JOIN.LEFT_OUTER, on=(CaseFile.team == Team.id))
        .switch(CaseFile)
        .join(recent, JOIN.LEFT_OUTER, on=(recent.c.case_id == CaseFile.id))
        .switch(CaseFile)
        .join(ever, JOIN.LEFT_OUTER, on=(ever.c.case_id == CaseFile.id))
        .where(CaseFile.status == CaseStatus.OPEN)
        .group_by(CaseFile.team, Team.name, CaseFile.case_type)
    )
    if team_id is not None:
        query = query.where(CaseFile.team == team_id)
    if service_id is not None:
        query = query.where(Team.service == service_id)
    rows = [CoverageRow(tid, name or "No team", ctype, n, audited, int(hr or 0), int(never or 0))
            for tid, name, ctype, n, audited, hr, never in query.tuples()]
    return sorted(rows, key=lambda r: (r.team.casefold(), r.case_type))


def never_audited_high_risk(today: dt.date, *, team_id: int | None = None,
                            limit: int = 200) -> tuple[list[HighRiskCase], int]:
    """Open high-risk cases with no submitted audit ever, most flags first; and the total."""
    query = (
        CaseFile.select(CaseFile, Team.name.alias("team_name"))
        .join(Team, JOIN.LEFT_OUTER, on=(CaseFile.team == Team.id))
        .where((CaseFile.status == CaseStatus.OPEN) & _high_risk(today)
               & CaseFile.id.not_in(_audited_since(None)))
    )
    if team_id is not None:
        query = query.where(CaseFile.team == team_id)
    total = query.count()
    cases = []
    for case in query.order_by(CaseFile.id).limit(limit * 5).objects():
        cases.append(HighRiskCase(case.public_id, case.team_name or "No team", case.case_type,
                                  tuple(_reasons(case, today))))
    cases.sort(key=lambda c: (-len(c.reasons), c.team, c.case_type))
    return cases[:limit], total


def _reasons(case: CaseFile, today: dt.date) -> list[str]:
    return [flag.text for flag in case_flags(case_facts(case), today)
            if flag.id != "closed_without_assessment"]

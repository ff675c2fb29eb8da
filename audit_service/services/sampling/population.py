"""Load the caseload as sampling sees it, with one query per kind of fact.

Opening a month's rounds for 1,200 supervisors must not run a query per
supervisor: the open cases, their last audit or draw dates and their latest
grades are read once, then grouped in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from peewee import JOIN, fn

from audit_service.domain.sampling import PopulationCase
from audit_service.domain.vocabulary import CaseStatus
from audit_service.services.cases.facts import FACT_COLUMNS, facts_of
from audit_service.storage.models import (
    Audit,
    Case,
    RoundCase,
    SamplingRound,
    Team,
    practice_audit,
)


def _date(value: dt.datetime | dt.date | str | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite aggregates come back as text
        value = dt.datetime.fromisoformat(value)
    return value.date() if isinstance(value, dt.datetime) else value


def last_activity(case_ids: Collection[int] | None = None) -> dict[int, dt.date]:
    """The latest date each case had an audit started or was drawn into a round."""
    latest: dict[int, dt.date] = {}
    audits = Audit.select(Audit.case, fn.MAX(Audit.created_at)).group_by(Audit.case)
    draws = (RoundCase.select(RoundCase.case, fn.MAX(SamplingRound.opened_at))
             .join(SamplingRound).where(RoundCase.replaced_at.is_null())
             .group_by(RoundCase.case))
    if case_ids is not None:
        audits = audits.where(Audit.case.in_(list(case_ids)))
        draws = draws.where(RoundCase.case.in_(list(case_ids)))
    for query in (audits, draws):
        for case_id, when in query.tuples():
            day = _date(when)
            if day is not None and (case_id not in latest or day > latest[case_id]):
                latest[case_id] = day
    return latest


@dataclass(frozen=True)
class LatestGrade:
    grade: str | None
    submitted_on: dt.date
    audit_id: int


def latest_grades(case_ids: Collection[int] | None = None) -> dict[int, LatestGrade]:
    """Each case's latest submitted audit of practice, with its effective grade (the agreed
    grade once moderated): what decides a re-audit."""
    query = (Audit.select(Audit.case, Audit.submitted_at, Audit.effective_grade, Audit.id)
             .where(practice_audit(), Audit.submitted_at.is_null(False))
             .order_by(Audit.case, Audit.submitted_at, Audit.id))
    if case_ids is not None:
        query = query.where(Audit.case.in_(list(case_ids)))
    return {case_id: LatestGrade(grade, _date(submitted_at), audit_id)
            for case_id, submitted_at, grade, audit_id in query.tuples()}


def load_population(team_ids: Collection[int] | None = None, *,
                    closed_since: dt.date | None = None,
                    case_ids: Collection[int] | None = None) -> list[PopulationCase]:
    """Every open case (of ``team_ids``, or ``case_ids``, when given) with its facts and audit
    history, and, with ``closed_since``, the cases closed on or after that day (for a
    closure dip sample, or a re-audit that a closure overtook).

    Keys are the case's database id as text; ``case_id_of`` turns them back.
    """
    query = (Case.select(Case.id, Case.team, Team.service, Case.worker, Case.status,
                         *FACT_COLUMNS)
             .join(Team, JOIN.LEFT_OUTER, on=(Case.team == Team.id)))
    wanted = Case.status == CaseStatus.OPEN.value
    if closed_since is not None:
        wanted |= (Case.status == CaseStatus.CLOSED.value) & (Case.closed_on >= closed_since)
    query = query.where(wanted)
    scoped = team_ids is not None or case_ids is not None
    if team_ids is not None:
        query = query.where(Case.team.in_(list(team_ids)))
    if case_ids is not None:
        query = query.where(Case.id.in_(list(case_ids)))
    rows = list(query.dicts())
    ids = [row["id"] for row in rows] if scoped else None
    activity = last_activity(ids)
    grades = latest_grades(ids)
    population = []
    for row in rows:
        case_id = row["id"]
        facts = facts_of(row)
        latest = grades.get(case_id)
        population.append(PopulationCase(
            key=str(case_id), team_id=row["team"], service_id=row["service"], facts=facts,
            is_open=row["status"] == CaseStatus.OPEN.value, last_audited_on=activity.get(case_id),
            last_grade=latest.grade if latest else None,
            last_graded_on=latest.submitted_on if latest else None,
            last_audit_key=str(latest.audit_id) if latest else None,
            allocated=row["worker"] is not None,
        ))
    return population


def case_id_of(key: str) -> int:
    return int(key)


def drawn_in_period(period: str, *, excluding_round: int | None = None) -> set[str]:
    """Keys of cases already in a round this period (not replaced), so no one draws them twice."""
    query = (RoundCase.select(RoundCase.case).join(SamplingRound)
             .where(SamplingRound.period == period, RoundCase.replaced_at.is_null()))
    if excluding_round is not None:
        query = query.where(SamplingRound.id != excluding_round)
    return {str(case_id) for (case_id,) in query.tuples()}

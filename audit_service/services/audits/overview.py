"""What a supervisor and a practitioner see when they start: their audits and actions.

Each list is one query (or two) whatever its length, so the home pages stay
fast for a supervisor with years of rounds behind them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN, fn
from peewee import Case as When

from audit_service.domain.vocabulary import ActionStatus, AuditStatus, RoundStatus
from audit_service.storage.models import (
    Audit,
    AuditAction,
    Case,
    RoundCase,
    SamplingRound,
    User,
)

PAST_ROUNDS = 12


@dataclass
class RoundRow:
    round_case: RoundCase
    case: Case
    audit: Audit | None

    @property
    def state(self) -> str:
        """"not_started", "draft" or "submitted"."""
        return "not_started" if self.audit is None else self.audit.status


@dataclass
class PastRound:
    round: SamplingRound
    cases: int
    submitted: int


@dataclass
class SupervisorOverview:
    current: SamplingRound | None
    rows: list[RoundRow] = field(default_factory=list)
    past: list[PastRound] = field(default_factory=list)
    overdue_rounds: list[SamplingRound] = field(default_factory=list)
    overdue_actions: list[AuditAction] = field(default_factory=list)
    team_actions: list[AuditAction] = field(default_factory=list)
    #: Thematic audits this supervisor carries out (issue 6), unfinished first.
    thematic: list[Audit] = field(default_factory=list)


def round_rows(round_: SamplingRound) -> list[RoundRow]:
    """A round's current cases with each one's audit, if started (two queries)."""
    cases = list(
        RoundCase.select(RoundCase, Case)
        .join(Case)
        .where((RoundCase.round == round_.id) & RoundCase.replaced_at.is_null())
        .order_by(RoundCase.position, RoundCase.id)
    )
    audits = {
        a.round_case_id: a
        for a in Audit.select().where(Audit.round_case.in_([rc.id for rc in cases]))
    } if cases else {}
    return [RoundRow(rc, rc.case, audits.get(rc.id)) for rc in cases]


def _actions_query():
    # Only what the lists show: an audit's ``result`` JSON is kilobytes, and a team has dozens
    # of open actions (the dashboard's largest cost before: 21.9 -> 15.8 ms CPU).
    return (
        AuditAction.select(AuditAction, Audit.id, Audit.public_id, User.id, User.display_name)
        .join(Audit, on=(AuditAction.audit == Audit.id))
        .switch(AuditAction)
        .join(User, on=(AuditAction.owner == User.id))
    )


def supervisor_overview(user: User, period: str, today: dt.date) -> SupervisorOverview:
    thematic = list(
        Audit.select(Audit, Case).join(Case)
        .where((Audit.auditor == user.id) & (Audit.kind == "thematic"))
        .order_by(Audit.status == AuditStatus.SUBMITTED, Audit.created_at)
    )
    if user.staff_id is None:
        return SupervisorOverview(current=None, thematic=thematic)
    rounds = SamplingRound.select().where(SamplingRound.supervisor == user.staff_id)
    current = rounds.where(SamplingRound.period == period).first()
    overview = SupervisorOverview(current=current, thematic=thematic)
    if current is not None:
        overview.rows = round_rows(current)

    submitted = fn.SUM(When(None, [(Audit.status == AuditStatus.SUBMITTED, 1)], 0))
    past = (
        SamplingRound.select(SamplingRound, fn.COUNT(RoundCase.id).alias("n_cases"),
                             submitted.alias("n_submitted"))
        .join(RoundCase, JOIN.LEFT_OUTER, on=(
            (RoundCase.round == SamplingRound.id) & RoundCase.replaced_at.is_null()))
        .join(Audit, JOIN.LEFT_OUTER, on=(Audit.round_case == RoundCase.id))
        .where((SamplingRound.supervisor == user.staff_id) & (SamplingRound.period < period))
        .group_by(SamplingRound.id)
        .order_by(SamplingRound.period.desc())
        .limit(PAST_ROUNDS)
    )
    overview.past = [PastRound(r, r.n_cases, int(r.n_submitted or 0)) for r in past]
    overview.overdue_rounds = list(
        rounds.where((SamplingRound.status != RoundStatus.COMPLETED)
                     & (SamplingRound.due_on < today))
        .order_by(SamplingRound.due_on)
    )
    team_id = user.staff.team_id
    scope = (Audit.auditor == user.id)
    if team_id is not None:
        scope = scope | (Audit.team == team_id)
    open_actions = list(
        _actions_query().where(scope & (AuditAction.status != ActionStatus.DONE))
        .order_by(AuditAction.due_on, AuditAction.id)
    )
    overview.team_actions = open_actions
    overview.overdue_actions = [a for a in open_actions if a.due_on < today]
    return overview


@dataclass
class PractitionerOverview:
    audits: list[Audit]
    actions: list[AuditAction]


def practitioner_overview(user: User) -> PractitionerOverview:
    audits: list[Audit] = []
    if user.staff_id is not None:
        audits = list(
            Audit.select(Audit, Case)
            .join(Case)
            .where((Audit.practitioner == user.staff_id) & (Audit.status == AuditStatus.SUBMITTED)
                   & (Audit.kind != "moderation"))
            .order_by(Audit.submitted_at.desc())
            .limit(100)
        )
    actions = list(
        _actions_query().where(AuditAction.owner == user.id)
        .order_by(AuditAction.status == ActionStatus.DONE, AuditAction.due_on, AuditAction.id)
        .limit(200)
    )
    return PractitionerOverview(audits, actions)

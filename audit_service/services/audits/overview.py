"""What a team manager and a practitioner see when they start, and a round's cases.

Each list is one query (or two) whatever its length, so the home pages stay fast for
a team manager with years of rounds behind them: an audit's auditor, case and whether
it was moderated come in the same query as the audit.
"""

from __future__ import annotations

import datetime as dt

from peewee import JOIN, fn
from peewee import Case as When

from audit_service.domain.months import Month
from audit_service.domain.vocabulary import ActionStatus, AuditKind, AuditStatus, RoundStatus
from audit_service.services.audits.access import blinded_ids
from audit_service.services.audits.rows import action_view, case_view, summary
from audit_service.services.audits.views import (
    ActionView,
    PastRoundView,
    PractitionerOverview,
    RoundCaseView,
    RoundView,
    SupervisorOverview,
)
from audit_service.services.errors import NotFound
from audit_service.services.sampling.rounds import may_see
from audit_service.storage.models import (
    Audit,
    AuditAction,
    Case,
    Moderation,
    RoundCase,
    SamplingRound,
    User,
)

PAST_ROUNDS = 12


def _moderated():
    """Whether the audit of the row has an adjudicated moderation, as a column."""
    return fn.EXISTS(Moderation.select(Moderation.id).where(
        (Moderation.audit == Audit.id) & Moderation.adjudicated_at.is_null(False)))


def _round_view(round_: SamplingRound) -> RoundView:
    return RoundView(round_.public_id, round_.period, round_.due_on, round_.status,
                     round_.completed_at)


def round_cases(user: User, round_: SamplingRound) -> list[RoundCaseView]:
    """A round's current cases with each one's audit, if started (two queries); a moderator
    working blind sees that an audit exists, never its grade."""
    cases = list(
        RoundCase.select(RoundCase, Case)
        .join(Case)
        .where((RoundCase.round == round_.id) & RoundCase.replaced_at.is_null())
        .order_by(RoundCase.position, RoundCase.id)
    )
    audits = {
        a.round_case_id: a
        for a in Audit.select(Audit, User, _moderated().alias("moderated"),
                              Audit.id.in_(blinded_ids(user)).alias("blind"))
        .join(User, on=(Audit.auditor == User.id))
        .where(Audit.round_case.in_([rc.id for rc in cases]))
    } if cases else {}
    rows = []
    for rc in cases:
        case = case_view(rc.case, None)
        audit = audits.get(rc.id)
        rows.append(RoundCaseView(
            case, rc.position, rc.reason, rc.pool,
            summary(audit, case, audit.auditor, moderated=audit.moderated, blind=audit.blind)
            if audit else None))
    return rows


def round_audits(user: User, round_public_id: str) -> list[RoundCaseView]:
    """The cases of a round ``user`` may see, with their audits."""
    round_ = SamplingRound.get_or_none(SamplingRound.public_id == round_public_id)
    if round_ is None or not may_see(round_, user):
        raise NotFound("no round with that id that you can see")
    return round_cases(user, round_)


def _actions(where, *order, limit: int | None = None) -> list[AuditAction]:
    # Only what the lists show: an audit's ``result`` JSON is kilobytes, and a team has dozens
    # of open actions (the dashboard's largest cost before: 21.9 -> 15.8 ms CPU).
    return list(
        AuditAction.select(AuditAction, Audit.id, Audit.public_id, User.id, User.username,
                           User.display_name)
        .join(Audit, on=(AuditAction.audit == Audit.id))
        .switch(AuditAction)
        .join(User, on=(AuditAction.owner == User.id))
        .where(where).order_by(*order).limit(limit)
    )


def _action_views(actions: list[AuditAction]) -> tuple[ActionView, ...]:
    # Every action listed is one the reader may move: their own, or one of an audit their
    # team's (or their own), which a team manager manages.
    return tuple(action_view(a, a.audit.public_id, a.owner, may_update=True) for a in actions)


def _audit_summaries(query) -> tuple:
    """Audits with their case and auditor (selected by ``query``) as list entries."""
    return tuple(summary(a, case_view(a.case, None), a.auditor, moderated=a.moderated)
                 for a in query)


def _with_case_and_auditor():
    return (Audit.select(Audit, Case, User, _moderated().alias("moderated"))
            .join(Case, on=(Audit.case == Case.id))
            .switch(Audit).join(User, on=(Audit.auditor == User.id)))


def supervisor_overview(user: User, today: dt.date) -> SupervisorOverview:
    month = Month.of(today)
    period = str(month)
    thematic = _audit_summaries(
        _with_case_and_auditor()
        .where((Audit.auditor == user.id) & (Audit.kind == AuditKind.THEMATIC))
        .order_by(Audit.status == AuditStatus.SUBMITTED, Audit.created_at))
    has_staff = user.staff_id is not None
    if not has_staff:
        return SupervisorOverview(has_staff, month.label, None, thematic=thematic)
    rounds = SamplingRound.select().where(SamplingRound.supervisor == user.staff_id)
    current = rounds.where(SamplingRound.period == period).first()
    rows = round_cases(user, current) if current is not None else []

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
    overdue_rounds = (rounds.where((SamplingRound.status != RoundStatus.COMPLETED)
                                   & (SamplingRound.due_on < today))
                      .order_by(SamplingRound.due_on))
    team_id = user.staff.team_id
    scope = (Audit.auditor == user.id)
    if team_id is not None:
        scope = scope | (Audit.team == team_id)
    open_actions = _action_views(_actions(scope & (AuditAction.status != ActionStatus.DONE),
                                          AuditAction.due_on, AuditAction.id))
    return SupervisorOverview(
        has_staff, month.label, _round_view(current) if current else None, tuple(rows),
        tuple(PastRoundView(_round_view(r), r.n_cases, int(r.n_submitted or 0)) for r in past),
        tuple(_round_view(r) for r in overdue_rounds),
        tuple(a for a in open_actions if a.due_on < today), open_actions, thematic)


def practitioner_overview(user: User) -> PractitionerOverview:
    audits = _audit_summaries(
        _with_case_and_auditor()
        .where((Audit.practitioner == user.staff_id) & (Audit.status == AuditStatus.SUBMITTED)
               & (Audit.kind != AuditKind.MODERATION))
        .order_by(Audit.submitted_at.desc())
        .limit(100)) if user.staff_id is not None else ()
    actions = _action_views(_actions(
        AuditAction.owner == user.id,
        AuditAction.status == ActionStatus.DONE, AuditAction.due_on, AuditAction.id, limit=200))
    return PractitionerOverview(audits, actions)

"""One audit as its reader sees it: the view the audit pages and the API both show.

Reading an audit is itself recorded: who looked at which child's file, and when.
Building the view costs a fixed number of queries whatever the audit holds: the
pinned rubrics and answers (two), the case with its team, round, practitioner and
moderation (one), the auditor when it is someone else, the actions once submitted
and, for a team manager who may record actions, who may own one.
"""

from __future__ import annotations

from collections.abc import Mapping

from peewee import JOIN, fn

from audit_service.domain.rubrics import CriterionType
from audit_service.domain.vocabulary import AuditStatus
from audit_service.services.audits import actions as action_service
from audit_service.services.audits.access import (
    can_manage_actions,
    can_update_action,
    is_auditor,
    is_practitioner,
    readable_audit,
)
from audit_service.services.audits.criteria import sections, unscored_answers
from audit_service.services.audits.reaudits import reaudit_view
from audit_service.services.audits.rows import action_view, case_view, person
from audit_service.services.audits.state import load_state
from audit_service.services.audits.views import AuditResultView, AuditView, OwnerChoice
from audit_service.services.errors import NotFound
from audit_service.services.platform import audit_trail
from audit_service.storage.models import (
    Audit,
    Case,
    Moderation,
    RoundCase,
    SamplingRound,
    Staff,
    Team,
    User,
)


def record_view(user: User, audit: Audit, *, via: str, remote_addr: str | None = None) -> None:
    """Reading a case's audit is itself recorded: who looked at which child's file, and when."""
    audit_trail.record("audit.viewed", actor=user, object_type="audit", object_id=audit.public_id,
                       after={"via": via, "status": audit.status}, remote_addr=remote_addr)


def _case_row(audit: Audit) -> Case:
    """The case with its team, the round it was drawn in and why, the audit's own team and
    practitioner, and whether a moderation of the audit was adjudicated: one query."""
    audit_team, practitioner = Team.alias(), Staff.alias()
    moderated = Moderation.select(Moderation.id).where(
        (Moderation.audit == audit.id) & Moderation.adjudicated_at.is_null(False))
    return (
        Case.select(Case, Team, RoundCase, SamplingRound, audit_team, practitioner,
                    fn.EXISTS(moderated).alias("moderated"))
        .join(Team, JOIN.LEFT_OUTER, on=(Case.team == Team.id))
        .switch(Case)
        .join(RoundCase, JOIN.LEFT_OUTER, on=(RoundCase.id == audit.round_case_id),
              attr="drawn")
        .join(SamplingRound, JOIN.LEFT_OUTER, on=(SamplingRound.id == RoundCase.round),
              attr="sampling_round")
        .switch(Case)
        .join(audit_team, JOIN.LEFT_OUTER, on=(audit_team.id == audit.team_id),
              attr="audit_team")
        .switch(Case)
        .join(practitioner, JOIN.LEFT_OUTER, on=(practitioner.id == audit.practitioner_id),
              attr="practitioner")
        .where(Case.id == audit.case_id).get()
    )


def _owners(audit: Audit) -> tuple[OwnerChoice, ...]:
    return tuple(OwnerChoice(u.id, u.username, u.display_name,
                             u.staff_id == audit.practitioner_id)
                 for u in action_service.owner_choices(audit))


def view_of(user: User, audit: Audit, criterion_types: Mapping[str, CriterionType]
            ) -> AuditView:
    """The audit as ``user`` (who may read it) sees it."""
    state = load_state(audit, criterion_types)
    row = _case_row(audit)
    drawn = row.drawn if audit.round_case_id is not None else None
    auditor = user if audit.auditor_id == user.id else User.get_by_id(audit.auditor_id)
    submitted = audit.status == AuditStatus.SUBMITTED
    manage = can_manage_actions(user, audit)
    actions = action_service.actions_of(audit) if submitted else []
    shown = sections(state.pinned, criterion_types)
    return AuditView(
        public_id=audit.public_id, status=audit.status, kind=audit.kind, version=audit.version,
        case=case_view(row, row.team.name if row.team else None, with_facts=True),
        auditor=person(auditor), effective_grade=audit.effective_grade,
        auditor_grade=audit.overall_grade, moderated=bool(row.moderated),
        submitted_at=audit.submitted_at, acknowledged_at=audit.acknowledged_at,
        responded=bool(audit.response),
        team=row.audit_team.name if row.audit_team else None,
        practitioner=row.practitioner.name if row.practitioner else None,
        created_at=audit.created_at, updated_at=audit.updated_at,
        effective_score=audit.effective_score, calculated_grade=audit.calculated_grade,
        judgement=state.judgement, result=audit.result, response=audit.response,
        responded_at=audit.responded_at, audited_case_type=audit.case_type,
        round_due_on=drawn.sampling_round.due_on if drawn else None,
        drawn_because=drawn.reason if drawn else None,
        reaudit=reaudit_view(user, audit),
        sections=shown, answers=state.answers,
        actions=tuple(action_view(a, audit.public_id, a.owner,
                                  may_update=can_update_action(user, a, audit))
                      for a in actions),
        owners=_owners(audit) if manage else (),
        editable=audit.status == AuditStatus.DRAFT and is_auditor(user, audit),
        may_respond=(submitted and audit.acknowledged_at is None
                     and is_practitioner(user, audit)),
        may_manage_actions=manage,
        unscored=unscored_answers(shown, state.answers, criterion_types),
    )


def audit_view(user: User, public_id: str, criterion_types: Mapping[str, CriterionType]
               ) -> AuditView:
    """The audit at this address, as ``user`` may see it (refused as ``readable_audit``)."""
    return view_of(user, readable_audit(user, public_id), criterion_types)


def read_audit(user: User, public_id: str, criterion_types: Mapping[str, CriterionType], *,
               via: str, remote_addr: str | None = None) -> AuditView:
    """``audit_view``, recorded in the audit trail as read through ``via`` (page, api)."""
    audit = readable_audit(user, public_id)
    record_view(user, audit, via=via, remote_addr=remote_addr)
    return view_of(user, audit, criterion_types)


def result_of(audit: Audit) -> AuditResultView:
    return AuditResultView(audit.public_id, audit.effective_grade, audit.effective_score,
                           audit.overall_grade, audit.calculated_grade, audit.result)


def read_result(user: User, public_id: str, *, remote_addr: str | None = None
                ) -> AuditResultView:
    """A submitted audit's grades and scoring, recorded as read through the API."""
    audit = readable_audit(user, public_id)
    if audit.status != AuditStatus.SUBMITTED:
        raise NotFound("this audit has not been submitted, so it has no result yet")
    record_view(user, audit, via="api", remote_addr=remote_addr)
    return result_of(audit)

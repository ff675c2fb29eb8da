"""Audits in the database: start one, save drafts under an optimistic lock, submit atomically.

Every change is ``UPDATE audit ... WHERE id = ? AND version = ?``: when no row
changes, someone else saved first, and the caller gets ``VersionConflict``
with both versions instead of silently overwriting their work. Submission
writes the ratings, each domain's result, the overall grade, the round's
progress and the notifications in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import JOIN, IntegrityError, fn

from audit_service.domain.audits import (
    Alert,
    Answer,
    AuditScore,
    CriterionKey,
    FieldError,
    JudgementAnswer,
    alerts,
    draft_problems,
    explain,
    score_audit,
    submit_problems,
)
from audit_service.domain.evidence import (
    CaseFacts,
    EvidencePrompt,
    EvidencePromptProvider,
    prompts_for,
)
from audit_service.domain.rubrics import CriterionType, Rubric
from audit_service.domain.vocabulary import (
    AgeBand,
    AuditKind,
    AuditStatus,
    CaseType,
    Pool,
    Role,
    RoundStatus,
)
from audit_service.plugins.installed import RubricSource
from audit_service.services.audits.access import is_auditor, is_practitioner, owns_round
from audit_service.services.errors import Conflict, Invalid, NotAllowed, NotFound
from audit_service.services.moderation import notices as moderation_notices
from audit_service.services.platform import audit_trail, outbox
from audit_service.services.rubrics import assignments as rubric_assignments
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.services.rubrics.versions import WITHOUT_DOCUMENT, rubric_of
from audit_service.storage.database import database, is_sqlite
from audit_service.storage.models import (
    Audit,
    AuditRating,
    AuditRubric,
    Case,
    Event,
    RoundCase,
    RubricDefinition,
    RubricVersion,
    SamplingRound,
    Staff,
    User,
    utcnow,
)

INADEQUATE = "inadequate"
AUDIT_LINK = "/audits/{public_id}"


class VersionConflict(Conflict):
    """The page was out of date: ``current_version`` is what is saved now."""

    def __init__(self, audit: Audit, your_version: int, current_version: int):
        super().__init__(
            f"This audit was saved elsewhere (version {current_version}) after you opened "
            f"version {your_version}."
        )
        self.audit = audit
        self.your_version = your_version
        self.current_version = current_version

    def details(self) -> dict[str, int]:
        return {"your_version": self.your_version, "current_version": self.current_version}


class ReadOnly(Conflict):
    """The audit is submitted (or acknowledged) and can no longer be changed this way."""


class InvalidAnswers(Invalid):
    """Answers that cannot be saved or submitted; ``version`` is the draft's version now."""

    def __init__(self, errors: list[FieldError], version: int):
        super().__init__("; ".join(e.message for e in errors), errors)
        self.version = version


class NoRubrics(Invalid):
    """No rubric applies to the case, so there is nothing to audit it against."""


@dataclass(frozen=True)
class PinnedRubric:
    audit_rubric: AuditRubric
    version: RubricVersion
    rubric: Rubric


@dataclass
class AuditState:
    """An audit with its pinned rubrics (in form order), its answers and judgement so far."""

    audit: Audit
    pinned: list[PinnedRubric]
    answers: dict[CriterionKey, Answer]
    judgement: JudgementAnswer = field(default_factory=JudgementAnswer)
    rubrics: dict[str, Rubric] = field(init=False)
    keys: list[CriterionKey] = field(init=False)

    def __post_init__(self) -> None:
        self.rubrics = {p.rubric.id: p.rubric for p in self.pinned}
        self.keys = [CriterionKey(r.id, c.id) for r in self.rubrics.values() for c in r.criteria]

    def version_of(self, rubric_id: str) -> RubricVersion:
        return next(p.version for p in self.pinned if p.rubric.id == rubric_id)


def audit_link(audit: Audit) -> str:
    return AUDIT_LINK.format(public_id=audit.public_id)


# --- reading ---------------------------------------------------------------------------


def load_state(audit: Audit, criterion_types: Mapping[str, CriterionType]) -> AuditState:
    """Two queries, whatever the number of rubrics and criteria.

    The pinned versions' documents are not read: their parsed rubrics are cached per
    process by content hash (``rubric_of``), as a published version never changes.
    """
    rows = (
        AuditRubric.select(AuditRubric, *WITHOUT_DOCUMENT, RubricDefinition)
        .join(RubricVersion)
        .join(RubricDefinition)
        .where(AuditRubric.audit == audit.id)
        .order_by(AuditRubric.position, AuditRubric.id)
    )
    pinned = [
        PinnedRubric(row, row.rubric_version, rubric_of(row.rubric_version, criterion_types))
        for row in rows
    ]
    rubric_by_version = {p.version.id: p.rubric.id for p in pinned}
    answers = {}
    for rating in AuditRating.select().where(AuditRating.audit == audit.id):
        rubric_id = rubric_by_version.get(rating.rubric_version_id)
        if rubric_id is None:
            continue
        answers[CriterionKey(rubric_id, rating.criterion_id)] = Answer(
            rating=rating.rating,
            not_applicable=rating.na_reason is not None,
            na_reason=rating.na_reason or "",
            evidence=rating.evidence or "",
        )
    judgement = JudgementAnswer(audit.judgement_grade, audit.judgement_reason or "")
    return AuditState(audit, pinned, answers, judgement)


def case_type_of(audit: Audit) -> CaseType | None:
    """The case type the audit's rules are judged by: as it was when the audit started."""
    return CaseType(audit.case_type) if audit.case_type else None


def case_facts(case: Case) -> CaseFacts:
    return CaseFacts(
        case_type=CaseType(case.case_type),
        age_band=AgeBand(case.age_band) if case.age_band else None,
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        closure_reason=case.closure_reason,
        last_seen_on=case.last_seen_on,
        seen_alone=case.seen_alone,
        referrals_12m=case.referrals_12m,
        previous_cp_plans=case.previous_cp_plans,
        placements_12m=case.placements_12m,
    )


def evidence_prompts(
    case: Case, providers: Mapping[str, EvidencePromptProvider], today: dt.date
) -> dict[str, list[EvidencePrompt]]:
    return prompts_for(providers.values(), case_facts(case), today)


def record_view(user: User, audit: Audit, *, via: str, remote_addr: str | None = None) -> None:
    """Reading a case's audit is itself recorded: who looked at which child's file, and when."""
    audit_trail.record("audit.viewed", actor=user, object_type="audit", object_id=audit.public_id,
                       after={"via": via, "status": audit.status}, remote_addr=remote_addr)


# --- starting --------------------------------------------------------------------------


def ensure_published(installed: Mapping[str, RubricSource]) -> None:
    """Publish the installed rubrics if no version exists yet (``serve`` normally has).

    A server started some other way (a test server, ``flask run``) must still be
    able to start audits; publishing is idempotent, so this is safe to repeat.
    """
    if RubricVersion.select().exists():
        return
    rubric_versions.sync_installed(installed)


def round_case_for(round_public_id: str, case_public_id: str) -> RoundCase:
    found = (
        RoundCase.select(RoundCase, SamplingRound, Case)
        .join(SamplingRound)
        .switch(RoundCase)
        .join(Case)
        .where(
            (SamplingRound.public_id == round_public_id)
            & (Case.public_id == case_public_id)
            & RoundCase.replaced_at.is_null()
        )
        .first()
    )
    if found is None:
        raise NotFound("That case is not in that round (it may have been replaced).")
    return found


def start_audit(
    user: User,
    round_public_id: str,
    case_public_id: str,
    criterion_types: Mapping[str, CriterionType],
    *,
    remote_addr: str | None = None,
) -> tuple[Audit, bool]:
    """Open the audit of a drawn case, creating its draft the first time only.

    Returns the audit and whether it was created. The draft is pinned to the
    rubric versions current now, so later rubric edits never change it.
    """
    round_case = round_case_for(round_public_id, case_public_id)
    if not owns_round(user, round_case.round):
        raise NotAllowed("Only the team manager the case was drawn for can audit it.")
    existing = Audit.get_or_none(Audit.round_case == round_case.id)
    if existing is not None:
        return existing, False
    case = round_case.case
    versions = rubric_assignments.rubrics_for(case, criterion_types)
    if not versions:
        raise NoRubrics(
            f"No rubric covers {CaseType(case.case_type).label.lower()} cases. "
            "Ask a quality lead to publish one."
        )
    reaudit = round_case.pool == Pool.REAUDIT
    try:
        with database.atomic():
            audit = Audit.create(
                case=case, round_case=round_case, auditor=user,
                practitioner=case.worker_id, team=case.team_id, case_type=case.case_type,
                kind=AuditKind.REAUDIT.value if reaudit else AuditKind.MONTHLY.value,
                reaudit_of=round_case.reaudit_of_id if reaudit else None,
            )
            AuditRubric.insert_many(
                [{"audit": audit.id, "rubric_version": v.id, "position": i}
                 for i, v in enumerate(versions)]
            ).execute()
            audit_trail.record(
                "audit.started", actor=user, object_type="audit", object_id=audit.public_id,
                after={"case": case.public_id, "round": round_case.round.public_id,
                       "rubrics": [f"{v.rubric.rubric_id}/{v.number}" for v in versions]},
                remote_addr=remote_addr,
            )
    except IntegrityError:
        # Opened twice at once: the other request created it; use theirs.
        return Audit.get(Audit.round_case == round_case.id), False
    return audit, True


# --- saving ----------------------------------------------------------------------------


def _label(key: CriterionKey) -> str:
    return f"{key.rubric_id}/{key.criterion_id}"


def _check_editable(user: User, audit: Audit) -> None:
    if not is_auditor(user, audit):
        raise NotAllowed("Only the auditor can change this audit.")
    if audit.status != AuditStatus.DRAFT:
        raise ReadOnly("This audit has been submitted and can no longer be changed.")


def _bump(audit: Audit, version: int, **changes) -> int:
    """The optimistic lock: change the row only if nobody saved since ``version``."""
    new_version = version + 1
    changed = (
        Audit.update(version=new_version, updated_at=utcnow(), **changes)
        .where((Audit.id == audit.id) & (Audit.version == version)
               & (Audit.status == AuditStatus.DRAFT))
        .execute()
    )
    if changed == 1:
        return new_version
    current = Audit.get_by_id(audit.id)
    if current.status != AuditStatus.DRAFT:
        raise ReadOnly("This audit has been submitted and can no longer be changed.")
    raise VersionConflict(current, version, current.version)


def _write_ratings(state: AuditState, answers: Mapping[CriterionKey, Answer],
                   *, final: bool = False) -> None:
    AuditRating.delete().where(AuditRating.audit == state.audit.id).execute()
    rows = []
    for key in state.keys:
        answer = answers.get(key, Answer())
        if answer.is_empty:
            continue
        rows.append({
            "audit": state.audit.id,
            "rubric_version": state.version_of(key.rubric_id).id,
            "criterion_id": key.criterion_id,
            # A submitted N/A keeps no rating: summaries count it as not applicable.
            "rating": None if final and answer.not_applicable else answer.rating,
            "na_reason": answer.na_reason if answer.not_applicable else None,
            "evidence": answer.evidence,
        })
    if rows:
        AuditRating.insert_many(rows).execute()


def _changes(before: Mapping[CriterionKey, Answer], after: Mapping[CriterionKey, Answer],
             keys: list[CriterionKey]) -> tuple[dict, dict]:
    changed = [k for k in keys if before.get(k, Answer()) != after.get(k, Answer())]
    return (
        {_label(k): before.get(k, Answer()).as_dict() for k in changed},
        {_label(k): after.get(k, Answer()).as_dict() for k in changed},
    )


def _judgement_columns(judgement: JudgementAnswer) -> dict:
    return {"judgement_grade": judgement.grade, "judgement_reason": judgement.reason or None}


def save_draft(
    user: User,
    audit: Audit,
    answers: Mapping[CriterionKey, Answer],
    version: int,
    criterion_types: Mapping[str, CriterionType],
    *,
    judgement: JudgementAnswer | None = None,
    remote_addr: str | None = None,
    via: str = "form",
) -> int:
    """Save ``answers`` (and ``judgement``, when given) over the draft; criteria not given
    keep their saved answers, and the saved judgement stays when none is given.

    Returns the draft's version after the save. Saving exactly what is already
    stored changes nothing and is never a conflict, even from an older page.
    A rating that fires an ``alert`` rule (the child is not safe now) alerts the
    service manager as soon as it is saved, not at submission.
    Raises ``VersionConflict``, ``ReadOnly``, ``NotAllowed`` or ``InvalidAnswers``.
    """
    _check_editable(user, audit)
    state = load_state(audit, criterion_types)
    problems = draft_problems(state.rubrics, answers, criterion_types, judgement)
    if problems:
        raise InvalidAnswers(problems, audit.version)
    merged = {**state.answers, **answers}
    judged = state.judgement if judgement is None else judgement
    before, after = _changes(state.answers, merged, state.keys)
    if judged != state.judgement:
        before["overall_judgement"] = state.judgement.as_dict()
        after["overall_judgement"] = judged.as_dict()
    if not after:
        return audit.version
    with database.atomic():
        new_version = _bump(audit, version, **_judgement_columns(judged))
        _write_ratings(state, merged)
        audit_trail.record("audit.draft_saved", actor=user, object_type="audit",
                           object_id=audit.public_id,
                           before={"version": version, "answers": before},
                           after={"version": new_version, "answers": after, "via": via},
                           remote_addr=remote_addr)
        raise_alerts(user, audit, alerts(state.rubrics, merged, case_type_of(audit)),
                     remote_addr=remote_addr)
    audit.version = new_version
    audit.judgement_grade, audit.judgement_reason = judged.grade, judged.reason or None
    return new_version


def calculated_preview(audit: Audit, state: AuditState, answers: Mapping[CriterionKey, Answer],
                       criterion_types: Mapping[str, CriterionType]) -> AuditScore | None:
    """The grade these answers would get, before any judgement of the auditor's: shown on
    the form once every criterion is answered, so a judgement is made knowing it."""
    if submit_problems(state.rubrics, answers, criterion_types):
        return None
    return score_audit(state.rubrics, answers, criterion_types, case_type=case_type_of(audit))


@dataclass(frozen=True)
class Submitted:
    audit: Audit
    score: AuditScore


def submit(
    user: User,
    audit: Audit,
    answers: Mapping[CriterionKey, Answer],
    version: int,
    criterion_types: Mapping[str, CriterionType],
    *,
    judgement: JudgementAnswer | None = None,
    remote_addr: str | None = None,
) -> Submitted:
    """Score and submit the audit, all or nothing.

    Incomplete answers are first kept as a draft (nothing typed is lost) and
    then refused with ``InvalidAnswers`` listing every field still to do. A
    judgement the rules do not allow is refused the same way, saying which rule.
    """
    _check_editable(user, audit)
    state = load_state(audit, criterion_types)
    merged = {**state.answers, **answers}
    judged = state.judgement if judgement is None else judgement
    case_type = case_type_of(audit)
    problems = submit_problems(state.rubrics, merged, criterion_types, judged,
                               case_type=case_type)
    if problems:
        new_version = version
        if not draft_problems(state.rubrics, answers, criterion_types, judgement):
            new_version = save_draft(user, audit, answers, version, criterion_types,
                                     judgement=judgement, remote_addr=remote_addr, via="submit")
        raise InvalidAnswers(problems, new_version)
    score = score_audit(state.rubrics, merged, criterion_types, case_type=case_type,
                        judgement=judged.as_judgement())
    explanation = explain(score)
    overall = score.overall
    grade = overall.grade
    before, after = _changes(state.answers, merged, state.keys)
    now = utcnow()
    with database.atomic():
        new_version = _bump(
            audit, version, status=AuditStatus.SUBMITTED, submitted_at=now,
            overall_grade=grade.id if grade else None, overall_score=overall.score,
            calculated_grade=overall.calculated_grade.id if overall.calculated_grade else None,
            effective_grade=grade.id if grade else None, effective_score=overall.score,
            result=explanation, **_judgement_columns(judged if overall.judged
                                                     else JudgementAnswer()),
        )
        _write_ratings(state, merged, final=True)
        for pinned, domain in zip(state.pinned, explanation["domains"], strict=True):
            domain_score = Decimal(domain["score"]) if domain["score"] else None
            domain_grade = domain["grade"]["id"] if domain["grade"] else None
            AuditRubric.update(
                score=domain_score, grade=domain_grade, explanation=domain,
                effective_score=domain_score, effective_grade=domain_grade,
            ).where(AuditRubric.id == pinned.audit_rubric.id).execute()
        audit_trail.record(
            "audit.submitted", actor=user, object_type="audit", object_id=audit.public_id,
            before={"version": version, "status": AuditStatus.DRAFT, "answers": before},
            after={"version": new_version, "status": AuditStatus.SUBMITTED, "answers": after,
                   "overall_grade": grade.id if grade else None,
                   "overall_score": explanation["overall"]["score"],
                   "calculated_grade": explanation["overall"]["calculated_grade"],
                   "judgement": explanation["overall"]["judgement"]},
            remote_addr=remote_addr,
        )
        raise_alerts(user, audit, alerts(state.rubrics, merged, case_type),
                     remote_addr=remote_addr)
        fresh = Audit.get_by_id(audit.id)
        _after_submit(user, fresh)
    return Submitted(fresh, score)


def _after_submit(user: User, audit: Audit) -> None:
    """Round progress, the practitioner's notice and any escalation (inside the transaction)."""
    if audit.kind == "moderation":
        # A moderation checks the auditor: the practitioner is not told, nothing escalates;
        # the quality leads hear that it is ready to adjudicate.
        moderation_notices.moderation_submitted(user, audit)
        return
    complete_round_if_done(audit)
    practitioner = user_for_staff(audit.practitioner_id)
    link = audit_link(audit)
    if practitioner is not None and practitioner.id != user.id:
        text = (
            f"{user.display_name} has submitted an audit of one of your cases. "
            f"Read it, add your response and acknowledge it: {link}"
        )
        outbox.enqueue(f"audit-submitted:{audit.public_id}", practitioner,
                       "An audit of your case is ready to read", text, None, link)
    if audit.effective_grade == INADEQUATE:
        escalate_inadequate(user, audit)
    if audit.reaudit_of_id is not None:
        previous = Audit.get_by_id(audit.reaudit_of_id)
        audit_trail.record("audit.reaudited", actor=user, object_type="audit",
                           object_id=audit.public_id,
                           after={"previous_audit": previous.public_id,
                                  "previous_grade": previous.effective_grade,
                                  "grade": audit.effective_grade})


def alert_recipients(audit: Audit) -> list[User]:
    """Who must act at once on an alert about this audit's child: the auditor's line manager
    (the service manager, for a team manager's audit) and the line managers of the case
    team's managers; when the service has no such person with a login, the quality leads."""
    staff_ids = []
    auditor = User.get_by_id(audit.auditor_id)
    if auditor.staff_id is not None:
        staff_ids.append(Staff.get_by_id(auditor.staff_id).line_manager_id)
    if audit.team_id is not None:
        staff_ids += [s.line_manager_id for s in Staff.select(Staff.line_manager).where(
            (Staff.team == audit.team_id) & (Staff.staff_role == "team_manager")
            & Staff.left_on.is_null())]
    wanted = [i for i in dict.fromkeys(staff_ids) if i is not None]
    people = list(User.select().where(User.staff.in_(wanted) & (User.is_active == True)  # noqa: E712
                                      & (User.id != auditor.id))) if wanted else []
    if not people:
        people = list(User.select().where((User.role == Role.QUALITY_LEAD.value)
                                          & (User.is_active == True)  # noqa: E712
                                          & (User.id != auditor.id)))
    return sorted(people, key=lambda u: u.id)


def raise_alerts(user: User, audit: Audit, fired: Sequence[Alert], *,
                 remote_addr: str | None = None) -> None:
    """Alert the service manager once per rule and audit (the outbox key makes it once).

    Inside the caller's transaction. The message carries a link only: no child id, no
    evidence, nothing that could identify the child outside the service.
    """
    if not fired:
        return
    link = audit_link(audit)
    raised = {event.after.get("rule") for event in Event.select(Event.after).where(
        (Event.action == "audit.alert_raised") & (Event.object_id == audit.public_id))}
    fired = [a for a in fired if f"{a.rubric_id}/{a.rule_id}" not in raised]
    recipients = alert_recipients(audit) if fired else []
    for alert in fired:
        for recipient in recipients:
            outbox.enqueue(
                f"audit-alert:{audit.public_id}:{alert.rule_id}:{recipient.id}", recipient,
                "Urgent: a case audit found a child or young person may not be safe",
                f"{user.display_name} recorded in a case audit: {alert.explanation}. "
                f"Act on it today under your safeguarding procedures. Read the audit: {link}",
                None, link)
        audit_trail.record(
            "audit.alert_raised", actor=user, object_type="audit", object_id=audit.public_id,
            after={"rule": f"{alert.rubric_id}/{alert.rule_id}",
                   "notified": [r.username for r in recipients]},
            remote_addr=remote_addr)


def user_for_staff(staff_id: int | None) -> User | None:
    if staff_id is None:
        return None
    return User.get_or_none((User.staff == staff_id) & (User.is_active == True))  # noqa: E712


def escalate_inadequate(user: User, audit: Audit, *, agreed: bool = False) -> None:
    """Mark the case for re-audit and tell the auditor's line manager: at submission, or when
    a moderation agrees an Inadequate grade (``agreed``; ``user`` then adjudicated)."""
    auditor = user if user.id == audit.auditor_id else User.get_by_id(audit.auditor_id)
    manager = None
    if auditor.staff_id is not None:
        line_manager_id = Staff.get_by_id(auditor.staff_id).line_manager_id
        manager = user_for_staff(line_manager_id)
    audit_trail.record("audit.escalated", actor=user, object_type="audit",
                       object_id=audit.public_id,
                       after={"grade": INADEQUATE, "reaudit": True, "agreed": agreed,
                              "notified": manager.username if manager else None})
    if manager is not None:
        link = audit_link(audit)
        who = ("A moderation agreed that a case audit by "
               f"{auditor.display_name} is Inadequate" if agreed
               else f"{auditor.display_name} graded a case audit Inadequate")
        text = f"{who}. The case will be re-audited in a later round. Read the audit: {link}"
        outbox.enqueue(f"audit-inadequate:{audit.public_id}", manager,
                       "A case audit was graded Inadequate", text, None, link)


def complete_round_if_done(audit: Audit) -> bool:
    """Mark the audit's round completed once every drawn (unreplaced) case is submitted."""
    if audit.round_case_id is None:
        return False
    round_id = RoundCase.get_by_id(audit.round_case_id).round_id
    if not is_sqlite():
        # Two last submits at once would each count the other's audit as a draft under READ
        # COMMITTED and leave the round open for good; the row lock makes the second recount.
        # (SQLite already serialises writers.)
        locked = SamplingRound.select(SamplingRound.id).where(SamplingRound.id == round_id)
        locked.for_update().execute()
    submitted = Audit.select(Audit.id).where(
        (Audit.round_case == RoundCase.id) & (Audit.status == AuditStatus.SUBMITTED)
    )
    outstanding = (
        RoundCase.select()
        .where((RoundCase.round == round_id) & RoundCase.replaced_at.is_null()
               & ~fn.EXISTS(submitted))
        .count()
    )
    if outstanding:
        return False
    now = utcnow()
    changed = (
        SamplingRound.update(status=RoundStatus.COMPLETED, completed_at=now)
        .where((SamplingRound.id == round_id) & (SamplingRound.status != RoundStatus.COMPLETED))
        .execute()
    )
    if changed:
        round_ = SamplingRound.get_by_id(round_id)
        audit_trail.record("round.completed", actor_label="system", object_type="round",
                           object_id=round_.public_id, after={"completed_at": now.isoformat()})
    return bool(changed)


# --- after submission ----------------------------------------------------------------


MAX_RESPONSE = 20_000


def _bump_submitted(audit: Audit, version: int, **changes) -> int:
    changed = (
        Audit.update(version=version + 1, updated_at=utcnow(), **changes)
        .where((Audit.id == audit.id) & (Audit.version == version)
               & (Audit.status == AuditStatus.SUBMITTED) & Audit.acknowledged_at.is_null())
        .execute()
    )
    if changed == 1:
        return version + 1
    current = Audit.get_by_id(audit.id)
    if current.acknowledged_at is not None:
        raise ReadOnly("This audit has been acknowledged; the response can no longer change.")
    raise VersionConflict(current, version, current.version)


def _check_practitioner(user: User, audit: Audit) -> None:
    if not is_practitioner(user, audit):
        raise NotAllowed("Only the practitioner whose case was audited can do this.")
    if audit.status != AuditStatus.SUBMITTED:
        raise ReadOnly("This audit has not been submitted yet.")
    if audit.acknowledged_at is not None:
        raise ReadOnly("This audit has been acknowledged; the response can no longer change.")


def respond(user: User, audit: Audit, text: str, version: int, *,
            remote_addr: str | None = None) -> int:
    """Save the practitioner's response to the audit. Returns the new version."""
    _check_practitioner(user, audit)
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidAnswers([FieldError("response", "Enter your response")], audit.version)
    if len(text) > MAX_RESPONSE:
        raise InvalidAnswers([FieldError(
            "response", f"Your response must be {MAX_RESPONSE:,} characters or fewer")],
            audit.version)
    with database.atomic():
        new_version = _bump_submitted(audit, version, response=text, responded_at=utcnow())
        audit_trail.record("audit.responded", actor=user, object_type="audit",
                           object_id=audit.public_id,
                           before={"version": version, "response": audit.response},
                           after={"version": new_version, "response": text},
                           remote_addr=remote_addr)
    return new_version


def acknowledge(user: User, audit: Audit, version: int, *,
                remote_addr: str | None = None) -> int:
    """The practitioner confirms they have read the audit; the response is then final."""
    _check_practitioner(user, audit)
    now = utcnow()
    with database.atomic():
        new_version = _bump_submitted(audit, version, acknowledged_at=now)
        audit_trail.record("audit.acknowledged", actor=user, object_type="audit",
                           object_id=audit.public_id,
                           before={"version": version, "acknowledged_at": None},
                           after={"version": new_version, "acknowledged_at": now.isoformat()},
                           remote_addr=remote_addr)
        auditor = User.get_by_id(audit.auditor_id)
        link = audit_link(audit)
        outbox.enqueue(f"audit-acknowledged:{audit.public_id}", auditor,
                       "A practitioner acknowledged your audit",
                       f"{user.display_name} has read and acknowledged your audit: {link}",
                       None, link)
    return new_version


def audits_of_round(round_: SamplingRound) -> dict[int, Audit]:
    """The audit of each of a round's cases, keyed by round case id (one query)."""
    rows = (
        Audit.select()
        .join(RoundCase, JOIN.INNER, on=(Audit.round_case == RoundCase.id))
        .where(RoundCase.round == round_.id)
    )
    return {a.round_case_id: a for a in rows}

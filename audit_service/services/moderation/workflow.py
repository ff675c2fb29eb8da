"""Moderation: a second, blind audit of a submitted audit, then an agreed grade.

Quality leads pick audits (or let a seeded random draw pick a share of each
month's audits) and assign a moderator: a quality lead or a supervisor who is
not the first auditor. The moderator audits through the normal form, on a
second ``Audit`` (kind "moderation") pinned to the same rubric versions as the
first, so the two can be compared criterion by criterion. Until the moderator
submits, ``audit_access`` hides the first audit from them everywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from peewee import JOIN, IntegrityError

from audit_service.domain.audits import CriterionKey, FieldError
from audit_service.domain.months import Month, MonthError
from audit_service.domain.rubrics import DEFAULT_GRADE_BANDS, DEFAULT_SCALE, CriterionType, Rubric
from audit_service.domain.rubrics.scoring import reads_as
from audit_service.domain.vocabulary import AuditStatus, Role
from audit_service.services.audits.access import MODERATION, blinded_ids, is_blinded
from audit_service.services.audits.lifecycle import (
    INADEQUATE,
    AuditState,
    audit_link,
    escalate_inadequate,
    load_state,
)
from audit_service.services.errors import Conflict, Invalid, NotAllowed, NotFound
from audit_service.services.platform import audit_trail, outbox
from audit_service.storage.database import database
from audit_service.storage.models import (
    Audit,
    AuditRubric,
    Case,
    Moderation,
    ModerationSetting,
    RubricDefinition,
    RubricVersion,
    Team,
    User,
    utcnow,
)

CHOSEN = "chosen"
RANDOM = "random"
MAX_NOTE = 5_000

# Where a moderation has got to, in order; the list filter uses the same names.
STATES = {
    "not_picked": "Not picked",
    "awaiting_moderator": "Waiting for a moderator",
    "in_moderation": "Being moderated",
    "ready": "Ready to adjudicate",
    "adjudicated": "Adjudicated",
}


class InvalidModeration(Invalid):
    """Input that cannot be saved; ``errors`` name each field."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(e.message for e in errors), errors)


class ModerationConflict(Conflict):
    """The moderation moved on since the page was read (already assigned, adjudicated...)."""


def period_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the month and of the next (naive UTC, as stored)."""
    try:
        return Month.parse(period).bounds()
    except MonthError:
        raise InvalidModeration([FieldError(
            "period", f"Enter the month as a year and month, like 2026-03, not “{period}”")]
        ) from None


def state_of(moderation: Moderation | None, moderation_audit: Audit | None = None) -> str:
    if moderation is None:
        return "not_picked"
    if moderation.adjudicated_at is not None:
        return "adjudicated"
    if moderation.moderation_audit_id is None:
        return "awaiting_moderator"
    audit = moderation_audit or Audit.get_by_id(moderation.moderation_audit_id)
    return "ready" if audit.status == AuditStatus.SUBMITTED else "in_moderation"


# --- the list quality leads pick from ------------------------------------------------------


@dataclass
class Row:
    audit: Audit
    case: Case
    team: Team | None
    auditor: User
    moderation: Moderation | None
    moderation_audit: Audit | None
    blinded: bool

    @property
    def state(self) -> str:
        return state_of(self.moderation, self.moderation_audit)

    @property
    def grade(self) -> str | None:
        """The first auditor's grade, unless the reader is moderating it blind."""
        return None if self.blinded else self.audit.overall_grade


def submitted_audits(user: User, *, period: str | None = None, team_id: int | None = None,
                     auditor_id: int | None = None, state: str | None = None,
                     limit: int = 200) -> list[Row]:
    """Submitted first audits with their moderation, newest first (one query)."""
    Moderator = Audit.alias()
    query = (
        Audit.select(Audit, Case, Team, User, Moderation)
        .join(Case, on=(Audit.case == Case.id), attr="case_row")
        .switch(Audit).join(Team, JOIN.LEFT_OUTER, on=(Audit.team == Team.id), attr="team_row")
        .switch(Audit).join(User, on=(Audit.auditor == User.id), attr="auditor_row")
        .switch(Audit).join(Moderation, JOIN.LEFT_OUTER, on=(Moderation.audit == Audit.id),
                            attr="moderation_row")
        .join(Moderator, JOIN.LEFT_OUTER, on=(Moderation.moderation_audit == Moderator.id))
        .where((Audit.status == AuditStatus.SUBMITTED) & (Audit.kind != MODERATION))
        .order_by(Audit.submitted_at.desc(), Audit.id.desc())
    )
    if period:
        start, end = period_bounds(period)
        query = query.where((Audit.submitted_at >= start) & (Audit.submitted_at < end))
    if team_id is not None:
        query = query.where(Audit.team == team_id)
    if auditor_id is not None:
        query = query.where(Audit.auditor == auditor_id)
    if state == "not_picked":
        query = query.where(Moderation.id.is_null())
    elif state == "awaiting_moderator":
        query = query.where(Moderation.id.is_null(False) & Moderation.moderation_audit.is_null())
    elif state == "in_moderation":
        query = query.where(Moderator.status == AuditStatus.DRAFT)
    elif state == "ready":
        query = query.where((Moderator.status == AuditStatus.SUBMITTED)
                            & Moderation.adjudicated_at.is_null())
    elif state == "adjudicated":
        query = query.where(Moderation.adjudicated_at.is_null(False))
    audits = list(query.limit(limit))
    moderations = {}
    for audit in audits:
        row = getattr(audit, "moderation_row", None)
        if row is not None and row.id is not None:
            moderations[audit.id] = row
    second_ids = [m.moderation_audit_id for m in moderations.values() if m.moderation_audit_id]
    seconds = {a.id: a for a in Audit.select().where(Audit.id.in_(second_ids))} \
        if second_ids else {}
    hidden = {row.moderates_id for row in blinded_ids(user)}
    rows = []
    for audit in audits:
        moderation = moderations.get(audit.id)
        second = seconds.get(moderation.moderation_audit_id) if moderation else None
        team = getattr(audit, "team_row", None)
        rows.append(Row(audit, audit.case_row, team if team and team.id else None,
                        audit.auditor_row, moderation, second, audit.id in hidden))
    return rows


def my_moderations(user: User) -> list[tuple[Moderation, Audit, Case]]:
    """The moderations ``user`` has been asked to carry out, open ones first."""
    rows = (
        Moderation.select(Moderation, Audit, Case)
        .join(Audit, on=(Moderation.moderation_audit == Audit.id))
        .join(Case, on=(Audit.case == Case.id))
        .where(Moderation.moderator == user.id)
        .order_by(Audit.status, Moderation.assigned_at.desc())
    )
    return [(m, m.moderation_audit, m.moderation_audit.case) for m in rows]


def get(public_id: str) -> Moderation:
    found = Moderation.get_or_none(Moderation.public_id == public_id)
    if found is None:
        raise NotFound("There is no moderation at this address.")
    return found


# --- picking ---------------------------------------------------------------------------


def _first_audit(public_id: str) -> Audit:
    audit = Audit.get_or_none(Audit.public_id == public_id)
    if audit is None:
        raise NotFound("There is no audit with that id.")
    if audit.kind == MODERATION:
        raise InvalidModeration([FieldError("audit", "A moderation cannot itself be moderated")])
    if audit.status != AuditStatus.SUBMITTED:
        raise InvalidModeration([FieldError(
            "audit", "Only a submitted audit can be moderated")])
    return audit


def pick(user: User, audit_public_id: str, *, remote_addr: str | None = None) -> Moderation:
    """A quality lead chooses this audit for moderation (once: a second pick conflicts)."""
    audit = _first_audit(audit_public_id)
    try:
        with database.atomic():
            moderation = Moderation.create(
                audit=audit, period=str(Month.of(audit.submitted_at)), source=CHOSEN,
                reason=f"Chosen by {user.display_name}", picked_by=user)
            audit_trail.record("moderation.picked", actor=user, object_type="moderation",
                               object_id=moderation.public_id,
                               after={"audit": audit.public_id, "source": CHOSEN},
                               remote_addr=remote_addr)
    except IntegrityError:
        raise ModerationConflict("This audit has already been picked for moderation.") from None
    return moderation


def current_setting() -> ModerationSetting | None:
    return ModerationSetting.select().order_by(ModerationSetting.id.desc()).first()


def set_share(user: User, raw: object, *, remote_addr: str | None = None) -> ModerationSetting:
    """A new version of the random share (0 turns the draw off). The seed is new each time."""
    text = str(raw if raw is not None else "").strip().rstrip("%").strip()
    if not text.isdigit() or not 0 <= int(text) <= 100:
        raise InvalidModeration([FieldError(
            "share", "Enter the share as a whole number of percent from 0 to 100")])
    previous = current_setting()
    setting = ModerationSetting.create(share_percent=int(text), seed=secrets.token_hex(8),
                                       created_by=user.username)
    audit_trail.record("moderation.share_set", actor=user, object_type="moderation_setting",
                       object_id=setting.id,
                       before={"share_percent": previous.share_percent} if previous else None,
                       after={"share_percent": setting.share_percent, "seed": setting.seed},
                       remote_addr=remote_addr)
    return setting


def _draw_key(seed: str, period: str, audit: Audit) -> str:
    return hashlib.sha256(f"{seed}:{period}:{audit.public_id}".encode()).hexdigest()


@dataclass(frozen=True)
class SampleReport:
    period: str
    share_percent: int
    eligible: int
    target: int
    picked: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.picked)} picked for moderation from {self.eligible} audits "
                f"submitted in {self.period} (share {self.share_percent}%, target "
                f"{self.target})")


def pick_moderation_sample(period: str, *, actor: User | None = None,
                           actor_label: str = "scheduler") -> SampleReport:
    """Draw the month's random share of submitted audits for moderation: the scheduler's job.

    The draw is seeded (setting seed, period, audit id hashed), so it can be
    re-run and checked; running it again only tops the random picks up to the
    target (audits chosen by hand do not count towards it) and never unpicks.
    """
    setting = current_setting()
    start, end = period_bounds(period)
    if setting is None or setting.share_percent == 0:
        return SampleReport(period, 0, 0, 0)
    eligible = list(Audit.select().where(
        (Audit.status == AuditStatus.SUBMITTED) & (Audit.kind != MODERATION)
        & (Audit.submitted_at >= start) & (Audit.submitted_at < end)))
    target = math.ceil(len(eligible) * setting.share_percent / 100)
    already = {m.audit_id: m for m in Moderation.select().where(
        Moderation.audit.in_([a.id for a in eligible]))} if eligible else {}
    random_count = sum(1 for m in already.values() if m.source == RANDOM)
    ordered = sorted((a for a in eligible if a.id not in already),
                     key=lambda a: _draw_key(setting.seed, period, a))
    picked = []
    for audit in ordered[:max(0, target - random_count)]:
        reason = (f"Drawn at random: {setting.share_percent}% of the {len(eligible)} audits "
                  f"submitted in {period} (seed {setting.seed})")
        try:
            with database.atomic():
                moderation = Moderation.create(audit=audit, period=period, source=RANDOM,
                                               reason=reason, picked_by=actor)
                audit_trail.record("moderation.picked", actor=actor,
                                   actor_label=None if actor else actor_label,
                                   object_type="moderation", object_id=moderation.public_id,
                                   after={"audit": audit.public_id, "source": RANDOM,
                                          "seed": setting.seed, "period": period})
        except IntegrityError:
            continue  # picked by hand (or by another run) meanwhile
        picked.append(moderation.public_id)
    return SampleReport(period, setting.share_percent, len(eligible), target, picked)


# --- assigning a moderator -------------------------------------------------------------


def moderator_choices(audit: Audit) -> list[User]:
    """Quality leads and supervisors who may moderate: never the first auditor."""
    query = (User.select()
             .where(User.role.in_([Role.QUALITY_LEAD.value, Role.SUPERVISOR.value])
                    & (User.is_active == True)  # noqa: E712
                    & (User.id != audit.auditor_id))
             .order_by(User.display_name, User.username))
    if audit.practitioner_id is not None:
        query = query.where((User.staff.is_null()) | (User.staff != audit.practitioner_id))
    return list(query)


def assign(user: User, moderation: Moderation, moderator_key: str | int | None,
           *, remote_addr: str | None = None) -> Audit:
    """Create the moderator's blind draft, pinned to the first audit's rubric versions."""
    first = Audit.get_by_id(moderation.audit_id)
    choices = moderator_choices(first)
    key = str(moderator_key or "").strip()
    moderator = next((u for u in choices if key in (str(u.id), u.username)), None)
    if moderator is None:
        message = ("The first auditor cannot moderate their own audit"
                   if key in (str(first.auditor_id), User.get_by_id(first.auditor_id).username)
                   else "Select a quality lead or team manager to moderate this audit")
        raise InvalidModeration([FieldError("moderator", message)])
    if moderation.moderation_audit_id is not None:
        raise ModerationConflict("A moderator has already been assigned to this audit.")
    pinned = list(AuditRubric.select().where(AuditRubric.audit == first.id)
                  .order_by(AuditRubric.position, AuditRubric.id))
    with database.atomic():
        second = Audit.create(case=first.case_id, kind=MODERATION, moderates=first,
                              auditor=moderator, practitioner=first.practitioner_id,
                              team=first.team_id)
        AuditRubric.insert_many([
            {"audit": second.id, "rubric_version": p.rubric_version_id, "position": p.position}
            for p in pinned
        ]).execute()
        changed = (Moderation.update(moderator=moderator, moderation_audit=second,
                                     assigned_by=user, assigned_at=utcnow())
                   .where((Moderation.id == moderation.id)
                          & Moderation.moderation_audit.is_null())
                   .execute())
        if changed != 1:
            raise ModerationConflict("A moderator has already been assigned to this audit.")
        audit_trail.record("moderation.assigned", actor=user, object_type="moderation",
                           object_id=moderation.public_id,
                           after={"moderator": moderator.username, "audit": first.public_id,
                                  "moderation_audit": second.public_id},
                           remote_addr=remote_addr)
        link = audit_link(second)
        outbox.enqueue(f"moderation-assigned:{moderation.public_id}", moderator,
                       "You have been asked to moderate an audit",
                       f"{user.display_name} has asked you to moderate an audit. Audit the "
                       f"case blind (the first audit is hidden until you submit): {link}",
                       None, link)
    moderation.moderation_audit = second
    moderation.moderator = moderator
    return second


# --- comparing and adjudicating --------------------------------------------------------------


@dataclass(frozen=True)
class CriterionComparison:
    key: CriterionKey
    rubric_title: str
    number: int
    prompt: str
    first: str | None
    second: str | None
    first_label: str
    second_label: str
    first_evidence: str
    second_evidence: str

    @property
    def differs(self) -> bool:
        return self.first != self.second


@dataclass(frozen=True)
class Comparison:
    first: Audit
    second: Audit
    rubrics: list[Rubric]
    criteria: list[CriterionComparison]
    grades: list[tuple[str, str]]  # (id, label), best first
    first_domains: dict[str, str | None]
    second_domains: dict[str, str | None]

    @property
    def differences(self) -> int:
        return sum(1 for c in self.criteria if c.differs)


def _label(state: AuditState, key: CriterionKey, types: Mapping[str, CriterionType]) -> str:
    answer = state.answers.get(key)
    if answer is None:
        return "Not answered"
    if answer.not_applicable:
        return "Not applicable"
    rubric = state.rubrics[key.rubric_id]
    criterion = rubric.criterion(key.criterion_id)
    kind = types.get(criterion.type)
    labels = {o.value: o.label for o in kind.options(rubric.scale)} if kind else {}
    return labels.get(answer.rating or "", answer.rating or "Not answered")


def _value(state: AuditState, key: CriterionKey) -> str | None:
    answer = state.answers.get(key)
    if answer is None:
        return None
    return "n/a" if answer.not_applicable else answer.rating


def grades_of(state: AuditState) -> list[tuple[str, str]]:
    """The grade levels, best first, from the first pinned rubric's scale."""
    if not state.pinned:
        return []
    return [(level.id, level.label) for level in state.pinned[0].rubric.scale.levels]


def compare(moderation: Moderation, types: Mapping[str, CriterionType]) -> Comparison:
    """Both audits side by side per criterion. Only once the moderation is submitted."""
    if moderation.moderation_audit_id is None:
        raise ModerationConflict("No moderator has been assigned yet.")
    second = Audit.get_by_id(moderation.moderation_audit_id)
    if second.status != AuditStatus.SUBMITTED:
        raise ModerationConflict("The moderator has not submitted their audit yet.")
    first = Audit.get_by_id(moderation.audit_id)
    one, two = load_state(first, types), load_state(second, types)
    criteria = []
    for pinned in one.pinned:
        rubric = pinned.rubric
        for number, criterion in enumerate(rubric.criteria, start=1):
            key = CriterionKey(rubric.id, criterion.id)
            criteria.append(CriterionComparison(
                key, rubric.title, number, criterion.prompt, _value(one, key), _value(two, key),
                _label(one, key, types), _label(two, key, types),
                one.answers[key].evidence if key in one.answers else "",
                two.answers[key].evidence if key in two.answers else ""))
    return Comparison(first, second, [p.rubric for p in one.pinned], criteria, grades_of(one),
                      {p.rubric.id: p.audit_rubric.grade for p in one.pinned},
                      {p.rubric.id: p.audit_rubric.grade for p in two.pinned})


def adjudicate(user: User, moderation: Moderation, agreed_grade: str | None,
               agreed_domains: Mapping[str, str | None], note: str | None,
               types: Mapping[str, CriterionType], *, remote_addr: str | None = None) -> Moderation:
    """Record the agreed grade (overall and, if given, per domain) with the reasons."""
    comparison = compare(moderation, types)
    grade_ids = [g for g, _ in comparison.grades]
    rubric_ids = [r.id for r in comparison.rubrics]
    errors = []
    grade = (agreed_grade or "").strip()
    if grade not in grade_ids:
        errors.append(FieldError("agreed_grade", "Select the agreed overall grade"))
    domains = {}
    for rubric_id, value in agreed_domains.items():
        value = (value or "").strip()
        if rubric_id not in rubric_ids:
            errors.append(FieldError(f"domain-{rubric_id}",
                                     f"“{rubric_id}” is not one of this audit's rubrics"))
        elif value and value not in grade_ids:
            errors.append(FieldError(f"domain-{rubric_id}",
                                     f"Select a grade for {rubric_id} or leave it blank"))
        elif value:
            domains[rubric_id] = value
    text = (note or "").replace("\r\n", "\n").strip()
    if not text:
        errors.append(FieldError("note", "Enter a note explaining the agreed grade"))
    elif len(text) > MAX_NOTE:
        errors.append(FieldError("note", f"The note must be {MAX_NOTE:,} characters or fewer"))
    if errors:
        raise InvalidModeration(errors)
    first = comparison.first
    with database.atomic():
        changed = (Moderation.update(agreed_grade=grade, agreed_domains=domains or None,
                                     note=text, adjudicated_by=user, adjudicated_at=utcnow())
                   .where((Moderation.id == moderation.id)
                          & Moderation.adjudicated_at.is_null())
                   .execute())
        if changed != 1:
            raise ModerationConflict("This moderation has already been adjudicated.")
        before_grade = first.effective_grade
        _make_effective(comparison, grade, domains)
        audit_trail.record(
            "moderation.adjudicated", actor=user, object_type="moderation",
            object_id=moderation.public_id,
            after={"agreed_grade": grade, "agreed_domains": domains, "note": text,
                   "first_grade": first.overall_grade,
                   "moderation_grade": comparison.second.overall_grade,
                   "effective_grade": {"before": before_grade, "after": grade},
                   "criteria_differing": comparison.differences},
            remote_addr=remote_addr)
        if grade == INADEQUATE and before_grade != INADEQUATE:
            escalate_inadequate(user, Audit.get_by_id(first.id), agreed=True)
    return Moderation.get_by_id(moderation.id)


def _make_effective(comparison: Comparison, grade: str,
                    domains: Mapping[str, str]) -> None:
    """Moderation decides: the agreed grades become the first audit's effective grades.

    A score stays beside an agreed grade only where it still reads as that grade (the
    first auditor's, else the moderator's); otherwise no score is shown, never a number
    that contradicts the grade.
    """
    first, second = comparison.first, comparison.second
    score = next((s for s in (first.overall_score, second.overall_score)
                  if reads_as(s, grade, DEFAULT_GRADE_BANDS, DEFAULT_SCALE)), None)
    Audit.update(effective_grade=grade, effective_score=score).where(
        Audit.id == first.id).execute()
    if not domains:
        return
    rubrics = {rubric.id: rubric for rubric in comparison.rubrics}
    rows: dict[tuple[int, str], AuditRubric] = {
        (row.audit_id, row.rubric_version.rubric.rubric_id): row for row in (
            AuditRubric.select(AuditRubric, RubricVersion, RubricDefinition)
            .join(RubricVersion).join(RubricDefinition)
            .where(AuditRubric.audit.in_([first.id, second.id])))}
    for rubric_id, domain_grade in domains.items():
        rubric, mine = rubrics[rubric_id], rows[(first.id, rubric_id)]
        theirs = rows.get((second.id, rubric_id))
        kept = next((s for s in (mine.score, theirs.score if theirs else None)
                     if reads_as(s, domain_grade, rubric.grade_bands, rubric.scale)), None)
        AuditRubric.update(effective_grade=domain_grade, effective_score=kept).where(
            AuditRubric.id == mine.id).execute()


def may_see_first(user: User, moderation: Moderation) -> bool:
    """False while ``user`` moderates this audit blind."""
    return not is_blinded(user, Audit.get_by_id(moderation.audit_id))


def require_writer(user: User) -> None:
    if user.role not in (Role.QUALITY_LEAD.value, Role.ADMIN.value):
        raise NotAllowed("Only quality leads and administrators manage moderation.")

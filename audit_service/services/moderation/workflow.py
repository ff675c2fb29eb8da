"""Moderation: a second, blind audit of a submitted audit, then an agreed grade.

Quality leads pick audits (or let a seeded random draw pick a share of each
month's audits) and assign a moderator: a quality lead or a supervisor who is
not the first auditor. The moderator audits through the normal form, on a
second ``Audit`` (kind "moderation") pinned to the same rubric versions as the
first, so the two can be compared criterion by criterion. Until the moderator
submits, ``audit_access`` hides the first audit from them everywhere.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Mapping

from peewee import JOIN, IntegrityError

from audit_service.domain.audits import CriterionKey, FieldError
from audit_service.domain.months import Month
from audit_service.domain.rubrics import DEFAULT_GRADE_BANDS, DEFAULT_SCALE, CriterionType
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
from audit_service.services.errors import NotFound
from audit_service.services.moderation.periods import period_bounds
from audit_service.services.moderation.rules import (
    InvalidModeration,
    ModerationConflict,
    manages,
)
from audit_service.services.moderation.views import (
    STATES,
    Comparison,
    CriterionComparison,
    ModerationIndex,
    ModerationPage,
    ModerationView,
    MyModeration,
    Person,
    QueueRow,
    SampleReport,
    ShareSetting,
    TeamChoice,
)
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


def state_of(moderation: Moderation | None, moderation_audit: Audit | None = None) -> str:
    if moderation is None:
        return "not_picked"
    if moderation.adjudicated_at is not None:
        return "adjudicated"
    if moderation.moderation_audit_id is None:
        return "awaiting_moderator"
    audit = moderation_audit or Audit.get_by_id(moderation.moderation_audit_id)
    return "ready" if audit.status == AuditStatus.SUBMITTED else "in_moderation"


def _joined(row):
    """A LEFT OUTER joined row, or None where the join found nothing."""
    return row if row is not None and row.id is not None else None


def _person(user: User) -> Person:
    return Person(user.id, user.username, user.display_name, user.role)


# --- the list quality leads pick from ------------------------------------------------------


def submitted_audits(user: User, *, period: str | None = None, team_id: int | None = None,
                     auditor_id: int | None = None, state: str | None = None,
                     limit: int = 200) -> list[QueueRow]:
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
    moderations = {audit.id: _joined(getattr(audit, "moderation_row", None))
                   for audit in audits}
    second_ids = [m.moderation_audit_id for m in moderations.values()
                  if m is not None and m.moderation_audit_id]
    seconds = {a.id: a for a in Audit.select().where(Audit.id.in_(second_ids))} \
        if second_ids else {}
    hidden = {row.moderates_id for row in blinded_ids(user)}
    rows = []
    for audit in audits:
        moderation = moderations[audit.id]
        second = seconds.get(moderation.moderation_audit_id) if moderation else None
        team = _joined(getattr(audit, "team_row", None))
        blinded = audit.id in hidden
        rows.append(QueueRow(
            audit.public_id, audit.case_row.child_id, audit.case_row.case_type,
            team.name if team else None, audit.auditor_row.display_name, audit.submitted_at,
            None if blinded else audit.overall_grade, blinded, state_of(moderation, second),
            moderation.public_id if moderation else None))
    return rows


def _whole_number(raw: str | None) -> int | None:
    """A filter's id as typed in the address, or None (no filter) if it is no id."""
    text = (raw or "").strip()
    return int(text) if text.isdecimal() and len(text) < 10 else None


def moderation_index(user: User, *, period: str | None = None, team: str | None = None,
                     auditor: str | None = None, state: str | None = None) -> ModerationIndex:
    """The moderation page for ``user``, its list filtered as typed in the address; a
    month that cannot be read is reported in ``ignored`` and the list shown unfiltered."""
    mine, setting = my_moderations(user), share_setting()
    if not manages(user):
        return ModerationIndex(False, mine, setting)
    ignored: list[FieldError] = []
    if period:
        try:
            period_bounds(period)
        except InvalidModeration as exc:
            ignored, period = exc.errors, None
    rows = submitted_audits(user, period=period or None, team_id=_whole_number(team),
                            auditor_id=_whole_number(auditor),
                            state=state if state in STATES else None)
    teams = [TeamChoice(t.id, t.name) for t in Team.select().order_by(Team.name)]
    auditors = [_person(u) for u in User.select().where(User.role == Role.SUPERVISOR.value)
                .order_by(User.display_name)]
    return ModerationIndex(True, mine, setting, rows, teams, auditors, ignored)


def my_moderations(user: User) -> list[MyModeration]:
    """The moderations ``user`` has been asked to carry out, open ones first."""
    rows = (
        Moderation.select(Moderation, Audit, Case)
        .join(Audit, on=(Moderation.moderation_audit == Audit.id))
        .join(Case, on=(Audit.case == Case.id))
        .where(Moderation.moderator == user.id)
        .order_by(Audit.status, Moderation.assigned_at.desc())
    )
    return [MyModeration(m.moderation_audit.public_id, m.moderation_audit.case.child_id,
                         m.moderation_audit.case.case_type,
                         m.moderation_audit.status == AuditStatus.SUBMITTED) for m in rows]


def get(public_id: str) -> Moderation:
    found = Moderation.get_or_none(Moderation.public_id == public_id)
    if found is None:
        raise NotFound("There is no moderation at this address.")
    return found


# --- one moderation, as pages and the API show it ----------------------------------------------


def _view(reader: User, moderation: Moderation, first: Audit, case: Case, auditor: User,
          second: Audit | None, moderator: User | None, *, blinded: bool,
          comparison: Comparison | None = None) -> ModerationView:
    # Whoever reads a moderation before the moderator has submitted may yet be its moderator
    # (a quality lead picks an audit, then assigns themselves): the first grade waits.
    compared = second is not None and second.status == AuditStatus.SUBMITTED
    withheld = blinded or not compared
    return ModerationView(
        id=moderation.public_id, audit=first.public_id, period=moderation.period,
        source=moderation.source, reason=moderation.reason, state=state_of(moderation, second),
        first_grade=None if withheld else first.overall_grade, blinded=blinded,
        first_grade_withheld=withheld,
        child_id=case.child_id, case_type=case.case_type, first_auditor=auditor.display_name,
        moderator=moderator.username if moderator else None,
        moderator_name=moderator.display_name if moderator else None,
        moderation_audit=second.public_id if second else None,
        moderation_grade=second.overall_grade if second else None,
        moderating=(second is not None and second.auditor_id == reader.id
                    and second.status != AuditStatus.SUBMITTED),
        agreed_grade=moderation.agreed_grade, agreed_domains=moderation.agreed_domains,
        note=moderation.note, adjudicated_at=moderation.adjudicated_at, comparison=comparison)


def _load(reader: User, moderation: Moderation,
          types: Mapping[str, CriterionType] | None) -> tuple[ModerationView, Audit]:
    """The view of one moderation, and its first audit (a page offers moderators for it)."""
    first = Audit.get_by_id(moderation.audit_id)
    case = Case.get_by_id(first.case_id)
    second = (Audit.get_by_id(moderation.moderation_audit_id)
              if moderation.moderation_audit_id else None)
    moderator = User.get_by_id(moderation.moderator_id) if moderation.moderator_id else None
    comparison = None
    if types is not None and second is not None and second.status == AuditStatus.SUBMITTED:
        comparison = _compare(first, second, types)
    view = _view(reader, moderation, first, case, User.get_by_id(first.auditor_id), second,
                 moderator, blinded=is_blinded(reader, first), comparison=comparison)
    return view, first


def moderation_view(reader: User, public_id: str,
                    types: Mapping[str, CriterionType] | None = None) -> ModerationView:
    """One moderation; given the criterion ``types``, with both audits compared once the
    moderator has submitted."""
    view, _first = _load(reader, get(public_id), types)
    return view


def moderation_page(reader: User, public_id: str,
                    types: Mapping[str, CriterionType]) -> ModerationPage:
    """One moderation, compared when it can be, with whom it may still be assigned to."""
    view, first = _load(reader, get(public_id), types)
    moderators = [] if view.moderation_audit else [_person(u) for u in moderator_choices(first)]
    return ModerationPage(view, moderators)


def moderation_list(reader: User, *, period: str | None = None, state: str | None = None,
                    limit: int = 500) -> list[ModerationView]:
    """Picked audits, newest pick first, of one month and in one state if asked (one query
    for the moderations, one for what the reader moderates blind)."""
    First, Second, Moderator = Audit.alias(), Audit.alias(), User.alias()
    query = (
        Moderation.select(Moderation, First, Case, User, Second, Moderator)
        .join(First, on=(Moderation.audit == First.id), attr="first_row")
        .join(Case, on=(First.case == Case.id), attr="case_row")
        .switch(First).join(User, on=(First.auditor == User.id), attr="auditor_row")
        .switch(Moderation).join(Second, JOIN.LEFT_OUTER,
                                 on=(Moderation.moderation_audit == Second.id), attr="second_row")
        .switch(Moderation).join(Moderator, JOIN.LEFT_OUTER,
                                 on=(Moderation.moderator == Moderator.id), attr="moderator_row")
        .order_by(Moderation.picked_at.desc(), Moderation.id.desc())
    )
    if period:
        query = query.where(Moderation.period == period)
    hidden = {row.moderates_id for row in blinded_ids(reader)}
    views = []
    for moderation in query.limit(limit):
        first = moderation.first_row
        views.append(_view(reader, moderation, first, first.case_row, first.auditor_row,
                           _joined(getattr(moderation, "second_row", None)),
                           _joined(getattr(moderation, "moderator_row", None)),
                           blinded=first.id in hidden))
    return [view for view in views if state is None or view.state == state]


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


def pick(user: User, audit_public_id: str, *, remote_addr: str | None = None) -> ModerationView:
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
    return _load(user, moderation, None)[0]


def _setting(row: ModerationSetting | None) -> ShareSetting:
    if row is None:
        return ShareSetting()
    return ShareSetting(row.share_percent, row.seed, row.created_at, row.created_by)


def share_setting() -> ShareSetting:
    """The share in force: the newest version, or none (0%) before any was set."""
    return _setting(ModerationSetting.select().order_by(ModerationSetting.id.desc()).first())


def set_share(user: User, raw: object, *, remote_addr: str | None = None) -> ShareSetting:
    """A new version of the random share (0 turns the draw off). The seed is new each time."""
    text = str(raw if raw is not None else "").strip().rstrip("%").strip()
    if not text.isdigit() or not 0 <= int(text) <= 100:
        raise InvalidModeration([FieldError(
            "share", "Enter the share as a whole number of percent from 0 to 100")])
    previous = share_setting()
    setting = ModerationSetting.create(share_percent=int(text), seed=secrets.token_hex(8),
                                       created_by=user.username)
    audit_trail.record("moderation.share_set", actor=user, object_type="moderation_setting",
                       object_id=setting.id,
                       before={"share_percent": previous.share_percent}
                       if previous.is_set else None,
                       after={"share_percent": setting.share_percent, "seed": setting.seed},
                       remote_addr=remote_addr)
    return _setting(setting)


def _draw_key(seed: str, period: str, audit: Audit) -> str:
    return hashlib.sha256(f"{seed}:{period}:{audit.public_id}".encode()).hexdigest()


def pick_moderation_sample(period: str, *, actor: User | None = None,
                           actor_label: str = "scheduler") -> SampleReport:
    """Draw the month's random share of submitted audits for moderation: the scheduler's job.

    The draw is seeded (setting seed, period, audit id hashed), so it can be
    re-run and checked; running it again only tops the random picks up to the
    target (audits chosen by hand do not count towards it) and never unpicks.
    """
    setting = share_setting()
    start, end = period_bounds(period)
    if setting.share_percent == 0:
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


def assign(user: User, public_id: str, moderator_key: str | int | None,
           *, remote_addr: str | None = None) -> ModerationView:
    """Create the moderator's blind draft, pinned to the first audit's rubric versions."""
    moderation = get(public_id)
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
    return _load(user, get(public_id), None)[0]


# --- comparing and adjudicating --------------------------------------------------------------


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


def _compare(first: Audit, second: Audit, types: Mapping[str, CriterionType]) -> Comparison:
    """Both audits side by side per criterion (the moderator's is submitted)."""
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
    return Comparison([p.rubric for p in one.pinned], criteria, grades_of(one),
                      {p.rubric.id: p.audit_rubric.grade for p in one.pinned},
                      {p.rubric.id: p.audit_rubric.grade for p in two.pinned})


def _submitted_pair(moderation: Moderation) -> tuple[Audit, Audit]:
    """The first audit and the moderator's, which must be submitted to be compared."""
    if moderation.moderation_audit_id is None:
        raise ModerationConflict("No moderator has been assigned yet.")
    second = Audit.get_by_id(moderation.moderation_audit_id)
    if second.status != AuditStatus.SUBMITTED:
        raise ModerationConflict("The moderator has not submitted their audit yet.")
    return Audit.get_by_id(moderation.audit_id), second


def adjudicate(user: User, public_id: str, agreed_grade: str | None,
               agreed_domains: Mapping[str, str | None], note: str | None,
               types: Mapping[str, CriterionType], *,
               remote_addr: str | None = None) -> ModerationView:
    """Record the agreed grade (overall and, if given, per domain) with the reasons."""
    moderation = get(public_id)
    first, second = _submitted_pair(moderation)
    comparison = _compare(first, second, types)
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
    with database.atomic():
        changed = (Moderation.update(agreed_grade=grade, agreed_domains=domains or None,
                                     note=text, adjudicated_by=user, adjudicated_at=utcnow())
                   .where((Moderation.id == moderation.id)
                          & Moderation.adjudicated_at.is_null())
                   .execute())
        if changed != 1:
            raise ModerationConflict("This moderation has already been adjudicated.")
        before_grade = first.effective_grade
        _make_effective(comparison, first, second, grade, domains)
        audit_trail.record(
            "moderation.adjudicated", actor=user, object_type="moderation",
            object_id=moderation.public_id,
            after={"agreed_grade": grade, "agreed_domains": domains, "note": text,
                   "first_grade": first.overall_grade,
                   "moderation_grade": second.overall_grade,
                   "effective_grade": {"before": before_grade, "after": grade},
                   "criteria_differing": comparison.differences},
            remote_addr=remote_addr)
        if grade == INADEQUATE and before_grade != INADEQUATE:
            escalate_inadequate(user, Audit.get_by_id(first.id), agreed=True)
    return _load(user, get(public_id), types)[0]


def _make_effective(comparison: Comparison, first: Audit, second: Audit, grade: str,
                    domains: Mapping[str, str]) -> None:
    """Moderation decides: the agreed grades become the first audit's effective grades.

    A score stays beside an agreed grade only where it still reads as that grade (the
    first auditor's, else the moderator's); otherwise no score is shown, never a number
    that contradicts the grade.
    """
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

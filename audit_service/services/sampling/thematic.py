"""Thematic audits in the database: define a cohort, draw a seeded sample, pin rubrics,
assign auditors, and open each case's audit in the normal audit journey.

The draw uses the installed sampling strategy plugins and stores the seed, the
cohort size and each case's reason, so anyone can check (and repeat) it. Each
assigned case gets an ordinary ``Audit`` (``kind="thematic"``) pinned to the
chosen rubric versions, which its auditor completes at ``/audits/<id>``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from peewee import JOIN, IntegrityError

from audit_service.domain.sampling import DrawContext, PopulationCase, SamplingStrategy
from audit_service.domain.sampling.strategy import check_drawn
from audit_service.domain.sampling.thematic import MAX_SAMPLE, CohortError, CohortFilters, cohort
from audit_service.domain.vocabulary import (
    AuditStatus,
    CaseStatus,
    Role,
    ThematicStatus,
)
from audit_service.plugins.registries import Registry, UnknownPlugin
from audit_service.services.cases.facts import case_facts
from audit_service.services.errors import Invalid, NotFound
from audit_service.services.platform import audit_trail
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.services.sampling.views import (
    AssignedAudit,
    AuditorChoice,
    CaseRef,
    CohortPreview,
    Organisation,
    RubricRef,
    ThematicCaseView,
    ThematicView,
    ThematicWorkspace,
)
from audit_service.storage.database import database
from audit_service.storage.models import (
    Audit,
    AuditRubric,
    Case,
    RubricDefinition,
    RubricVersion,
    Service,
    Team,
    ThematicAudit,
    ThematicCase,
    User,
    utcnow,
)

THEMATIC = "thematic"
AUDITOR_ROLES = (Role.SUPERVISOR.value, Role.QUALITY_LEAD.value)


class ThematicError(Invalid):
    """A refusal; ``errors`` name each form field, in words written for the quality lead."""

    def __init__(self, errors: Mapping[str, str], message: str | None = None):
        super().__init__(message or "; ".join(errors.values()), errors)


class InvalidCohort(Invalid):
    """Filters no cohort can have; ``errors`` name each filter."""


def cohort_filters(data: Mapping[str, Any]) -> CohortFilters:
    """The filters a form or a request gives, checked."""
    try:
        return CohortFilters.from_mapping(data)
    except CohortError as exc:
        raise InvalidCohort(str(exc), exc.errors) from None


def _found(public_id: str) -> ThematicAudit:
    found = ThematicAudit.get_or_none(ThematicAudit.public_id == public_id)
    if found is None:
        raise NotFound("there is no thematic audit with that id")
    return found


def filters_of(thematic: ThematicAudit) -> CohortFilters:
    return CohortFilters.from_mapping(thematic.filters)


def define(title: str, filters: CohortFilters, *, actor: User) -> ThematicView:
    title = (title or "").strip()
    if not title:
        raise ThematicError({"title": "Enter a title for the thematic audit"})
    if len(title) > 200:
        raise ThematicError({"title": "The title must be 200 characters or fewer"})
    with database.atomic():
        thematic = ThematicAudit.create(title=title, filters=filters.as_dict(), created_by=actor)
        audit_trail.record("thematic.defined", actor=actor, object_type="thematic_audit",
                           object_id=thematic.public_id,
                           after={"title": title, "filters": filters.as_dict()})
    return _view(thematic, _names())


# --- reading --------------------------------------------------------------------------------


def names() -> Organisation:
    return Organisation(tuple(Team.select(Team.id, Team.name).order_by(Team.name).tuples()),
                        tuple(Service.select(Service.id, Service.name).order_by(Service.name)
                              .tuples()))


def _names() -> tuple[dict[int, str], dict[int, str]]:
    """Team and service names, so that filters say "Team North" rather than an id."""
    found = names()
    return dict(found.teams), dict(found.services)


def find(public_id: str) -> ThematicView:
    return _view(_found(public_id), _names())


def list_all() -> list[ThematicView]:
    """Every thematic audit, newest first."""
    names = _names()
    return [_view(row, names) for row in
            ThematicAudit.select().order_by(ThematicAudit.created_at.desc())]


def _view(thematic: ThematicAudit, names: tuple[dict[int, str], dict[int, str]]
          ) -> ThematicView:
    audits = audits_of(thematic)
    return ThematicView(
        public_id=thematic.public_id, title=thematic.title, status=thematic.status,
        filters=thematic.filters, filters_text=tuple(filters_of(thematic).describe(*names)),
        cohort_size=thematic.cohort_size, sample_size=thematic.sample_size,
        strategy=thematic.strategy, seed=thematic.seed, created_at=thematic.created_at,
        drawn_at=thematic.drawn_at,
        rubrics=tuple(map(_rubric_ref, pinned_versions(thematic))),
        cases=tuple(_case_view(tc, audits.get(tc.id)) for tc in cases_of(thematic)),
        started=_started(audits),
    )


def _case_view(tc: ThematicCase, audit: Audit | None) -> ThematicCaseView:
    return ThematicCaseView(
        id=tc.id, position=tc.position, reason=tc.reason, case=CaseRef.of(tc.case),
        auditor=tc.auditor.username if tc.auditor_id else None,
        audit_id=audit.public_id if audit else None, audit_status=audit.status if audit else None)


def _rubric_ref(version: RubricVersion) -> RubricRef:
    return RubricRef(version.rubric.rubric_id, version.rubric.title, version.number)


def workspace(public_id: str, *, today: dt.date) -> ThematicWorkspace:
    """The thematic audit's page: the audit, its cohort's size, the rubrics it may pin and the
    people who may audit its cases."""
    thematic = _found(public_id)
    size = (cohort_size(filters_of(thematic), today) if thematic.status == ThematicStatus.DEFINED
            else thematic.cohort_size)
    return ThematicWorkspace(
        _view(thematic, _names()), size,
        tuple(map(_rubric_ref, rubric_versions.latest_in_use())),
        tuple(AuditorChoice(u.username, u.display_name, u.role) for u in auditor_choices()))


def preview(filters: CohortFilters, today: dt.date) -> CohortPreview:
    """How many cases the filters select today, and the filters in words (saves nothing)."""
    return CohortPreview(cohort_size(filters, today), tuple(filters.describe(*_names())))


def assigned_to(user: User) -> list[AssignedAudit]:
    """The thematic audits ``user`` carries out, unfinished first (for their home page)."""
    return [AssignedAudit(a.public_id, a.case.child_id, a.status) for a in
            Audit.select(Audit, Case).join(Case)
            .where((Audit.auditor == user.id) & (Audit.kind == THEMATIC))
            .order_by(Audit.status == AuditStatus.SUBMITTED, Audit.created_at)]


# --- the cohort -----------------------------------------------------------------------------


def _population(filters: CohortFilters) -> list[tuple[Case, PopulationCase]]:
    """Cases narrowed in SQL where a column can say, then as ``PopulationCase`` values."""
    query = (Case.select(Case, Team).join(Team, JOIN.LEFT_OUTER, on=(Case.team == Team.id)))
    if filters.case_types:
        query = query.where(Case.case_type.in_(list(filters.case_types)))
    if filters.statuses:
        query = query.where(Case.status.in_(list(filters.statuses)))
    if filters.only_closed:
        query = query.where(Case.status == CaseStatus.CLOSED.value)
    if filters.closed_from:
        query = query.where(Case.closed_on >= filters.closed_from)
    if filters.closed_to:
        query = query.where(Case.closed_on <= filters.closed_to)
    if filters.age_bands:
        query = query.where(Case.age_band.in_(list(filters.age_bands)))
    if filters.team_ids:
        query = query.where(Case.team.in_(list(filters.team_ids)))
    if filters.service_ids:
        query = query.where(Team.service.in_(list(filters.service_ids)))
    rows = []
    for case in query:
        team = case.team if case.team_id is not None else None
        rows.append((case, PopulationCase(
            key=case.public_id,
            team_id=case.team_id,
            service_id=team.service_id if team is not None else None,
            facts=case_facts(case),
            is_open=case.status == CaseStatus.OPEN.value,
        )))
    return rows


def cohort_cases(filters: CohortFilters, today: dt.date) -> list[tuple[Case, PopulationCase]]:
    rows = _population(filters)
    by_key = {population.key: case for case, population in rows}
    return [(by_key[p.key], p) for p in cohort(filters, [p for _, p in rows], today)]


def cohort_size(filters: CohortFilters, today: dt.date) -> int:
    return len(cohort_cases(filters, today))


# --- drawing ------------------------------------------------------------------------------


def draw(public_id: str, sample_size: int, strategy_id: str, *, actor: User,
         registry: Registry[SamplingStrategy], today: dt.date,
         seed: str | None = None) -> ThematicView:
    """Draw the sample once. The same cohort, strategy and seed always give the same cases."""
    thematic = _found(public_id)
    errors = {}
    if thematic.status != ThematicStatus.DEFINED:
        errors["sample_size"] = "The sample has already been drawn"
    if isinstance(sample_size, bool) or not isinstance(sample_size, int) or not (
            1 <= sample_size <= MAX_SAMPLE):
        errors["sample_size"] = f"Enter a sample size from 1 to {MAX_SAMPLE}"
    try:
        strategy = registry.lookup(strategy_id)
    except UnknownPlugin as exc:
        errors["strategy"] = str(exc)[:1].upper() + str(exc)[1:]
    if errors:
        raise ThematicError(errors)
    seed = (seed or "").strip() or secrets.token_hex(8)
    members = cohort_cases(filters_of(thematic), today)
    if not members:
        raise ThematicError({"sample_size": "No cases match the filters, so there is nothing "
                                            "to draw. Change the filters first."})
    by_key = {p.key: case for case, p in members}
    population = [p for _, p in members]
    context = DrawContext(today=today, period=f"thematic:{thematic.public_id}",
                          strategies=registry)
    picked = strategy.draw(population, sample_size, seed, context)
    check_drawn(strategy, picked, population, sample_size)
    with database.atomic():
        changed = (ThematicAudit.update(status=ThematicStatus.DRAWN, sample_size=sample_size,
                                        strategy=strategy_id, seed=seed,
                                        cohort_size=len(population), drawn_at=utcnow())
                   .where((ThematicAudit.id == thematic.id)
                          & (ThematicAudit.status == ThematicStatus.DEFINED))
                   .execute())
        if changed != 1:
            raise ThematicError({"sample_size": "The sample has already been drawn"})
        ThematicCase.insert_many([
            {"thematic": thematic.id, "case": by_key[d.case_key].id, "position": i,
             "reason": d.reason}
            for i, d in enumerate(picked, start=1)
        ]).execute()
        audit_trail.record("thematic.drawn", actor=actor, object_type="thematic_audit",
                           object_id=thematic.public_id,
                           after={"seed": seed, "strategy": strategy_id,
                                  "sample_size": sample_size, "cohort_size": len(population),
                                  "cases": [d.case_key for d in picked]})
    return find(public_id)


def cases_of(thematic: ThematicAudit) -> list[ThematicCase]:
    """The cases drawn, by position, with each case and its auditor."""
    return list(
        ThematicCase.select(ThematicCase, Case, User)
        .join(Case)
        .switch(ThematicCase)
        .join(User, JOIN.LEFT_OUTER, on=(ThematicCase.auditor == User.id))
        .where(ThematicCase.thematic == thematic.id)
        .order_by(ThematicCase.position)
    )


# --- rubrics and auditors -----------------------------------------------------------------


def choose_rubrics(public_id: str, rubric_ids: Sequence[str], *, actor: User) -> ThematicView:
    """Pin the latest version of each chosen rubric (before any audit has started)."""
    thematic = _found(public_id)
    rubric_ids = list(dict.fromkeys(rubric_ids))
    if not rubric_ids:
        raise ThematicError({"rubrics": "Choose at least one rubric"})
    if _started(audits_of(thematic)):
        raise ThematicError({"rubrics": "Audits have started: the rubrics can no longer change"})
    versions = []
    for rubric_id in rubric_ids:
        version = rubric_versions.latest_version(rubric_id)
        if version is None or version.rubric.retired_at is not None:
            raise ThematicError({"rubrics": f"{rubric_id} is not a rubric in use"})
        versions.append(version)
    with database.atomic():
        ThematicAudit.update(rubric_versions=[v.id for v in versions]).where(
            ThematicAudit.id == thematic.id).execute()
        audit_trail.record("thematic.rubrics_chosen", actor=actor, object_type="thematic_audit",
                           object_id=thematic.public_id,
                           after={"rubrics": [f"{v.rubric.rubric_id}/{v.number}"
                                              for v in versions]})
    return find(public_id)


def pinned_versions(thematic: ThematicAudit) -> list[RubricVersion]:
    ids = thematic.rubric_versions or []
    found = {v.id: v for v in RubricVersion.select(RubricVersion, RubricDefinition)
             .join(RubricDefinition).where(RubricVersion.id.in_(ids))} if ids else {}
    return [found[i] for i in ids if i in found]


def _started(audits: Mapping[int, Audit]) -> bool:
    """An auditor has saved one of the audits, so the rubrics can no longer change."""
    return any(audit.version > 1 for audit in audits.values())


def auditor_choices() -> list[User]:
    return list(User.select().where(User.role.in_(AUDITOR_ROLES) & (User.is_active == True))  # noqa: E712
                .order_by(User.display_name))


def assign(public_id: str, choices: Mapping[int, str], *, actor: User) -> ThematicView:
    """Give each thematic case (by id) to an auditor (by username) and open its audit.

    An audit not yet touched (version 1) may move to another auditor; one the
    auditor has saved or submitted stays theirs. A blank username leaves the case as it is.
    """
    _assign(_found(public_id), choices, actor)
    return find(public_id)


def assign_by_case(public_id: str, choices: Mapping[str, str], *, actor: User) -> ThematicView:
    """As ``assign``, with each case named by its public id, as the API names cases."""
    thematic = _found(public_id)
    by_case = {tc.case.public_id: tc.id for tc in cases_of(thematic)}
    for case in choices:
        if case not in by_case:
            raise ThematicError({"assignments": "unknown case"},
                                f"case {case} is not in this thematic audit")
    _assign(thematic, {by_case[case]: username for case, username in choices.items()}, actor)
    return find(public_id)


def _assign(thematic: ThematicAudit, choices: Mapping[int, str], actor: User) -> None:
    if thematic.status != ThematicStatus.DRAWN:
        raise ThematicError({"auditors": "Draw the sample before assigning auditors"})
    versions = pinned_versions(thematic)
    if not versions:
        raise ThematicError({"auditors": "Choose the rubrics before assigning auditors"})
    cases = {tc.id: tc for tc in cases_of(thematic)}
    auditors = {u.username: u for u in auditor_choices()}
    errors = {}
    for case_id, username in choices.items():
        if case_id not in cases:
            errors[f"auditor-{case_id}"] = "That case is not in this thematic audit"
        elif username and username not in auditors:
            errors[f"auditor-{case_id}"] = "Choose a team manager or quality lead"
    if errors:
        raise ThematicError(errors)
    with database.atomic():
        for case_id, username in choices.items():
            if username:
                _open_audit(thematic, cases[case_id], auditors[username], versions, actor)


def _open_audit(thematic: ThematicAudit, tc: ThematicCase, auditor: User,
                versions: list[RubricVersion], actor: User) -> Audit:
    existing = Audit.get_or_none(Audit.thematic_case == tc.id)
    if existing is not None:
        if existing.auditor_id == auditor.id:
            return existing
        if existing.status != AuditStatus.DRAFT or existing.version > 1:
            raise ThematicError({f"auditor-{tc.id}": "This case's audit has been started by "
                                                      "its auditor and cannot move"})
        Audit.update(auditor=auditor).where(Audit.id == existing.id).execute()
        ThematicCase.update(auditor=auditor).where(ThematicCase.id == tc.id).execute()
        audit_trail.record("thematic.reassigned", actor=actor, object_type="audit",
                           object_id=existing.public_id, after={"auditor": auditor.username})
        return Audit.get_by_id(existing.id)
    case = tc.case
    try:
        with database.atomic():
            audit = Audit.create(case=case, thematic_case=tc, kind=THEMATIC, auditor=auditor,
                                 practitioner=case.worker_id, team=case.team_id)
            AuditRubric.insert_many([{"audit": audit.id, "rubric_version": v.id, "position": i}
                                     for i, v in enumerate(versions)]).execute()
            ThematicCase.update(auditor=auditor).where(ThematicCase.id == tc.id).execute()
            audit_trail.record(
                "audit.started", actor=actor, object_type="audit", object_id=audit.public_id,
                after={"case": case.public_id, "thematic": thematic.public_id,
                       "auditor": auditor.username,
                       "rubrics": [f"{v.rubric.rubric_id}/{v.number}" for v in versions]})
    except IntegrityError:
        return Audit.get(Audit.thematic_case == tc.id)
    return audit


def audits_of(thematic: ThematicAudit) -> dict[int, Audit]:
    """Each thematic case's audit, by thematic case id (one query)."""
    rows = (Audit.select().join(ThematicCase, on=(Audit.thematic_case == ThematicCase.id))
            .where(ThematicCase.thematic == thematic.id))
    return {a.thematic_case_id: a for a in rows}


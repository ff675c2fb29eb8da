"""Which rubrics an audit uses: by case type and service, as quality leads assign them.

With no assignments at all, every rubric in use whose own ``case_types`` cover
the case applies (the behaviour before assignments existed). Once a quality
lead assigns any rubric, assignments decide: a rubric applies to a case when
one of its assignments names the case's type, for all services or the case's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from peewee import JOIN

from audit_service.domain.rubrics import CriterionType
from audit_service.domain.vocabulary import CaseType
from audit_service.services.errors import Invalid
from audit_service.services.platform import audit_trail
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.services.rubrics.versions import latest_in_use, rubric_of
from audit_service.services.rubrics.views import AssignmentChoices, AssignmentView
from audit_service.storage.database import database
from audit_service.storage.models import (
    Case,
    RubricAssignment,
    RubricDefinition,
    RubricVersion,
    Service,
    Team,
    User,
)


class AssignmentError(Invalid):
    """An assignment that cannot be saved; ``errors`` name each field."""

    def __init__(self, errors: Mapping[str, str], message: str | None = None):
        super().__init__(message or "; ".join(errors.values()), errors)


def list_assignments() -> list[AssignmentView]:
    return [AssignmentView.of(row) for row in (
        RubricAssignment.select(RubricAssignment, RubricDefinition, Service)
        .join(RubricDefinition)
        .switch(RubricAssignment)
        .join(Service, JOIN.LEFT_OUTER)
        .order_by(RubricDefinition.rubric_id, RubricAssignment.id))]


def choices() -> AssignmentChoices:
    """What a rubric can be assigned as: any rubric in use, in any service (or all)."""
    return AssignmentChoices(
        rubrics=tuple(r for r in rubric_versions.list_rubrics() if not r.retired),
        services=tuple(Service.select(Service.id, Service.name).order_by(Service.name).tuples()))


def _service(service_id: int | None, service_name: str | None) -> Service | None:
    """The service an assignment is for, as a page names it (its id, chosen from a list) or
    the API does (its name); None for all services."""
    if service_id is not None:
        found = Service.get_or_none(Service.id == service_id)
        if found is None:
            raise AssignmentError({"service": "Choose a service from the list"})
        return found
    if service_name is not None:
        found = Service.get_or_none(Service.name == service_name)
        if found is None:
            raise AssignmentError({"service": "no such service"},
                                  "there is no service with that name")
        return found
    return None


def assign(rubric_id: str, case_types: Iterable[str], *, actor: User,
           service_id: int | None = None, service_name: str | None = None) -> AssignmentView:
    """Use the rubric for these case types, in one service (by id or name) or all. Replaces
    the rubric's earlier assignment for the same service."""
    service = _service(service_id, service_name)
    case_types = list(dict.fromkeys(case_types))
    errors = {}
    definition = RubricDefinition.get_or_none(RubricDefinition.rubric_id == rubric_id)
    if definition is None:
        errors["rubric"] = "Choose a published rubric"
    elif definition.retired_at is not None:
        errors["rubric"] = f"The rubric {rubric_id} is retired: it cannot be assigned"
    known = {t.value for t in CaseType}
    if not case_types:
        errors["case_types"] = "Choose at least one case type"
    elif not set(case_types) <= known:
        errors["case_types"] = "Choose case types from the list"
    if errors:
        raise AssignmentError(errors)
    same_service = (RubricAssignment.service.is_null() if service is None
                    else RubricAssignment.service == service.id)
    with database.atomic():
        earlier = list(RubricAssignment.select().where(
            (RubricAssignment.rubric == definition.id) & same_service))
        RubricAssignment.delete().where(
            RubricAssignment.id.in_([a.id for a in earlier])).execute()
        row = RubricAssignment.create(rubric=definition, service=service, case_types=case_types,
                                      created_by=actor.username)
        audit_trail.record(
            "rubric.assigned", actor=actor, object_type="rubric", object_id=rubric_id,
            before={"assignments": [a.case_types for a in earlier]} if earlier else None,
            after={"service": service.name if service else None, "case_types": case_types})
    return AssignmentView(id=row.id, rubric_id=rubric_id, rubric_title=definition.title,
                          service=service.name if service else None,
                          case_types=tuple(case_types))


def unassign(assignment_id: int, *, actor: User) -> None:
    """Stop using the assignment; one already removed is left as it is."""
    row = RubricAssignment.get_or_none(RubricAssignment.id == assignment_id)
    if row is None:
        return
    with database.atomic():
        row.delete_instance()
        audit_trail.record("rubric.unassigned", actor=actor, object_type="rubric",
                           object_id=row.rubric.rubric_id,
                           before={"service": row.service.name if row.service_id else None,
                                   "case_types": row.case_types})


def rubrics_for(case: Case, criterion_types: Mapping[str, CriterionType]) -> list[RubricVersion]:
    """The rubric versions an audit of ``case`` starts with (see the module docstring), in
    form order: checks that are not scored ("Is the child safe now?") come first, so the
    auditor answers them before anything else."""
    return sorted(_assigned(case, criterion_types),
                  key=lambda version: (_is_graded(version, criterion_types), version.rubric_id))


def _is_graded(version: RubricVersion, criterion_types: Mapping[str, CriterionType]) -> bool:
    rubric = rubric_of(version, criterion_types)
    return any(criterion_types[c.type].scored for c in rubric.criteria
               if c.type in criterion_types)


def _assigned(case: Case, criterion_types: Mapping[str, CriterionType]) -> list[RubricVersion]:
    if not RubricAssignment.select().exists():
        return [v for v in latest_in_use() if rubric_of(v, criterion_types)
                .applies_to_case_type(CaseType(case.case_type))]
    service_id = None
    if case.team_id is not None:
        service_id = Team.get_by_id(case.team_id).service_id
    scope = RubricAssignment.service.is_null()
    if service_id is not None:
        scope = scope | (RubricAssignment.service == service_id)
    assigned = {
        row.rubric_id for row in RubricAssignment.select().where(scope)
        if case.case_type in (row.case_types or [])
    }
    return [v for v in latest_in_use() if v.rubric_id in assigned]

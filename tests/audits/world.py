"""A small council for audit tests: two teams, each with a supervisor, practitioners and a round.

Import the fixture into a test module with
``from tests.audits.world import world_fixture  # noqa: F401``; tests ask for ``world``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from flask import has_app_context

from audit_service.domain.rubrics import BUILTIN_CRITERION_TYPES
from audit_service.domain.vocabulary import Role, StaffRole
from audit_service.extension import registries
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.models import (
    Case,
    RoundCase,
    SamplingPolicy,
    SamplingRound,
    Service,
    Staff,
    Team,
    User,
)
from tests.support.auth import sign_in
from tests.support.pages import PageClient


@dataclass
class World:
    app: object
    team_a: Team
    team_b: Team
    supervisor: User
    practitioner: User
    colleague: User
    manager: User
    other_supervisor: User
    other_practitioner: User
    round_a: SamplingRound
    round_b: SamplingRound
    cases_a: list[Case]
    case_b: Case

    def client(self, user: User) -> PageClient:
        client = self.app.test_client()
        response = sign_in(client, user.username)
        assert response.status_code == 302
        signed_in = PageClient(client)
        signed_in.user = user
        return signed_in


def _staff(name: str, team: Team | None, role: StaffRole, manager: Staff | None = None) -> Staff:
    return Staff.create(name=name, name_key=name.lower(), staff_role=role.value, team=team,
                        line_manager=manager)


def _case(child_id: str, case_type: str, team: Team, worker: Staff, **facts) -> Case:
    return Case.create(child_id=child_id, case_type=case_type, team=team, worker=worker,
                       facts_hash=child_id, **facts)


def publish_rubrics(app) -> None:
    with app.app_context():
        rubric_versions.sync_installed(registries().rubrics)


@pytest.fixture(name="world")
def world_fixture(app, make_user) -> World:
    publish_rubrics(app)
    council = Service.create(name="Children's services")
    team_a = Team.create(name="Safeguarding North", service=council)
    team_b = Team.create(name="Safeguarding South", service=council)
    head = _staff("Hana Head", None, StaffRole.SERVICE_MANAGER)
    sup_a = _staff("Sam Super", team_a, StaffRole.TEAM_MANAGER, head)
    prac_a = _staff("Pat Practice", team_a, StaffRole.SOCIAL_WORKER, sup_a)
    col_a = _staff("Cal Colleague", team_a, StaffRole.SOCIAL_WORKER, sup_a)
    sup_b = _staff("Bea Boss", team_b, StaffRole.TEAM_MANAGER, head)
    prac_b = _staff("Bo Worker", team_b, StaffRole.SOCIAL_WORKER, sup_b)
    users = {
        "supervisor": make_user(Role.SUPERVISOR, "sam", staff=sup_a, display_name="Sam Super"),
        "practitioner": make_user(Role.PRACTITIONER, "pat", staff=prac_a,
                                  display_name="Pat Practice"),
        "colleague": make_user(Role.PRACTITIONER, "cal", staff=col_a,
                               display_name="Cal Colleague"),
        "manager": make_user(Role.SUPERVISOR, "hana", staff=head, display_name="Hana Head"),
        "other_supervisor": make_user(Role.SUPERVISOR, "bea", staff=sup_b,
                                      display_name="Bea Boss"),
        "other_practitioner": make_user(Role.PRACTITIONER, "bo", staff=prac_b,
                                        display_name="Bo Worker"),
    }
    policy = SamplingPolicy.create(scope="council", version=1, case_types=["child_protection"],
                                   created_by="test")
    today = dt.date.today()
    period = f"{today:%Y-%m}"
    due = today + dt.timedelta(days=14)
    round_a = SamplingRound.create(supervisor=sup_a, team=team_a, period=period, policy=policy,
                                   seed="seed-a", due_on=due)
    round_b = SamplingRound.create(supervisor=sup_b, team=team_b, period=period, policy=policy,
                                   seed="seed-b", due_on=due)
    cases_a = [
        _case("CHILD-A1", "child_protection", team_a, prac_a,
              last_seen_on=today - dt.timedelta(days=34), seen_alone=False, placements_12m=3),
        _case("CHILD-A2", "child_in_need", team_a, prac_a),
    ]
    case_b = _case("CHILD-B1", "child_protection", team_b, prac_b)
    for position, case in enumerate(cases_a, start=1):
        RoundCase.create(round=round_a, case=case, position=position,
                         reason="simple random: drawn at random from 2 eligible cases")
    RoundCase.create(round=round_b, case=case_b, position=1, reason="simple random")
    return World(app, team_a, team_b, users["supervisor"], users["practitioner"],
                 users["colleague"], users["manager"], users["other_supervisor"],
                 users["other_practitioner"], round_a, round_b, cases_a, case_b)


def scored_keys(state) -> list:
    """The audit's criteria that are rated on a scale, in form order (the safety judgement,
    answered yes, not sure or no, is left out)."""
    types = registries().criterion_types if has_app_context() else BUILTIN_CRITERION_TYPES
    return [key for key in state.keys
            if types[state.rubrics[key.rubric_id].criterion(key.criterion_id).type].scored]


def complete_form(state, rating_index: int = 1, *, safe: str = "yes") -> dict[str, str]:
    """Form fields that answer every criterion (the ``rating_index``-th option, with evidence).

    An unscored judgement ("Is the child safe now?") is answered ``safe``, so that the
    grade follows ``rating_index`` unless a test asks about safety.
    """
    types = registries().criterion_types
    data = {}
    for rubric in state.rubrics.values():
        for criterion in rubric.criteria:
            kind = types[criterion.type]
            options = kind.options(rubric.scale)
            key = f"{rubric.id}-{criterion.id}"
            data[f"rating-{key}"] = (options[min(rating_index, len(options) - 1)].value
                                     if kind.scored else safe)
            data[f"evidence-{key}"] = f"Evidence for {criterion.id}"
    return data

"""A council for practice tests: a team manager with a round holding one case of every type,
the service manager they report to, and API clients for both."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from audit_service.domain.vocabulary import CaseType, Role, StaffRole
from audit_service.services.accounts import users as accounts
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
from tests.api.conftest import ApiClient
from tests.audits.world import publish_rubrics


@dataclass
class PracticeCouncil:
    app: object
    team: Team
    team_manager: User
    service_manager: User
    quality_lead: User
    round_: SamplingRound
    cases: dict[CaseType, Case]

    def api(self, user: User) -> ApiClient:
        token = accounts.create_token(user, "practice tests", actor_label="test")
        return ApiClient(self.app.test_client(), token, user)


def staff(name: str, team: Team | None, role: StaffRole, manager: Staff | None = None) -> Staff:
    return Staff.create(name=name, name_key=name.lower(), staff_role=role.value, team=team,
                        line_manager=manager)


@pytest.fixture
def council(app, make_user) -> PracticeCouncil:
    publish_rubrics(app)
    children = Service.create(name="Children's social care")
    team = Team.create(name="Safeguarding East", service=children)
    head = staff("Sian Service", None, StaffRole.SERVICE_MANAGER)
    manager = staff("Tom Team", team, StaffRole.TEAM_MANAGER, head)
    worker = staff("Wren Worker", team, StaffRole.SOCIAL_WORKER, manager)
    users = {
        "tm": make_user(Role.SUPERVISOR, "tom", staff=manager, display_name="Tom Team"),
        "sm": make_user(Role.SUPERVISOR, "sian", staff=head, display_name="Sian Service"),
        "ql": make_user(Role.QUALITY_LEAD, "quin", display_name="Quin Quality"),
        "sw": make_user(Role.PRACTITIONER, "wren", staff=worker, display_name="Wren Worker"),
    }
    policy = SamplingPolicy.create(scope="council", version=1,
                                   case_types=[t.value for t in CaseType], created_by="test")
    today = dt.date.today()
    round_ = SamplingRound.create(supervisor=manager, team=team, period=f"{today:%Y-%m}",
                                  policy=policy, seed="practice", due_on=today)
    cases = {}
    for position, case_type in enumerate(CaseType, start=1):
        case = Case.create(child_id=f"PRACTICE-{position}", case_type=case_type.value,
                           team=team, worker=worker, facts_hash=f"p{position}")
        RoundCase.create(round=round_, case=case, position=position, reason="practice test")
        cases[case_type] = case
    return PracticeCouncil(app, team, users["tm"], users["sm"], users["ql"], round_, cases)


def answers_for(vignette, audit_json: dict) -> list[dict]:
    """The vignette's ratings as an API draft body, criterion by criterion."""
    return [
        {"rubric": rubric["rubric"], "criterion": criterion["id"],
         "rating": vignette.rating(rubric["rubric"], criterion["id"], criterion["scored"]),
         "evidence": f"Evidence for {criterion['id']}"}
        for rubric in audit_json["rubrics"] for criterion in rubric["criteria"]
    ]


def started(council: PracticeCouncil, api: ApiClient, case_type: CaseType) -> dict:
    response = api.post("/api/v1/audits", json={"round": council.round_.public_id,
                                                "case": council.cases[case_type].public_id})
    assert response.status_code == 201, response.json
    return response.json

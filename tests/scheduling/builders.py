"""Teams with a supervisor (a team manager with a login and an email), a line manager and cases."""

from __future__ import annotations

from audit_service.domain.vocabulary import CaseType, Role, StaffRole
from audit_service.services.accounts import users as accounts
from audit_service.storage.models import Service, Staff, Team
from tests.services.round_builders import add_case


def build_teams(teams: int = 4, cases_per_team: int = 6) -> list[Staff]:
    """``teams`` supervisors, all managed by one head of service; returns the supervisors."""
    service = Service.create(name="Children's services")
    head_team = Team.create(name="Leadership", service=service)
    head = Staff.create(name="Helen Head", name_key="helen head", team=head_team,
                        staff_role=StaffRole.SERVICE_MANAGER.value)
    accounts.create_user("helen", role=Role.SENIOR_LEADER, password=None,
                         display_name="Helen Head", email="helen@example.org", staff=head,
                         actor_label="test")
    supervisors = []
    types = [CaseType.CHILD_IN_NEED, CaseType.CHILD_PROTECTION, CaseType.LOOKED_AFTER]
    for n in range(1, teams + 1):
        team = Team.create(name=f"Team {n}", service=service)
        boss = Staff.create(name=f"Manager {n}", name_key=f"manager {n}", team=team,
                            staff_role=StaffRole.TEAM_MANAGER.value, line_manager=head)
        accounts.create_user(f"manager{n}", role=Role.SUPERVISOR, password=None,
                             display_name=f"Manager {n}", email=f"manager{n}@example.org",
                             staff=boss, actor_label="test")
        for i in range(cases_per_team):
            add_case(team, types[i % 3])
        supervisors.append(boss)
    return supervisors

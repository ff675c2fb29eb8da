"""A tiny council for round tests: two teams in one service, a supervisor each, open cases."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from audit_service.domain.vocabulary import CaseType, Role, StaffRole
from audit_service.services.accounts import users as accounts
from audit_service.storage.models import Case, Service, Staff, Team, User

TODAY = dt.date(2026, 5, 1)
PERIOD = "2026-05"
PASSWORD = "a-long-test-password"
_ids = itertools.count(1_000_000)


@dataclass
class Council:
    service: Service
    teams: list[Team]
    supervisors: list[Staff]
    users: list[User]


def add_case(team: Team, case_type: CaseType = CaseType.CHILD_IN_NEED, **facts) -> Case:
    child_id = str(next(_ids))
    return Case.create(child_id=child_id, case_type=case_type.value, team=team,
                       facts_hash=child_id, last_seen_on=facts.pop("last_seen_on", TODAY),
                       **facts)


def build_council(cases_per_team: int = 6, *, logins: bool = True) -> Council:
    service = Service.create(name="Safeguarding")
    teams, supervisors, users = [], [], []
    for n in (1, 2):
        team = Team.create(name=f"Team {n}", service=service)
        boss = Staff.create(name=f"Manager {n}", name_key=f"manager {n}",
                            staff_role=StaffRole.TEAM_MANAGER.value, team=team)
        types = [CaseType.CHILD_IN_NEED, CaseType.CHILD_PROTECTION, CaseType.LOOKED_AFTER]
        for i in range(cases_per_team):
            add_case(team, types[i % 3])
        teams.append(team)
        supervisors.append(boss)
        if logins:
            users.append(accounts.create_user(f"manager{n}", role=Role.SUPERVISOR,
                                              password=PASSWORD, display_name=f"Manager {n}",
                                              staff=boss, actor_label="test"))
    return Council(service, teams, supervisors, users)

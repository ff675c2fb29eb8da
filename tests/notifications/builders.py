"""A minimal team with a supervisor, a line manager and a round of drawn cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.storage.models import (
    Case,
    RoundCase,
    SamplingPolicy,
    SamplingRound,
    Staff,
    Team,
    User,
)


@dataclass
class RoundFixture:
    round: SamplingRound
    supervisor: Staff
    supervisor_user: User
    manager_user: User | None
    child_ids: list[str]


def make_round(*, period: str = "2026-03", due_on: dt.date = dt.date(2026, 3, 20),
               cases: int = 3, with_manager: bool = True, name: str = "sam") -> RoundFixture:
    team = Team.create(name=f"Team {name}")
    manager = manager_user = None
    if with_manager:
        manager = Staff.create(name=f"Morgan {name}", name_key=f"morgan {name}", team=team)
        manager_user = accounts.create_user(
            f"morgan-{name}", role=Role.SUPERVISOR, password=None, display_name="Morgan Manager",
            email=f"morgan-{name}@example.org", staff=manager, actor_label="test")
    supervisor = Staff.create(name=f"Sam {name}", name_key=f"sam {name}", team=team,
                              line_manager=manager)
    user = accounts.create_user(name, role=Role.SUPERVISOR, password=None,
                                display_name=f"Sam {name.title()}", email=f"{name}@example.org",
                                staff=supervisor, actor_label="test")
    policy = SamplingPolicy.get_or_none(SamplingPolicy.scope == "council") or SamplingPolicy.create(
        scope="council", version=1, case_types=["child_in_need"], created_by="test")
    round_ = SamplingRound.create(supervisor=supervisor, team=team, period=period, policy=policy,
                                  seed="seed", due_on=due_on)
    child_ids = []
    for position in range(cases):
        child_id = f"CHILD-{name.upper()}-{position:04d}"
        case = Case.create(child_id=child_id, case_type="child_in_need", team=team,
                           facts_hash=f"h{name}{position}")
        RoundCase.create(round=round_, case=case, position=position, reason="simple random")
        child_ids.append(child_id)
    return RoundFixture(round_, supervisor, user, manager_user, child_ids)

"""Who is eligible for a supervisor's sample this month, and the seed of their draw."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from audit_service.domain.sampling.policy import SamplingPolicySettings
from audit_service.domain.sampling.strategy import PopulationCase


@dataclass(frozen=True, slots=True)
class Supervisor:
    """A team manager as sampling sees them: their id, team and the team's service."""

    id: int
    team_id: int
    service_id: int | None


@dataclass(frozen=True)
class Eligible:
    """The eligible population: re-audits (drawn first) and everything else."""

    reaudits: list[PopulationCase]
    others: list[PopulationCase]

    @property
    def count(self) -> int:
        return len(self.reaudits) + len(self.others)

    def all(self) -> list[PopulationCase]:
        return [*self.reaudits, *self.others]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, clamped to the month's end (31 May - 3 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def in_scope(case: PopulationCase, supervisor: Supervisor, independence: str) -> bool:
    """Independence: one's own team's cases, or other teams' (same service if there is one)."""
    if case.team_id is None:
        return False
    if independence == "own_team":
        return case.team_id == supervisor.team_id
    if case.team_id == supervisor.team_id:
        return False
    return supervisor.service_id is None or case.service_id == supervisor.service_id


def eligible_population(
    population: Iterable[PopulationCase],
    settings: SamplingPolicySettings,
    supervisor: Supervisor,
    today: dt.date,
    drawn_elsewhere: Collection[str] = frozenset(),
) -> Eligible:
    """Filter ``population`` by the policy for one supervisor.

    Open cases of the eligible types in the supervisor's scope, not drawn for
    another supervisor this period. A case audited within the exclusion window is
    left out, unless its latest audit graded it Inadequate and the policy re-audits
    those: then it is a re-audit, drawn first.
    """
    types = set(settings.case_types)
    cutoff = months_before(today, settings.exclusion_months)
    reaudits: list[PopulationCase] = []
    others: list[PopulationCase] = []
    for case in population:
        if (
            not case.is_open
            or case.facts.case_type not in types
            or case.key in drawn_elsewhere
            or not in_scope(case, supervisor, settings.independence)
        ):
            continue
        if settings.reaudit_inadequate and _awaits_reaudit(case):
            reaudits.append(case)
        elif case.last_audited_on is None or case.last_audited_on <= cutoff:
            others.append(case)
    key = lambda c: c.key  # noqa: E731
    return Eligible(sorted(reaudits, key=key), sorted(others, key=key))


def _awaits_reaudit(case: PopulationCase) -> bool:
    """Graded Inadequate and not drawn or audited again since (a pending re-audit waits)."""
    if case.inadequate_on is None:
        return False
    return case.last_audited_on is None or case.last_audited_on <= case.inadequate_on


def seed_for(policy_scope: str, policy_version: int, supervisor_id: int, period: str) -> str:
    """The stored seed string: the same policy version, supervisor and month give the same draw."""
    return f"{period}/supervisor-{supervisor_id}/policy-{policy_scope}-v{policy_version}"

"""Who is eligible for a supervisor's sample this month, and the seed of their draw."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from audit_service.domain.months import Month, months_before
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
    """The eligible population: re-audits (drawn first), the open caseload, and the cases
    closed last month (a dip sample beyond the open draw)."""

    reaudits: list[PopulationCase]
    others: list[PopulationCase]
    closed: list[PopulationCase] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.reaudits) + len(self.others) + len(self.closed)

    def all(self) -> list[PopulationCase]:
        return [*self.reaudits, *self.others, *self.closed]


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
    *,
    period: str | None = None,
) -> Eligible:
    """Filter ``population`` by the policy for one team manager.

    Cases of the eligible types in the team manager's scope, not drawn for another
    team manager this period. Open cases audited within the exclusion window are left
    out, unless their latest audit's grade is one the policy re-audits and the re-audit
    is due: then they are re-audits, drawn first. A case whose re-audit is not due yet
    waits for it. When the policy keeps a pool of unallocated cases for the service
    manager, cases with no allocated worker are theirs, not the team manager's. Closed
    cases count only when the policy takes a dip sample of cases closed in the month
    before ``period`` (default: this month) and the closure has not been audited since.
    """
    types = set(settings.case_types)
    cutoff = months_before(today, settings.exclusion_months)
    closed_from, closed_to = previous_month(period, today)
    reaudits: list[PopulationCase] = []
    others: list[PopulationCase] = []
    closed: list[PopulationCase] = []
    for case in population:
        if (
            case.facts.case_type not in types
            or case.key in drawn_elsewhere
            or not in_scope(case, supervisor, settings.independence)
        ):
            continue
        if not case.is_open:
            if settings.closed_cases and _closed_between(case, closed_from, closed_to):
                closed.append(case)
            continue
        if settings.unallocated_cases and not case.allocated:
            continue
        reaudit = reaudit_state(case, settings, today)
        if reaudit == DUE:
            reaudits.append(case)
        elif reaudit == WAITING:
            continue
        elif case.last_audited_on is None or case.last_audited_on <= cutoff:
            others.append(case)
    key = lambda c: c.key  # noqa: E731
    return Eligible(sorted(reaudits, key=key), sorted(others, key=key), sorted(closed, key=key))


def unallocated_population(
    population: Iterable[PopulationCase],
    settings: SamplingPolicySettings,
    team_ids: Collection[int],
    today: dt.date,
    drawn_elsewhere: Collection[str] = frozenset(),
) -> list[PopulationCase]:
    """A service manager's pool: open cases of the policy's types that no worker holds, in
    the teams they manage or in no team at all, not audited within the exclusion window."""
    types = set(settings.case_types)
    cutoff = months_before(today, settings.exclusion_months)
    pool = [
        case for case in population
        if case.is_open and not case.allocated
        and case.facts.case_type in types
        and case.key not in drawn_elsewhere
        and (case.team_id is None or case.team_id in team_ids)
        and (case.last_audited_on is None or case.last_audited_on <= cutoff)
    ]
    return sorted(pool, key=lambda c: c.key)


DUE = "due"
WAITING = "waiting"


def reaudit_state(case: PopulationCase, settings: SamplingPolicySettings,
                  today: dt.date) -> str | None:
    """"due" when the case's latest grade brings it back and the wait is over, "waiting"
    before then, None when no re-audit is pending (or one has been drawn or started)."""
    if case.last_grade is None or case.last_graded_on is None:
        return None
    if case.last_grade not in settings.reaudit_grades:
        return None
    if case.last_audited_on is not None and case.last_audited_on > case.last_graded_on:
        return None
    if months_before(today, settings.reaudit_after_months) >= case.last_graded_on:
        return DUE
    return WAITING


def previous_month(period: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of the month before ``period`` ("YYYY-MM"; default today's month), and
    the first day of ``period``: the window a closure dip sample reads."""
    month = Month.parse(period) if period else Month.of(today)
    return month.previous().first_day, month.first_day


def _closed_between(case: PopulationCase, start: dt.date, end: dt.date) -> bool:
    closed_on = case.facts.closed_on
    if closed_on is None or not start <= closed_on < end:
        return False
    # The closure has been audited when the case was drawn or audited since it closed.
    return case.last_audited_on is None or case.last_audited_on < closed_on


def seed_for(policy_scope: str, policy_version: int, supervisor_id: int, period: str) -> str:
    """The stored seed string: the same policy version, supervisor and month give the same draw."""
    return f"{period}/supervisor-{supervisor_id}/policy-{policy_scope}-v{policy_version}"

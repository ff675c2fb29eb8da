"""A round as pages and the API show it: one the user may see, a month's rounds, and the
cases its policy makes eligible.

Each round becomes the same ``RoundView`` for the person asking, in a fixed number of
queries however many rounds a month has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from peewee import JOIN

from audit_service.domain.sampling import (
    eligible_population as filter_eligible,
)
from audit_service.domain.sampling import (
    unallocated_population,
)
from audit_service.domain.vocabulary import Pool
from audit_service.services.errors import NotAllowed, NotFound
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling.population import drawn_in_period, load_population
from audit_service.services.sampling.rounds import (
    candidates_for,
    is_owner,
    may_see,
    may_see_all,
    may_see_population,
    parse_period,
    service_manager_of,
    shows_cases,
    supervisor_of,
)
from audit_service.services.sampling.views import (
    CaseRef,
    PolicyRef,
    PopulationRow,
    PopulationView,
    RoundCaseView,
    RoundsOfMonth,
    RoundView,
)
from audit_service.storage.models import (
    Case,
    RoundCase,
    SamplingPolicy,
    SamplingRound,
    Staff,
    Team,
    User,
)


def _rounds():
    return (SamplingRound.select(SamplingRound, Staff, Team, SamplingPolicy)
            .join(Staff, on=(SamplingRound.supervisor == Staff.id))
            .switch(SamplingRound)
            .join(Team, join_type=JOIN.LEFT_OUTER, on=(SamplingRound.team == Team.id))
            .switch(SamplingRound)
            .join(SamplingPolicy, join_type=JOIN.LEFT_OUTER,
                  on=(SamplingRound.policy == SamplingPolicy.id)))


def visible_round(public_id: str, user: User) -> SamplingRound:
    """The round; NotFound when there is none or it is another team manager's, so that no one
    learns which rounds exist."""
    round_ = _rounds().where(SamplingRound.public_id == public_id).first()
    if round_ is None or not may_see(round_, user):
        raise NotFound("there is no round with that id that you can see")
    return round_


def find(public_id: str, user: User) -> RoundView:
    return views_of([visible_round(public_id, user)], user)[0]


def month(period: str, user: User) -> RoundsOfMonth:
    """A month's rounds this user may see: a supervisor only their own, others all."""
    label = parse_period(period).label
    query = _rounds().where(SamplingRound.period == period).order_by(Staff.name, SamplingRound.id)
    if not may_see_all(user):
        query = query.where(SamplingRound.supervisor == (user.staff_id or 0))
    return RoundsOfMonth(period, label, tuple(views_of(list(query), user)))


def views_of(rounds_: Sequence[SamplingRound], user: User) -> list[RoundView]:
    cases = cases_by_round(rounds_)
    sources = sampling_policies.describe_scopes(r.policy.scope for r in rounds_)
    return [_view(r, *cases[r.id], sources[r.policy.scope], user) for r in rounds_]


def _view(round_: SamplingRound, current: list[RoundCase], replaced: list[RoundCase],
          source: str, user: User) -> RoundView:
    policy = round_.policy
    shows = shows_cases(round_, user)
    return RoundView(
        public_id=round_.public_id, period=round_.period,
        period_label=parse_period(round_.period).label, supervisor=round_.supervisor.name,
        team=round_.team.name if round_.team_id else None, status=round_.status,
        due_on=round_.due_on, opened_at=round_.opened_at, drawn_at=round_.drawn_at,
        seed=round_.seed, eligible_count=round_.eligible_count,
        policy=PolicyRef(policy.scope, policy.version, policy.strategy, source),
        cases=tuple(map(_case_view, current)) if shows else (),
        replaced=tuple(map(_case_view, replaced)) if shows else (),
        owner=is_owner(round_, user), may_see_population=may_see_population(user),
        case_count=len(current), shows_cases=shows,
    )


def _case_view(round_case: RoundCase) -> RoundCaseView:
    return RoundCaseView(round_case.position, CaseRef.of(round_case.case), round_case.reason,
                         round_case.pool, round_case.replaced_at, round_case.replacement_reason)


def cases_by_round(rounds_: Sequence[SamplingRound]
                   ) -> dict[int, tuple[list[RoundCase], list[RoundCase]]]:
    """Each round's cases to audit now, by position, and its replaced cases, by when they
    were replaced: for a whole list of rounds in one query."""
    out: dict[int, tuple[list[RoundCase], list[RoundCase]]] = {r.id: ([], []) for r in rounds_}
    if not out:
        return out
    query = (RoundCase.select(RoundCase, Case).join(Case)
             .where(RoundCase.round.in_(list(out)))
             .order_by(RoundCase.position, RoundCase.id))
    for round_case in query:
        current, replaced = out[round_case.round_id]
        (current if round_case.replaced_at is None else replaced).append(round_case)
    for _current, replaced in out.values():
        replaced.sort(key=lambda rc: (rc.replaced_at, rc.id))
    return out


def current_cases(round_: SamplingRound) -> list[RoundCase]:
    """The cases to audit now (replaced ones left out), by position, with their Case."""
    return cases_by_round([round_])[round_.id][0]


# --- the eligible population ----------------------------------------------------------------


def population(public_id: str, user: User, *, today: dt.date) -> PopulationView:
    """What the round's policy makes eligible today, for those who oversee sampling."""
    round_ = visible_round(public_id, user)
    if not may_see_population(user):
        raise NotAllowed("only quality leads and administrators see a round's eligible "
                         "population")
    return PopulationView(views_of([round_], user)[0],
                          tuple(eligible_population(round_, today=today)))


def eligible_population(round_: SamplingRound, *, today: dt.date) -> list[PopulationRow]:
    """The cases the round's policy makes eligible for its team manager (or, for a round
    of unallocated cases, its service manager) today.

    Cases drawn into this round are shown (marked, with the pool they were drawn from);
    cases drawn for anyone else this month are not.
    """
    settings = sampling_policies.settings_of(round_.policy)
    drawn_here = {str(rc.case_id): rc.pool for rc in RoundCase.select(
        RoundCase.case, RoundCase.pool).where(
        RoundCase.round == round_.id, RoundCase.replaced_at.is_null())}
    drawn = drawn_in_period(round_.period, excluding_round=round_.id)
    pools: dict[str, str] = dict(drawn_here)
    if round_.team_id is None:
        manager = service_manager_of(round_)
        if manager is not None:
            population = [c for c in load_population() if c.key not in drawn_here]
            pools |= {c.key: Pool.UNALLOCATED for c in unallocated_population(
                population, settings, manager.team_ids, today, drawn)}
    else:
        sup = supervisor_of(round_)
        population = [c for c in candidates_for(sup, settings, round_.period)
                      if c.key not in drawn_here]
        eligible = filter_eligible(population, settings, sup, today, drawn,
                                   period=round_.period)
        pools |= {c.key: Pool.REAUDIT for c in eligible.reaudits}
        pools |= {c.key: Pool.OPEN for c in eligible.others}
        pools |= {c.key: Pool.CLOSED for c in eligible.closed}
    cases = {str(c.id): c for c in Case.select().where(Case.id.in_([int(k) for k in pools]))}
    return [PopulationRow(CaseRef.of(cases[k]), pool, k in drawn_here)
            for k, pool in pools.items() if k in cases]

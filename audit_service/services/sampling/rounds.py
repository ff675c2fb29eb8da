"""Sampling rounds: open each supervisor's monthly sample exactly once, draw, replace, explain.

Exactly once rests on the database, not on timing: a round is unique per
(supervisor, period), each supervisor's round is written in its own
transaction, and a unique-index clash means another process opened it first.
So any number of schedulers or ``open-rounds`` commands may run at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from peewee import JOIN, IntegrityError, fn

from audit_service.domain.calendar import WorkingCalendar, england_and_wales_calendar
from audit_service.domain.months import Month, MonthError
from audit_service.domain.sampling import (
    DrawContext,
    Drawn,
    PopulationCase,
    SamplingPolicySettings,
    SamplingStrategy,
    StrategyError,
    Supervisor,
    draw_sample,
    draw_unallocated,
    seed_for,
    unallocated_population,
)
from audit_service.domain.sampling import (
    eligible_population as filter_eligible,
)
from audit_service.domain.sampling.population import previous_month
from audit_service.domain.vocabulary import CaseStatus, Pool, RoundStatus, StaffRole
from audit_service.plugins.registries import Registry, UnknownPlugin
from audit_service.services.platform import audit_trail, outbox
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling.population import (
    case_id_of,
    drawn_in_period,
    load_population,
)
from audit_service.storage.database import database
from audit_service.storage.models import (
    Audit,
    Case,
    RoundCase,
    SamplingPolicy,
    SamplingRound,
    Staff,
    Team,
    User,
    utcnow,
)


class RoundError(ValueError):
    """A round action cannot be done; the message says why in plain words.

    ``kind`` is "forbidden" (not this user's round), "conflict" (the round's state
    does not allow it) or "invalid" (bad input such as a missing reason).
    """

    def __init__(self, message: str, kind: str = "conflict"):
        super().__init__(message)
        self.kind = kind


def parse_period(period: str) -> Month:
    """A round's month; anything else is refused with an example."""
    try:
        return Month.parse(period)
    except MonthError as exc:
        raise RoundError(f"period {exc}", "invalid") from None


def period_label(period: str) -> str:
    return parse_period(period).label


def default_calendar(period: str) -> WorkingCalendar:
    year = parse_period(period).year
    return england_and_wales_calendar(range(year, year + 2))


def due_date(
    period: str, policy: SamplingPolicySettings | SamplingPolicy, calendar: WorkingCalendar
) -> dt.date:
    """The policy's number of working days after the month's first working day."""
    month = parse_period(period)
    return calendar.add_working_days(calendar.first_working_day(month.year, month.month),
                                     policy.due_working_days)


@dataclass
class OpenRoundsReport:
    """What one ``open_rounds`` call did, supervisor by supervisor."""

    period: str
    opened: list[str] = field(default_factory=list)
    already_open: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    not_notified: list[str] = field(default_factory=list)

    @property
    def opened_count(self) -> int:
        return len(self.opened)

    @property
    def already_open_count(self) -> int:
        return len(self.already_open)

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)

    def summary(self) -> str:
        return (f"{self.period}: {self.opened_count} opened, {self.already_open_count} already "
                f"open, {self.skipped_count} skipped")

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True)
class _Sup:
    staff: Staff
    team_id: int
    service_id: int | None

    @property
    def key(self) -> Supervisor:
        return Supervisor(self.staff.id, self.team_id, self.service_id)


@dataclass(frozen=True)
class _ServiceManager:
    """A service manager as the unallocated pool sees them: the teams their team managers
    lead, and the service those teams are in (None when they span several)."""

    staff: Staff
    team_ids: frozenset[int]
    service_id: int | None


def current_service_managers() -> list[_ServiceManager]:
    """Service managers in post, each with the teams of the people who report to them."""
    managers = list(Staff.select().where(Staff.staff_role == StaffRole.SERVICE_MANAGER.value,
                                         Staff.left_on.is_null()).order_by(Staff.id))
    if not managers:
        return []
    teams: dict[int, set[int]] = defaultdict(set)
    for manager_id, team_id in (Staff.select(Staff.line_manager, Staff.team)
                                .where(Staff.line_manager.in_([m.id for m in managers]),
                                       Staff.team.is_null(False)).tuples()):
        teams[manager_id].add(team_id)
    service_of = dict(Team.select(Team.id, Team.service).tuples())
    found = []
    for manager in managers:
        team_ids = teams[manager.id] | ({manager.team_id} if manager.team_id else set())
        services = {service_of.get(t) for t in team_ids}
        found.append(_ServiceManager(manager, frozenset(team_ids),
                                     services.pop() if len(services) == 1 else None))
    return found


def current_supervisors() -> tuple[list[_Sup], list[tuple[str, str]]]:
    """Team managers still in post with a team; and those left out, with the reason."""
    rows = (Staff.select(Staff, Team)
            .join(Team, on=(Staff.team == Team.id), join_type=JOIN.LEFT_OUTER)
            .where(Staff.staff_role == StaffRole.TEAM_MANAGER.value, Staff.left_on.is_null())
            .order_by(Staff.id))
    found, left_out = [], []
    for staff in rows:
        if staff.team_id is None:
            left_out.append((staff.name, "has no team, so there are no cases to sample"))
        else:
            found.append(_Sup(staff, staff.team_id, staff.team.service_id))
    return found, left_out


def _strategy_context(settings: SamplingPolicySettings, registry: Registry[SamplingStrategy],
                      today: dt.date, period: str) -> DrawContext:
    return DrawContext(today=today, period=period, options=settings.strategy_options,
                       strategies=registry)


def _draw(
    sup: Supervisor, settings: SamplingPolicySettings, seed: str,
    candidates: Sequence[PopulationCase], drawn_elsewhere: set[str], *, today: dt.date, period: str,
    registry: Registry[SamplingStrategy],
) -> tuple[int, list[Drawn]]:
    eligible = filter_eligible(candidates, settings, sup, today, drawn_elsewhere, period=period)
    strategy = registry.lookup(settings.strategy)
    picks = draw_sample(strategy, eligible.reaudits, eligible.others,
                        settings.cases_per_supervisor, seed,
                        _strategy_context(settings, registry, today, period),
                        closed=eligible.closed, closed_n=settings.closed_cases)
    return eligible.count, picks


def _draw_unallocated(
    manager: _ServiceManager, settings: SamplingPolicySettings, seed: str,
    candidates: Sequence[PopulationCase], drawn_elsewhere: set[str], *, today: dt.date, period: str,
    registry: Registry[SamplingStrategy], n: int | None = None,
) -> tuple[int, list[Drawn]]:
    pool = unallocated_population(candidates, settings, manager.team_ids, today, drawn_elsewhere)
    picks = draw_unallocated(registry.lookup(settings.strategy), pool,
                             settings.unallocated_cases if n is None else n, seed,
                             _strategy_context(settings, registry, today, period))
    return len(pool), picks


def _insert_cases(round_: SamplingRound, picks: Sequence[Drawn]) -> None:
    if picks:
        RoundCase.insert_many(
            [(round_.id, case_id_of(d.case_key), position, d.reason, d.pool,
              case_id_of(d.reaudit_of) if d.reaudit_of else None)
             for position, d in enumerate(picks, 1)],
            fields=[RoundCase.round, RoundCase.case, RoundCase.position, RoundCase.reason,
                    RoundCase.pool, RoundCase.reaudit_of],
        ).execute()


def open_rounds(
    period: str,
    *,
    today: dt.date,
    actor_label: str = "system",
    registry: Registry[SamplingStrategy],
    calendar: WorkingCalendar | None = None,
) -> OpenRoundsReport:
    """Open a round for every current supervisor who has none for ``period``; never a second.

    Safe to run again, and from several processes at once (PostgreSQL or SQLite).
    """
    parse_period(period)
    calendar = calendar or default_calendar(period)
    report = OpenRoundsReport(period)
    supervisors, left_out = current_supervisors()
    report.skipped += left_out
    existing = {sid for (sid,) in SamplingRound.select(SamplingRound.supervisor)
                .where(SamplingRound.period == period).tuples()}
    todo = []
    for sup in supervisors:
        if sup.staff.id in existing:
            report.already_open.append(sup.staff.name)
        else:
            todo.append(sup)
    if not todo:
        return report

    policies = sampling_policies.newest_by_scope()
    population = load_population(closed_since=previous_month(period, today)[0])
    by_team: dict[int, list[PopulationCase]] = defaultdict(list)
    by_service: dict[int | None, list[PopulationCase]] = defaultdict(list)
    for case in population:
        by_team[case.team_id].append(case)
        by_service[case.service_id].append(case)
    drawn = drawn_in_period(period)
    logins = {user.staff_id: user for user in User.select().where(
        User.staff.in_([s.staff.id for s in todo]), User.is_active == True)}  # noqa: E712
    builtin: SamplingPolicy | None = None
    settings_cache: dict[int, SamplingPolicySettings] = {}

    for sup in todo:
        policy = sampling_policies.resolve(sup.team_id, sup.service_id, policies)
        if policy is None:
            builtin = builtin or sampling_policies.stored_builtin_default()
            policy = builtin
        settings = settings_cache.get(policy.id) or sampling_policies.settings_of(policy)
        settings_cache[policy.id] = settings
        seed = seed_for(policy.scope, policy.version, sup.staff.id, period)
        eligible_count, picks = 0, []
        if settings.draw_mode != "supervisor":
            if settings.independence == "own_team":
                candidates = by_team.get(sup.team_id, [])
            elif sup.service_id is not None:
                candidates = by_service.get(sup.service_id, [])
            else:
                candidates = population
            try:
                eligible_count, picks = _draw(sup.key, settings, seed, candidates, drawn,
                                              today=today, period=period, registry=registry)
            except (StrategyError, UnknownPlugin) as exc:
                report.skipped.append((sup.staff.name, str(exc)))
                continue
            if not picks:
                report.skipped.append((sup.staff.name, _nothing_eligible(policy)))
                continue
        opened = _create_round(
            sup.staff, sup.team_id, period, policy, settings, seed, eligible_count, picks,
            supervisor_draws=settings.draw_mode == "supervisor", calendar=calendar,
            login=logins.get(sup.staff.id), actor_label=actor_label, report=report)
        if opened:
            drawn.update(d.case_key for d in picks)
    _open_unallocated_rounds(period, today, policies, population, drawn, existing, report,
                             registry=registry, calendar=calendar, actor_label=actor_label)
    return report


def _create_round(
    staff: Staff, team_id: int | None, period: str, policy: SamplingPolicy,
    settings: SamplingPolicySettings, seed: str, eligible_count: int, picks: Sequence[Drawn],
    *, supervisor_draws: bool, calendar: WorkingCalendar, login: User | None,
    actor_label: str, report: OpenRoundsReport,
) -> bool:
    """Write one round, its cases, its trail entry and its notice, in one transaction.

    False when another process opened this person's round for the month first.
    """
    try:
        with database.atomic():
            round_ = SamplingRound.create(
                supervisor=staff.id, team=team_id, period=period, policy=policy.id,
                seed=seed, eligible_count=eligible_count,
                status=RoundStatus.AWAITING_DRAW if supervisor_draws else RoundStatus.OPEN,
                drawn_at=None if supervisor_draws else utcnow(),
                due_on=due_date(period, settings, calendar),
            )
            _insert_cases(round_, picks)
            audit_trail.record(
                "round.opened", actor_label=actor_label, object_type="round",
                object_id=round_.public_id,
                after={"supervisor_id": staff.id, "period": period,
                       "policy_scope": policy.scope, "policy_version": policy.version,
                       "seed": seed, "eligible_count": eligible_count,
                       "status": round_.status,
                       "cases": [case_id_of(d.case_key) for d in picks],
                       "pools": [d.pool for d in picks]},
            )
            if login is not None:
                _notify_opened(round_, login,
                               settings.cases_per_supervisor if supervisor_draws else len(picks))
    except IntegrityError:
        report.already_open.append(staff.name)  # another process opened it first
        return False
    report.opened.append(staff.name)
    if login is None:
        report.not_notified.append(staff.name)
    return True


def _open_unallocated_rounds(
    period: str, today: dt.date, policies: dict[str, SamplingPolicy],
    population: Sequence[PopulationCase], drawn: set[str], existing: set[int],
    report: OpenRoundsReport, *, registry: Registry[SamplingStrategy],
    calendar: WorkingCalendar, actor_label: str,
) -> None:
    """Each service manager whose policy keeps an unallocated pool gets a round of those
    cases: open cases no worker holds, which no team manager's sample reaches."""
    managers = [m for m in current_service_managers() if m.staff.id not in existing]
    logins = {user.staff_id: user for user in User.select().where(
        User.staff.in_([m.staff.id for m in managers]), User.is_active == True)}  # noqa: E712
    for manager in managers:
        policy = sampling_policies.resolve(None, manager.service_id, policies)
        if policy is None:
            continue  # the built-in default keeps no unallocated pool
        settings = sampling_policies.settings_of(policy)
        if not settings.unallocated_cases:
            continue
        seed = seed_for(policy.scope, policy.version, manager.staff.id, period)
        try:
            count, picks = _draw_unallocated(manager, settings, seed, population, drawn,
                                             today=today, period=period, registry=registry)
        except (StrategyError, UnknownPlugin) as exc:
            report.skipped.append((manager.staff.name, str(exc)))
            continue
        if not picks:
            report.skipped.append((manager.staff.name, "no unallocated case is eligible in "
                                   "their teams, so no round was opened"))
            continue
        if _create_round(manager.staff, None, period, policy, settings, seed, count, picks,
                         supervisor_draws=False, calendar=calendar,
                         login=logins.get(manager.staff.id), actor_label=actor_label,
                         report=report):
            drawn.update(d.case_key for d in picks)


def _nothing_eligible(policy: SamplingPolicy) -> str:
    return (f"no case is eligible under the policy of "
            f"{sampling_policies.describe_scope(policy.scope)} (version {policy.version}); "
            "no round was opened")


def _notify_opened(round_: SamplingRound, user: User, count: int) -> None:
    """Tell the team manager, without any child identifier: how many cases, when, and where."""
    month = period_label(round_.period)
    due = f"{round_.due_on:%A} {round_.due_on.day} {round_.due_on:%B %Y}"
    cases = f"{count} case file{'' if count == 1 else 's'}"
    if round_.status == RoundStatus.AWAITING_DRAW:
        subject = f"Draw your case audit sample for {month}"
        body = [f"Your case audit round for {month} is open. Press \"Draw my sample\" on the "
                f"round page to draw {cases} to audit.",
                f"The audits are due by {due}."]
    else:
        subject = f"Your case audit sample for {month}"
        body = [f"Your sample of {cases} to audit for {month} is ready.",
                f"The audits are due by {due}. The round page shows each case and why it "
                "was drawn."]
    greeting = f"Dear {user.display_name},"
    text = "\n\n".join([greeting, *body])
    html = "".join(f"<p>{_escape(p)}</p>" for p in [greeting, *body])
    outbox.enqueue(f"round-opened:{round_.public_id}", user, subject, text, html,
                   f"/rounds/{round_.public_id}")


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


# --- after opening: draw, replace, explain -------------------------------------------


def _supervisor_of(round_: SamplingRound) -> Supervisor:
    team = Team.get_or_none(Team.id == round_.team_id) if round_.team_id else None
    if team is None:
        raise RoundError("the round's team no longer exists, so its cases cannot be drawn")
    return Supervisor(round_.supervisor_id, team.id, team.service_id)


def _service_manager_of(round_: SamplingRound) -> _ServiceManager | None:
    """The service manager whose unallocated pool a round without a team draws from."""
    return next((m for m in current_service_managers()
                 if m.staff.id == round_.supervisor_id), None)


def _candidates(sup: Supervisor, settings: SamplingPolicySettings,
                period: str) -> list[PopulationCase]:
    closed_since = parse_period(period).previous().first_day if settings.closed_cases else None
    if settings.independence == "own_team":
        return load_population([sup.team_id], closed_since=closed_since)
    if sup.service_id is not None:
        team_ids = [t for (t,) in Team.select(Team.id).where(Team.service == sup.service_id)
                    .tuples()]
        return load_population(team_ids, closed_since=closed_since)
    return load_population(closed_since=closed_since)


def _check_owner(round_: SamplingRound, user: User, action: str) -> None:
    if user.staff_id is None or user.staff_id != round_.supervisor_id:
        raise RoundError(f"only the round's team manager can {action}", "forbidden")


def draw_round(round_: SamplingRound, user: User, *, today: dt.date,
               registry: Registry[SamplingStrategy]) -> SamplingRound:
    """The supervisor's "Draw my sample": the same seeded draw the scheduler would make."""
    _check_owner(round_, user, "draw its sample")
    if round_.status != RoundStatus.AWAITING_DRAW:
        raise RoundError("this round's sample has already been drawn")
    settings = sampling_policies.settings_of(round_.policy)
    sup = _supervisor_of(round_)
    drawn = drawn_in_period(round_.period, excluding_round=round_.id)
    try:
        count, picks = _draw(sup, settings, round_.seed,
                             _candidates(sup, settings, round_.period), drawn,
                             today=today, period=round_.period, registry=registry)
    except (StrategyError, UnknownPlugin) as exc:
        raise RoundError(f"the sample cannot be drawn: {exc}") from None
    if not picks:
        raise RoundError("no case is eligible under the round's policy, so nothing can be drawn")
    with database.atomic():
        changed = (SamplingRound.update(status=RoundStatus.OPEN, drawn_at=utcnow(),
                                        eligible_count=count)
                   .where(SamplingRound.id == round_.id,
                          SamplingRound.status == RoundStatus.AWAITING_DRAW)
                   .execute())
        if not changed:
            raise RoundError("this round's sample has already been drawn")
        _insert_cases(round_, picks)
        audit_trail.record(
            "round.drawn", actor=user, object_type="round", object_id=round_.public_id,
            after={"seed": round_.seed, "eligible_count": count,
                   "cases": [case_id_of(d.case_key) for d in picks]},
        )
    return SamplingRound.get_by_id(round_.id)


def current_cases(round_: SamplingRound) -> list[RoundCase]:
    """The cases to audit now (replaced ones left out), by position, with their Case."""
    return list(RoundCase.select(RoundCase, Case).join(Case)
                .where(RoundCase.round == round_.id, RoundCase.replaced_at.is_null())
                .order_by(RoundCase.position, RoundCase.id))


def current_case_counts(rounds_: Sequence[SamplingRound]) -> dict[int, int]:
    """How many cases each round has to audit now, for a list of rounds in one query."""
    counts = dict.fromkeys((r.id for r in rounds_), 0)
    if counts:
        counts.update(RoundCase.select(RoundCase.round, fn.COUNT(RoundCase.id))
                      .where(RoundCase.round.in_(list(counts)), RoundCase.replaced_at.is_null())
                      .group_by(RoundCase.round).tuples())
    return counts


def cases_by_round(rounds_: Sequence[SamplingRound]
                   ) -> dict[int, tuple[list[RoundCase], list[RoundCase]]]:
    """Each round's (current, replaced) cases, ordered as ``current_cases`` and
    ``replaced_cases`` order them, for a whole list of rounds in one query."""
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


def replaced_cases(round_: SamplingRound) -> list[RoundCase]:
    return list(RoundCase.select(RoundCase, Case).join(Case)
                .where(RoundCase.round == round_.id, RoundCase.replaced_at.is_null(False))
                .order_by(RoundCase.replaced_at, RoundCase.id))


def replace_case(round_case: RoundCase, reason: str, user: User, *,
                 today: dt.date,
                 registry: Registry[SamplingStrategy]) -> RoundCase:
    """Swap a drawn case for another drawn by the same strategy, recording why.

    The reason is required ("closed since the draw", "conflict of interest"); the
    replaced case stays in the round's history.
    """
    round_ = SamplingRound.get_by_id(round_case.round_id)
    _check_owner(round_, user, "replace its cases")
    reason = " ".join((reason or "").split())
    if not reason:
        raise RoundError("give a reason for replacing the case, such as \"closed since the "
                         "draw\" or \"conflict of interest\"", "invalid")
    if round_case.replaced_at is not None:
        raise RoundError("this case has already been replaced")
    if Audit.select().where(Audit.round_case == round_case.id).exists():
        raise RoundError("an audit of this case has been started, so it cannot be replaced")
    case = Case.get_by_id(round_case.case_id)
    if case.status == CaseStatus.CLOSED.value and round_case.pool != Pool.CLOSED:
        raise RoundError(
            f"this case closed on {case.closed_on:%d/%m/%Y} since it was drawn: audit it as a "
            "closure (was the decision to close right, and was it recorded with a rationale?) "
            "rather than replace it" if case.closed_on else
            "this case has closed since it was drawn: audit it as a closure rather than "
            "replace it")
    settings = sampling_policies.settings_of(round_.policy)
    in_round = {str(c) for (c,) in RoundCase.select(RoundCase.case)
                .where(RoundCase.round == round_.id).tuples()}
    replaced_so_far = (RoundCase.select().where(RoundCase.round == round_.id,
                                                RoundCase.replaced_at.is_null(False)).count())
    excluded = drawn_in_period(round_.period, excluding_round=round_.id) | in_round
    seed = f"{round_.seed}|replacement-{replaced_so_far + 1}"
    try:
        picks = _replacement(round_, round_case, settings, seed, excluded, today, registry)
    except (StrategyError, UnknownPlugin) as exc:
        raise RoundError(f"no replacement can be drawn: {exc}") from None
    if not picks:
        raise RoundError("no other eligible case is left to draw, so the case stays in the "
                         "sample")
    (pick,) = picks
    with database.atomic():
        changed = (RoundCase.update(replaced_at=utcnow(), replacement_reason=reason)
                   .where(RoundCase.id == round_case.id, RoundCase.replaced_at.is_null())
                   .execute())
        if not changed:
            raise RoundError("this case has already been replaced")
        new = RoundCase.create(round=round_.id, case=case_id_of(pick.case_key),
                               position=round_case.position, pool=pick.pool,
                               reaudit_of=case_id_of(pick.reaudit_of) if pick.reaudit_of
                               else None,
                               reason=f"replacement ({reason}): {pick.reason}")
        RoundCase.update(replaced_by=new.id).where(RoundCase.id == round_case.id).execute()
        audit_trail.record(
            "round.case_replaced", actor=user, object_type="round", object_id=round_.public_id,
            before={"case_id": round_case.case_id, "position": round_case.position},
            after={"case_id": new.case_id, "reason": reason, "seed": seed},
        )
    return new


def _replacement(round_: SamplingRound, round_case: RoundCase,
                 settings: SamplingPolicySettings, seed: str, excluded: set[str],
                 today: dt.date, registry: Registry[SamplingStrategy]) -> list[Drawn]:
    """One case drawn by the same strategy from the pool the replaced case came from."""
    if round_.team_id is None:
        manager = _service_manager_of(round_)
        if manager is None:
            raise RoundError("the round's service manager is no longer in post, so no "
                             "replacement can be drawn")
        return _draw_unallocated(manager, settings, seed, load_population(), excluded,
                                 today=today, period=round_.period, registry=registry, n=1)[1]
    sup = _supervisor_of(round_)
    one = dataclasses.replace(
        settings, cases_per_supervisor=0 if round_case.pool == Pool.CLOSED else 1,
        closed_cases=1 if round_case.pool == Pool.CLOSED else 0)
    return _draw(sup, one, seed, _candidates(sup, one, round_.period), excluded, today=today,
                 period=round_.period, registry=registry)[1]


@dataclass(frozen=True)
class PopulationRow:
    """One eligible case for the quality lead's view, with the pool it is (or would be)
    drawn from."""

    case: Case
    pool: str
    in_round: bool

    @property
    def reaudit(self) -> bool:
        return self.pool == Pool.REAUDIT

    @property
    def pool_label(self) -> str:
        return Pool(self.pool).label


def eligible_population(round_: SamplingRound, *, today: dt.date
                        ) -> list[PopulationRow]:
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
        manager = _service_manager_of(round_)
        if manager is not None:
            population = [c for c in load_population() if c.key not in drawn_here]
            pools |= {c.key: Pool.UNALLOCATED for c in unallocated_population(
                population, settings, manager.team_ids, today, drawn)}
    else:
        sup = _supervisor_of(round_)
        population = [c for c in _candidates(sup, settings, round_.period)
                      if c.key not in drawn_here]
        eligible = filter_eligible(population, settings, sup, today, drawn,
                                   period=round_.period)
        pools |= {c.key: Pool.REAUDIT for c in eligible.reaudits}
        pools |= {c.key: Pool.OPEN for c in eligible.others}
        pools |= {c.key: Pool.CLOSED for c in eligible.closed}
    cases = {str(c.id): c for c in Case.select().where(Case.id.in_([int(k) for k in pools]))}
    return [PopulationRow(cases[k], pool, k in drawn_here) for k, pool in pools.items()
            if k in cases]


def rounds_for(period: str, user: User) -> list[SamplingRound]:
    """A month's rounds this user may see: a supervisor only their own, others all."""
    parse_period(period)
    query = (SamplingRound.select(SamplingRound, Staff, Team, SamplingPolicy)
             .join(Staff, on=(SamplingRound.supervisor == Staff.id))
             .switch(SamplingRound)
             .join(Team, join_type=JOIN.LEFT_OUTER, on=(SamplingRound.team == Team.id))
             .switch(SamplingRound)
             .join(SamplingPolicy, join_type=JOIN.LEFT_OUTER,
                   on=(SamplingRound.policy == SamplingPolicy.id))
             .where(SamplingRound.period == period)
             .order_by(Staff.name, SamplingRound.id))
    if not may_see_all(user):
        query = query.where(SamplingRound.supervisor == (user.staff_id or 0))
    return list(query)


def may_see_all(user: User) -> bool:
    return user.role in ("quality_lead", "admin", "senior_leader")


def may_see(round_: SamplingRound, user: User) -> bool:
    if may_see_all(user):
        return True
    return user.role == "supervisor" and user.staff_id == round_.supervisor_id

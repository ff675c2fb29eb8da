"""Sampling rounds: open each supervisor's monthly sample exactly once, and the draw itself.

Exactly once rests on the database, not on timing: a round is unique per
(supervisor, period), each supervisor's round is written in its own
transaction, and a unique-index clash means another process opened it first.
So any number of schedulers or ``open-rounds`` commands may run at once.

What comes after opening lives beside this module: ``round_draws`` (a team
manager draws or replaces) and ``round_reads`` (a round as pages and the API show it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from peewee import JOIN, IntegrityError

from audit_service.domain.accounts.case_reading import reads_every_audit
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
from audit_service.domain.vocabulary import RoundStatus, StaffRole
from audit_service.plugins.registries import Registry, UnknownPlugin
from audit_service.services.errors import Conflict, Invalid, NotAllowed
from audit_service.services.platform import audit_trail, outbox
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling.population import (
    case_id_of,
    drawn_in_period,
    load_population,
)
from audit_service.storage.database import database
from audit_service.storage.models import (
    RoundCase,
    SamplingPolicy,
    SamplingRound,
    Staff,
    Team,
    User,
    utcnow,
)


class RoundNotYours(NotAllowed):
    """Only the round's own team manager draws its sample and replaces its cases."""


class RoundConflict(Conflict):
    """The round has moved on (drawn, replaced, audited), or what it draws from has gone."""


class InvalidRound(Invalid):
    """A month that is not one, or a replacement without its reason."""


def parse_period(period: str) -> Month:
    """A round's month; anything else is refused with an example."""
    try:
        return Month.parse(period)
    except MonthError as exc:
        raise InvalidRound(f"period {exc}") from None


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
class ServiceManager:
    """A service manager as the unallocated pool sees them: the teams their team managers
    lead, and the service those teams are in (None when they span several)."""

    staff: Staff
    team_ids: frozenset[int]
    service_id: int | None


def current_service_managers() -> list[ServiceManager]:
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
        found.append(ServiceManager(manager, frozenset(team_ids),
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


def draw_for(
    sup: Supervisor, settings: SamplingPolicySettings, seed: str,
    candidates: Sequence[PopulationCase], drawn_elsewhere: set[str], *, today: dt.date, period: str,
    registry: Registry[SamplingStrategy],
) -> tuple[int, list[Drawn]]:
    """A team manager's seeded draw from ``candidates``: (how many were eligible, the picks).
    The scheduler and the team manager's own draw both make it, so either can be checked."""
    eligible = filter_eligible(candidates, settings, sup, today, drawn_elsewhere, period=period)
    strategy = registry.lookup(settings.strategy)
    picks = draw_sample(strategy, eligible.reaudits, eligible.others,
                        settings.cases_per_supervisor, seed,
                        _strategy_context(settings, registry, today, period),
                        closed=eligible.closed, closed_n=settings.closed_cases)
    return eligible.count, picks


def draw_unallocated_for(
    manager: ServiceManager, settings: SamplingPolicySettings, seed: str,
    candidates: Sequence[PopulationCase], drawn_elsewhere: set[str], *, today: dt.date, period: str,
    registry: Registry[SamplingStrategy], n: int | None = None,
) -> tuple[int, list[Drawn]]:
    """A service manager's seeded draw of unallocated cases in their teams (``n`` of them for a
    replacement, else the policy's number)."""
    pool = unallocated_population(candidates, settings, manager.team_ids, today, drawn_elsewhere)
    picks = draw_unallocated(registry.lookup(settings.strategy), pool,
                             settings.unallocated_cases if n is None else n, seed,
                             _strategy_context(settings, registry, today, period))
    return len(pool), picks


def insert_cases(round_: SamplingRound, picks: Sequence[Drawn]) -> None:
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
                eligible_count, picks = draw_for(sup.key, settings, seed, candidates, drawn,
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
            insert_cases(round_, picks)
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
            count, picks = draw_unallocated_for(manager, settings, seed, population, drawn,
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


# --- shared by drawing and reading after opening ------------------------------------------


def supervisor_of(round_: SamplingRound) -> Supervisor:
    team = Team.get_or_none(Team.id == round_.team_id) if round_.team_id else None
    if team is None:
        raise RoundConflict("the round's team no longer exists, so its cases cannot be drawn")
    return Supervisor(round_.supervisor_id, team.id, team.service_id)


def service_manager_of(round_: SamplingRound) -> ServiceManager | None:
    """The service manager whose unallocated pool a round without a team draws from."""
    return next((m for m in current_service_managers()
                 if m.staff.id == round_.supervisor_id), None)


def candidates_for(sup: Supervisor, settings: SamplingPolicySettings,
                   period: str) -> list[PopulationCase]:
    closed_since = parse_period(period).previous().first_day if settings.closed_cases else None
    if settings.independence == "own_team":
        return load_population([sup.team_id], closed_since=closed_since)
    if sup.service_id is not None:
        team_ids = [t for (t,) in Team.select(Team.id).where(Team.service == sup.service_id)
                    .tuples()]
        return load_population(team_ids, closed_since=closed_since)
    return load_population(closed_since=closed_since)


def may_see_all(user: User) -> bool:
    return user.role in ("quality_lead", "admin", "senior_leader")


def may_see(round_: SamplingRound, user: User) -> bool:
    if may_see_all(user):
        return True
    return user.role == "supervisor" and user.staff_id == round_.supervisor_id


def shows_cases(round_: SamplingRound, user: User) -> bool:
    """Whether ``user`` reads the children's case references of ``round_``: its own team
    manager, and whoever reads every audit (``domain.accounts.case_reading``)."""
    return is_owner(round_, user) or reads_every_audit(user.role, user.case_reader)


def may_see_population(user: User) -> bool:
    """Quality leads oversee sampling: they see what a policy makes eligible, cases drawn for
    others included; so may an administrator or senior leader with the case reader grant."""
    return reads_every_audit(user.role, user.case_reader)


def is_owner(round_: SamplingRound, user: User) -> bool:
    """The round is the user's own sample: they are its team manager, signed in as one."""
    return user.role == "supervisor" and user.staff_id == round_.supervisor_id

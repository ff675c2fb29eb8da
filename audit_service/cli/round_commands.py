"""``audit-service open-rounds`` and ``audit-service policies``: sampling from the command line."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from audit_service.cli.group import cli
from audit_service.clock import local_today
from audit_service.domain.sampling import DRAW_MODES, INDEPENDENCE
from audit_service.domain.sampling import SamplingPolicySettings as Settings
from audit_service.extension import registries
from audit_service.scheduling.settings import SchedulerSettings
from audit_service.services.sampling import policies
from audit_service.services.sampling.rounds import InvalidRound, open_rounds, parse_period
from audit_service.services.sampling.views import PolicyScope
from audit_service.storage.database import database

ACTOR = "cli:open-rounds"


@cli.command("open-rounds")
@click.option("--period", metavar="YYYY-MM",
              help="The month to open; by default the current month in AUDIT_TIMEZONE.")
@with_appcontext
def open_rounds_command(period: str | None) -> None:
    """Open this month's sampling round for every team manager who has none (idempotent)."""
    today = local_today()
    period = period or f"{today:%Y-%m}"
    try:
        parse_period(period)
    except InvalidRound as exc:
        raise click.BadParameter(exc.message, param_hint="--period") from None
    calendar = SchedulerSettings.from_config(current_app.config).calendar(today)
    with database.connection_context():
        report = open_rounds(period, today=today, actor_label=ACTOR,
                             registry=registries().sampling_strategies, calendar=calendar)
    click.echo(f"Rounds for {period}: {report.opened_count} opened, "
               f"{report.already_open_count} already open, {report.skipped_count} skipped.")
    for name, reason in report.skipped:
        click.echo(f"  skipped {name}: {reason}")
    if report.not_notified:
        click.echo(f"  {len(report.not_notified)} team manager(s) have no login, so were not "
                   f"notified: {', '.join(report.not_notified)}")


@cli.group("policies")
def policies_group() -> None:
    """Show and set sampling policies (council, service and team)."""


def _scope_options(view):
    view = click.option("--council", "council", is_flag=True,
                        help="The council-wide policy.")(view)
    view = click.option("--service", "service_name", metavar="NAME", help="A service.")(view)
    view = click.option("--team", "team_name", metavar="NAME", help="A team.")(view)
    return view


def _target(team_name: str | None, service_name: str | None, council: bool) -> PolicyScope:
    if sum(bool(x) for x in (team_name, service_name, council)) > 1:
        raise click.UsageError("choose one of --team, --service or --council")
    try:
        return policies.named_scope(team=team_name, service=service_name)
    except policies.UnknownScope as exc:
        (option,) = exc.by_field()
        raise click.BadParameter(exc.message, param_hint=f"--{option}") from None


def _describe(settings: Settings) -> list[str]:
    return [
        f"  cases per team manager: {settings.cases_per_supervisor}",
        f"  case types: {', '.join(settings.case_types)}",
        f"  strategy: {settings.strategy}"
        + (f" {json.dumps(dict(settings.strategy_options))}" if settings.strategy_options else ""),
        f"  exclusion: not audited in the last {settings.exclusion_months} months",
        f"  independence: {settings.independence}",
        "  re-audit: " + (f"{', '.join(settings.reaudit_grades)} after "
                          f"{settings.reaudit_after_months} months"
                          if settings.reaudit_grades else "off"),
        f"  draw mode: {settings.draw_mode}",
        f"  due: {settings.due_working_days} working days after the first working day",
        f"  closed last month, per team manager: {settings.closed_cases}",
        f"  unallocated, per service manager: {settings.unallocated_cases}",
    ]


@policies_group.command("show")
@_scope_options
@with_appcontext
def show_command(team_name: str | None, service_name: str | None, council: bool) -> None:
    """Show the policy that applies to a team, or the newest version of every scope."""
    with database.connection_context():
        scope = _target(team_name, service_name, council)
        if scope.team_id is not None:
            applies = policies.effective(scope)
            version = f" version {applies.version}" if applies.version else ""
            click.echo(f"Team {scope.name} follows the policy of {applies.source}{version}:")
            click.echo("\n".join(_describe(applies.settings)))
            return
        newest = policies.newest_versions()
        if service_name or council:
            newest = [found for found in newest if found.scope == scope.key]
            if not newest:
                click.echo(f"No policy has been set for {scope.label}.")
                return
        if not newest:
            click.echo("No sampling policy has been set; the built-in default applies:")
            click.echo("\n".join(_describe(policies.BUILTIN_DEFAULT)))
            return
        for found in newest:
            click.echo(f"{found.applies_to}, version {found.version} "
                       f"(set by {found.created_by}):")
            click.echo("\n".join(_describe(found)))


@policies_group.command("set")
@_scope_options
@click.option("--cases", type=int, help="Cases per team manager per month.")
@click.option("--case-types", metavar="A,B", help="Eligible case types, comma-separated.")
@click.option("--strategy", metavar="ID", help="Sampling strategy id.")
@click.option("--strategy-options", metavar="JSON", help="The strategy's options as JSON.")
@click.option("--exclusion-months", type=int, help="Leave out cases audited in the last N months.")
@click.option("--independence", type=click.Choice(INDEPENDENCE))
@click.option("--reaudit-grades", metavar="A,B",
              help="Grades that bring a case back for a re-audit (empty: none), "
                   "e.g. requires_improvement,inadequate.")
@click.option("--reaudit-after-months", type=int, help="Months before the re-audit is due.")
@click.option("--draw-mode", type=click.Choice(DRAW_MODES))
@click.option("--due-working-days", type=int, help="Working days the team manager has.")
@click.option("--closed-cases", type=int,
              help="Cases closed last month to dip sample per team manager.")
@click.option("--unallocated-cases", type=int,
              help="Unallocated cases to sample per service manager.")
@with_appcontext
def set_command(team_name, service_name, council, cases, case_types, strategy, strategy_options,
                exclusion_months, independence, reaudit_grades, reaudit_after_months, draw_mode,
                due_working_days, closed_cases, unallocated_cases) -> None:
    """Save a new policy version; settings not given are kept from the policy that applies now."""
    changes = {
        "cases_per_supervisor": cases,
        "case_types": [t.strip() for t in case_types.split(",") if t.strip()]
        if case_types is not None else None,
        "strategy": strategy,
        "exclusion_months": exclusion_months,
        "independence": independence,
        "reaudit_grades": [g.strip() for g in reaudit_grades.split(",") if g.strip()]
        if reaudit_grades is not None else None,
        "reaudit_after_months": reaudit_after_months,
        "draw_mode": draw_mode,
        "due_working_days": due_working_days,
        "closed_cases": closed_cases,
        "unallocated_cases": unallocated_cases,
    }
    if strategy_options is not None:
        try:
            changes["strategy_options"] = json.loads(strategy_options)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not valid JSON: {exc}",
                                     param_hint="--strategy-options") from None
    with database.connection_context():
        scope = _target(team_name, service_name, council)
        try:
            saved = policies.save(scope, {k: v for k, v in changes.items() if v is not None},
                                  actor_label="cli:policies",
                                  registry=registries().sampling_strategies)
        except policies.InvalidPolicy as exc:
            raise click.ClickException(
                "the policy was not saved:\n  " + "\n  ".join(exc.problems)) from None
    click.echo(f"Saved version {saved.version} of the policy for {saved.applies_to}:")
    click.echo("\n".join(_describe(saved)))

"""``audit-service demo``: load a synthetic council so the service can be tried at once."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext

from audit_service.cli.group import cli
from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.scheduling.settings import SchedulerSettings
from audit_service.services.accounts.users import AccountError
from audit_service.services.demo.council import LOGIN_SEES, SCALES, DemoLogin, generate_council
from audit_service.services.demo.loader import DemoLoadError, load_demo, start_demo_sampling
from audit_service.storage.database import database
from audit_service.storage.models import Case, Staff, User

DEFAULT_SEED = 2024
# Documented in the README: every demo login shares it unless --password says otherwise.
DEFAULT_PASSWORD = "demo-password-2024"  # noqa: S105 - a published demo password, not a secret
DEMO_USERNAMES = ("demo-admin", "demo-supervisor", "demo-practitioner", "demo-quality",
                  "demo-hr", "demo-leader")


def _echo_logins(rows: list[tuple[str, str, str]], password: str, *, note: str = "") -> None:
    width_user = max([len("username"), *(len(r[0]) for r in rows)])
    width_role = max([len("role"), *(len(r[1]) for r in rows)])
    click.echo(f"{'username':<{width_user}}  {'role':<{width_role}}  sees")
    for username, role, sees in rows:
        click.echo(f"{username:<{width_user}}  {role:<{width_role}}  {sees}")
    click.echo(f"password for every demo login: {password}{note}")


def _login_rows(logins: tuple[DemoLogin, ...]) -> list[tuple[str, str, str]]:
    return [(login.username, login.role.label, login.sees) for login in logins]


def _existing_login_rows() -> list[tuple[str, str, str]]:
    """The demo logins already in the database, described from what is stored."""
    rows = []
    users = User.select().where(User.username.in_(DEMO_USERNAMES))
    for user in sorted(users, key=lambda u: DEMO_USERNAMES.index(u.username)):
        role = Role(user.role)
        sees = LOGIN_SEES[role]
        if user.staff is not None and user.staff.team is not None:
            sees += f" ({user.staff.team.name})"
        rows.append((user.username, role.label, sees))
    return rows


def _load_history(scale: str, seed: int, today: dt.date):
    """Past audits for the summaries and trends (issue 7), after this month's rounds."""
    from audit_service.services.audits.lifecycle import ensure_published
    from audit_service.services.demo.history import DEFAULT_MONTHS
    from audit_service.services.demo.history_loader import HistoryLoadError, load_history

    installed = registries()
    ensure_published(installed.rubrics)
    try:
        return load_history(today=today, months=DEFAULT_MONTHS[scale], seed=seed,
                            criterion_types=installed.criterion_types)
    except HistoryLoadError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command("demo")
@click.option("--scale", type=click.Choice(SCALES), default="small", show_default=True,
              help="small: 4 teams, 40 staff, 600 cases. large: 120 teams, 20,000 cases.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="The same seed always builds the same council.")
@click.option("--password", default=DEFAULT_PASSWORD, show_default=True,
              help="The password every demo login shares (at least 10 characters).")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and succeed) when the database already holds staff or cases.")
@click.option("--history/--no-history", default=True, show_default=True,
              help="Also generate past audits: 12 months (small) or 5 years (large).")
@with_appcontext
def demo_command(scale: str, seed: int, password: str, if_empty: bool, history: bool) -> None:
    """Load a synthetic council with one demo login per role into an empty database."""
    with database.connection_context():
        if if_empty and (Staff.select().exists() or Case.select().exists()):
            click.echo("The database already holds data, so no demo was loaded.")
            rows = _existing_login_rows()
            if rows:
                _echo_logins(rows, password, note=" (unless it was changed)")
            return
        today = local_today()
        council = generate_council(scale, seed, today)
        try:
            summary = load_demo(council, password)
        except (DemoLoadError, AccountError) as exc:
            raise click.ClickException(str(exc)) from None
        rounds = start_demo_sampling(
            today, registry=registries().sampling_strategies,
            calendar=SchedulerSettings.from_config(current_app.config).calendar(today),
        )
        past = _load_history(scale, seed, today) if history else None
        # Fresh planner statistics for tables that just grew from nothing: PostgreSQL's
        # autovacuum may be off or not have run yet, and SQLite has none until asked.
        database.execute_sql("ANALYZE")
    click.echo(
        f"Loaded the {summary.scale} demo council (seed {summary.seed}): "
        f"{summary.services} services, {summary.teams} teams, {summary.staff} staff, "
        f"{summary.open_cases} open and {summary.closed_cases} closed cases."
    )
    click.echo(f"Set a council-wide sampling policy and opened {rounds.opened_count} sampling "
               f"rounds for {today:%B %Y}.")
    if past is not None:
        click.echo(f"Generated {past.months} months of audit history: {past.audits} audits, "
                   f"{past.ratings} criterion ratings and {past.actions} actions.")
    _echo_logins(_login_rows(summary.logins), password)

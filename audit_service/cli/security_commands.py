"""``audit-service users disable`` and ``audit-service retention run``."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext

from audit_service.cli.account_commands import cli_actor, users_group
from audit_service.cli.group import cli
from audit_service.clock import local_today
from audit_service.services.accounts import sessions as user_sessions
from audit_service.services.platform.retention import run_retention
from audit_service.storage.database import database
from audit_service.storage.models import User


@users_group.command("disable")
@click.argument("username")
@with_appcontext
def disable_user_command(username: str) -> None:
    """Stop USERNAME signing in, and end every session and API access they have now."""
    with database.connection_context():
        user = User.get_or_none(User.username == username.strip().lower())
        if user is None:
            raise click.ClickException(
                f"no user named {username!r}; see `audit-service users list`"
            )
        was_active = bool(user.is_active)
        ended = user_sessions.disable_user(user, actor_label=cli_actor())
    state = "disabled" if was_active else "was already disabled"
    click.echo(f"user {user.username} {state}; {ended} open session(s) ended")


@cli.group("retention")
def retention_group() -> None:
    """Anonymise closed cases past retention (AUDIT_RETENTION_YEARS, default 7)."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Say what would be anonymised; change nothing.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if on this date (YYYY-MM-DD); default today.")
@with_appcontext
def retention_run_command(dry_run: bool, today: dt.datetime | None) -> None:
    """Anonymise every case closed more than the retention period ago, with its audits."""
    day = today.date() if today else local_today()
    with database.connection_context():
        report = run_retention(day, years=current_app.config["RETENTION_YEARS"], dry_run=dry_run)
    click.echo(report.summary())
    for public_id in report.cases:
        click.echo(f"  case {public_id}")

"""``audit-service users ...`` and ``audit-service tokens ...``: accounts from the command line."""

from __future__ import annotations

import getpass

import click
from flask.cli import with_appcontext

from audit_service.cli.group import cli
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.storage.database import database
from audit_service.storage.models import User

PASSWORD_ENV = "AUDIT_NEW_USER_PASSWORD"  # noqa: S105 - the variable's name, not a secret


def cli_actor() -> str:
    """Who ran the command, as the audit trail records it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


@cli.group("users")
def users_group() -> None:
    """Create and list user accounts."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]),
              help="What the account may do.")
@click.option("--display-name", help="Name shown in the service (default: the username).")
@click.option("--email", help="For notifications.")
@click.option("--password", envvar=PASSWORD_ENV, prompt=True, hide_input=True,
              confirmation_prompt=True,
              help=f"At least {accounts.MIN_PASSWORD_LENGTH} characters and hard to guess. "
              "Prompted for when "
              f"missing; scripts can set {PASSWORD_ENV} instead.")
@with_appcontext
def create_user_command(username: str, role: str, display_name: str | None, email: str | None,
                        password: str) -> None:
    """Create a local account USERNAME that signs in with a password."""
    try:
        with database.connection_context():
            user = accounts.create_user(
                username,
                role=role,
                password=password,
                display_name=display_name,
                email=email,
                actor_label=cli_actor(),
            )
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created user {user.username} ({Role(user.role).label})")


@users_group.command("list")
@with_appcontext
def list_users_command() -> None:
    """List every account with its role and whether it can sign in."""
    with database.connection_context():
        users = list(User.select().order_by(User.username))
    if not users:
        click.echo("no users yet: create one with `audit-service users create`")
        return
    width = max(len(u.username) for u in users)
    for user in users:
        state = "active" if user.is_active else "disabled"
        click.echo(f"{user.username:<{width}}  {user.role:<13}  {state:<8}  {user.display_name}")


@cli.group("tokens")
def tokens_group() -> None:
    """Issue API bearer tokens."""


@tokens_group.command("create")
@click.option("--user", "username", required=True, help="The account the token acts as.")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@with_appcontext
def create_token_command(username: str, name: str) -> None:
    """Print a new API token for USER. It is shown once; only its hash is stored."""
    with database.connection_context():
        user = User.get_or_none(User.username == username.strip().lower())
        if user is None:
            raise click.ClickException(
                f"no user named {username!r}; see `audit-service users list`"
            )
        if not user.is_active:
            raise click.ClickException(f"user {user.username!r} is disabled")
        token = accounts.create_token(user, name, actor_label=cli_actor())
    click.echo(f"token {name!r} for {user.username} (shown once; store it now):", err=True)
    click.echo(token)

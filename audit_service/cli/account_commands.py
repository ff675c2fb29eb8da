"""``audit-service users ...`` and ``audit-service tokens ...``: accounts from the command line."""

from __future__ import annotations

import getpass

import click
from flask.cli import with_appcontext

from audit_service.cli.group import cli
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.services.errors import NotFound
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
@click.option("--days", default=accounts.TOKEN_DAYS, show_default=True,
              type=click.IntRange(1, accounts.MAX_TOKEN_DAYS), help="How long it works.")
@click.option("--read-only", is_flag=True, help="It may read (GET) but change nothing.")
@with_appcontext
def create_token_command(username: str, name: str, days: int, read_only: bool) -> None:
    """Print a new API token for USER. It is shown once; only its hash is stored."""
    with database.connection_context():
        user = User.get_or_none(User.username == username.strip().lower())
        if user is None:
            raise click.ClickException(
                f"no user named {username!r}; see `audit-service users list`"
            )
        if not user.is_active:
            raise click.ClickException(f"user {user.username!r} is disabled")
        try:
            token = accounts.create_token(user, name, days=days, read_only=read_only,
                                          actor_label=cli_actor())
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"token {name!r} for {user.username}, {days} days"
               f"{', read only' if read_only else ''} (shown once; store it now):", err=True)
    click.echo(token)


@tokens_group.command("list")
@click.option("--user", "username", help="Only this account's tokens.")
@with_appcontext
def list_tokens_command(username: str | None) -> None:
    """Every token (never its secret): id, account, name, access, state and expiry."""
    with database.connection_context():
        owner = None
        if username:
            owner = User.get_or_none(User.username == username.strip().lower())
            if owner is None:
                raise click.ClickException(f"no user named {username!r}")
        found = accounts.tokens(owner)
    if not found:
        click.echo("No tokens.")
        return
    for t in found:
        expires = t.expires_at.strftime("%Y-%m-%d") if t.expires_at else "never"
        access = "read-only" if t.read_only else "read-write"
        click.echo(f"{t.id:>5}  {t.username:<20}  {t.name:<24}  {t.prefix}  {access:<10}  "
                   f"{t.state:<7}  expires {expires}")


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_token_command(token_id: int) -> None:
    """Stop token TOKEN_ID working at once (ids from `audit-service tokens list`)."""
    with database.connection_context():
        try:
            token = accounts.revoke_token(None, token_id, actor_label=cli_actor())
        except NotFound:
            raise click.ClickException(f"no token with id {token_id}") from None
    click.echo(f"token {token_id} ({token.name}, {token.username}) is revoked")

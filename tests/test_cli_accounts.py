"""``audit-service users create|list`` and ``audit-service tokens create``."""

from __future__ import annotations

import pytest

from audit_service.cli import cli
from audit_service.services.accounts import users as accounts
from audit_service.storage.database import database
from audit_service.storage.models import ApiToken, Event, User

PASSWORD = "a-long-cli-password"


def _user(username: str) -> User | None:
    with database.connection_context():
        return User.get_or_none(User.username == username)


def test_create_user_with_a_password_option(runner) -> None:
    result = runner.invoke(cli, ["users", "create", "Alex", "--role", "quality_lead",
                                 "--display-name", "Alex Quinn", "--email", "alex@example.org",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert result.output == "created user alex (Quality lead)\n"
    user = _user("alex")
    assert (user.display_name, user.email, user.role) == ("Alex Quinn", "alex@example.org",
                                                          "quality_lead")
    with database.connection_context():
        assert accounts.authenticate("alex", PASSWORD).id == user.id
        event = Event.get(Event.action == "user.created")
    assert event.actor_label.startswith("cli:")


def test_password_from_the_environment(runner) -> None:
    result = runner.invoke(cli, ["users", "create", "sam", "--role", "supervisor"],
                           env={"AUDIT_NEW_USER_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    with database.connection_context():
        assert accounts.authenticate("sam", PASSWORD) is not None


def test_password_prompt_asks_twice(runner) -> None:
    result = runner.invoke(cli, ["users", "create", "pat", "--role", "practitioner"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output
    with database.connection_context():
        assert accounts.authenticate("pat", PASSWORD) is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "admin", "--password", "short"], "at least 12 characters"),
        (["--role", "admin", "--password", " " * 14], "not only spaces"),
        (["--role", "admin", "--password", "password1234"], "very common password"),
        (["--role", "admin", "--password", "kimkimkimkim1"], "harder to guess"),
        (["--role", "wizard", "--password", PASSWORD], "'wizard' is not one of"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(runner, args, message) -> None:
    result = runner.invoke(cli, ["users", "create", "kim", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert _user("kim") is None


def test_duplicate_usernames_are_refused(runner) -> None:
    args = ["users", "create", "alex", "--role", "hr", "--password", PASSWORD]
    assert runner.invoke(cli, args).exit_code == 0
    again = runner.invoke(cli, args)
    assert again.exit_code == 1
    assert "a user named 'alex' already exists" in again.output


def test_users_list(runner) -> None:
    assert runner.invoke(cli, ["users", "list"]).output.startswith("no users yet")
    for name, role in (("bea", "senior_leader"), ("al", "admin")):
        runner.invoke(cli, ["users", "create", name, "--role", role, "--password", PASSWORD])
    lines = runner.invoke(cli, ["users", "list"]).output.splitlines()
    assert [line.split() for line in lines] == [
        ["al", "admin", "active", "al"],
        ["bea", "senior_leader", "active", "bea"],
    ]


def test_tokens_create_prints_a_working_token_once(runner) -> None:
    runner.invoke(cli, ["users", "create", "robot", "--role", "admin", "--password", PASSWORD])
    result = runner.invoke(cli, ["tokens", "create", "--user", "Robot", "--name", "nightly"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith(accounts.TOKEN_PREFIX)
    assert "shown once" in result.stderr
    with database.connection_context():
        assert accounts.user_for_token(token).username == "robot"
        stored = ApiToken.get()
    assert stored.name == "nightly"
    assert token not in (stored.token_hash, stored.prefix)


def test_tokens_for_unknown_or_disabled_users_are_refused(runner) -> None:
    unknown = runner.invoke(cli, ["tokens", "create", "--user", "ghost"])
    assert unknown.exit_code == 1
    assert "no user named 'ghost'" in unknown.output
    runner.invoke(cli, ["users", "create", "gone", "--role", "hr", "--password", PASSWORD])
    with database.connection_context():
        User.update(is_active=False).execute()
    disabled = runner.invoke(cli, ["tokens", "create", "--user", "gone"])
    assert disabled.exit_code == 1
    assert "user 'gone' is disabled" in disabled.output

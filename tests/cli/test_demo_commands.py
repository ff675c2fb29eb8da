"""``audit-service demo``: loads once, prints the logins, and stays quiet with --if-empty."""

from __future__ import annotations

from audit_service.cli import cli
from audit_service.cli.demo_commands import DEFAULT_PASSWORD
from audit_service.domain.vocabulary import CaseStatus
from audit_service.services.accounts.users import MIN_PASSWORD_LENGTH, authenticate
from audit_service.storage.database import database
from audit_service.storage.models import Case, Staff

PASSWORD = "cli-demo-password"
LOGINS = ("demo-admin", "demo-supervisor", "demo-practitioner", "demo-quality", "demo-hr",
          "demo-leader")


def test_demo_loads_the_small_council_and_prints_the_logins(runner) -> None:
    result = runner.invoke(cli, ["demo", "--scale", "small", "--seed", "1",
                                 "--password", PASSWORD])

    assert result.exit_code == 0, result.output
    assert "Loaded the small demo council (seed 1)" in result.output
    assert "600 open and 30 closed cases" in result.output
    for username in LOGINS:
        assert username in result.output
    assert "Team manager" in result.output and "Family Support Team 1" in result.output
    assert f"password for every demo login: {PASSWORD}" in result.output
    with database.connection_context():
        assert Case.select().where(Case.status == CaseStatus.OPEN.value).count() == 600
        assert authenticate("demo-leader", PASSWORD) is not None

    again = runner.invoke(cli, ["demo", "--if-empty", "--password", PASSWORD])
    assert again.exit_code == 0, again.output
    assert "already holds data, so no demo was loaded" in again.output
    for username in LOGINS:
        assert username in again.output
    with database.connection_context():
        assert Case.select().count() == 630

    refused = runner.invoke(cli, ["demo", "--seed", "2", "--password", PASSWORD])
    assert refused.exit_code == 1
    assert "load the demo only into an empty database" in refused.output


def test_default_password_is_long_enough_and_printed(runner) -> None:
    assert len(DEFAULT_PASSWORD) >= MIN_PASSWORD_LENGTH
    result = runner.invoke(cli, ["demo", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert f"password for every demo login: {DEFAULT_PASSWORD}" in result.output
    with database.connection_context():
        assert authenticate("demo-admin", DEFAULT_PASSWORD) is not None
        assert Staff.select().count() > 0


def test_if_empty_loads_an_empty_database(runner) -> None:
    result = runner.invoke(cli, ["demo", "--if-empty", "--seed", "4", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "Loaded the small demo council (seed 4)" in result.output


def test_unknown_scale_is_refused(runner) -> None:
    result = runner.invoke(cli, ["demo", "--scale", "huge"])
    assert result.exit_code == 2
    assert "'huge' is not one of 'small', 'large'" in result.output

"""Signed-in test clients, one per role, that sign in through the real login form.

``login_as(Role.ADMIN)`` creates a user with that role and returns a
``PageClient`` (page-health checked) whose session is signed in. CSRF stays
on: the token comes from the rendered login form.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from argon2 import PasswordHasher

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.storage.models import User
from tests.support.pages import PageClient

PASSWORD = "a-long-test-password"


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    """Create an account: ``make_user(Role.SUPERVISOR, username="sam")``."""

    def make(role: Role | str, username: str | None = None, *, password: str = PASSWORD,
             display_name: str | None = None, **kwargs) -> User:
        role = Role(role)
        name = username or f"test-{role.value.replace('_', '-')}"
        return accounts.create_user(
            name,
            role=role,
            password=password,
            display_name=display_name or f"Test {role.label}",
            actor_label="test",
            **kwargs,
        )

    return make


def sign_in(client, username: str, password: str = PASSWORD):
    """Post the login form with the token from the rendered page; returns the response."""
    login_page = PageClient(client).get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": login_page.csrf_token()},
    )


@pytest.fixture
def login_as(app, make_user) -> Callable[..., PageClient]:
    """A fresh signed-in client per call, so one test can act as several roles."""

    def login(role: Role | str, username: str | None = None) -> PageClient:
        user = make_user(role, username)
        client = app.test_client()
        response = sign_in(client, user.username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        signed_in = PageClient(client)
        signed_in.user = user
        return signed_in

    return login


@pytest.fixture
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash with argon2's lowest cost: tests that sign in dozens of accounts are about who may
    reach what, not hashing (``tests/test_cli_accounts.py`` and ``tests/web/test_auth.py`` keep
    the real parameters)."""
    monkeypatch.setattr(accounts, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))

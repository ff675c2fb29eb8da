"""Single sign-on in Chromium through a real OpenID provider (oidc-provider on loopback).

A person of each mapped group clicks "Sign in with Council account", signs in on the
provider's own page and lands home with that group's role; a person in no mapped group is
refused with a page that says why. axe (WCAG 2.2 AA) checks the sign-in and refusal pages.
"""

from __future__ import annotations

import pytest

from audit_service.app import create_app
from audit_service.domain.vocabulary import Role
from audit_service.storage.database import database
from audit_service.storage.models import User
from tests.browser.conftest import assert_accessible, screenshot
from tests.support.oidc import PEOPLE, Provider, free_port, running_provider

ROLES = {"ada.admin": Role.ADMIN, "quinn.quality": Role.QUALITY_LEAD,
         "tom.manager": Role.SUPERVISOR, "sam.worker": Role.PRACTITIONER,
         "hana.hr": Role.HR, "lee.leader": Role.SENIOR_LEADER}


@pytest.fixture
def provider_port() -> int:
    return free_port()


@pytest.fixture
def app(db_url, provider_port):
    """The app, told where the provider will be before either starts (discovery is lazy)."""
    settings = Provider(f"http://127.0.0.1:{provider_port}", PEOPLE).config()
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret",
                      "SESSION_COOKIE_SECURE": False, **settings})
    yield app
    if not database.is_closed():
        database.close()


def _through_provider(browser, base: str, login: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_role("button", name="Sign in with Council account").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password at all")
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/**")
    page.locator("h1").wait_for()
    return context, page


def test_each_mapped_group_signs_in_through_the_provider_and_no_group_is_refused(
        live_server, browser, provider_port):
    with running_provider(live_server, port=provider_port):
        login_page = browser.new_page()
        login_page.goto(f"{live_server}/login")
        assert_accessible(login_page, "sign-in with single sign-on")
        screenshot(login_page, "sign-in-single-sign-on.png")
        login_page.close()
        for login, role in ROLES.items():
            context, page = _through_provider(browser, live_server, login)
            assert page.url == f"{live_server}/", (login, page.url)
            assert f"Signed in as {PEOPLE[login]['name']} ({role.label})" in page.inner_text(
                "body")
            assert Role(User.get(User.username == login).role) is role
            context.close()
        context, page = _through_provider(browser, live_server, "nat.nobody")
        assert page.locator("h1").inner_text() == "You cannot sign in"
        assert "not in any group" in page.inner_text("main")
        assert_accessible(page, "refused")
        screenshot(page, "sign-in-refused.png")
        context.close()
    assert not User.select().where(User.username == "nat.nobody").exists()

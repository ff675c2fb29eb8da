"""Two-step sign-in in Chromium: an administrator signs in, is asked to set up an
authenticator app, scans (reads the key), enters a code, keeps the recovery codes, and next
time signs in with a code. axe (WCAG 2.2 AA) checks the set-up, codes and second-step pages."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from audit_service.app import create_app
from audit_service.domain.vocabulary import Role
from audit_service.storage.database import database
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_admin_import_journey import sign_in
from tests.support.auth import PASSWORD


@pytest.fixture
def app(db_url):
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret",
                      "SESSION_COOKIE_SECURE": False, "SECOND_FACTOR_ROLES": "admin"})
    yield app
    if not database.is_closed():
        database.close()


def test_an_administrator_sets_up_an_authenticator_app_and_signs_in_with_it(
        live_server, browser, make_user):
    make_user(Role.ADMIN, "ada", display_name="Ada Admin")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "ada", PASSWORD)
    page.wait_for_url(f"{live_server}/account/two-factor")
    assert page.locator("svg").count() == 1
    assert_accessible(page, "set up")
    screenshot(page, "two-step-set-up.png")
    secret = page.locator("#totp-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Enter the 6-digit code" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "wrong code")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.locator("#recovery-codes").wait_for()
    assert page.locator("#recovery-codes li").count() == 10
    assert_accessible(page, "recovery codes")
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "ada", PASSWORD)
    page.wait_for_url(f"{live_server}/login/code")
    assert_accessible(page, "second step")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(later))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server}/")
    assert "Signed in as Ada Admin" in page.inner_text("main")
    context.close()

"""Two-step sign-in for password accounts: required for administrators by default, open to
everyone, with recovery codes, no code accepted twice, throttled like passwords, and an
administrator's reset for a lost phone. Walked through the real pages with CSRF on."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from audit_service.app import create_app
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import second_factor
from audit_service.storage.database import database
from audit_service.storage.models import Event, RecoveryCode, User
from tests.support.auth import PASSWORD, sign_in
from tests.support.pages import PageClient


@pytest.fixture
def app(db_url):
    """The app as a council runs it: administrators must use an authenticator app."""
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret",
                      "SESSION_COOKIE_SECURE": False, "SECOND_FACTOR_ROLES": None})
    yield app
    if not database.is_closed():
        database.close()


def _code(secret: str, when: dt.datetime | None = None) -> str:
    return pyotp.TOTP(secret).at(when or dt.datetime.now(dt.UTC))


def _enrol(client) -> tuple[str, list[str]]:
    """Set up the app through the page, as a person with a phone would."""
    page = PageClient(client).get("/account/two-factor")
    [key] = page.select("code", id="totp-key")
    secret = key.text.replace(" ", "")
    done = PageClient(client).post("/account/two-factor", data={
        "code": _code(secret), "csrf_token": page.csrf_token()})
    codes = [c.text for c in done.select("code")]
    assert "Two-step sign-in is on" in done.text() and len(codes) == 10
    return secret, codes


def _second_step(client, code: str):
    page = PageClient(client).get("/login/code")
    return client.post("/login/code", data={"code": code, "csrf_token": page.csrf_token()})


def test_an_administrator_must_set_it_up_and_then_signs_in_with_a_code(app, make_user):
    admin = make_user(Role.ADMIN, "ada")
    browser = app.test_client()
    assert sign_in(browser, "ada").status_code == 302
    held = browser.get("/admin/users")
    assert held.status_code == 302 and held.headers["Location"] == "/account/two-factor"
    page = PageClient(browser).get("/account/two-factor")
    assert "Your role needs two-step sign-in" in page.text() and "<svg" in page.html
    wrong = PageClient(browser).post("/account/two-factor", expected_status=400, data={
        "code": "000000", "csrf_token": page.csrf_token()})
    assert "Enter the 6-digit code" in wrong.text()
    secret, recovery = _enrol(browser)
    assert browser.get("/admin/users").status_code == 200
    assert [e.action for e in Event.select().where(Event.actor == admin.id)
            if e.action.startswith("user.")] == ["user.second_factor_enabled"]

    # Next time: the password alone opens no session.
    again = app.test_client()
    step = sign_in(again, "ada")
    assert step.headers["Location"] == "/login/code"
    assert again.get("/").status_code == 302
    assert _second_step(again, "123456").status_code == 400
    # A code already used (the one that turned it on) is refused; the next one works.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    assert _second_step(again, _code(secret)).status_code == 400
    ok = _second_step(again, _code(secret, later))
    assert ok.status_code == 302 and again.get("/admin/users").status_code == 200

    # A recovery code works once.
    lost_phone = app.test_client()
    sign_in(lost_phone, "ada")
    assert _second_step(lost_phone, recovery[0].upper()).status_code == 302
    reuse = app.test_client()
    sign_in(reuse, "ada")
    assert _second_step(reuse, recovery[0]).status_code == 400
    assert RecoveryCode.select().where(RecoveryCode.used_at.is_null()).count() == 9
    assert Event.select().where(Event.action == "user.recovery_code_used").count() == 1


def test_wrong_codes_are_throttled_like_wrong_passwords(app, make_user):
    make_user(Role.HR, "hal")
    user = User.get(User.username == "hal")
    secret = pyotp.random_base32()
    second_factor.enable(user, secret, _code(secret))
    browser = app.test_client()
    sign_in(browser, "hal")
    statuses = [_second_step(browser, "000000").status_code for _ in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    assert Event.select().where(Event.action == "login.throttled").count() == 1


def test_others_may_turn_it_on_and_are_not_held(app, make_user):
    make_user(Role.PRACTITIONER, "pat")
    browser = app.test_client()
    sign_in(browser, "pat")
    assert browser.get("/my-case-audits").status_code == 200
    _enrol(browser)
    fresh = app.test_client()
    assert sign_in(fresh, "pat").headers["Location"] == "/login/code"


def test_an_administrator_turns_off_a_lost_second_factor_after_asking(app, make_user):
    make_user(Role.SUPERVISOR, "sam")
    sam = User.get(User.username == "sam")
    secret = pyotp.random_base32()
    second_factor.enable(sam, secret, _code(secret))
    make_user(Role.ADMIN, "ada")
    admin = app.test_client()
    sign_in(admin, "ada")
    _enrol(admin)
    ask = PageClient(admin).get(f"/admin/users/{sam.id}/reset-two-factor")
    assert "stop working" in ask.text() and User.get_by_id(sam.id).totp_secret
    admin.post(f"/admin/users/{sam.id}/reset-two-factor", data={"csrf_token": ask.csrf_token()})
    assert User.get_by_id(sam.id).totp_secret is None
    assert not RecoveryCode.select().where(RecoveryCode.user == sam.id).exists()
    assert Event.select().where(Event.action == "user.second_factor_reset").count() == 1
    assert sign_in(app.test_client(), "sam", PASSWORD).headers["Location"] == "/"


def test_the_roles_setting_is_read_with_a_clear_error():
    assert second_factor.roles_requiring(None) == {Role.ADMIN}
    assert second_factor.roles_requiring("none") == frozenset()
    assert second_factor.roles_requiring("admin, hr") == {Role.ADMIN, Role.HR}
    with pytest.raises(ValueError, match="'boss'"):
        second_factor.roles_requiring("admin,boss")

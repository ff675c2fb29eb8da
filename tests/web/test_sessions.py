"""Server-side sessions: rotated at sign-in, ended for good at sign-out and on disabling."""

from __future__ import annotations

import datetime as dt
from http.cookies import SimpleCookie

import pytest

from audit_service import config
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import sessions as user_sessions
from audit_service.storage.models import Event, User, UserSession, utcnow
from tests.support.auth import PASSWORD, sign_in
from tests.support.pages import PageClient


def _cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def _replay(app, cookie_value: str):
    """A brand-new browser that presents a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie_value)
    return thief


def _events(action: str) -> list[Event]:
    return list(Event.select().where(Event.action == action).order_by(Event.id))


def test_only_a_hash_of_the_session_id_is_stored(login_as) -> None:
    client = login_as(Role.ADMIN)
    with client.client.session_transaction() as session:
        sid = session["sid"]
    [row] = UserSession.select()
    assert row.session_hash == user_sessions.digest(sid) != sid
    assert row.user_id == client.user.id
    assert row.ended_at is None
    assert row.remote_addr == "127.0.0.1"
    assert UserSession.select().where(UserSession.session_hash == sid).count() == 0


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, login_as) -> None:
    client = login_as(Role.SUPERVISOR)
    token = client.get("/").csrf_token()
    stolen = _cookie(client.client)
    assert _replay(app, stolen).get("/").status_code == 200, "the copy works while signed in"

    assert client.client.post("/logout", data={"csrf_token": token}).status_code == 302

    replayed = _replay(app, stolen).get("/")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/login")
    [row] = UserSession.select()
    assert row.ended_reason == user_sessions.ENDED_LOGOUT
    [refused] = _events("session.refused")
    assert refused.after["reason"] == "session already ended (logout)"
    assert refused.remote_addr == "127.0.0.1"


def test_disabling_a_user_ends_every_session_at_once(app, runner, make_user) -> None:
    user = make_user(Role.PRACTITIONER, "pat")
    browsers = [app.test_client() for _ in range(2)]
    for browser in browsers:
        assert sign_in(browser, "pat").status_code == 302
    cookies = [_cookie(b) for b in browsers]
    other = make_user(Role.PRACTITIONER, "quinn")
    bystander = app.test_client()
    sign_in(bystander, "quinn")

    result = runner.invoke(args=["users", "disable", "PAT"])
    assert result.exit_code == 0, result.output
    assert "user pat disabled; 2 open session(s) ended" in result.output

    for browser, cookie in zip(browsers, cookies, strict=True):
        assert browser.get("/").status_code == 302
        assert _replay(app, cookie).get("/").status_code == 302
    assert bystander.get("/").status_code == 200, "other users keep their sessions"
    assert not User.get_by_id(user.id).is_active
    ended = UserSession.select().where(UserSession.user == user.id)
    assert {r.ended_reason for r in ended} == {user_sessions.ENDED_DISABLED}
    assert UserSession.get(UserSession.user == other.id).ended_at is None
    [event] = _events("user.disabled")
    assert event.object_id == str(user.id)
    assert event.after == {"is_active": False, "sessions_ended": 2}
    assert event.actor_label.startswith("cli:")
    # A disabled user cannot sign in again.
    assert sign_in(app.test_client(), "pat").status_code == 400


def test_disable_command_explains_an_unknown_user(runner) -> None:
    result = runner.invoke(args=["users", "disable", "nobody"])
    assert result.exit_code == 1
    assert "no user named 'nobody'" in result.output


def test_signing_in_again_replaces_the_previous_session(app, make_user) -> None:
    make_user(Role.ADMIN, "alex")
    make_user(Role.HR, "hana")
    browser = app.test_client()
    sign_in(browser, "alex")
    before = _cookie(browser)
    token = PageClient(browser).get("/").csrf_token()
    again = browser.post("/login", data={"username": "hana", "password": PASSWORD,
                                         "csrf_token": token})
    assert again.status_code == 302
    rows = list(UserSession.select().order_by(UserSession.id))
    assert [r.ended_reason for r in rows] == [user_sessions.ENDED_REPLACED, None]
    assert _replay(app, before).get("/").status_code == 302
    assert "HR analyst" in browser.get("/").get_data(as_text=True)


def test_a_session_for_one_user_cannot_be_grafted_onto_another(app, login_as, make_user) -> None:
    client = login_as(Role.PRACTITIONER)
    admin = make_user(Role.ADMIN, "root-ish")
    with client.client.session_transaction() as session:
        session["_user_id"] = str(admin.id)
    assert client.client.get("/admin/users").status_code == 302


@pytest.mark.parametrize(
    ("setting", "age", "reason"),
    [
        ({"SESSION_IDLE_MINUTES": 5}, {"last_seen_at": dt.timedelta(minutes=6)}, "idle"),
        ({"SESSION_MAX_HOURS": 1}, {"created_at": dt.timedelta(minutes=61)}, "absolute"),
    ],
)
def test_timeouts_come_from_settings_and_the_row(app, login_as, setting, age, reason) -> None:
    app.config.update(setting)
    client = login_as(Role.HR)
    stolen = _cookie(client.client)
    row = UserSession.get()
    moved = {getattr(UserSession, k): getattr(row, k) - v for k, v in age.items()}
    UserSession.update(moved).where(UserSession.id == row.id).execute()
    assert client.client.get("/").status_code == 302
    assert UserSession.get_by_id(row.id).ended_reason == reason
    [event] = _events("session.expired")
    assert event.after == {"reason": reason}
    assert event.object_id == str(row.id)
    assert _replay(app, stolen).get("/").status_code == 302


def test_a_session_in_use_stays_alive(app, login_as) -> None:
    client = login_as(Role.HR)
    row = UserSession.get()
    earlier = row.last_seen_at - dt.timedelta(minutes=20)
    UserSession.update(last_seen_at=earlier).where(UserSession.id == row.id).execute()
    assert client.client.get("/").status_code == 200
    seen = UserSession.get_by_id(row.id).last_seen_at
    assert seen > earlier and utcnow() - seen < dt.timedelta(minutes=1)


def test_expiry_reason_prefers_the_absolute_limit() -> None:
    now = utcnow()
    row = UserSession(
        created_at=now - dt.timedelta(hours=13), last_seen_at=now - dt.timedelta(hours=2)
    )
    timeouts = user_sessions.Timeouts()
    assert user_sessions.expiry_reason(row, timeouts, now) == "absolute"
    row.created_at = now - dt.timedelta(hours=2)
    assert user_sessions.expiry_reason(row, timeouts, now) == "idle"
    row.last_seen_at = now - dt.timedelta(minutes=29)
    assert user_sessions.expiry_reason(row, timeouts, now) is None


def test_cookies_are_secure_unless_relaxed_for_local_http() -> None:
    strict = config.from_environ({})
    assert strict["SESSION_COOKIE_SECURE"] is True
    assert strict["SESSION_COOKIE_HTTPONLY"] is True
    assert strict["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config.from_environ({"AUDIT_INSECURE_COOKIES": "1"})["SESSION_COOKIE_SECURE"] is False


def test_secure_cookie_flags_on_the_wire(db_url, make_user) -> None:
    from audit_service.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "k",
                      "SESSION_COOKIE_SECURE": True})
    make_user(Role.ADMIN, "alex")
    client = app.test_client()
    response = sign_in(client, "alex")
    [header] = [h for h in response.headers.getlist("Set-Cookie")
                if h.startswith("__Host-session=")]
    morsel = SimpleCookie(header)["__Host-session"]
    assert morsel["httponly"] and morsel["secure"]
    assert morsel["samesite"] == "Lax"
    # What the prefix demands, or browsers drop the cookie: Secure, Path=/, no Domain.
    assert (morsel["path"], morsel["domain"]) == ("/", "")


def test_session_settings_come_from_the_environment() -> None:
    settings = config.from_environ(
        {"AUDIT_SESSION_IDLE_MINUTES": "10", "AUDIT_SESSION_MAX_HOURS": "8"}
    )
    assert (settings["SESSION_IDLE_MINUTES"], settings["SESSION_MAX_HOURS"]) == (10, 8)
    defaults = config.from_environ({})
    assert (defaults["SESSION_IDLE_MINUTES"], defaults["SESSION_MAX_HOURS"]) == (30, 12)
    with pytest.raises(ValueError, match="AUDIT_SESSION_IDLE_MINUTES must be a whole number"):
        config.from_environ({"AUDIT_SESSION_IDLE_MINUTES": "half an hour"})
    with pytest.raises(ValueError, match="AUDIT_SESSION_MAX_HOURS must be 1 or more"):
        config.from_environ({"AUDIT_SESSION_MAX_HOURS": "0"})

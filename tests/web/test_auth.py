"""Sign in and sign out: sessions, the audit trail, throttling and timeouts."""

from __future__ import annotations

import datetime as dt

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import Event, User, UserSession
from tests.support.auth import PASSWORD, sign_in


def _events(action: str) -> list[Event]:
    return list(Event.select().where(Event.action == action).order_by(Event.id))


def test_login_page_is_healthy_and_has_a_csrf_token(page) -> None:
    login = page.get("/login")
    assert login.h1() == "Sign in"
    assert login.select("input", name="username")[0].get("autocomplete") == "username"
    assert login.select("input", name="password")[0].get("type") == "password"
    assert login.csrf_token()


def test_signing_in_goes_home_and_is_recorded(page, make_user) -> None:
    user = make_user(Role.SUPERVISOR, "sam", display_name="Sam Stone")
    response = sign_in(page.client, "  SAM ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"

    home = page.get("/")
    assert home.h1() == "Home"
    assert "Signed in as Sam Stone (Team manager)" in home.text()
    assert home.select("button", type="submit")[0].text.strip() == "Sign out"

    [event] = _events("login.succeeded")
    assert event.actor_id == user.id
    assert event.object_id == "sam"
    assert event.remote_addr == "127.0.0.1"
    assert User.get_by_id(user.id).last_login_at is not None


def test_a_wrong_password_shows_the_error_summary_and_is_recorded(page, make_user) -> None:
    make_user(Role.ADMIN, "alex")
    token = page.get("/login").csrf_token()
    failed = page.post(
        "/login",
        data={"username": "alex", "password": "not-the-password", "csrf_token": token},
        expected_status=400,
    )
    summary = failed.select("div", **{"class": "govuk-error-summary"})
    assert summary, "no GOV.UK error summary"
    links = [a for a in failed.doc.iter() if a.tag.endswith("a") and a.get("href") == "#username"]
    assert links and "Enter a correct username and password" in "".join(links[0].itertext())
    assert failed.select("input", name="username")[0].get("value") == "alex"
    assert not failed.select("input", name="password")[0].get("value")

    [event] = _events("login.failed")
    assert event.actor_id is None
    assert (event.actor_label, event.object_id, event.remote_addr) == (
        "anonymous", "alex", "127.0.0.1"
    )
    assert page.client.get("/").status_code == 302


def test_an_unknown_user_gets_the_same_message(page) -> None:
    token = page.get("/login").csrf_token()
    failed = page.post("/login", data={"username": "nobody", "password": "whatever-it-is",
                                       "csrf_token": token}, expected_status=400)
    assert "Enter a correct username and password" in failed.text()


def test_empty_fields_each_get_an_error(page) -> None:
    token = page.get("/login").csrf_token()
    failed = page.post("/login", data={"csrf_token": token}, expected_status=400)
    text = failed.text()
    assert "Enter your username" in text
    assert "Enter your password" in text
    assert _events("login.failed") == []


def test_login_without_a_csrf_token_is_refused(page, make_user) -> None:
    make_user(Role.ADMIN, "alex")
    refused = page.post("/login", data={"username": "alex", "password": PASSWORD},
                        expected_status=400)
    assert refused.h1() == "Your form could not be sent"
    assert _events("login.succeeded") == []


def test_login_with_a_wrong_csrf_token_is_refused(page, make_user) -> None:
    make_user(Role.ADMIN, "alex")
    page.get("/login")
    refused = page.client.post("/login", data={"username": "alex", "password": PASSWORD,
                                               "csrf_token": "forged"})
    assert refused.status_code == 400
    assert _events("login.succeeded") == []


def test_signing_in_starts_a_new_session(page, make_user) -> None:
    make_user(Role.ADMIN, "alex")
    page.get("/login")
    with page.client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["sid"] = "fixed-session-id"
    assert sign_in(page.client, "alex").status_code == 302
    with page.client.session_transaction() as session:
        assert "planted" not in session
        assert session["sid"] != "fixed-session-id"
        assert len(session["sid"]) >= 40


def test_sign_out_is_a_post_with_csrf_and_ends_the_session(login_as) -> None:
    client = login_as(Role.PRACTITIONER)
    home = client.get("/")
    token = home.csrf_token()

    assert client.client.get("/logout").status_code == 404
    assert client.client.post("/logout").status_code == 400
    assert client.client.get("/").status_code == 200, "a refused sign out must not sign out"

    response = client.client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    signed_out = client.get("/login")
    assert "You have signed out" in signed_out.text()
    assert client.client.get("/").status_code == 302

    [event] = _events("logout")
    assert event.actor_id == client.user.id
    assert event.remote_addr == "127.0.0.1"


def test_anonymous_users_are_sent_to_sign_in_and_back(page, make_user) -> None:
    make_user(Role.ADMIN, "alex")
    response = page.client.get("/admin/imports?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/imports?x%3D1"

    login = page.get(response.headers["Location"])
    form = login.select("form")[0]
    assert form.get("action") == "/login?next=/admin/imports?x%3D1"
    back = page.client.post(form.get("action"), data={
        "username": "alex", "password": PASSWORD, "csrf_token": login.csrf_token()})
    assert back.headers["Location"] == "/admin/imports?x=1"


def test_next_never_leaves_the_site(page, make_user) -> None:
    make_user(Role.ADMIN, "alex")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        token = page.get("/login").csrf_token()
        response = page.client.post("/login", query_string={"next": target}, data={
            "username": "alex", "password": PASSWORD, "csrf_token": token})
        assert response.headers["Location"] == "/", target
        page.client.post("/logout", data={"csrf_token": page.get("/").csrf_token()})


def test_repeated_failures_are_throttled_and_logged(app, page, make_user) -> None:
    make_user(Role.ADMIN, "alex")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert sign_in(page.client, "alex", "wrong-password-x").status_code == 400
    token = page.get("/login").csrf_token()
    throttled = page.post("/login", data={"username": "alex", "password": PASSWORD,
                                          "csrf_token": token}, expected_status=429)
    assert "Too many failed attempts" in throttled.text()
    assert len(_events("login.throttled")) == 1
    assert _events("login.succeeded") == []
    # Another username is not locked out by alex's failures.
    make_user(Role.ADMIN, "bea")
    assert sign_in(page.client, "bea").status_code == 302


def _age_session(user, **ago: dt.timedelta) -> None:
    """Move the user's open session back in time, as the server sees it."""
    row = UserSession.get(UserSession.user == user.id)
    UserSession.update(
        created_at=row.created_at - ago.get("created", dt.timedelta()),
        last_seen_at=row.last_seen_at - ago.get("seen", dt.timedelta()),
    ).where(UserSession.id == row.id).execute()


def test_idle_sessions_expire(login_as) -> None:
    client = login_as(Role.HR)
    _age_session(client.user, seen=dt.timedelta(minutes=31))
    response = client.client.get("/")
    assert response.status_code == 302
    login = client.get(response.headers["Location"])
    assert "You were signed out to protect your information" in login.text()
    [event] = _events("session.expired")
    assert event.after == {"reason": "idle"}


def test_sessions_expire_after_the_absolute_limit(login_as) -> None:
    client = login_as(Role.HR)
    _age_session(client.user, created=dt.timedelta(hours=13))
    assert client.client.get("/").status_code == 302
    assert _events("session.expired")[0].after == {"reason": "absolute"}


def test_disabling_a_user_ends_their_session(login_as) -> None:
    client = login_as(Role.SUPERVISOR)
    assert client.client.get("/").status_code == 200
    User.update(is_active=False).where(User.id == client.user.id).execute()
    assert client.client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(page, make_user) -> None:
    make_user(Role.ADMIN, "alex")
    response = sign_in(page.client, "alex")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def _from(client, address: str):
    """The test client's requests as if they came from ``address``."""
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_failures_from_elsewhere_do_not_lock_the_user_out(app, page, make_user) -> None:
    """Anyone could type a colleague's username five times; only their own address is
    slowed down, and the colleague still signs in from theirs."""
    make_user(Role.ADMIN, "alex")
    attacker = _from(app.test_client(), "203.0.113.9")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 2):
        sign_in(attacker, "alex", "wrong-password-x")
    assert sign_in(attacker, "alex").status_code == 429
    assert sign_in(_from(page.client, "198.51.100.7"), "alex").status_code == 302


def test_spraying_many_usernames_from_one_address_is_throttled(app, make_user) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 6
    make_user(Role.ADMIN, "alex")
    sprayer = _from(app.test_client(), "203.0.113.10")
    for n in range(6):
        assert sign_in(sprayer, f"user{n}", "Winter2026!").status_code == 400
    assert sign_in(sprayer, "alex").status_code == 429
    assert sign_in(_from(app.test_client(), "198.51.100.8"), "alex").status_code == 302


def test_an_account_without_a_password_takes_as_long_to_refuse(app, make_user, monkeypatch):
    """An account that signs in only by single sign-on must not answer faster than a wrong
    password would: the password is hashed either way."""
    from audit_service.services.accounts import users

    hashed = []

    class Counting:
        def hash(self, password: str) -> str:
            hashed.append(password)
            return "counted"

    user = make_user(Role.ADMIN, "sso_only")
    User.update(password_hash=None).where(User.id == user.id).execute()
    monkeypatch.setattr(users, "_hasher", Counting())
    with app.app_context():
        assert users.authenticate("sso_only", "guess") is None
        assert users.authenticate("nobody", "guess2") is None
    assert hashed == ["guess", "guess2"]


def test_behind_a_trusted_proxy_each_person_is_throttled_at_their_own_address(app, make_user):
    """Every request reaches the service from the proxy; the address that counts is the one
    the proxy forwards, or one colleague's typing would throttle the whole council."""
    from audit_service.app import trust_proxies

    app.config.update(TRUSTED_PROXIES=1, LOGIN_MAX_FAILURES=2)
    trust_proxies(app)
    make_user(Role.ADMIN, "alex")
    attacker = app.test_client()
    attacker.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.20"
    for _ in range(3):
        sign_in(attacker, "alex", "wrong-password-x")
    assert sign_in(attacker, "alex").status_code == 429
    colleague = app.test_client()
    colleague.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.21"
    assert sign_in(colleague, "alex").status_code == 302
    failed = Event.select().where(Event.action == "login.failed")
    assert {e.remote_addr for e in failed} == {"203.0.113.20"}


def test_a_huge_username_is_refused_before_anything_is_stored_or_echoed(page) -> None:
    login = page.get("/login")
    huge = "attacker" * 250_000  # 2 MB
    refused = page.post("/login", expected_status=400, data={
        "username": huge, "password": "anything at all", "csrf_token": login.csrf_token()})
    assert "Enter a username of 150 characters or fewer" in refused.text()
    assert "attackerattacker" not in refused.html
    assert not Event.select().where(Event.action == "login.failed").exists()


def test_each_failure_past_the_limit_doubles_the_wait_and_then_it_lifts(app, page, make_user,
                                                                          monkeypatch):
    """One minute after the fifth failure, two after the sixth, four after the seventh: an
    attacker slows to a crawl, and the real person, one minute later, is let in."""
    from audit_service.services.accounts.signin import Throttle

    make_user(Role.ADMIN, "alex")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        sign_in(page.client, "alex", "wrong-password-x")
    refused = sign_in(page.client, "alex")
    assert refused.status_code == 429 and refused.headers["Retry-After"] in ("59", "60")
    assert "Wait 1 minute and try again" in refused.get_data(as_text=True)
    [event] = _events("login.throttled")
    assert 58 <= event.after["wait_seconds"] <= 60
    # A minute on (the trail is append-only, so the clock moves instead), the right password
    # gets in.
    from audit_service.services.accounts import signin
    from audit_service.storage.models import utcnow

    monkeypatch.setattr(signin, "utcnow", lambda: utcnow() + dt.timedelta(seconds=61))
    assert sign_in(page.client, "alex").status_code == 302
    throttle = Throttle()
    assert [throttle.delay_after(n, 5).total_seconds() / 60 for n in (4, 5, 6, 7, 8, 9, 30)] \
        == [0, 1, 2, 4, 8, 15, 15]

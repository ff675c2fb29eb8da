"""Single sign-on through a real OpenID provider (oidc-provider on loopback), on both databases.

The provider's own sign-in form is filled in as a person would; Authlib in the app exchanges
the code over real HTTP and checks the ID token. Groups come from the provider's userinfo
endpoint (oidc-provider keeps them out of the ID token), which covers that path.
"""

from __future__ import annotations

import pytest

from audit_service.app import create_app
from audit_service.domain.accounts.sign_on import Identity, RoleMap, RoleMapError
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import sign_on as sign_on_service
from audit_service.storage.database import database
from audit_service.storage.models import Event, Staff, User
from tests.support.oidc import ROLE_MAP, running_provider, sign_in_at_provider

BASE = "http://localhost"
CALLBACK = f"{BASE}/auth/oidc/callback"
ROLES = {"ada.admin": Role.ADMIN, "quinn.quality": Role.QUALITY_LEAD,
         "tom.manager": Role.SUPERVISOR, "sam.worker": Role.PRACTITIONER,
         "hana.hr": Role.HR, "lee.leader": Role.SENIOR_LEADER}


@pytest.fixture
def provider():
    with running_provider(BASE) as running:
        yield running


def _app(db_url: str, **config):
    return create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret",
                       "SESSION_COOKIE_SECURE": False, **config})


@pytest.fixture
def app(db_url, provider):
    app = _app(db_url, **provider.config())
    yield app
    if not database.is_closed():
        database.close()


def sign_on(client, login: str, next_url: str | None = None):
    start = client.get("/auth/oidc/login" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    back = sign_in_at_provider(start.headers["Location"], login, CALLBACK)
    return client.get(back.removeprefix(BASE))


@pytest.mark.parametrize("login", sorted(ROLES))
def test_a_person_of_each_mapped_group_signs_in_with_that_group_s_role(app, client, login):
    response = sign_on(client, login)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = User.get(User.username == login)
    assert Role(user.role) is ROLES[login] and user.password_hash is None
    assert user.oidc_subject.endswith(f" {login}") and user.last_login_at is not None
    home = client.get("/")
    assert home.status_code == 200 and "Signed in as" in home.get_data(as_text=True)
    assert Event.select().where((Event.action == "login.succeeded")
                                & (Event.actor == user.id)).count() == 1


def test_a_person_in_no_mapped_group_is_refused_with_a_page_and_a_trail_entry(app, client):
    response = sign_on(client, "nat.nobody")
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "You cannot sign in" in text and "not in any group" in text
    assert not User.select().where(User.username == "nat.nobody").exists()
    [event] = Event.select().where(Event.action == "login.refused")
    assert event.object_id == "nat.nobody" and event.after["reason"] == "no mapped group"
    assert client.get("/").status_code == 302  # still signed out


def test_the_next_page_survives_the_trip_and_a_staff_record_is_linked_by_email(app, client):
    staff = Staff.create(name="Tom Manager", name_key="tom manager",
                         email="Tom.Manager@council.example")
    response = sign_on(client, "tom.manager", next_url="/inbox")
    assert response.headers["Location"] == "/inbox"
    assert User.get(User.username == "tom.manager").staff_id == staff.id


def test_a_local_account_of_the_same_name_is_not_taken_over(app, client, make_user):
    local = make_user(Role.ADMIN, "sam.worker")
    response = sign_on(client, "sam.worker")
    assert response.status_code == 403 and "already exists" in response.get_data(as_text=True)
    assert User.get_by_id(local.id).oidc_subject is None
    assert Role(User.get_by_id(local.id).role) is Role.ADMIN


def test_sign_out_ends_the_session_and_offers_the_provider_s_sign_out(app, client):
    sign_on(client, "quinn.quality")
    home = client.get("/")
    token = home.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 302
    login = client.get("/login").get_data(as_text=True)
    assert "Sign out of Council account too" in login
    assert "/session/end?client_id=audit-service" in login
    assert client.get("/").status_code == 302
    again = client.get("/login").get_data(as_text=True)
    assert "Sign out of Council account too" not in again  # offered once


def test_the_login_page_offers_sign_on_and_can_turn_passwords_off(db_url, provider, make_user):
    both = _app(db_url, **provider.config()).test_client().get("/login").get_data(as_text=True)
    assert "Sign in with Council account" in both and 'name="password"' in both
    # CSRF off, so that the refusal seen is the one for password sign-in being off.
    only = _app(db_url, LOCAL_LOGIN=False, WTF_CSRF_ENABLED=False,
                **provider.config()).test_client()
    page = only.get("/login").get_data(as_text=True)
    assert "Sign in with Council account" in page and 'name="password"' not in page
    make_user(Role.ADMIN, "local.admin")
    refused = only.post("/login", data={"username": "local.admin", "password": "x" * 12})
    assert refused.status_code == 403
    assert only.get("/").status_code == 302
    assert not Event.select().where(Event.action == "login.succeeded").exists()


def test_a_half_made_configuration_stops_the_app_starting_and_names_what_is_missing(db_url):
    with pytest.raises(ValueError, match="AUDIT_OIDC_CLIENT_SECRET, AUDIT_OIDC_ROLE_MAP"):
        _app(db_url, OIDC_ISSUER="https://login.example", OIDC_CLIENT_ID="x")
    with pytest.raises(RoleMapError, match="entry 1"):
        _app(db_url, OIDC_ISSUER="https://login.example", OIDC_CLIENT_ID="x",
             OIDC_CLIENT_SECRET="y", OIDC_ROLE_MAP="staff=boss")
    with pytest.raises(ValueError, match="AUDIT_OIDC_ISSUER must be set"):
        _app(db_url, LOCAL_LOGIN=False)


def test_roles_follow_the_directory_at_every_sign_in(app):
    """Moved from managers to quality, then out of every mapped group: the role follows, and
    each change is in the trail."""
    roles = RoleMap.parse(ROLE_MAP)

    def person(*groups: str) -> Identity:
        return Identity("https://login.example tom", "tom", "Tom", None, groups)

    def attempt(*groups: str):
        return sign_on_service.sign_on(person(*groups), roles, replaces=None,
                                       remote_addr="10.0.0.1", user_agent="test")

    assert Role(attempt("cs-managers").account.role) is Role.SUPERVISOR
    assert Role(attempt("cs-quality").account.role) is Role.QUALITY_LEAD
    [change] = Event.select().where(Event.action == "user.updated")
    assert change.before == {"role": "supervisor"} and change.after == {"role": "quality_lead"}
    refused = attempt("all-staff")
    assert refused.account is None and "not in any group" in refused.refusal
    User.update(is_active=False).where(User.username == "tom").execute()
    assert "disabled" in attempt("cs-quality").refusal

"""API tokens with a lifecycle: expiry, read-only scope, list and revoke one at a time, in the
API, the browser and the command line, with every step in the audit trail."""

from __future__ import annotations

import datetime as dt

from audit_service.cli import cli
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.storage.database import database
from audit_service.storage.models import ApiToken, Event, User


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_expires_after_its_days_and_is_refused_then(app, client, make_user):
    user = make_user(Role.HR, "hal")
    secret = accounts.create_token(user, "report", actor_label="test")
    token = ApiToken.get(ApiToken.user == user.id)
    assert 89 <= (token.expires_at - token.created_at).days <= 90
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 200
    ApiToken.update(expires_at=dt.datetime(2020, 1, 1)).where(ApiToken.id == token.id).execute()
    refused = client.get("/api/v1/me", headers=_bearer(secret))
    assert refused.status_code == 401 and "expired" in refused.get_json()["message"]


def test_a_read_only_token_reads_and_is_refused_any_change(app, client, make_user):
    lead = make_user(Role.QUALITY_LEAD, "quinn")
    secret = accounts.create_token(lead, "dashboard", read_only=True, actor_label="test")
    assert client.get("/api/v1/themes", headers=_bearer(secret)).status_code == 200
    refused = client.post("/api/v1/themes", headers=_bearer(secret), json={"name": "Drift"})
    assert refused.status_code == 403 and "read-only" in refused.get_json()["message"]
    writer = accounts.create_token(lead, "editor", actor_label="test")
    assert client.post("/api/v1/themes", headers=_bearer(writer),
                       json={"name": "Drift"}).status_code == 201


def test_people_list_and_revoke_their_own_tokens_and_administrators_anyone_s(
        app, client, make_user):
    hal, ada = make_user(Role.HR, "hal"), make_user(Role.ADMIN, "ada")
    first = accounts.create_token(hal, "first", actor_label="test")
    second = accounts.create_token(hal, "second", actor_label="test")
    admin = accounts.create_token(ada, "admin", actor_label="test")
    listed = client.get("/api/v1/tokens", headers=_bearer(first)).get_json()
    assert [t["name"] for t in listed] == ["second", "first"]
    assert all("secret" not in t and t["state"] == "live" for t in listed)
    assert client.get("/api/v1/tokens?everyone=true",
                      headers=_bearer(first)).status_code == 422
    everyone = client.get("/api/v1/tokens?everyone=true", headers=_bearer(admin)).get_json()
    assert {t["username"] for t in everyone} == {"hal", "ada"}
    # Hal revokes one token: only that one stops.
    second_id = next(t["id"] for t in listed if t["name"] == "second")
    revoked = client.delete(f"/api/v1/tokens/{second_id}", headers=_bearer(first))
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    assert client.get("/api/v1/me", headers=_bearer(second)).status_code == 401
    assert client.get("/api/v1/me", headers=_bearer(first)).status_code == 200
    # Nobody else's token is theirs to revoke; an administrator's reach is every token.
    admin_id = ApiToken.get(ApiToken.name == "admin").id
    assert client.delete(f"/api/v1/tokens/{admin_id}", headers=_bearer(first)).status_code == 404
    first_id = ApiToken.get(ApiToken.name == "first").id
    assert client.delete(f"/api/v1/tokens/{first_id}", headers=_bearer(admin)).status_code == 200
    assert client.get("/api/v1/me", headers=_bearer(first)).status_code == 401
    assert Event.select().where(Event.action == "token.revoked").count() == 2


def test_tokens_in_the_browser_are_created_shown_once_and_revoked_after_asking(login_as, client):
    page = login_as(Role.PRACTITIONER)
    form = page.get("/account/tokens")
    assert "There are no tokens yet" in form.text()
    made = page.post("/account/tokens", data={"name": "My script", "days": "30",
                                               "read_only": "y",
                                               "csrf_token": form.csrf_token()})
    [code] = made.select("code", id="token-secret")
    secret = code.text
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 200
    listed = page.get("/account/tokens")
    assert "My script" in listed.text() and "Read only" in listed.text()
    assert secret not in listed.html
    token = ApiToken.get(ApiToken.name == "My script")
    assert 29 <= (token.expires_at - token.created_at).days <= 30 and token.read_only
    ask = page.get(f"/account/tokens/{token.id}/revoke")
    assert "will be refused from now on" in ask.text()
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 200
    page.post(f"/account/tokens/{token.id}/revoke", expected_status=302,
              data={"csrf_token": ask.csrf_token()})
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 401
    empty = page.post("/account/tokens", expected_status=400,
                      data={"name": " ", "days": "90", "csrf_token": form.csrf_token()})
    assert "give the token a name" in empty.text()


def test_another_person_s_token_page_is_not_found(login_as, make_user):
    other = make_user(Role.HR, "hal")
    accounts.create_token(other, "theirs", actor_label="test")
    token = ApiToken.get(ApiToken.name == "theirs")
    page = login_as(Role.PRACTITIONER)
    page.get(f"/account/tokens/{token.id}/revoke", expected_status=404)
    admin = login_as(Role.ADMIN)
    assert "theirs" in admin.get("/account/tokens/everyone").text()
    assert "will be refused" in admin.get(f"/account/tokens/{token.id}/revoke").text()


def test_tokens_from_the_command_line_expire_list_and_revoke(runner, make_user):
    make_user(Role.HR, "robot")
    made = runner.invoke(cli, ["tokens", "create", "--user", "robot", "--name", "nightly",
                               "--days", "7", "--read-only"])
    assert made.exit_code == 0, made.output
    assert "7 days, read only" in made.output
    too_long = runner.invoke(cli, ["tokens", "create", "--user", "robot", "--days", "400"])
    assert too_long.exit_code != 0 and "400" in too_long.output
    listed = runner.invoke(cli, ["tokens", "list", "--user", "robot"])
    assert "nightly" in listed.output and "read-only" in listed.output and "live" in listed.output
    with database.connection_context():
        token_id = ApiToken.get(ApiToken.name == "nightly").id
    revoked = runner.invoke(cli, ["tokens", "revoke", str(token_id)])
    assert revoked.exit_code == 0 and "is revoked" in revoked.output
    assert "revoked" in runner.invoke(cli, ["tokens", "list"]).output
    missing = runner.invoke(cli, ["tokens", "revoke", "999999"])
    assert missing.exit_code != 0 and "no token with id 999999" in missing.output


def test_administrators_manage_accounts_through_the_api(app, client, make_user):
    ada = make_user(Role.ADMIN, "ada")
    headers = _bearer(accounts.create_token(ada, "admin", actor_label="test"))
    made = client.post("/api/v1/users", headers=headers, json={
        "username": "Nia.Lead", "display_name": "Nia Lead", "role": "quality_lead"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["account"]["must_change_password"] is True and len(body["password"]) > 12
    nia = User.get(User.username == "nia.lead")
    changed = client.patch(f"/api/v1/users/{nia.id}", headers=headers,
                           json={"role": "hr", "is_active": False})
    assert changed.status_code == 200
    assert changed.get_json()["role"] == "hr" and changed.get_json()["is_active"] is False
    reset = client.post(f"/api/v1/users/{nia.id}/password-reset", headers=headers)
    assert reset.status_code == 200 and reset.get_json()["password"] != body["password"]
    me = client.patch(f"/api/v1/users/{ada.id}", headers=headers, json={"is_active": False})
    assert me.status_code == 403
    bad = client.post("/api/v1/users", headers=headers, json={"username": "x", "role": "boss"})
    assert bad.status_code == 422
    hal = make_user(Role.HR, "hal")
    hal_headers = _bearer(accounts.create_token(hal, "hr", actor_label="test"))
    assert client.get("/api/v1/users", headers=hal_headers).status_code == 403
    assert [u["username"] for u in client.get("/api/v1/users", headers=headers).get_json()
            ] == ["ada", "hal", "nia.lead"]

"""Bearer tokens: 401 without a valid one, 403 for the wrong role, each refusal recorded."""

from __future__ import annotations

import pytest

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import ApiToken, Event, User, utcnow


def _denials() -> list[Event]:
    return list(Event.select().where(Event.action == "access.denied").order_by(Event.id))


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic abc", "Token x"])
def test_missing_token_is_401_with_a_challenge(client, header) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="audit-service"'
    assert response.json["message"] == (
        "send an API token in the header Authorization: Bearer <token>"
    )
    [event] = _denials()
    assert (event.actor_label, event.object_id) == ("anonymous", "api_me.me")


def test_unknown_token_is_401(client) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer as_not-a-real-token"})
    assert response.status_code == 401
    assert "not valid" in response.json["message"]


def test_revoked_token_and_disabled_user_are_401(api_as) -> None:
    api = api_as(Role.ADMIN)
    assert api.get("/api/v1/me").status_code == 200
    User.update(is_active=False).where(User.id == api.user.id).execute()
    assert api.get("/api/v1/me").status_code == 401
    User.update(is_active=True).where(User.id == api.user.id).execute()
    ApiToken.update(revoked_at=utcnow()).execute()
    assert api.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("role", list(Role))
def test_me_returns_the_tokens_user(api_as, role: Role) -> None:
    api = api_as(role)
    response = api.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json == {"username": api.user.username, "display_name": api.user.display_name,
                             "email": None, "role": role.value}
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_imports_need_the_admin_role(api_as, role: Role) -> None:
    api = api_as(role)
    for response in (api.get("/api/v1/imports"), api.get("/api/v1/imports/abc"),
                     api.post("/api/v1/imports")):
        assert response.status_code == 403
        assert response.json["message"] == f"the role {role.value!r} may not use this endpoint"
    assert [(e.actor_id, e.object_id) for e in _denials()] == [
        (api.user.id, "api_imports.list_imports"),
        (api.user.id, "api_imports.get_import"),
        (api.user.id, "api_imports.create_import"),
    ]


def test_the_api_does_not_accept_a_browser_session(login_as) -> None:
    admin = login_as(Role.ADMIN)
    assert admin.client.get("/api/v1/me").status_code == 401


def test_api_errors_are_json_not_pages(client) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    assert response.json["code"] == 404

"""API clients authenticated with real bearer tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts


class ApiClient:
    def __init__(self, client, token: str, user):
        self.client = client
        self.user = user
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url: str, **kwargs):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, **kwargs):
        return self.client.post(url, headers=self.headers, **kwargs)


@pytest.fixture
def api_as(app, make_user) -> Callable[[Role], ApiClient]:
    def make(role: Role, username: str | None = None) -> ApiClient:
        user = make_user(role, username)
        token = accounts.create_token(user, "test", actor_label="test")
        return ApiClient(app.test_client(), token, user)

    return make

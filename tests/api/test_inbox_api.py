"""``/api/v1/inbox``: the token user's notifications, same rules as the page."""

from __future__ import annotations

import datetime as dt

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import InboxItem


def test_list_and_mark_read(api_as, make_user):
    api = api_as(Role.SUPERVISOR, "sam")
    other = make_user(Role.PRACTITIONER, "pat")
    old = InboxItem.create(user=api.user, key="a", title="Old", body="b", link=None,
                           created_at=dt.datetime(2026, 3, 1, 7, 0))
    new = InboxItem.create(user=api.user, key="b", title="New", body="b", link="/rounds/x",
                           created_at=dt.datetime(2026, 3, 2, 7, 0))
    theirs = InboxItem.create(user=other, key="c", title="Theirs", body="b")

    response = api.get("/api/v1/inbox")
    assert response.status_code == 200
    assert [(i["id"], i["title"], i["link"], i["read_at"]) for i in response.json] == [
        (new.id, "New", "/rounds/x", None), (old.id, "Old", None, None)]

    response = api.post(f"/api/v1/inbox/{old.id}/read")
    assert response.status_code == 200
    assert response.json["read_at"] is not None
    assert api.post(f"/api/v1/inbox/{old.id}/read").status_code == 200  # again is fine
    response = api.post(f"/api/v1/inbox/{theirs.id}/read")
    assert response.status_code == 404
    assert InboxItem.get_by_id(theirs.id).read_at is None


def test_the_inbox_needs_a_token(client):
    assert client.get("/api/v1/inbox").status_code == 401
    assert client.post("/api/v1/inbox/1/read").status_code == 401


def test_the_inbox_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert "/api/v1/inbox" in paths
    assert "post" in paths["/api/v1/inbox/{item_id}/read"]

"""``/inbox``: each user sees only their own notifications, newest first, and marks them read."""

from __future__ import annotations

import datetime as dt

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import InboxItem


def _item(user, key, title, minutes_ago, link="/inbox", read=False):
    created = dt.datetime(2026, 3, 2, 9, 0) - dt.timedelta(minutes=minutes_ago)
    return InboxItem.create(user=user, key=key, title=title, body="First line.\n\nSecond line.",
                            link=link, created_at=created, read_at=created if read else None)


def _read_forms(page):
    return [f for f in page.select("form") if f.get("action", "").startswith("/inbox/")]


def test_the_inbox_lists_the_users_items_newest_first_with_unread_marked(login_as, make_user):
    sam = login_as(Role.SUPERVISOR, "sam")
    other = make_user(Role.PRACTITIONER, "pat")
    _item(sam.user, "a", "Older and read", 60, read=True)
    _item(sam.user, "b", "Newest", 1, link="/rounds/abc")
    _item(sam.user, "c", "Evil link", 30, link="https://evil.example/")
    _item(other, "d", "Not yours", 0)

    page = sam.get("/inbox")
    assert page.h1() == "Inbox"
    headings = ["".join(h.itertext()).split("Unread")[-1].strip() for h in page.select("h2")
                if "govuk-heading-s" in (h.get("class") or "")]
    assert headings == ["Newest", "Evil link", "Older and read"]
    assert "2 unread messages" in page.text()
    assert "Not yours" not in page.text()
    hrefs = [a.get("href") for a in page.select("a") if a.get("class") == "govuk-link"]
    assert "/rounds/abc" in hrefs and "https://evil.example/" not in hrefs
    assert len(_read_forms(page)) == 2  # one "Mark as read" per unread item


def test_marking_an_item_read_needs_the_csrf_token_and_only_works_on_ones_own(login_as,
                                                                               make_user):
    sam = login_as(Role.SUPERVISOR, "sam")
    other = make_user(Role.PRACTITIONER, "pat")
    mine = _item(sam.user, "a", "Mine", 1)
    theirs = _item(other, "b", "Theirs", 1)
    token = sam.get("/inbox").csrf_token()

    assert sam.client.post(f"/inbox/{mine.id}/read").status_code == 400  # no CSRF token
    assert InboxItem.get_by_id(mine.id).read_at is None

    response = sam.client.post(f"/inbox/{mine.id}/read", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    assert InboxItem.get_by_id(mine.id).read_at is not None

    assert sam.client.post(f"/inbox/{theirs.id}/read",
                           data={"csrf_token": token}).status_code == 404
    assert InboxItem.get_by_id(theirs.id).read_at is None
    page = sam.get("/inbox")
    assert "0 unread messages" in page.text()
    assert _read_forms(page) == []


def test_an_empty_inbox(login_as):
    page = login_as(Role.HR).get("/inbox")
    assert "You have no messages." in page.text()


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/inbox")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/inbox"

"""A user's in-app notifications: list them and mark them read (only their own)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audit_service.services.errors import NotFound
from audit_service.storage.models import InboxItem, User, utcnow


class InboxItemNotFound(NotFound):
    pass


@dataclass(frozen=True)
class InboxItemView:
    id: int
    title: str
    body: str
    #: A path in the service, or None.
    link: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None

    @property
    def paragraphs(self) -> list[str]:
        return self.body.split("\n\n")


@dataclass(frozen=True)
class InboxView:
    """A user's newest items, and how many of them are unread."""

    items: tuple[InboxItemView, ...]

    @property
    def unread(self) -> int:
        return sum(1 for item in self.items if item.read_at is None)


def _view(item: InboxItem) -> InboxItemView:
    return InboxItemView(item.id, item.title, item.body, item.link, item.created_at,
                         item.read_at)


def inbox_of(user: User, limit: int = 100) -> InboxView:
    """Newest first."""
    return InboxView(tuple(_view(item) for item in (
        InboxItem.select()
        .where(InboxItem.user == user)
        .order_by(InboxItem.created_at.desc(), InboxItem.id.desc())
        .limit(limit))))


def unread_count(user: User) -> int:
    return InboxItem.select().where((InboxItem.user == user) & InboxItem.read_at.is_null()).count()


def mark_read(user: User, item_id: int, now: dt.datetime | None = None) -> InboxItemView:
    """Mark one of ``user``'s items read. Someone else's item is reported as not found."""
    item = InboxItem.get_or_none((InboxItem.id == item_id) & (InboxItem.user == user))
    if item is None:
        raise InboxItemNotFound(f"you have no inbox item {item_id}")
    if item.read_at is None:
        item.read_at = now or utcnow()
        InboxItem.update(read_at=item.read_at).where(
            (InboxItem.id == item.id) & InboxItem.read_at.is_null()).execute()
    return _view(item)

"""A user's in-app notifications: list them and mark them read (only their own)."""

from __future__ import annotations

import datetime as dt

from audit_service.services.errors import NotFound
from audit_service.storage.models import InboxItem, User, utcnow


class InboxItemNotFound(NotFound):
    pass


def items_for(user: User, limit: int = 100) -> list[InboxItem]:
    """Newest first."""
    return list(
        InboxItem.select()
        .where(InboxItem.user == user)
        .order_by(InboxItem.created_at.desc(), InboxItem.id.desc())
        .limit(limit)
    )


def unread_count(user: User) -> int:
    return InboxItem.select().where((InboxItem.user == user) & InboxItem.read_at.is_null()).count()


def mark_read(user: User, item_id: int, now: dt.datetime | None = None) -> InboxItem:
    """Mark one of ``user``'s items read. Someone else's item is reported as not found."""
    item = InboxItem.get_or_none((InboxItem.id == item_id) & (InboxItem.user == user))
    if item is None:
        raise InboxItemNotFound(f"you have no inbox item {item_id}")
    if item.read_at is None:
        item.read_at = now or utcnow()
        InboxItem.update(read_at=item.read_at).where(
            (InboxItem.id == item.id) & InboxItem.read_at.is_null()).execute()
    return item

"""The built-in in-app notifier: each message becomes an item on the user's inbox page."""

from __future__ import annotations

from audit_service.notifications.base import Notification, Notifier
from audit_service.storage.models import InboxItem


class InboxNotifier(Notifier):
    id = "inbox"
    label = "In-app inbox"

    def send(self, message: Notification) -> None:
        # The key is unique: a resend after a lost lease finds the item already there.
        InboxItem.insert(
            user=message.recipient_id,
            key=message.key,
            title=message.subject,
            body=message.text,
            link=message.link,
        ).on_conflict_ignore().execute()

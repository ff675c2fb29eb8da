"""The built-in notifiers: email over SMTP, and the in-app inbox."""

from __future__ import annotations

from audit_service.notifications.inbox import InboxNotifier
from audit_service.notifications.smtp import EmailNotifier
from audit_service.plugins import hookimpl


@hookimpl
def register_notifiers():
    return [EmailNotifier, InboxNotifier]

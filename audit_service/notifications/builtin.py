"""Registers the built-in notifiers through the same hook third-party plugins use."""

from __future__ import annotations

from audit_service.plugins import hookimpl


@hookimpl
def register_notifiers():
    from audit_service.notifications.inbox import InboxNotifier
    from audit_service.notifications.smtp import EmailNotifier

    return [EmailNotifier, InboxNotifier]

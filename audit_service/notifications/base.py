"""The notifier plugin interface, and what a notifier is given to send.

Notifiers receive a plain ``Notification``, not a database row, so a third-party
channel (a council's own messaging system) needs to know nothing of the schema.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_MAIL_FROM = "audit-service@localhost"


class PermanentFailure(Exception):
    """Raised by ``send`` when retrying cannot help (no address to send to): give up now."""


@dataclass(frozen=True)
class Notification:
    """One message for one recipient. ``link`` is a path in the service, such as ``/inbox``."""

    key: str
    recipient_id: int
    recipient_username: str
    recipient_name: str
    recipient_email: str | None
    subject: str
    text: str
    html: str | None
    link: str | None


@dataclass(frozen=True)
class NotifierSettings:
    """What the built-in notifiers need from the configuration."""

    base_url: str = DEFAULT_BASE_URL
    smtp_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    smtp_timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any],
                    environ: Mapping[str, str] | None = None) -> NotifierSettings:
        """App config keys win; otherwise the ``AUDIT_*`` environment variables."""
        env = os.environ if environ is None else environ

        def setting(key: str, default: str | None) -> str | None:
            return config.get(key) or env.get(f"AUDIT_{key}") or default

        return cls(
            base_url=setting("BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL,
            smtp_url=setting("SMTP_URL", None),
            mail_from=setting("MAIL_FROM", DEFAULT_MAIL_FROM) or DEFAULT_MAIL_FROM,
        )

    def absolute(self, link: str | None) -> str | None:
        """Emails are read outside the service, so their links must be absolute."""
        if not link:
            return None
        return urljoin(self.base_url.rstrip("/") + "/", link.lstrip("/"))


class Notifier(ABC):
    """A delivery channel. Plugins register subclasses through ``register_notifiers``.

    ``send`` delivers one message or raises: any exception has the message retried
    with backoff, ``PermanentFailure`` gives up at once. A notifier that cannot run
    here (email without an SMTP server) says why in ``disabled_reason``; its messages
    then stay queued, never dropped.
    """

    id: ClassVar[str]
    label: ClassVar[str]

    def __init__(self, settings: NotifierSettings):
        self.settings = settings

    def disabled_reason(self) -> str | None:
        return None

    @abstractmethod
    def send(self, message: Notification) -> None: ...


def disabled_notifiers(notifiers: Mapping[str, Notifier]) -> dict[str, str]:
    """``{id: reason}`` for every notifier that cannot deliver here."""
    return {n.id: reason for n in notifiers.values() if (reason := n.disabled_reason())}

"""The built-in email notifier: plain text and HTML over SMTP (``AUDIT_SMTP_URL``).

``smtp://host:port`` sends in clear (a local relay), ``smtp+starttls://user:pass@host:587``
upgrades with STARTTLS, ``smtps://user:pass@host:465`` uses TLS from the start.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from html import escape
from urllib.parse import unquote, urlsplit

from audit_service.notifications.base import Notification, Notifier, PermanentFailure

log = logging.getLogger(__name__)

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpServer:
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise SmtpUrlError(
            f"AUDIT_SMTP_URL must start with {', '.join(s + '://' for s in SCHEMES)}; "
            f"got {parts.scheme or url!r}"
        )
    if not parts.hostname:
        raise SmtpUrlError(f"AUDIT_SMTP_URL has no host name: {parts.scheme}://...")
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError as exc:
        raise SmtpUrlError(f"AUDIT_SMTP_URL has a port that is not a number: {exc}") from None
    return SmtpServer(
        parts.scheme,
        parts.hostname,
        port,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


def build_email(message: Notification, *, mail_from: str, link: str | None) -> EmailMessage:
    """The text part, then the HTML alternative; both carry the absolute link.

    A message without HTML gets one made from its paragraphs, so every email has both.
    """
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = mail_from
    email["To"] = formataddr((message.recipient_name, message.recipient_email or ""))
    email["Message-ID"] = make_msgid(domain="audit-service")
    # Lets a mail system spot a resend of the same notification after a lost reply.
    email["X-Audit-Service-Key"] = message.key
    text, html = message.text, message.html or _as_html(message.text)
    if link and link not in text:
        text = f"{text}\n\n{link}\n"
    if link and link not in html:
        html = f'{html}<p><a href="{escape(link)}">Open audit-service</a></p>'
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    return email


def _as_html(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))


class EmailNotifier(Notifier):
    id = "email"
    label = "Email"

    def disabled_reason(self) -> str | None:
        if not self.settings.smtp_url:
            return "AUDIT_SMTP_URL is not set, so email is not sent; messages stay queued"
        try:
            parse_smtp_url(self.settings.smtp_url)
        except SmtpUrlError as exc:
            return f"{exc}; messages stay queued"
        return None

    def send(self, message: Notification) -> None:
        reason = self.disabled_reason()
        if reason:
            log.warning("email notifier disabled: %s", reason)
            raise RuntimeError(reason)
        if not message.recipient_email:
            raise PermanentFailure(
                f"user {message.recipient_username!r} has no email address to send to"
            )
        server = parse_smtp_url(self.settings.smtp_url or "")
        email = build_email(
            message, mail_from=self.settings.mail_from, link=self.settings.absolute(message.link)
        )
        timeout = self.settings.smtp_timeout
        if server.scheme == "smtps":
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with client:
            if server.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if server.username:
                client.login(server.username, server.password or "")
            client.send_message(email)

"""The email notifier against a real SMTP server: both parts, an absolute link, no child ids."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_service.notifications.base import Notification, NotifierSettings
from audit_service.notifications.smtp import EmailNotifier, SmtpUrlError, parse_smtp_url
from audit_service.plugins.registries import Registry
from audit_service.services.platform import outbox
from audit_service.services.sampling import notices as round_notices
from audit_service.storage.models import OutboxMessage
from tests.notifications.builders import make_round

BASE_URL = "https://audits.example.gov.uk"


def _registry(url: str | None) -> Registry:
    settings = NotifierSettings(base_url=BASE_URL, smtp_url=url, mail_from="audits@example.org")
    return Registry.of("notifier", [EmailNotifier(settings)])


def _later() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)


def test_a_round_message_arrives_with_text_and_html_and_no_child_identifiers(db, smtp_server):
    fixture = make_round()
    assert round_notices.notify_reminder(fixture.round, BASE_URL) == 2
    report = outbox.deliver_due(_later(), _registry(smtp_server.url))
    assert report.sent == 1

    [email] = smtp_server.messages
    assert smtp_server.recipients == [["sam@example.org"]]
    assert email["From"] == "audits@example.org"
    assert email["Subject"] == "Reminder: case file audits for March 2026 due 20 March 2026"
    assert email["X-Audit-Service-Key"] == f"round-reminder:{fixture.round.public_id}:email"
    assert email.is_multipart()
    assert [part.get_content_type() for part in email.iter_parts()] == ["text/plain", "text/html"]
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    link = f"{BASE_URL}/rounds/{fixture.round.public_id}"
    assert "due by 20 March 2026" in text
    assert link in text
    assert f'href="{link}"' in html
    raw = email.as_string()
    for child_id in fixture.child_ids:
        assert child_id not in raw
    assert "CHILD-" not in raw


def test_text_only_messages_get_an_html_part_and_the_link_in_both(smtp_server):
    notifier = EmailNotifier(NotifierSettings(smtp_url=smtp_server.url, base_url=BASE_URL))
    notifier.send(Notification("k", 1, "sam", "Sam", "sam@example.org", "Hi",
                               "One & two.\n\nThree.", None, "/rounds/r1"))
    [email] = smtp_server.messages
    html = email.get_body(("html",)).get_content()
    assert "<p>One &amp; two.</p><p>Three.</p>" in html
    assert f'href="{BASE_URL}/rounds/r1"' in html
    assert f"{BASE_URL}/rounds/r1" in email.get_body(("plain",)).get_content()


def test_a_refused_message_is_retried_and_then_delivered_once(db, smtp_server):
    fixture = make_round()
    round_notices.notify_reminder(fixture.round, BASE_URL)
    smtp_server.refuse = 1
    registry = _registry(smtp_server.url)
    first = outbox.deliver_due(_later(), registry)
    assert (first.sent, first.retrying) == (0, 1)
    message = OutboxMessage.get(OutboxMessage.notifier == "email")
    assert "451" in message.last_error
    second = outbox.deliver_due(message.next_attempt_at, registry)
    assert second.sent == 1
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Subject"].startswith("Reminder: case file audits for March")


def test_without_an_smtp_url_email_is_disabled_and_messages_stay_queued(db):
    fixture = make_round()
    round_notices.notify_reminder(fixture.round, BASE_URL)
    report = outbox.deliver_due(_later(), _registry(None))
    assert report.sent == 0
    assert report.waiting_counts["email"] == 1
    assert "AUDIT_SMTP_URL is not set" in report.summary()
    assert OutboxMessage.get(OutboxMessage.notifier == "email").sent_at is None


def test_an_unreachable_server_is_retried_not_dropped(db, smtp_server):
    fixture = make_round()
    round_notices.notify_reminder(fixture.round, BASE_URL)
    report = outbox.deliver_due(_later(), _registry("smtp://127.0.0.1:9"))
    assert report.retrying == 1
    assert OutboxMessage.get(OutboxMessage.notifier == "email").attempts == 1


def test_a_user_without_an_email_address_is_given_up_with_the_reason(db, smtp_server):
    fixture = make_round()
    fixture.supervisor_user.email = None
    fixture.supervisor_user.save()
    round_notices.notify_reminder(fixture.round, BASE_URL)
    report = outbox.deliver_due(_later(), _registry(smtp_server.url))
    assert report.gave_up == 1
    assert "has no email address" in OutboxMessage.get(OutboxMessage.notifier == "email").last_error


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.local", ("smtp", "mail.local", 25, None, None)),
        ("smtps://user:p%40ss@mail.example:465", ("smtps", "mail.example", 465, "user", "p@ss")),
        ("smtp+starttls://u:p@mail.example", ("smtp+starttls", "mail.example", 587, "u", "p")),
    ],
)
def test_smtp_urls(url, expected):
    server = parse_smtp_url(url)
    assert (server.scheme, server.host, server.port, server.username, server.password) == expected


@pytest.mark.parametrize(("url", "message"), [("http://mail", "must start with smtp://"),
                                              ("smtp://", "has no host name"),
                                              ("smtp://mail:port", "not a number")])
def test_bad_smtp_urls_say_what_is_wrong(url, message):
    with pytest.raises(SmtpUrlError, match=message):
        parse_smtp_url(url)
    assert message in EmailNotifier(NotifierSettings(smtp_url=url)).disabled_reason()


def test_relative_links_become_absolute_under_the_base_url():
    settings = NotifierSettings(base_url="https://x.example/audit/")
    assert settings.absolute("/rounds/abc") == "https://x.example/audit/rounds/abc"
    assert settings.absolute(None) is None
    assert NotifierSettings.from_config({}, {"AUDIT_BASE_URL": "https://y"}).base_url == "https://y"
    assert NotifierSettings.from_config({}, {}).base_url == "http://127.0.0.1:5000"


def test_send_through_the_notifier_directly(smtp_server):
    notifier = EmailNotifier(NotifierSettings(smtp_url=smtp_server.url))
    notifier.send(Notification("k", 1, "sam", "Sam Stone", "sam@example.org", "Hi", "Hello",
                               None, "/inbox"))
    [email] = smtp_server.messages
    assert email["To"] == "Sam Stone <sam@example.org>"
    assert "http://127.0.0.1:5000/inbox" in email.get_body(("plain",)).get_content()

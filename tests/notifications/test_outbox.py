"""The outbox: unique keys, one send per message, retries with backoff, nothing dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_service.notifications.base import (
    Notification,
    Notifier,
    NotifierSettings,
    PermanentFailure,
)
from audit_service.plugins.registries import Registry
from audit_service.services.platform import outbox
from audit_service.storage.models import Event, InboxItem, OutboxMessage

# Messages are due from when they are queued (real time), so each test's frozen clock starts
# a minute after the test does (not after import: a long run would leave it in the past).
NOW: dt.datetime


@pytest.fixture(autouse=True)
def _frozen_clock():
    global NOW
    NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) + dt.timedelta(minutes=1)


class Recording(Notifier):
    id = "recording"
    label = "Recording"
    sent: list[Notification]
    failures: list[Exception]

    def __init__(self, settings):
        super().__init__(settings)
        self.sent, self.failures = [], []

    def send(self, message):
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)


def registry(*classes) -> Registry:
    settings = NotifierSettings()
    return Registry.of("notifier", [cls(settings) for cls in classes])


def test_enqueueing_twice_stores_one_message_per_notifier(supervisor):
    args = ("round-opened:abc", supervisor, "Subject", "Text", "<p>Text</p>", "/rounds/abc")
    assert outbox.enqueue(*args) == 2
    assert outbox.enqueue(*args) == 0
    assert sorted(m.key for m in OutboxMessage.select()) == ["round-opened:abc:email",
                                                              "round-opened:abc:inbox"]


def test_each_due_message_is_sent_once(supervisor):
    reg = registry(Recording)
    outbox.enqueue("k1", supervisor, "S", "T", None, None, notifiers=("recording",))
    first = outbox.deliver_due(NOW, reg)
    second = outbox.deliver_due(NOW + dt.timedelta(hours=1), reg)
    assert (first.sent, second.sent) == (1, 0)
    [sent] = reg["recording"].sent
    assert (sent.key, sent.recipient_email) == ("k1:recording", "sam@example.org")
    message = OutboxMessage.get()
    assert (message.sent_at, message.attempts) == (NOW, 1)


def test_a_message_claimed_by_another_scheduler_is_not_sent_again(supervisor):
    reg = registry(Recording)
    outbox.enqueue("k1", supervisor, "S", "T", None, None, notifiers=("recording",))
    message = OutboxMessage.get()
    assert outbox._claim(message.id, NOW)  # another process holds the lease
    report = outbox.deliver_due(NOW + dt.timedelta(minutes=1), reg)
    assert report.sent == 0 and reg["recording"].sent == []
    # Its lease lapses (it crashed): the message is sent, once.
    assert outbox.deliver_due(NOW + outbox.LEASE, reg).sent == 1


def test_failures_are_retried_with_exponential_backoff_then_given_up(supervisor):
    reg = registry(Recording)
    notifier = reg["recording"]
    notifier.failures = [OSError("connection refused")] * outbox.MAX_ATTEMPTS
    outbox.enqueue("k1", supervisor, "S", "T", None, None, notifiers=("recording",))
    now, waits = NOW, []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        report = outbox.deliver_due(now, reg)
        message = OutboxMessage.get()
        assert message.attempts == attempt
        assert message.last_error == "OSError: connection refused"
        if attempt < outbox.MAX_ATTEMPTS:
            assert report.retrying == 1
            waits.append(message.next_attempt_at - now)
            # Not due before its backoff is over.
            assert outbox.deliver_due(message.next_attempt_at - dt.timedelta(seconds=1),
                                      reg).retrying == 0
            now = message.next_attempt_at
        else:
            assert report.gave_up == 1
    assert waits[:4] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert outbox.deliver_due(now + dt.timedelta(days=7), reg).sent == 0
    assert notifier.sent == []
    [event] = Event.select().where(Event.action == "outbox.gave_up")
    assert event.object_id == "k1:recording"
    assert event.after["attempts"] == outbox.MAX_ATTEMPTS


def test_a_permanent_failure_gives_up_at_once(supervisor):
    reg = registry(Recording)
    reg["recording"].failures = [PermanentFailure("no address")]
    outbox.enqueue("k1", supervisor, "S", "T", None, None, notifiers=("recording",))
    assert outbox.deliver_due(NOW, reg).gave_up == 1
    assert OutboxMessage.get().last_error == "PermanentFailure: no address"


def test_a_recovered_notifier_sends_the_retried_message(supervisor):
    reg = registry(Recording)
    reg["recording"].failures = [TimeoutError("slow")]
    outbox.enqueue("k1", supervisor, "S", "T", None, None, notifiers=("recording",))
    outbox.deliver_due(NOW, reg)
    assert outbox.deliver_due(NOW + dt.timedelta(minutes=1), reg).sent == 1
    message = OutboxMessage.get()
    assert (message.attempts, message.last_error) == (2, None)


def test_messages_for_a_disabled_or_missing_notifier_stay_queued_and_are_reported(supervisor):
    from audit_service.notifications.inbox import InboxNotifier
    from audit_service.notifications.smtp import EmailNotifier

    reg = registry(EmailNotifier, InboxNotifier)  # no SMTP URL: email disabled
    outbox.enqueue("k1", supervisor, "Hello", "T", None, "/inbox",
                   notifiers=("email", "inbox", "pager"))
    report = outbox.deliver_due(NOW, reg)
    assert report.sent == 1
    assert report.waiting_counts == {"email": 1, "pager": 1}
    assert "AUDIT_SMTP_URL is not set" in report.waiting["email"]
    assert "no notifier 'pager' is installed" in report.summary()
    assert OutboxMessage.select().where(OutboxMessage.sent_at.is_null()).count() == 2
    [item] = InboxItem.select()
    assert (item.title, item.key, item.link, item.user_id) == ("Hello", "k1:inbox", "/inbox",
                                                               supervisor.id)


def test_the_inbox_notifier_never_duplicates_an_item(supervisor):
    from audit_service.notifications.inbox import InboxNotifier

    notifier = InboxNotifier(NotifierSettings())
    message = Notification("k:inbox", supervisor.id, "sam", "Sam", None, "S", "T", None, None)
    notifier.send(message)
    notifier.send(message)
    assert InboxItem.select().count() == 1


@pytest.mark.parametrize(("attempts", "minutes"), [(1, 1), (2, 2), (5, 16), (20, 360)])
def test_backoff(attempts, minutes):
    assert outbox.backoff(attempts) == dt.timedelta(minutes=minutes)

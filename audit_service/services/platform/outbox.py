"""The outbox: notifications are written in the same transaction as what caused them,
then delivered by the scheduler with retries, each exactly once.

Exactly once comes from two rules. A message's ``key`` is unique, so enqueueing
the same notification twice (two schedulers, a retried job) stores it once. And a
sender first *claims* a message with a conditional UPDATE that pushes its
``next_attempt_at`` past a lease; only the process whose UPDATE changed the row
sends it, so two schedulers never send the same message twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from audit_service.notifications.base import (
    Notification,
    Notifier,
    PermanentFailure,
    disabled_notifiers,
)
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import OutboxMessage, User

log = logging.getLogger(__name__)

DEFAULT_NOTIFIERS: tuple[str, ...] = ("email", "inbox")
MAX_ATTEMPTS = 8
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=6)
# Longer than any send may take (SMTP times out at 30 s); a crashed sender's claim
# lapses after this and another scheduler retries the message.
LEASE = dt.timedelta(minutes=5)
BATCH = 200


def enqueue(
    key: str,
    recipient: User,
    subject: str,
    text: str,
    html: str | None,
    link: str | None,
    notifiers: tuple[str, ...] = DEFAULT_NOTIFIERS,
) -> int:
    """Queue one message per notifier, keyed ``f"{key}:{notifier}"``; return how many were new.

    Enqueueing a key again is a no-op (INSERT ... ON CONFLICT DO NOTHING), so callers
    may enqueue inside a job that might run twice.
    """
    rows = [
        {
            "key": f"{key}:{notifier}",
            "notifier": notifier,
            "recipient": recipient.id,
            "subject": subject,
            "body_text": text,
            "body_html": html,
            "link": link,
        }
        for notifier in notifiers
    ]
    if not rows:
        return 0
    return OutboxMessage.insert_many(rows).on_conflict_ignore().as_rowcount().execute()


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4 ... minutes, at most six hours."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


@dataclass
class DeliveryReport:
    """What one ``deliver_due`` pass did; ``waiting`` explains messages left queued."""

    sent: int = 0
    retrying: int = 0
    gave_up: int = 0
    claimed_elsewhere: int = 0
    waiting: dict[str, str] = field(default_factory=dict)
    waiting_counts: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        parts = [f"{self.sent} sent", f"{self.retrying} to retry", f"{self.gave_up} given up"]
        text = ", ".join(parts)
        for notifier_id, count in sorted(self.waiting_counts.items()):
            text += f"; {count} {notifier_id} message(s) left queued: {self.waiting[notifier_id]}"
        return text


def _naive_utc(now: dt.datetime) -> dt.datetime:
    """The database stores naive UTC; accept aware datetimes too."""
    if now.tzinfo is not None:
        now = now.astimezone(dt.UTC).replace(tzinfo=None)
    return now


def _claim(message_id: int, now: dt.datetime) -> bool:
    claimed = (
        OutboxMessage.update(next_attempt_at=now + LEASE)
        .where(
            (OutboxMessage.id == message_id)
            & OutboxMessage.sent_at.is_null()
            & (OutboxMessage.next_attempt_at <= now)
            & (OutboxMessage.attempts < MAX_ATTEMPTS)
        )
        .execute()
    )
    return claimed == 1


def _notification(message: OutboxMessage, user: User) -> Notification:
    email = user.email
    if not email and user.staff_id is not None:
        email = user.staff.email
    return Notification(
        key=message.key,
        recipient_id=user.id,
        recipient_username=user.username,
        recipient_name=user.display_name,
        recipient_email=email,
        subject=message.subject,
        text=message.body_text,
        html=message.body_html,
        link=message.link,
    )


def due_messages(now: dt.datetime, notifier_ids: Iterable[str], limit: int = BATCH):
    return (
        OutboxMessage.select(OutboxMessage, User)
        .join(User, on=(OutboxMessage.recipient == User.id))
        .where(
            OutboxMessage.sent_at.is_null()
            & (OutboxMessage.next_attempt_at <= now)
            & (OutboxMessage.attempts < MAX_ATTEMPTS)
            & OutboxMessage.notifier.in_(list(notifier_ids))
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )


def pending_by_notifier() -> dict[str, int]:
    """Unsent messages that will still be tried, by notifier: for the admin and CLI output."""
    query = (
        OutboxMessage.select(OutboxMessage.notifier, OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_null() & (OutboxMessage.attempts < MAX_ATTEMPTS))
    )
    return dict(Counter(notifier for notifier, _ in query.tuples()))


def deliver_due(now: dt.datetime, notifiers: Mapping[str, Notifier]) -> DeliveryReport:
    """Send every due message through its notifier, once each, retrying failures with backoff.

    Messages for a notifier that is disabled here (no SMTP server configured) or not
    installed stay queued and are counted in ``waiting`` with the reason.
    """
    now = _naive_utc(now)
    report = DeliveryReport()
    disabled = disabled_notifiers(notifiers)
    for notifier_id, count in pending_by_notifier().items():
        if notifier_id not in notifiers:
            report.waiting[notifier_id] = f"no notifier {notifier_id!r} is installed"
            report.waiting_counts[notifier_id] = count
        elif notifier_id in disabled:
            report.waiting[notifier_id] = disabled[notifier_id]
            report.waiting_counts[notifier_id] = count
    for notifier_id, reason in report.waiting.items():
        log.warning("outbox: %d %s message(s) left queued: %s",
                    report.waiting_counts[notifier_id], notifier_id, reason)
    usable = [nid for nid in notifiers if nid not in disabled]
    while True:
        batch = list(due_messages(now, usable))
        if not batch:
            return report
        for message in batch:
            if not _claim(message.id, now):
                report.claimed_elsewhere += 1
                continue
            _deliver_claimed(message, notifiers, now, report)


def _deliver_claimed(message: OutboxMessage, notifiers: Mapping[str, Notifier], now: dt.datetime,
                     report: DeliveryReport) -> None:
    attempts = message.attempts + 1
    try:
        notifiers[message.notifier].send(_notification(message, message.recipient))
    except Exception as exc:  # any failure is retried; the error is kept, never lost
        permanent = isinstance(exc, PermanentFailure)
        error = f"{type(exc).__name__}: {exc}"
        if permanent or attempts >= MAX_ATTEMPTS:
            with database.atomic():
                OutboxMessage.update(attempts=max(attempts, MAX_ATTEMPTS), last_error=error).where(
                    OutboxMessage.id == message.id).execute()
                audit_trail.record(
                    "outbox.gave_up", actor_label="scheduler", object_type="outbox_message",
                    object_id=message.key,
                    after={"attempts": attempts, "error": error, "permanent": permanent},
                )
            log.error("outbox: gave up on %s after %d attempt(s): %s", message.key, attempts, error)
            report.gave_up += 1
        else:
            OutboxMessage.update(
                attempts=attempts, last_error=error, next_attempt_at=now + backoff(attempts)
            ).where(OutboxMessage.id == message.id).execute()
            log.warning("outbox: %s failed (attempt %d), will retry: %s",
                        message.key, attempts, error)
            report.retrying += 1
        return
    OutboxMessage.update(attempts=attempts, sent_at=now, last_error=None).where(
        OutboxMessage.id == message.id).execute()
    report.sent += 1

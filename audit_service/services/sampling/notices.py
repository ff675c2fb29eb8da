"""The scheduler's messages about sampling rounds: the reminder and the escalation.

(The monthly prompt is queued by ``rounds.open_rounds`` with the round itself.)

They name the month, the number of case files and the due date, and link to the
round; they never carry a child's identifier, because email leaves the service.
"""

from __future__ import annotations

import datetime as dt
import html

from audit_service.domain.months import Month
from audit_service.services.platform import outbox
from audit_service.storage.models import SamplingRound, Staff, User

ROUND_LINK = "/rounds/{public_id}"


def round_link(round_: SamplingRound) -> str:
    return ROUND_LINK.format(public_id=round_.public_id)


def date_label(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def user_for_staff(staff_id: int | None) -> User | None:
    """The active login of a member of staff, if they have one."""
    if staff_id is None:
        return None
    return User.get_or_none((User.staff == staff_id) & (User.is_active == True))  # noqa: E712


def _html(paragraphs: list[str], link: str, link_text: str) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f'{body}<p><a href="{html.escape(link)}">{html.escape(link_text)}</a></p>'


def _send(key: str, user: User, subject: str, paragraphs: list[str], link: str,
          link_text: str, base_url: str) -> int:
    absolute = base_url.rstrip("/") + link
    return outbox.enqueue(
        key, user, subject, "\n\n".join(paragraphs),
        _html(paragraphs, absolute, link_text), link,
    )


def notify_reminder(round_: SamplingRound, base_url: str) -> int:
    user = user_for_staff(round_.supervisor_id)
    if user is None:
        return 0
    month = Month.parse(round_.period).label
    paragraphs = [f"Dear {user.display_name},",
                  f"Your case file audits for {month} are due by {date_label(round_.due_on)}.",
                  "Please complete any audits still in progress."]
    return _send(f"round-reminder:{round_.public_id}", user,
                 f"Reminder: case file audits for {month} due {date_label(round_.due_on)}",
                 paragraphs, round_link(round_), "Open the round", base_url)


def notify_escalation(round_: SamplingRound, manager: User, supervisor: Staff,
                      base_url: str) -> int:
    month = Month.parse(round_.period).label
    paragraphs = [f"Dear {manager.display_name},",
                  f"{supervisor.name}'s case file audits for {month} were due by "
                  f"{date_label(round_.due_on)} and are not complete.",
                  "You are told because you are their line manager."]
    return _send(f"round-escalation:{round_.public_id}", manager,
                 f"Overdue case file audits for {month}: {supervisor.name}",
                 paragraphs, round_link(round_), "Open the round", base_url)

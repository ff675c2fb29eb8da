"""The scheduled jobs, as plain functions of "now" so tests drive them with a frozen clock.

Each per-round step (remind, escalate) is also guarded by its own conditional
UPDATE (``reminded_at IS NULL``, ``escalated_at IS NULL``) in the same transaction
as the outbox message, so a round is reminded or escalated once even if two jobs
overlap, and never marked without its message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audit_service.domain.vocabulary import RoundStatus
from audit_service.plugins.installed import Registries
from audit_service.scheduling.settings import SchedulerSettings
from audit_service.scheduling.timing import reminder_date
from audit_service.services.platform import audit_trail, outbox
from audit_service.services.sampling import notices as round_notices
from audit_service.storage.database import database
from audit_service.storage.models import SamplingRound, Staff

ACTOR = "scheduler"


@dataclass(frozen=True)
class JobContext:
    """What every job needs besides the clock."""

    settings: SchedulerSettings
    registries: Registries
    base_url: str = "http://127.0.0.1:5000"


def _naive_utc(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(tzinfo=None)


def open_rounds_job(period: str, now: dt.datetime, context: JobContext) -> str:
    """Open the period's rounds. ``open_rounds`` is idempotent and queues each new round's
    prompt (outbox key ``round-opened:<round>``) in the same transaction as the round."""
    from audit_service.services.sampling.rounds import open_rounds

    today = now.astimezone(context.settings.timezone).date()
    report = open_rounds(period, today=today, actor_label=ACTOR,
                         registry=context.registries.sampling_strategies,
                         calendar=context.settings.calendar(today))
    return report.summary() if hasattr(report, "summary") else str(report)


def _open_rounds(*conditions):
    query = SamplingRound.select().where(SamplingRound.status != RoundStatus.COMPLETED)
    for condition in conditions:
        query = query.where(condition)
    return query.order_by(SamplingRound.id)


def reminders_job(now: dt.datetime, context: JobContext) -> str:
    """Remind each supervisor once, ``reminder_working_days`` working days before the due date."""
    settings = context.settings
    today = now.astimezone(settings.timezone).date()
    calendar = settings.calendar(today)
    # A cheap bound in SQL, the exact working-day rule in Python.
    horizon = today + dt.timedelta(days=settings.reminder_working_days * 3 + 14)
    reminded = 0
    for round_ in _open_rounds(SamplingRound.reminded_at.is_null(),
                               SamplingRound.due_on >= today, SamplingRound.due_on <= horizon):
        if today < reminder_date(round_.due_on, calendar, settings.reminder_working_days):
            continue
        with database.atomic():
            won = (SamplingRound.update(reminded_at=_naive_utc(now))
                   .where((SamplingRound.id == round_.id) & SamplingRound.reminded_at.is_null())
                   .execute())
            if won != 1:
                continue
            round_notices.notify_reminder(round_, context.base_url)
            audit_trail.record("round.reminded", actor_label=ACTOR, object_type="sampling_round",
                               object_id=round_.public_id,
                               after={"due_on": round_.due_on.isoformat()})
        reminded += 1
    return f"{reminded} round(s) reminded"


def escalations_job(now: dt.datetime, context: JobContext) -> str:
    """Escalate each overdue round once to the supervisor's line manager."""
    today = now.astimezone(context.settings.timezone).date()
    escalated = 0
    for round_ in _open_rounds(SamplingRound.escalated_at.is_null(), SamplingRound.due_on < today):
        with database.atomic():
            won = (SamplingRound.update(escalated_at=_naive_utc(now))
                   .where((SamplingRound.id == round_.id) & SamplingRound.escalated_at.is_null())
                   .execute())
            if won != 1:
                continue
            supervisor = Staff.get_by_id(round_.supervisor_id)
            manager = round_notices.user_for_staff(supervisor.line_manager_id)
            if manager is not None:
                round_notices.notify_escalation(round_, manager, supervisor, context.base_url)
            audit_trail.record(
                "round.escalated", actor_label=ACTOR, object_type="sampling_round",
                object_id=round_.public_id,
                after={"due_on": round_.due_on.isoformat(),
                       "manager": manager.username if manager else None,
                       "notified": manager is not None,
                       **({} if manager else {"reason": "the supervisor has no line manager "
                                                         "with an active login"})},
            )
        escalated += 1
    return f"{escalated} round(s) escalated"


def deliver_outbox_job(now: dt.datetime, context: JobContext) -> outbox.DeliveryReport:
    """Send due outbox messages. Not claimed per period: each message is claimed instead."""
    return outbox.deliver_due(now, context.registries.notifiers)


def queued_imports_job(now: dt.datetime, context: JobContext) -> str:
    """Import the large uploads waiting in the background. Not claimed per period: each
    import is claimed instead, so several schedulers share the queue."""
    from audit_service.services.imports.background import run_queued

    done = run_queued(context.registries.importers, _naive_utc(now))
    return ", ".join(f"{batch.source_name}: {batch.status}" for batch in done)


def moderation_sample_job(period: str, now: dt.datetime, context: JobContext) -> str:
    """Draw ``period``'s random share of submitted audits for moderation (seeded, top-up only)."""
    from audit_service.services.moderation.workflow import pick_moderation_sample

    return pick_moderation_sample(period, actor_label=ACTOR).summary()

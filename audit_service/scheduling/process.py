"""The dedicated scheduler process: APScheduler 3 ``BlockingScheduler`` in ``AUDIT_TIMEZONE``.

Two recurring jobs: every 15 minutes (on the quarter hour, so 07:00 is one of them)
``run_due_jobs`` opens rounds, reminds and escalates whatever is due; every minute
the outbox is delivered. Before the first tick the scheduler catches up: the same
``run_due_jobs`` at start-up runs anything missed while it was down.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from audit_service.extension import registries
from audit_service.notifications.base import NotifierSettings
from audit_service.scheduling import jobs
from audit_service.scheduling.jobs import JobContext
from audit_service.scheduling.runner import JobResult, run_due_jobs
from audit_service.scheduling.settings import SchedulerSettings
from audit_service.services.platform.outbox import DeliveryReport
from audit_service.storage.database import database

log = logging.getLogger(__name__)


def job_context(app: Flask) -> JobContext:
    with app.app_context():
        found = registries()
    return JobContext(
        settings=SchedulerSettings.from_config(app.config),
        registries=found,
        base_url=NotifierSettings.from_config(app.config).base_url,
    )


def _in_app(app: Flask, work: Callable[[], object]) -> object:
    with app.app_context(), database.connection_context():
        return work()


def tick(app: Flask, context: JobContext, now: dt.datetime | None = None) -> list[JobResult]:
    """Run the due jobs: the recurring tick and the catch-up on start-up."""
    moment = now or dt.datetime.now(dt.UTC)
    return _in_app(app, lambda: run_due_jobs(moment, context))  # type: ignore[return-value]


def deliver(app: Flask, context: JobContext, now: dt.datetime | None = None) -> DeliveryReport:
    moment = now or dt.datetime.now(dt.UTC)
    return _in_app(app, lambda: jobs.deliver_outbox_job(moment, context))  # type: ignore[return-value]


def import_queued(app: Flask, context: JobContext, now: dt.datetime | None = None) -> str:
    moment = now or dt.datetime.now(dt.UTC)
    return _in_app(app, lambda: jobs.queued_imports_job(moment, context))  # type: ignore[return-value]


def _logged(work: Callable[[], object], name: str) -> Callable[[], None]:
    def run() -> None:
        try:
            result = work()
        except Exception:  # the scheduler must outlive one bad tick
            log.exception("scheduler: %s failed", name)
            return
        if isinstance(result, DeliveryReport):
            if result.sent or result.retrying or result.gave_up:
                log.info("outbox: %s", result.summary())
        elif isinstance(result, str):
            if result:
                log.info("%s: %s", name, result)
        elif result:
            for item in result:  # type: ignore[attr-defined]
                log.info("%s %s: %s", item.job, item.period, item.outcome)

    return run


def build_scheduler(app: Flask, context: JobContext) -> BlockingScheduler:
    tz = context.settings.timezone
    scheduler = BlockingScheduler(timezone=tz)
    scheduler.add_job(
        _logged(lambda: tick(app, context), "due jobs"),
        CronTrigger(minute="0,15,30,45", timezone=tz),
        id="due_jobs", name="due jobs (open rounds, reminders, escalations)",
        coalesce=True, max_instances=1, misfire_grace_time=600,
    )
    scheduler.add_job(
        _logged(lambda: deliver(app, context), "outbox delivery"),
        IntervalTrigger(minutes=1, timezone=tz),
        id="deliver_outbox", name="outbox delivery",
        coalesce=True, max_instances=1, misfire_grace_time=60,
    )
    scheduler.add_job(
        _logged(lambda: import_queued(app, context), "background imports"),
        IntervalTrigger(seconds=5, timezone=tz),
        id="queued_imports", name="background imports (large uploads)",
        coalesce=True, max_instances=1, misfire_grace_time=30,
    )
    return scheduler

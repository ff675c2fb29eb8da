"""Run whatever is due, once per (job, period); and the APScheduler process around it.

``run_due_jobs`` is both the regular tick and the catch-up on start-up: it asks
``timing`` which periods are due at ``now`` and claims each. A period already
claimed (by this or another scheduler, now or before a restart) is skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from audit_service.domain.months import Month
from audit_service.scheduling import claims, jobs, timing
from audit_service.scheduling.jobs import JobContext
from audit_service.services.platform import audit_trail

log = logging.getLogger(__name__)

DAILY_START = dt.time(7, 0)


@dataclass(frozen=True)
class JobResult:
    job: str
    period: str
    ran: bool
    outcome: str


def due_jobs(now: dt.datetime, context: JobContext) -> list[tuple[str, str, Callable[[], str]]]:
    """(job, period, run) for every job due at ``now``: the scheduling decision, no side effects."""
    settings = context.settings
    tz = settings.timezone
    local = timing.local_now(now, tz)
    calendar = settings.calendar(local.date())
    due: list[tuple[str, str, Callable[[], str]]] = []
    for period in timing.open_rounds_periods(
        now, calendar, tz, settings.open_at, previous_month_late=settings.open_previous_month_late
    ):
        due.append((timing.OPEN_ROUNDS, period,
                    lambda p=period: jobs.open_rounds_job(p, now, context)))
        # The month before is complete when the new month's rounds open: draw its moderation.
        previous = str(Month.parse(period).previous())
        due.append((timing.MODERATION_SAMPLE, previous,
                    lambda p=previous: jobs.moderation_sample_job(p, now, context)))
    day = timing.daily_period(now, tz, DAILY_START)
    if day is not None:
        due.append((timing.REMINDERS, day, lambda: jobs.reminders_job(now, context)))
        due.append((timing.ESCALATIONS, day, lambda: jobs.escalations_job(now, context)))
    return due


def run_due_jobs(now: dt.datetime, context: JobContext,
                 claimed_by: str | None = None) -> list[JobResult]:
    """Claim and run every due job; also the catch-up entry point on start-up."""
    results = []
    for job, period, run in due_jobs(now, context):
        claim = claims.claim(job, period, now, claimed_by)
        if claim is None:
            results.append(JobResult(job, period, False, "already claimed"))
            continue
        try:
            outcome = run()
        except Exception as exc:
            claims.release(claim)
            error = f"{type(exc).__name__}: {exc}"
            log.exception("job %s for %s failed; it will be retried at the next tick", job, period)
            audit_trail.record("job.failed", actor_label="scheduler", object_type="job_run",
                               object_id=f"{job}:{period}", after={"error": error})
            results.append(JobResult(job, period, False, f"failed: {error}"))
            continue
        claims.finish(claim, dt.datetime.now(dt.UTC), outcome)
        log.info("job %s for %s: %s", job, period, outcome)
        results.append(JobResult(job, period, True, outcome))
    return results

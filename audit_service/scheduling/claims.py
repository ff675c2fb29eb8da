"""Claim a job run for a period: the unique index on (job, period) lets only one process win.

A claim whose holder died part-way (no ``finished_at`` after ``STALE``) may be
taken over, so a crash never loses a month; a failed run gives its claim back so
the next tick retries. The jobs themselves are idempotent, so either is safe.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from peewee import IntegrityError

from audit_service.storage.database import database
from audit_service.storage.models import JobRun

STALE = dt.timedelta(hours=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _naive_utc(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(tzinfo=None) if now.tzinfo else now


def claim(job: str, period: str, now: dt.datetime, claimed_by: str | None = None) -> JobRun | None:
    """The new JobRun if this process won (job, period), else None."""
    now = _naive_utc(now)
    by = claimed_by or worker_name()
    try:
        with database.atomic():
            return JobRun.create(job=job, period=period, claimed_at=now, claimed_by=by)
    except IntegrityError:
        pass
    taken_over = (
        JobRun.update(claimed_at=now, claimed_by=by)
        .where(
            (JobRun.job == job)
            & (JobRun.period == period)
            & JobRun.finished_at.is_null()
            & (JobRun.claimed_at < now - STALE)
        )
        .execute()
    )
    if taken_over == 1:
        return JobRun.get((JobRun.job == job) & (JobRun.period == period))
    return None


def finish(run: JobRun, now: dt.datetime, outcome: str) -> None:
    JobRun.update(finished_at=_naive_utc(now), outcome=outcome).where(JobRun.id == run.id).execute()


def release(run: JobRun) -> None:
    """Give a failed run's claim back, so the next tick tries the period again."""
    JobRun.delete().where((JobRun.id == run.id) & JobRun.finished_at.is_null()).execute()

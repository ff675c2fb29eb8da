"""The scheduler process: its triggers, ``scheduler --once``, ``outbox``, and web workers never
starting it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from audit_service.scheduling.process import build_scheduler, job_context
from audit_service.storage.models import JobRun, OutboxMessage
from tests.notifications.builders import make_round

UTC = dt.UTC
REPO = Path(__file__).resolve().parents[2]


def test_the_triggers_fire_at_07_00_london_in_both_seasons_and_every_minute(app):
    context = job_context(app)
    scheduler = build_scheduler(app, context)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"due_jobs", "deliver_outbox", "queued_imports"}
    assert jobs["queued_imports"].trigger.interval == dt.timedelta(seconds=5)
    tz = context.settings.timezone
    due = jobs["due_jobs"].trigger
    winter = due.get_next_fire_time(None, dt.datetime(2026, 3, 2, 6, 50, tzinfo=tz))
    summer = due.get_next_fire_time(None, dt.datetime(2026, 4, 1, 6, 50, tzinfo=tz))
    assert winter.astimezone(UTC) == dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert summer.astimezone(UTC) == dt.datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
    assert jobs["deliver_outbox"].trigger.interval == dt.timedelta(minutes=1)
    assert str(scheduler.timezone) == "Europe/London"


def test_scheduler_once_runs_what_is_due_and_says_email_is_disabled(runner):
    make_round(due_on=dt.date(2026, 3, 20))
    result = runner.invoke(args=["scheduler", "--once", "--at", "2026-03-17T09:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "the email notifier is disabled: AUDIT_SMTP_URL is not set" in result.output
    assert "open_rounds 2026-03: ran" in result.output
    assert "reminders 2026-03-17: ran: 1 round(s) reminded" in result.output
    assert "1 email message(s) left queued" in result.output
    assert "moderation_sample 2026-02: ran" in result.output  # the month before is drawn
    assert JobRun.select().count() == 4
    again = runner.invoke(args=["scheduler", "--once", "--at", "2026-03-17T09:00:00+00:00"])
    assert "reminders 2026-03-17: skipped: already claimed" in again.output
    assert OutboxMessage.select().where(OutboxMessage.sent_at.is_null()).count() == 1

    status = runner.invoke(args=["outbox"])
    assert "email: 1 waiting (disabled: AUDIT_SMTP_URL is not set" in status.output


def test_bad_at_values_are_refused(runner):
    result = runner.invoke(args=["scheduler", "--once", "--at", "2026-03-17T09:00"])
    assert result.exit_code == 2 and "has no UTC offset" in result.output
    result = runner.invoke(args=["scheduler", "--at", "2026-03-17T09:00+00:00"])
    assert result.exit_code == 2 and "--at only makes sense with --once" in result.output


def test_the_web_app_never_loads_the_scheduler(tmp_path):
    code = ("import sys; from audit_service.app import create_app; create_app(); "
            "print(sorted(m for m in sys.modules if m.startswith(('apscheduler', "
            "'audit_service.scheduling.process'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         env={"AUDIT_INSTANCE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
                         check=True).stdout
    assert out.strip() == "[]"


def test_python_m_audit_service_cli_works(tmp_path):
    out = subprocess.run([sys.executable, "-m", "audit_service.cli", "scheduler", "--help"],
                         cwd=REPO, capture_output=True, text=True, check=True,
                         env={"AUDIT_INSTANCE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}).stdout
    assert "Run the job scheduler" in out and "--once" in out

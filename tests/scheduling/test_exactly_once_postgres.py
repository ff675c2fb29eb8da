"""Exactly once, proved on PostgreSQL with real, separate processes started at the same moment.

Each process is the real console command (``python -m audit_service.cli``). A barrier
makes them start together: every process imports everything first, then sleeps until
a shared start time a few seconds ahead, and reports whether it got there in time.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from audit_service.notifications.base import NotifierSettings
from audit_service.notifications.inbox import InboxNotifier
from audit_service.scheduling.jobs import JobContext
from audit_service.scheduling.runner import run_due_jobs
from audit_service.scheduling.settings import SchedulerSettings
from audit_service.storage.models import InboxItem, JobRun, OutboxMessage, SamplingRound
from tests.scheduling.builders import build_teams
from tests.support.installed import with_notifiers

pytestmark = pytest.mark.postgres

UTC = dt.UTC
LONDON = SchedulerSettings().timezone
REPO = Path(__file__).resolve().parents[2]

# Import the command first, then wait for the shared start time, then run it.
BARRIER = (
    "import sys, time\n"
    "from audit_service.cli import main\n"
    "start = float(sys.argv[1])\n"
    "late = time.time() - start\n"
    "print(f'barrier-late={late > 0}', flush=True)\n"
    "time.sleep(max(0.0, -late))\n"
    "sys.argv = ['audit-service', *sys.argv[2:]]\n"
    "main()\n"
)


def _start_together(commands: list[list[str]], database_url: str, tmp_path: Path,
                    extra_env: dict[str, str] | None = None) -> list[str]:
    env = {
        **os.environ,
        "AUDIT_DATABASE_URL": database_url,
        "AUDIT_INSTANCE_DIR": str(tmp_path),
        "AUDIT_SECRET_KEY": "test",
        **(extra_env or {}),
    }
    if "AUDIT_SMTP_URL" not in (extra_env or {}):
        env.pop("AUDIT_SMTP_URL", None)
    start = time.time() + 8
    processes = [
        subprocess.Popen([sys.executable, "-c", BARRIER, str(start), *args], cwd=REPO, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for args in commands
    ]
    outputs = []
    for process in processes:
        out, _ = process.communicate(timeout=180)
        assert process.returncode == 0, out
        assert "barrier-late=False" in out, f"a process missed the barrier:\n{out}"
        outputs.append(out)
    return outputs


def test_six_processes_at_the_same_moment_open_one_round_and_send_one_prompt_each(
        postgres_db, postgres_template, tmp_path, smtp_server):
    supervisors = build_teams(teams=4)
    postgres_db.close()
    at = "2026-03-02T07:00:00+00:00"  # the first working day of March 2026, 07:00 London
    commands = [["scheduler", "--once", "--at", at]] * 4 + [["open-rounds", "--period",
                                                           "2026-03"]] * 2
    outputs = _start_together(commands, postgres_template, tmp_path,
                              {"AUDIT_SMTP_URL": smtp_server.url})
    # A second wave of four schedulers at once delivers whatever an open-rounds process
    # queued after the first wave's delivery pass.
    outputs += _start_together([["scheduler", "--once", "--at", at]] * 4, postgres_template,
                               tmp_path, {"AUDIT_SMTP_URL": smtp_server.url})
    postgres_db.connect(reuse_if_open=True)

    ran = [o for o in outputs if "open_rounds 2026-03: ran" in o]
    assert len(ran) <= 1  # at most one scheduler ran the job; an open-rounds CLI may win
    assert JobRun.select().where(JobRun.job == "open_rounds").count() == 1
    rounds = Counter(r.supervisor_id for r in SamplingRound.select())
    assert rounds == Counter({s.id: 1 for s in supervisors})
    prompts = Counter(m.recipient.staff_id for m in OutboxMessage.select()
                      .where(OutboxMessage.key.startswith("round-opened:")))
    assert prompts == Counter({s.id: 2 for s in supervisors})  # one email + one inbox each
    # Four schedulers delivered the outbox at once: each prompt arrived exactly once.
    assert InboxItem.select().count() == 4
    assert sorted(r[0] for r in smtp_server.recipients) == [
        f"manager{n}@example.org" for n in range(1, 5)]
    assert OutboxMessage.select().where(OutboxMessage.sent_at.is_null()).count() == 0
    for email in smtp_server.messages:
        assert email.get_body(("plain",)) and email.get_body(("html",))
        round_ = SamplingRound.get(SamplingRound.public_id == email["X-Audit-Service-Key"]
                                   .split(":")[1])
        assert f"/rounds/{round_.public_id}" in email.get_body(("html",)).get_content()
        raw = email.as_string()
        assert not [c.case.child_id for c in round_.cases if c.case.child_id in raw]


def _context() -> JobContext:
    return JobContext(settings=SchedulerSettings(),
                      registries=with_notifiers(InboxNotifier(NotifierSettings())))


def test_a_scheduler_down_over_the_first_catches_up_once_on_restart(
        postgres_db, postgres_template, tmp_path):
    supervisors = build_teams(teams=2)
    # It was down from 31 March until 3 April: April's 07:00 on the 1st was missed.
    restart = dt.datetime(2026, 4, 3, 10, 30, tzinfo=UTC)
    first = [r for r in run_due_jobs(restart, _context(), "restart-1") if r.job == "open_rounds"]
    second = [r for r in run_due_jobs(restart, _context(), "restart-2") if r.job == "open_rounds"]
    assert [(r.period, r.ran) for r in first] == [("2026-04", True)]
    assert [(r.period, r.ran, r.outcome) for r in second] == [("2026-04", False,
                                                               "already claimed")]
    # Two more schedulers restarting at once, in their own processes: nothing more happens.
    postgres_db.close()
    outputs = _start_together([["scheduler", "--once", "--at", restart.isoformat()]] * 2,
                              postgres_template, tmp_path)
    postgres_db.connect(reuse_if_open=True)
    assert all("open_rounds 2026-04: skipped: already claimed" in o for o in outputs), outputs
    assert [r.period for r in JobRun.select().where(JobRun.job == "open_rounds")] == ["2026-04"]
    assert Counter(r.supervisor_id for r in SamplingRound.select()) == Counter(
        {s.id: 1 for s in supervisors})
    # March, missed entirely, is not opened late by default.
    assert not SamplingRound.select().where(SamplingRound.period == "2026-03").exists()


def _walk_2026():
    """Through 2026 in UTC: hourly on clock-change days and month starts, else every 6 hours."""
    now = dt.datetime(2026, 1, 1, tzinfo=UTC)
    while now < dt.datetime(2027, 1, 1, tzinfo=UTC):
        yield now
        busy = now.day <= 3 or now.date() in (dt.date(2026, 3, 29), dt.date(2026, 10, 25))
        now += dt.timedelta(hours=1 if busy else 6)


def test_a_frozen_clock_through_both_clock_changes_opens_one_round_a_month(postgres_db):
    supervisors = build_teams(teams=2, cases_per_team=30)
    context = _context()
    for now in _walk_2026():
        run_due_jobs(now, context, "walker")
    runs = {r.period: r for r in JobRun.select().where(JobRun.job == "open_rounds")}
    assert sorted(runs) == [f"2026-{m:02d}" for m in range(1, 13)]
    calendar = context.settings.calendar(dt.date(2026, 6, 1))
    for period, run in runs.items():
        opened = run.claimed_at.replace(tzinfo=UTC).astimezone(LONDON)
        assert opened.date() == calendar.first_working_day(2026, int(period[5:]))
        assert opened.time() == dt.time(7, 0)
    per_month = Counter((r.supervisor_id, r.period) for r in SamplingRound.select())
    assert set(per_month.values()) == {1}
    assert len(per_month) == len(supervisors) * 12
    # Every day's reminders and escalations ran once too: no day twice, none missed.
    daily = Counter(r.period for r in JobRun.select().where(JobRun.job == "reminders"))
    assert len(daily) == 365 and set(daily.values()) == {1}

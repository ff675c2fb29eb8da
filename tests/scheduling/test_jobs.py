"""The jobs and their claims, on both databases: each run, reminder and escalation happens once."""

from __future__ import annotations

import datetime as dt

from audit_service.notifications.base import NotifierSettings
from audit_service.notifications.inbox import InboxNotifier
from audit_service.scheduling import claims, jobs
from audit_service.scheduling.jobs import JobContext
from audit_service.scheduling.runner import run_due_jobs
from audit_service.scheduling.settings import SchedulerSettings
from audit_service.storage.models import Event, JobRun, OutboxMessage, SamplingRound
from tests.notifications.builders import make_round
from tests.scheduling.builders import build_teams
from tests.support.installed import with_notifiers

UTC = dt.UTC
CONTEXT = JobContext(
    settings=SchedulerSettings(),
    registries=with_notifiers(InboxNotifier(NotifierSettings())),
)


def test_a_period_is_claimed_once(db):
    now = dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    run = claims.claim("open_rounds", "2026-03", now, "a")
    assert run is not None
    assert claims.claim("open_rounds", "2026-03", now, "b") is None
    claims.finish(run, now, "done")
    assert claims.claim("open_rounds", "2026-03", now + dt.timedelta(days=3), "c") is None
    assert claims.claim("open_rounds", "2026-04", now, "b") is not None


def test_an_abandoned_claim_is_taken_over_after_an_hour(db):
    now = dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert claims.claim("reminders", "2026-03-02", now, "crashed") is not None
    assert claims.claim("reminders", "2026-03-02", now + dt.timedelta(minutes=59), "b") is None
    taken = claims.claim("reminders", "2026-03-02", now + dt.timedelta(minutes=61), "b")
    assert taken is not None and taken.claimed_by == "b"
    assert claims.claim("reminders", "2026-03-02", now + dt.timedelta(minutes=62), "c") is None


def test_a_failed_job_gives_its_claim_back_and_is_recorded(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(jobs, "reminders_job", broken)
    now = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    results = {r.job: r for r in run_due_jobs(now, CONTEXT, "a")}
    assert results["reminders"].outcome == "failed: RuntimeError: database went away"
    assert not JobRun.select().where(JobRun.job == "reminders").exists()
    assert Event.select().where(Event.action == "job.failed").count() == 1
    monkeypatch.undo()
    again = {r.job: r for r in run_due_jobs(now + dt.timedelta(minutes=15), CONTEXT, "a")}
    assert again["reminders"].ran


def _at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


def test_the_reminder_goes_once_three_working_days_before_the_due_date(db):
    fixture = make_round(due_on=dt.date(2026, 4, 8))  # 3 working days before: 1 April (Easter)
    for day in [dt.date(2026, 3, 31), dt.date(2026, 4, 1), dt.date(2026, 4, 2),
                dt.date(2026, 4, 7)]:
        result = jobs.reminders_job(_at(day), CONTEXT)
        expected = "1 round(s) reminded" if day == dt.date(2026, 4, 1) else "0 round(s) reminded"
        assert result == expected, day
    round_ = SamplingRound.get_by_id(fixture.round.id)
    assert round_.reminded_at == dt.datetime(2026, 4, 1, 8, 0)
    keys = sorted(m.key for m in OutboxMessage.select())
    assert keys == [f"round-reminder:{round_.public_id}:email",
                    f"round-reminder:{round_.public_id}:inbox"]
    assert {m.recipient_id for m in OutboxMessage.select()} == {fixture.supervisor_user.id}
    assert Event.select().where(Event.action == "round.reminded").count() == 1


def test_a_late_start_still_reminds_before_the_due_date_but_never_after(db):
    make_round(due_on=dt.date(2026, 4, 8), name="late")
    make_round(due_on=dt.date(2026, 4, 8), name="past", period="2026-02")
    assert jobs.reminders_job(_at(dt.date(2026, 4, 7)), CONTEXT) == "2 round(s) reminded"
    assert jobs.reminders_job(_at(dt.date(2026, 4, 9)), CONTEXT) == "0 round(s) reminded"


def test_completed_rounds_are_neither_reminded_nor_escalated(db):
    fixture = make_round(due_on=dt.date(2026, 4, 8))
    SamplingRound.update(status="completed").where(SamplingRound.id == fixture.round.id).execute()
    assert jobs.reminders_job(_at(dt.date(2026, 4, 7)), CONTEXT) == "0 round(s) reminded"
    assert jobs.escalations_job(_at(dt.date(2026, 4, 20)), CONTEXT) == "0 round(s) escalated"


def test_an_overdue_round_escalates_once_to_the_line_manager(db):
    fixture = make_round(due_on=dt.date(2026, 4, 8))
    assert jobs.escalations_job(_at(dt.date(2026, 4, 8)), CONTEXT) == "0 round(s) escalated"
    assert jobs.escalations_job(_at(dt.date(2026, 4, 9)), CONTEXT) == "1 round(s) escalated"
    assert jobs.escalations_job(_at(dt.date(2026, 4, 10)), CONTEXT) == "0 round(s) escalated"
    round_ = SamplingRound.get_by_id(fixture.round.id)
    assert round_.escalated_at == dt.datetime(2026, 4, 9, 8, 0)
    messages = list(OutboxMessage.select())
    assert {m.recipient_id for m in messages} == {fixture.manager_user.id}
    assert {m.key for m in messages} == {f"round-escalation:{round_.public_id}:email",
                                         f"round-escalation:{round_.public_id}:inbox"}
    assert "Sam sam's case file audits for March 2026" in messages[0].body_text
    for child_id in fixture.child_ids:
        assert child_id not in messages[0].body_text + (messages[0].body_html or "")
    [event] = Event.select().where(Event.action == "round.escalated")
    assert event.object_id == round_.public_id
    assert event.after["manager"] == fixture.manager_user.username
    assert event.after["notified"] is True


def test_without_a_line_manager_the_escalation_is_recorded_as_not_delivered(db):
    fixture = make_round(due_on=dt.date(2026, 4, 8), with_manager=False)
    assert jobs.escalations_job(_at(dt.date(2026, 4, 9)), CONTEXT) == "1 round(s) escalated"
    assert OutboxMessage.select().count() == 0
    [event] = Event.select().where(Event.action == "round.escalated")
    assert event.after["notified"] is False
    assert "no line manager" in event.after["reason"]
    assert SamplingRound.get_by_id(fixture.round.id).escalated_at is not None


def test_the_scheduler_opens_rounds_once_and_delivers_the_prompts(db):
    supervisors = build_teams(teams=3)
    before = dt.datetime(2026, 3, 2, 6, 59, tzinfo=UTC)
    assert run_due_jobs(before, CONTEXT, "a") == []  # nothing is due before 07:00
    assert SamplingRound.select().count() == 0
    now = dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    [opened] = [r for r in run_due_jobs(now, CONTEXT, "a") if r.job == "open_rounds"]
    assert opened.ran and opened.period == "2026-03"
    assert "3 opened" in opened.outcome
    [again] = [r for r in run_due_jobs(now + dt.timedelta(hours=2), CONTEXT, "b")
               if r.job == "open_rounds"]
    assert not again.ran and again.outcome == "already claimed"
    assert SamplingRound.select().count() == len(supervisors)
    # Messages are due from when they were queued, in real time.
    report = jobs.deliver_outbox_job(dt.datetime.now(UTC) + dt.timedelta(minutes=1), CONTEXT)
    assert report.sent == 3  # the inbox copies
    assert report.waiting_counts == {"email": 3}  # no email notifier in this context
    assert [r.outcome for r in run_due_jobs(now + dt.timedelta(days=1), CONTEXT, "c")
            if r.job == "open_rounds"] == ["already claimed"]
    [run] = JobRun.select().where(JobRun.job == "open_rounds")
    assert (run.period, run.claimed_by, run.finished_at is not None) == ("2026-03", "a", True)


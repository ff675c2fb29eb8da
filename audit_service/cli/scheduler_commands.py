"""``audit-service scheduler`` (the dedicated job process) and ``audit-service outbox``."""

from __future__ import annotations

import datetime as dt
import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from audit_service.cli.group import cli
from audit_service.notifications.base import disabled_notifiers
from audit_service.storage.database import database


def _parse_at(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date and time like 2026-03-02T07:00:00+00:00", param_hint="--at"
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter(
            f"{value!r} has no UTC offset; add one, such as +00:00", param_hint="--at"
        )
    return moment


def _echo_disabled(context) -> None:
    for notifier_id, reason in disabled_notifiers(context.registries.notifiers).items():
        click.echo(f"Warning: the {notifier_id} notifier is disabled: {reason}.", err=True)


@cli.command("scheduler")
@click.option("--once", is_flag=True,
              help="Run whatever is due (including catch-up) and deliver the outbox once, "
                   "then exit.")
@click.option("--at", "at", metavar="DATETIME",
              help="With --once: decide what is due as if it were this moment (ISO 8601 with "
                   "a UTC offset), for rehearsals and tests. Notifications still go now.")
@with_appcontext
def scheduler_command(once: bool, at: str | None) -> None:
    """Run the job scheduler: opens rounds on the first working day of the month at 07:00,
    sends reminders and escalations, and delivers notifications.

    Run exactly one long-running scheduler beside the web app (more are safe: every
    run is claimed once in the database). On start-up it catches up anything missed.
    """
    from audit_service.scheduling.process import build_scheduler, deliver, job_context, tick
    from audit_service.scheduling.settings import SchedulerConfigError

    if at and not once:
        raise click.UsageError("--at only makes sense with --once")
    app = current_app._get_current_object()
    try:
        context = job_context(app)
    except (SchedulerConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    _echo_disabled(context)
    now = _parse_at(at)
    with database.connection_context():
        pass  # fail fast on an unreachable database, before any job runs
    for result in tick(app, context, now):
        state = "ran" if result.ran else "skipped"
        click.echo(f"{result.job} {result.period}: {state}: {result.outcome}")
    # Notifications are always sent in real time, even when --at rehearses another moment.
    report = deliver(app, context)
    click.echo(f"outbox: {report.summary()}")
    if once:
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # APScheduler logs two lines for every run of every job (the background imports run every
    # five seconds); each job logs what it did itself, so only APScheduler's problems are kept.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    click.echo(f"Scheduler running in {context.settings.timezone.key}; press Ctrl+C to stop.")
    scheduler = build_scheduler(app, context)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@cli.command("outbox")
@with_appcontext
def outbox_command() -> None:
    """Show notifications waiting to be sent, and any notifier that cannot send here."""
    from audit_service.extension import registries
    from audit_service.services.platform.outbox import pending_by_notifier

    registry = registries().notifiers
    disabled = disabled_notifiers(registry)
    with database.connection_context():
        pending = pending_by_notifier()
    if not pending:
        click.echo("No notifications are waiting.")
    for notifier_id, count in sorted(pending.items()):
        note = ""
        if notifier_id not in registry:
            note = f" (no notifier {notifier_id!r} is installed: they stay queued)"
        elif notifier_id in disabled:
            note = f" (disabled: {disabled[notifier_id]})"
        click.echo(f"{notifier_id}: {count} waiting{note}")
    for notifier_id, reason in sorted(disabled.items()):
        if notifier_id not in pending:
            click.echo(f"{notifier_id}: disabled: {reason}")

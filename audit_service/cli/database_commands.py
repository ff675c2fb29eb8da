"""``audit-service migrate``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from audit_service.cli.group import cli
from audit_service.storage.database import database
from audit_service.storage.migrations import migrate, schema_drift


@cli.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Apply pending database migrations. Safe to run again: it does nothing when current."""
    db = database.obj
    applied = migrate(db)
    if applied:
        for name in applied:
            click.echo(f"applied {name}")
    else:
        click.echo("database is up to date")
    drift = schema_drift(db)
    if drift:
        raise click.ClickException(
            f"the database does not match the models after migrating:\n{drift}"
        )

"""``audit-service rubrics ...``: validate rubric files, load them as versions, list, retire."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from audit_service.cli.group import cli
from audit_service.domain.rubrics import check_paths
from audit_service.extension import registries
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.database import database


@cli.group("rubrics")
def rubrics_group() -> None:
    """Validate, load and list audit rubrics."""


@rubrics_group.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@with_appcontext
def validate_command(paths: tuple[str, ...]) -> None:
    """Check rubric files (or folders of them). Exits non-zero on any error."""
    rubrics, errors = check_paths(paths, registries().criterion_types)
    for error in errors:
        click.echo(str(error), err=True)
    if errors:
        click.echo(f"{len(errors)} error{'s' if len(errors) != 1 else ''} found", err=True)
        sys.exit(1)
    for rubric in rubrics:
        click.echo(f"ok  {rubric.id}: {len(rubric.criteria)} criteria")


@rubrics_group.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@with_appcontext
def load_command(paths: tuple[str, ...]) -> None:
    """Load rubrics as versions: changed content becomes a new version, unchanged does nothing.

    Without PATHS, loads every rubric registered by plugins (the built-in rubrics/ folder too).
    """
    installed = registries()
    if paths:
        rubrics, errors = check_paths(paths, installed.criterion_types)
        if errors:
            for error in errors:
                click.echo(str(error), err=True)
            sys.exit(1)
        with database.connection_context():
            report = rubric_versions.sync([(rubric, "cli") for rubric in rubrics],
                                          actor_label="cli")
    else:
        with database.connection_context():
            report = rubric_versions.sync_installed(installed.rubrics, actor_label="cli")
    for line in report.lines():
        click.echo(line)


@rubrics_group.command("list")
@with_appcontext
def list_command() -> None:
    """List rubrics in the database with their latest version."""
    with database.connection_context():
        rows = rubric_versions.list_definitions()
    if not rows:
        click.echo("no rubrics loaded yet: run `audit-service rubrics load`")
    for definition, latest in rows:
        retired = "  (retired)" if definition.retired_at else ""
        click.echo(f"{definition.rubric_id}  v{latest}  {definition.title}{retired}")


@rubrics_group.command("retire")
@click.argument("rubric_id")
@with_appcontext
def retire_command(rubric_id: str) -> None:
    """Stop using a rubric for new audits; existing audits stay readable."""
    with database.connection_context():
        try:
            rubric_versions.retire(rubric_id, actor_label="cli")
        except rubric_versions.UnknownRubric as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{rubric_id} retired")

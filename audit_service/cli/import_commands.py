"""``audit-service import-cases FILE``: load a caseload file and print what changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import with_appcontext

from audit_service.cli.group import cli
from audit_service.clock import local_today
from audit_service.extension import registries
from audit_service.storage.database import database
from audit_service.storage.models import ImportBatch, RejectedRow


@cli.command("import-cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "importer_id", metavar="ID",
              help="Importer id (see `audit-service plugins`); default: by file extension.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date the file describes (YYYY-MM-DD): dates age bands and closures. "
                   "Default: today.")
@with_appcontext
def import_cases_command(file: Path, importer_id: str | None, as_of: dt.datetime | None) -> None:
    """Import cases from FILE (an Annex A workbook or CSV) and report rejected rows.

    Exits 0 when the import completed, even with rejected rows; exits 1 when the
    file could not be read at all, in which case nothing was changed.
    """
    from audit_service.services.imports.case_import import ImportFailed, import_file

    with database.connection_context():
        try:
            with file.open("rb") as stream:
                batch = import_file(
                    stream,
                    file.name,
                    importer_id=importer_id,
                    as_of=as_of.date() if as_of else local_today(),
                    importers=registries().importers,
                    actor_label="cli",
                )
        except ImportFailed as exc:
            failed = getattr(exc, "batch", None)
            if failed is not None:
                _echo_rejected(failed, err=True)
            raise click.ClickException(f"{file.name} was not imported: {exc}") from exc
        click.echo(
            f"Imported {batch.source_name} with {batch.importer}: "
            f"{batch.rows_read} rows read, {batch.created_count} created, "
            f"{batch.updated_count} updated, {batch.unchanged_count} unchanged, "
            f"{batch.closed_count} closed, {batch.rejected_count} rejected."
        )
        _echo_rejected(batch)


def _echo_rejected(batch: ImportBatch, *, err: bool = False) -> None:
    rejected = RejectedRow.select().where(RejectedRow.batch == batch).order_by(RejectedRow.id)
    for row in rejected:
        click.echo(
            f"  rejected: {row.sheet}, row {row.row}, column {row.column!r}, "
            f"value {row.value!r}: {row.reason}",
            err=err,
        )

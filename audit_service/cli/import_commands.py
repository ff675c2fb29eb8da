"""``audit-service import-cases FILE``: load a caseload file and print what changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from audit_service.cli.group import cli
from audit_service.clock import local_today
from audit_service.extension import registries
from audit_service.storage.database import database
from audit_service.storage.models import ImportBatch, RejectedRow


class ImporterOption(click.Option):
    """``--format``, whose help lists the importers installed here, so nobody has to guess an
    id (plugins add their own, so the list is read when help is asked for)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from audit_service.config import from_environ
        from audit_service.plugins.installed import build_registries

        record = super().get_help_record(ctx)
        if record is None:
            return None
        try:
            importers = build_registries(from_environ()["PLUGINS"]).importers
            ids = "; ".join(f"{i} ({', '.join(importer.extensions)})"
                            for i, importer in importers.items())
        except Exception as exc:  # help must show even when a plugin is broken
            ids = f"not listed: the plugins could not be loaded ({exc})"
        return record[0], f"{record[1]} Installed: {ids}."


@cli.command("import-cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "importer_id", metavar="ID", cls=ImporterOption,
              help="Importer id; default: by the file's extension and, where several "
                   "importers read it, its content.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date the file describes (YYYY-MM-DD): dates age bands and closures. "
                   "Default: today.")
@click.option("--confirm-closures", is_flag=True,
              help="Go ahead even when the import closes more open cases than "
                   "AUDIT_IMPORT_CONFIRM_PERCENT allows unconfirmed.")
@with_appcontext
def import_cases_command(file: Path, importer_id: str | None, as_of: dt.datetime | None,
                         confirm_closures: bool) -> None:
    """Import cases from FILE (an Annex A workbook or CSV), or add a statutory return's facts
    (a CIN census XML, an SSDA903 table CSV) to the cases already held; report rejected rows.

    Exits 0 when the import completed, even with rejected rows; exits 1 when the
    file could not be read at all, or when it would close more open cases than may
    close unconfirmed (it then says how many, by team and kind of case): nothing was
    changed either way.
    """
    from audit_service.services.imports.case_import import (
        ConfirmationNeeded,
        ImportFailed,
        import_file,
    )
    from audit_service.services.imports.uploads import closure_limit

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
                    closure_limit=closure_limit(current_app.config["IMPORT_CONFIRM_PERCENT"],
                                                confirmed=confirm_closures),
                )
        except ConfirmationNeeded as exc:
            for team, case_type, *_, closed in exc.preview["rows"]:
                if closed:
                    click.echo(f"  would close: {closed} {case_type} cases of {team}", err=True)
            raise click.ClickException(
                f"{file.name} was not imported: {exc} Run again with --confirm-closures to "
                "go ahead.") from exc
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
        click.echo(
            f"Rows: {batch.rows_read - batch.rows_refused} imported, {batch.rows_refused} "
            f"refused; {batch.warning_count} values dropped from imported rows."
        )
        if batch.lists_read is not None:
            names = ", ".join(read["sheet"] for read in batch.lists_read) or "none"
            click.echo(f"Lists read in full: {names}. Only their kinds of case can be closed.")
        else:
            click.echo("A statutory return adds facts to cases already held: it created and "
                       "closed none. Children with no case here are listed as rejected.")
        _echo_rejected(batch)


def _echo_rejected(batch: ImportBatch, *, err: bool = False) -> None:
    rejected = RejectedRow.select().where(RejectedRow.batch == batch).order_by(RejectedRow.id)
    for row in rejected:
        click.echo(
            f"  rejected: {row.sheet}, row {row.row}, column {row.column!r}, "
            f"value {row.value!r}: {row.reason}",
            err=err,
        )


@cli.command("import-workforce")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Report what would change without changing anything.")
@with_appcontext
def import_workforce_command(file: Path, dry_run: bool) -> None:
    """Bring the workforce census (CSWW XML) onto staff records: agency status and dates in
    role, for workers matched by Social Work England number.

    Workers no staff record has the number of are listed, never created; give a record its
    number at Admin > Staff records (`/admin/staff`) or through the API. Dates of birth, gender,
    ethnicity and absence in the census are not read. Exits 1 when the file is not a census,
    with nothing changed.
    """
    from audit_service.services.imports.workforce_import import (
        WorkforceImportFailed,
        import_workforce,
    )

    with database.connection_context():
        try:
            with file.open("rb") as stream:
                report = import_workforce(stream, file.name, actor_label="cli",
                                          dry_run=dry_run)
        except WorkforceImportFailed as exc:
            raise click.ClickException(str(exc)) from exc
    done = "would update" if dry_run else "updated"
    click.echo(
        f"{'Checked' if dry_run else 'Imported'} {report.source_name}: "
        f"{report.workers_read} workers read, {report.matched} matched to staff records "
        f"({report.updated} {done}, {report.unchanged} unchanged), {report.unmatched} with no "
        f"staff record of their number, {report.refused} refused; {report.warnings} values "
        f"left out of matched workers.")
    if report.unmatched_rows:
        rows = ", ".join(map(str, report.unmatched_rows[:50]))
        more = len(report.unmatched_rows) - 50
        click.echo(f"  no staff record: workers {rows}{f' and {more} more' if more > 0 else ''}")
    for problem in report.problems:
        kind = "left out" if problem.imported else "refused"
        click.echo(f"  {kind}: {problem}")
    if report.problems_left_out:
        click.echo(f"  ... and {report.problems_left_out} more problems, not listed")

"""``audit-service serve``: the web app behind a production WSGI server."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from audit_service.cli.group import cli
from audit_service.extension import registries
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.database import database
from audit_service.storage.migrations import pending


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Serve the web app (waitress). The scheduler runs separately: audit-service scheduler."""
    import waitress

    app = current_app._get_current_object()
    with database.connection_context():
        waiting = pending(database.obj)
        if waiting:
            raise click.ClickException(
                f"the database needs migrating first ({', '.join(waiting)}): "
                "run `audit-service migrate`"
            )
        # Start-up sync: edited rubric files become new versions before anyone audits.
        report = rubric_versions.sync_installed(registries().rubrics)
    for line in report.lines():
        click.echo(f"rubric {line}")
    click.echo(f"audit-service listening on http://{host}:{port}")
    waitress.serve(app, host=host, port=port, threads=threads, ident="audit-service")

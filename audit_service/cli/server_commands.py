"""``audit-service serve``: the web app behind a production WSGI server."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from audit_service.cli.group import cli


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Serve the web app (waitress). The scheduler runs separately: audit-service scheduler."""
    import waitress

    app = current_app._get_current_object()
    click.echo(f"audit-service listening on http://{host}:{port}")
    waitress.serve(app, host=host, port=port, threads=threads, ident="audit-service")

"""The web app for a production WSGI server: ``gunicorn -c python:audit_service.gunicorn_conf
audit_service.wsgi:app``.

Each worker process imports this module after the fork, so each builds its own
app and its own pool of database connections (``AUDIT_DATABASE_POOL_SIZE``,
default 4 per process; ``gunicorn_conf`` sets it to the worker's thread count).
Like ``audit-service serve``, a worker refuses to start against a database that
needs migrating, and publishes edited rubric files as new versions first
(publishing is idempotent and safe when several workers start at once).
"""

from __future__ import annotations

import os

from flask import Flask

from audit_service.app import create_app
from audit_service.config import positive_int
from audit_service.extension import registries
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.database import database
from audit_service.storage.migrations import pending

DEFAULT_POOL_SIZE = 4


def build_app() -> Flask:
    """The app with pooled connections, checked against its database before it serves."""
    app = create_app({
        "DATABASE_POOL_SIZE": positive_int(os.environ, "AUDIT_DATABASE_POOL_SIZE",
                                           DEFAULT_POOL_SIZE),
    })
    with app.app_context(), database.connection_context():
        waiting = pending(database.obj)
        if waiting:
            raise RuntimeError(
                f"the database needs migrating first ({', '.join(waiting)}): "
                "run `audit-service migrate`"
            )
        rubric_versions.sync_installed(registries().rubrics)
    return app


app = build_app()

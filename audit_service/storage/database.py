"""The one database handle the whole service shares.

Models bind to a ``DatabaseProxy`` so that the web app, the CLI, the scheduler
and the tests can each point it at SQLite or PostgreSQL at run time.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from peewee import Database, DatabaseProxy, SqliteDatabase
from playhouse.db_url import connect

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
}


def open_database(url: str) -> Database:
    """Create (but do not connect) a peewee database for ``url``."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return connect(url, pragmas=SQLITE_PRAGMAS)
    if scheme in ("postgres", "postgresql"):
        return connect(url.replace("postgres://", "postgresql://", 1))
    raise ValueError(
        f"AUDIT_DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme or url!r}"
    )


def bind(url: str) -> Database:
    """Point the shared proxy at ``url`` and return the concrete database."""
    db = open_database(url)
    database.initialize(db)
    return db


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def init_app(app) -> None:
    """Open a connection per request and always close it afterwards."""
    bind(app.config["DATABASE_URL"])

    @app.before_request
    def _connect() -> None:
        database.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        if not database.is_closed():
            database.close()

"""The one database handle the whole service shares.

Models bind to a ``DatabaseProxy`` so that the web app, the CLI, the scheduler
and the tests can each point it at SQLite or PostgreSQL at run time.

A web server started through ``audit_service.wsgi`` keeps a small pool of open
connections per process (``DATABASE_POOL_SIZE``): opening a PostgreSQL
connection costs a server process and an authentication round trip, several
milliseconds that every request would otherwise pay. Everything else (tests,
CLI, scheduler) connects and closes as before. Connections are opened lazily,
on a request, never at import, and a forked child forgets any it inherited (it
must not close them either: that would end the parent's session on the server).
"""

from __future__ import annotations

import os
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
# A pooled connection older than this is closed on check-in/out and replaced, so a
# long-running worker picks up server-side changes (restarts, settings) within minutes.
POOL_STALE_SECONDS = 300
# How long a request waits for a free pooled connection before failing loudly.
POOL_WAIT_SECONDS = 10


def open_database(url: str, *, pool_size: int | None = None) -> Database:
    """Create (but do not connect) a peewee database for ``url``.

    With ``pool_size``, closing a connection returns it to a pool of at most that
    many per process instead of ending it.
    """
    scheme = urlparse(url).scheme
    pool = {}
    if pool_size:
        pool = {"max_connections": pool_size, "stale_timeout": POOL_STALE_SECONDS,
                "timeout": POOL_WAIT_SECONDS}
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if pool:
            url = url.replace("sqlite://", "sqlite+pool://", 1)
            # A pooled connection is handed from thread to thread (never used by two
            # at once); sqlite3 refuses that unless told the pool is in charge.
            pool["check_same_thread"] = False
        return connect(url, pragmas=SQLITE_PRAGMAS, **pool)
    if scheme in ("postgres", "postgresql"):
        url = url.replace("postgres://", "postgresql://", 1)
        if pool:
            url = url.replace("postgresql://", "postgresql+pool://", 1)
        return connect(url, **pool)
    raise ValueError(
        f"AUDIT_DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme or url!r}"
    )


def bind(url: str, *, pool_size: int | None = None) -> Database:
    """Point the shared proxy at ``url`` and return the concrete database."""
    db = open_database(url, pool_size=pool_size)
    database.initialize(db)
    return db


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def forget_inherited_connections() -> None:
    """In a forked child: drop (without closing) every connection the parent had open.

    The socket is shared with the parent, so closing it here would also end the
    parent's session; the child opens its own on first use instead.
    """
    if database.obj is not None:
        database.obj.dispose()


os.register_at_fork(after_in_child=forget_inherited_connections)


def init_app(app) -> None:
    """Open a connection per request (from the pool, if configured) and always release it."""
    bind(app.config["DATABASE_URL"], pool_size=app.config.get("DATABASE_POOL_SIZE"))

    @app.before_request
    def _connect() -> None:
        database.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        if not database.is_closed():
            database.close()

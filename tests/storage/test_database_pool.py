"""Pooled connections for the web server (issue 9): reused, shared safely, never across a fork.

``audit_service.wsgi`` (what gunicorn serves) keeps a pool of connections per process;
everything else connects per use. These tests hold the three promises the pool makes on
both databases: a closed connection goes back to the pool and serves the next request,
even from another thread (gunicorn's gthread worker); a forked child never uses, nor
closes, a connection its parent had open; and the WSGI entry point really pools, and
refuses a database that needs migrating.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading

import pytest
from peewee import PostgresqlDatabase
from playhouse.pool import PooledDatabase

from audit_service.storage.database import bind, database, open_database


def _backend_id(db) -> object:
    """The server-side session: PostgreSQL's backend pid; for SQLite the connection itself
    (kept referenced by the caller, so its id cannot be reused by a new one)."""
    if isinstance(db, PostgresqlDatabase):
        return db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    return db.connection()


def test_a_closed_connection_serves_the_next_request_even_in_another_thread(db_url):
    pooled = open_database(db_url, pool_size=2)
    plain = open_database(db_url)
    try:
        pooled.connect()
        first = _backend_id(pooled)
        pooled.close()
        pooled.connect()
        assert _backend_id(pooled) == first, "closing should return the connection to the pool"
        pooled.close()

        seen: list[object] = []

        def in_thread() -> None:
            pooled.connect()
            try:
                seen.append(_backend_id(pooled))
                pooled.execute_sql("SELECT 1")
            except Exception as exc:  # reported below, with the thread's own error
                seen.append(exc)
            finally:
                pooled.close()

        worker = threading.Thread(target=in_thread)
        worker.start()
        worker.join()
        assert seen == [first], f"another thread could not use the pooled connection: {seen}"

        plain.connect()
        unpooled = _backend_id(plain)
        plain.close()
        plain.connect()
        assert _backend_id(plain) != unpooled, "without a pool every connect opens a new session"
        plain.close()
    finally:
        pooled.close_all()
        if not plain.is_closed():
            plain.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
def test_a_forked_child_neither_uses_nor_closes_the_parents_connection(db_url):
    pooled = bind(db_url, pool_size=2)
    try:
        database.connect()
        parent_session = _backend_id(pooled)
        pid = os.fork()
        if pid == 0:  # the child: report by exit status only, never return into pytest
            status = 1
            try:
                if database.is_closed():
                    database.connect()
                    status = 0 if _backend_id(pooled) != parent_session else 2
                    database.close()
                    pooled.close_all()
            finally:
                os._exit(status)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, (
            "the child saw the parent's connection as its own (1) or reused its session (2)")
        assert database.execute_sql("SELECT 1").fetchone()[0] == 1, \
            "the child's exit ended the parent's connection"
        assert _backend_id(pooled) == parent_session
    finally:
        database.close()
        pooled.close_all()


def _load_wsgi(monkeypatch, url: str):
    monkeypatch.setenv("AUDIT_DATABASE_URL", url)
    monkeypatch.setenv("AUDIT_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("AUDIT_DATABASE_POOL_SIZE", "3")
    sys.modules.pop("audit_service.wsgi", None)
    return importlib.import_module("audit_service.wsgi")


def test_the_wsgi_app_pools_its_connections(db_url, monkeypatch):
    wsgi = _load_wsgi(monkeypatch, db_url)
    try:
        assert isinstance(database.obj, PooledDatabase)
        assert database.obj._max_connections == 3
        client = wsgi.app.test_client()
        assert client.get("/healthz").status_code == 200
        assert database.is_closed(), "the request's connection goes back to the pool"
        idle = len(database.obj._connections)
        assert client.get("/healthz").status_code == 200
        assert idle == 1 and len(database.obj._connections) == 1, "one connection, reused"
    finally:
        database.obj.close_all()
        sys.modules.pop("audit_service.wsgi", None)


def test_the_wsgi_app_refuses_a_database_that_needs_migrating(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match="audit-service migrate"):
        _load_wsgi(monkeypatch, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    sys.modules.pop("audit_service.wsgi", None)
    database.obj.close_all()

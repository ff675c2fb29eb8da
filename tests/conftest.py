"""Shared fixtures. Every test that touches the database runs on SQLite and PostgreSQL.

PostgreSQL comes from ``AUDIT_TEST_POSTGRES_URL`` or the local server at
127.0.0.1:5432 (database ``test``). Each xdist worker gets its own database.
With ``AUDIT_REQUIRE_POSTGRES=1`` (as in CI) an unreachable server fails the
run instead of skipping, and any skipped PostgreSQL test fails the session.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from flask.testing import FlaskCliRunner
from peewee import Database

from audit_service.storage.database import bind, database
from audit_service.storage.migrations import migrate
from audit_service.storage.models import ALL_MODELS

pytest_plugins = ["tests.support.pages", "tests.support.auth"]

POSTGRES_ADMIN_URL = os.environ.get(
    "AUDIT_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("AUDIT_REQUIRE_POSTGRES") == "1"
BACKENDS = ("sqlite", "postgresql")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _postgres_reachable() -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        psycopg2.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg2.Error as exc:
        return str(exc).strip()
    return None


def _admin_sql(statement: str) -> None:
    conn = psycopg2.connect(POSTGRES_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def _worker_database_name() -> str:
    """Unique per test run and worker, so concurrent runs never share a database."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"p{os.getpid()}")[:10]
    return f"audit_test_{run}_{_worker()}"


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    reason = _postgres_reachable()
    if reason:
        message = f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {reason}"
        if REQUIRE_POSTGRES:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    name = _worker_database_name()
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    url = f"{base}/{name}"
    db = bind(url)
    migrate(db)
    db.close()
    yield url
    if not database.is_closed():
        database.close()
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    db = bind(f"sqlite:///{path}")
    migrate(db)
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on each backend, fresh for every test."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "audit.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_template")
    _truncate_postgres(url)
    return url


def _truncate_postgres(url: str) -> None:
    tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    conn.close()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """The shared proxy bound to this test's database, connected."""
    concrete = bind(db_url)
    concrete.connect(reuse_if_open=True)
    yield concrete
    if not concrete.is_closed():
        concrete.close()


@pytest.fixture
def postgres_db(postgres_template: str) -> Iterator[Database]:
    """For the few tests of PostgreSQL-only behaviour (triggers, concurrency)."""
    _truncate_postgres(postgres_template)
    concrete = bind(postgres_template)
    concrete.connect(reuse_if_open=True)
    yield concrete
    if not concrete.is_closed():
        concrete.close()


@pytest.fixture
def backend(db_url: str, request: pytest.FixtureRequest) -> str:
    return "sqlite" if db_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def app(db_url: str, tmp_path: Path):
    from audit_service.app import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "test-secret-key",
            "SESSION_COOKIE_SECURE": False,
            # Journeys sign administrators in with a password alone; the second factor's own
            # tests (tests/web/test_second_factor.py) build the app with the default.
            "SECOND_FACTOR_ROLES": "none",
        }
    )
    yield app
    if not database.is_closed():
        database.close()


class ServiceCliRunner(FlaskCliRunner):
    """Invokes the ``audit-service`` command group (not ``app.cli``) against the test app."""

    def invoke(self, cli=None, args=None, **kwargs):
        from audit_service.cli import cli as service_cli

        return super().invoke(cli or service_cli, args, **kwargs)


@pytest.fixture
def runner(app) -> ServiceCliRunner:
    return ServiceCliRunner(app)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped PostgreSQL or browser test is a failure, not a pass."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    required = []
    if REQUIRE_POSTGRES:
        required.append("postgresql")
    if os.environ.get("AUDIT_REQUIRE_BROWSER") == "1":
        required.append("browser")
    markers = {
        "postgresql": ("[postgresql", "postgres", "PostgreSQL"),
        "browser": ("browser", "Chromium"),
    }
    words = [w for kind in required for w in markers[kind]]
    skipped = [
        rep.nodeid
        for rep in reporter.stats.get("skipped", [])
        if any(w in rep.nodeid or w in str(rep.longrepr) for w in words)
    ]
    if skipped:
        reporter.write_line(
            f"{len(skipped)} required PostgreSQL/browser tests were skipped; failing the run:",
            red=True,
        )
        for nodeid in skipped[:20]:
            reporter.write_line(f"  {nodeid}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

"""The large demo council on SQLite and on PostgreSQL, built once and reused by every benchmark.

Loading 20,000 cases and five years of audits takes minutes, so the databases are kept in
``benchmarks/.cache`` (SQLite) and the ``audit_bench_large`` PostgreSQL database, with a
fingerprint of everything that shapes their content: the migrations, the rubrics, the demo
generator and loader, and the month (this month's rounds are part of the demo). A change to
any of them rebuilds. The databases are built by the real ``audit-service`` commands, so a
benchmark measures what a council would run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"
DEFAULT_POSTGRES = os.environ.get("AUDIT_BENCH_POSTGRES", "postgresql://127.0.0.1:5432/test")
PG_NAME = "audit_bench_large"
FINGERPRINTED = ("migrations", "rubrics", "plugins", "audit_service/domain/demo.py",
                 "audit_service/domain/demo_history.py", "audit_service/domain/names.py",
                 "audit_service/services/demo_loader.py",
                 "audit_service/services/demo_history_loader.py",
                 "audit_service/storage/models.py")


def fingerprint(today: dt.date) -> str:
    digest = hashlib.sha256(f"{today:%Y-%m}".encode())
    for name in FINGERPRINTED:
        path = ROOT / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(ROOT)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def admin_sql(admin_url: str, statement: str) -> None:
    """Run a statement that cannot run in a transaction (CREATE/DROP DATABASE)."""
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def server_url(admin_url: str, name: str) -> str:
    return f"{admin_url.rpartition('/')[0]}/{name}"


def fresh_database(backend: str, folder: Path, admin_url: str, name: str) -> str:
    """The URL of an empty database: a file in ``folder`` for SQLite, else PostgreSQL
    database ``name`` created afresh (``drop_database`` removes it)."""
    if backend == "SQLite":
        return f"sqlite:///{folder / (name + '.sqlite3')}"
    drop_database(admin_url, name)
    admin_sql(admin_url, f'CREATE DATABASE "{name}"')
    return server_url(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cli(url: str, *args: str) -> str:
    """Run ``audit-service`` against ``url`` and return what it printed."""
    env = {**os.environ, "AUDIT_DATABASE_URL": url, "AUDIT_INSECURE_COOKIES": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "audit_service.cli", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"audit-service {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def build(url: str) -> None:
    cli(url, "migrate")
    cli(url, "rubrics", "load")
    cli(url, "demo", "--scale", "large")


@dataclass(frozen=True)
class DemoDatabases:
    sqlite_url: str
    postgres_url: str

    @classmethod
    def ensure(cls, admin_url: str = DEFAULT_POSTGRES, *, log=print) -> DemoDatabases:
        """Reuse the cached large demo where its fingerprint matches; otherwise build it."""
        CACHE.mkdir(parents=True, exist_ok=True)
        today = dt.date.today()
        want = fingerprint(today)
        marker = CACHE / "large-demo.json"
        have = json.loads(marker.read_text()) if marker.exists() else {}
        sqlite_path = CACHE / "large-demo.sqlite3"
        sqlite_url = f"sqlite:///{sqlite_path}"
        postgres_url = server_url(admin_url, PG_NAME)

        if have.get("sqlite") != want or not sqlite_path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
            started = time.perf_counter()
            log("building the large demo on SQLite (a few minutes, once)...")
            build(sqlite_url)
            log(f"  built in {time.perf_counter() - started:.0f} s")
            have["sqlite"] = want
            marker.write_text(json.dumps(have))

        if have.get("postgresql") != want or not _postgres_ready(postgres_url):
            admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
            admin_sql(admin_url, f'CREATE DATABASE "{PG_NAME}"')
            started = time.perf_counter()
            log("building the large demo on PostgreSQL (a few minutes, once)...")
            build(postgres_url)
            log(f"  built in {time.perf_counter() - started:.0f} s")
            have["postgresql"] = want
            marker.write_text(json.dumps(have))
        return cls(sqlite_url=sqlite_url, postgres_url=postgres_url)

    def by_backend(self) -> list[tuple[str, str]]:
        """(label, url) for each database, in the order the table prints them."""
        return [("SQLite", self.sqlite_url), ("PostgreSQL", self.postgres_url)]


def _postgres_ready(url: str) -> bool:
    try:
        conn = psycopg2.connect(url)
    except psycopg2.OperationalError:
        return False
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('public.audit') IS NOT NULL")
            if not cur.fetchone()[0]:
                return False
            cur.execute("SELECT EXISTS (SELECT 1 FROM audit)")
            return bool(cur.fetchone()[0])
    finally:
        conn.close()


if __name__ == "__main__":
    dbs = DemoDatabases.ensure()
    print(dbs)

"""The audit form, its draft saves and the team dashboard under 20 concurrent users.

Usage: python -m benchmarks.web_load [--quick] [--databases postgresql,sqlite]
       [--threads N] [--requests N] [--seconds S]

For each database the large demo council is copied (the shared one is never written to),
20 of its team managers with a sampling round this month get their accounts enabled with
the demo password (the demo's history leaves them disabled) and a draft audit of their
first drawn case, the copy is analysed (``ANALYZE``), and the web app is started under
gunicorn exactly as ``audit_service/gunicorn_conf.py`` serves it (2 sync workers unless
``--threads``) on 127.0.0.1. The 20 supervisors sign in through the login form (CSRF and
all). Then, all at once and back to back:

- ``GET /audits/<id>``: each supervisor's audit form (three rubrics, 19 criteria);
- ``POST /audits/<id>``: "Save draft" with the whole form as a browser posts it, the CSRF
  token and the optimistic-lock version the form carried; one evidence box changes each
  time, so every save writes. Anything but the redirect (a 409 conflict page, a refused
  token) is a failure, counted and not timed;
- ``GET /my-audits``: the supervisor's team dashboard (this month's cases and audits, the
  team's open and overdue actions, past rounds).

The same load is then run against ``benchmarks/bare_flask.py`` under the same gunicorn
settings and the same client, with pages (and posted bodies) of the sizes just measured:
the reference for throughput. Latency targets are absolute: p95 under 100 ms, measured
by gunicorn from the moment a worker reads the request to the last byte written ("on the
server", PRODUCT.md section 6); the client's own p95 (which adds the wait in the accept
queue behind the other 19 users) is printed alongside. Finally each worker's peak resident
memory (VmHWM) is read from ``/proc``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from benchmarks.demo_databases import DEFAULT_POSTGRES, DemoDatabases, admin_sql, server_url
from benchmarks.load_client import Client, Phase, run_phase
from benchmarks.report import Row, p50_p95, print_table

ROOT = Path(__file__).resolve().parent.parent
USERS = 20
WORKERS = 2
DEFAULT_THREADS = 1
PASSWORD = "demo-password-2024"  # noqa: S105 - the published demo password
SECRET = "web-load-benchmark-secret-key-not-for-production"  # noqa: S105
LATENCY_TARGET_MS = 100.0
THROUGHPUT_SHARE = 0.5
RSS_TARGET_MB = 200.0
REFERENCE_LABEL = "bare Flask, same size, same gunicorn"
LOG_FORMAT = "%(m)s %(U)s %(s)s %(D)s"
# Each run's edits differ from any earlier run's, so every save really changes the draft.
RUN = os.urandom(4).hex()
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" id="audit-version" value="(\d+)"')
RADIO = re.compile(r'<input class="govuk-radios__input" id="[^"]+" name="(rating-[^"]+)" '
                   r'type="radio" value="([^"]+)"')
TEXTAREA = re.compile(r'<textarea[^>]* name="((?:evidence|na-reason)-[^"]+)"')


@dataclass(frozen=True)
class Settings:
    requests_per_client: int
    max_seconds: float
    warm_up: int
    threads: int
    app: str = "audit_service.wsgi:app"


def settings(quick: bool, threads: int = DEFAULT_THREADS) -> Settings:
    if quick:
        return Settings(requests_per_client=25, max_seconds=8, warm_up=3, threads=threads)
    return Settings(requests_per_client=60, max_seconds=20, warm_up=5, threads=threads)


# --- a private copy of the demo database ------------------------------------------------


@contextmanager
def database_copy(url: str) -> Iterator[str]:
    """A throwaway copy of the demo database, so the shared one never changes."""
    if url.startswith("sqlite"):
        source = url.removeprefix("sqlite:///")
        with tempfile.TemporaryDirectory(prefix="web-load-") as tmp:
            target = Path(tmp) / "web-load.sqlite3"
            with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
                src.backup(dst)
            yield f"sqlite:///{target}"
        return
    name = urlparse(url).path.lstrip("/")
    copy = f"{name}_web_load"
    admin = server_url(url, urlparse(DEFAULT_POSTGRES).path.lstrip("/") or "postgres")
    admin_sql(admin, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    for attempt in range(10):
        try:
            admin_sql(admin, f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
            break
        except Exception as exc:  # the template is briefly in use by another session
            if attempt == 9 or "being accessed by other users" not in str(exc):
                raise
            time.sleep(1)
    try:
        yield server_url(url, copy)
    finally:
        admin_sql(admin, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def add_supervisors(url: str, count: int) -> list[tuple[str, str]]:
    """Let ``count`` supervisors with a round this month sign in, each with a started audit.

    The demo's history gives every team manager but ``demo-supervisor`` a disabled account
    with no password; here (in the copy) they are enabled with the demo password, as an
    administrator would. Returns (username, audit public id) for each.
    """
    from audit_service.app import create_app
    from audit_service.clock import local_today
    from audit_service.domain.vocabulary import Role
    from audit_service.extension import registries
    from audit_service.services.accounts import users as accounts
    from audit_service.services.audits import lifecycle as audit_service
    from audit_service.storage.database import database
    from audit_service.storage.models import RoundCase, SamplingRound, User

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    made = []
    try:
        with app.app_context(), database.connection_context():
            period = f"{local_today():%Y-%m}"
            catalogue = registries()
            audit_service.ensure_published(catalogue.rubrics)
            users = (User.select(User, SamplingRound)
                     .join(SamplingRound, on=(SamplingRound.supervisor == User.staff))
                     .where((User.role == Role.SUPERVISOR.value)
                            & (SamplingRound.period == period))
                     .order_by(User.username != "demo-supervisor", User.id))
            password_hash = accounts.hash_password(PASSWORD)
            for user in users:
                if len(made) == count:
                    break
                round_ = user.samplinground
                first = (RoundCase.select().where((RoundCase.round == round_.id)
                                                  & RoundCase.replaced_at.is_null())
                         .order_by(RoundCase.position).first())
                if first is None:
                    continue
                if user.username != "demo-supervisor":
                    (User.update(password_hash=password_hash, is_active=True)
                     .where(User.id == user.id).execute())
                audit, _ = audit_service.start_audit(user, round_.public_id,
                                                     first.case.public_id,
                                                     catalogue.criterion_types)
                made.append((user.username, audit.public_id))
        # A council's server has autovacuum; the test server this may run on has it off, and
        # a freshly loaded copy without statistics gets plans no production database would.
        database.execute_sql("ANALYZE")
    finally:
        if not database.is_closed():
            database.close()
    if len(made) < count:
        raise SystemExit(f"only {len(made)} supervisors have a round for {period}; need {count}")
    return made


# --- gunicorn ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    access_log: Path
    error_log: Path

    def log_offset(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def server_times(self, start: int, end: int, method: str, prefix: str) -> list[float]:
        """Seconds gunicorn spent on each matching request logged between two offsets."""
        with self.access_log.open("rb") as log:
            log.seek(start)
            chunk = log.read(end - start).decode()
        times = []
        for line in chunk.splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[0] == method and parts[1].startswith(prefix):
                times.append(int(parts[3]) / 1e6)
        return times

    def worker_peak_rss_mb(self) -> list[float]:
        """VmHWM of each worker process (the master's children), in MB."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        peaks = []
        for child in children:
            status = Path(f"/proc/{child}/status").read_text()
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return peaks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], logs: Path, threads: int) -> Iterator[Server]:
    """``app_spec`` under the service's gunicorn settings, 2 workers, on a free port."""
    port = free_port()
    name = app_spec.split(":")[0].rsplit(".", 1)[-1]
    access_log, error_log = logs / f"{name}-access.log", logs / f"{name}-error.log"
    command = [
        sys.executable, "-m", "gunicorn", "-c", "python:audit_service.gunicorn_conf",
        "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--threads", str(threads),
        "--worker-class", "gthread" if threads > 1 else "sync",
        "--access-logfile", str(access_log), "--access-logformat", LOG_FORMAT,
        "--error-logfile", str(error_log), "--no-control-socket", app_spec,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(process, port, access_log, error_log)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        server.stop()


def _wait_until_ready(server: Server, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{_tail(server.error_log)}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1) as sock:
                sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                # Both workers must have been forked: a request may land on either.
                answered = b" 200 " in sock.recv(64).split(b"\r\n")[0]
                if answered and len(server.worker_peak_rss_mb()) == WORKERS:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    server.stop()
    raise SystemExit(f"gunicorn did not become ready:\n{_tail(server.error_log)}")


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else ""


# --- the scenario ------------------------------------------------------------------------


async def sign_in(client: Client, username: str) -> None:
    page = await client.request("GET", "/login")
    token = TOKEN.search(page.text()).group(1)
    done = await client.request("POST", "/login", {"username": username, "password": PASSWORD,
                                                   "csrf_token": token})
    if done.status != 302:
        raise SystemExit(f"signing in {username} answered {done.status}")


def read_form(client: Client, html: str) -> None:
    """Keep what a browser would post back: the token, the version and the field names."""
    first_option: dict[str, str] = {}
    for name, value in RADIO.findall(html):
        first_option.setdefault(name, value)
    client.state.update(token=TOKEN.search(html).group(1),
                        version=int(VERSION.search(html).group(1)),
                        radios=first_option, textareas=TEXTAREA.findall(html))


def draft_form(client: Client) -> dict[str, str]:
    """The whole form as posted: half the criteria rated with evidence, the rest empty,
    and one evidence box different each time so that every save writes."""
    state = client.state
    state["edits"] = number = state.get("edits", 0) + 1
    radios = list(state["radios"].items())
    answered = {name.removeprefix("rating-") for name, _ in radios[: len(radios) // 2]}
    data = {"csrf_token": state["token"], "version": str(state["version"]), "intent": "save"}
    data.update({name: value for name, value in radios[: len(radios) // 2]})
    for name in state["textareas"]:
        stem = name.split("-", 1)[1] if name.startswith("evidence-") else None
        data[name] = "Seen in the case file; the plan is current." if stem in answered else ""
    first = next(n for n in state["textareas"] if n.startswith("evidence-"))
    data[first] = f"Edit {number} ({RUN}) by {state['username']}: the child was seen alone."
    return data


async def get_form(client: Client, _number: int) -> str | None:
    page = await client.request("GET", client.state["audit_path"])
    if page.status != 200:
        return f"form GET answered {page.status}"
    client.state["form_bytes"] = len(page.body)
    return None


async def save_draft(client: Client, _number: int) -> str | None:
    data = draft_form(client)
    client.state["post_bytes"] = len("&".join(f"{k}={v}" for k, v in data.items()))
    saved = await client.request("POST", client.state["audit_path"], data)
    client.state["save_bytes"] = len(saved.body)
    if saved.status == 302:
        client.state["version"] += 1
        return None
    # Out of step (a 409 conflict page) or refused: read the form again, as a user would.
    page = await client.request("GET", client.state["audit_path"])
    if page.status == 200:
        read_form(client, page.text())
    return f"draft save answered {saved.status}"


async def get_dashboard(client: Client, _number: int) -> str | None:
    page = await client.request("GET", "/my-audits")
    if page.status != 200:
        return f"dashboard answered {page.status}"
    client.state["dashboard_bytes"] = len(page.body)
    return None


@dataclass
class Measured:
    label: str
    client: Phase
    server_seconds: list[float]
    size: int


async def measure_app(server: Server, supervisors: list[tuple[str, str]],
                      cfg: Settings) -> tuple[dict[str, Measured], int]:
    clients = []
    for username, public_id in supervisors:
        client = Client("127.0.0.1", server.port,
                        state={"username": username, "audit_path": f"/audits/{public_id}"})
        await sign_in(client, username)
        page = await client.request("GET", client.state["audit_path"])
        read_form(client, page.text())
        clients.append(client)
    steps = {"form": (get_form, "GET", "/audits/"),
             "save": (save_draft, "POST", "/audits/"),
             "dashboard": (get_dashboard, "GET", "/my-audits")}
    for step, _method, _prefix in steps.values():
        await run_phase(clients, step, requests_per_client=cfg.warm_up, max_seconds=60)
    results = {}
    for key, (step, method, prefix) in steps.items():
        results[key] = await _timed(server, clients, step, method, prefix, cfg)
    sizes = {"form": "form_bytes", "save": "save_bytes", "dashboard": "dashboard_bytes"}
    for key, attribute in sizes.items():
        results[key].size = int(statistics.median(c.state[attribute] for c in clients))
    post_bytes = int(statistics.median(c.state["post_bytes"] for c in clients))
    for client in clients:
        client.close()
    return results, post_bytes


async def _timed(server: Server, clients: list[Client], step, method: str, prefix: str,
                 cfg: Settings) -> Measured:
    await asyncio.sleep(0.3)  # let the previous phase's access-log lines land
    start = server.log_offset()
    phase = await run_phase(clients, step, requests_per_client=cfg.requests_per_client,
                            max_seconds=cfg.max_seconds)
    await asyncio.sleep(0.3)
    times = server.server_times(start, server.log_offset(), method, prefix)
    return Measured(prefix, phase, times, 0)


async def measure_reference(server: Server, sizes: dict[str, int], post_bytes: int,
                            cfg: Settings) -> dict[str, Measured]:
    filler = "x" * max(0, post_bytes - len("filler="))
    clients = [Client("127.0.0.1", server.port) for _ in range(USERS)]

    def getter(size: int):
        async def step(client: Client, _number: int) -> str | None:
            page = await client.request("GET", f"/page/{size}")
            return None if page.status == 200 and len(page.body) == size else "bad page"
        return step

    def poster(size: int):
        async def step(client: Client, _number: int) -> str | None:
            page = await client.request("POST", f"/page/{size}", {"filler": filler})
            return None if page.status == 200 and len(page.body) == size else "bad page"
        return step

    steps = {"form": (getter(sizes["form"]), "GET"), "save": (poster(sizes["save"]), "POST"),
             "dashboard": (getter(sizes["dashboard"]), "GET")}
    for step, _method in steps.values():
        await run_phase(clients, step, requests_per_client=cfg.warm_up, max_seconds=60)
    results = {}
    for key, (step, method) in steps.items():
        results[key] = await _timed(server, clients, step, method, "/page/", cfg)
        results[key].size = sizes[key]
    for client in clients:
        client.close()
    return results


# --- rows --------------------------------------------------------------------------------

AREAS = {"form": ("Audit form", "GET"), "save": ("Audit form", "draft save (POST)"),
         "dashboard": ("Team dashboard", "GET")}


def rows_for(database: str, app: dict[str, Measured], ref: dict[str, Measured],
             peaks: list[float]) -> list[Row]:
    rows = []
    for key, (area, what) in AREAS.items():
        mine, theirs = app[key], ref[key]
        if mine.client.failures:
            print(f"  {database} {area} {what}: {mine.client.failures} failures, e.g. "
                  f"{mine.client.failure_examples}", file=sys.stderr)
        server_p50, server_p95 = (x * 1000 for x in p50_p95(mine.server_seconds))
        _client_p50, client_p95 = (x * 1000 for x in p50_p95(mine.client.latencies))
        ref_p95 = p50_p95(theirs.server_seconds)[1] * 1000
        ref_client_p95 = p50_p95(theirs.client.latencies)[1] * 1000
        size = f"{mine.size / 1024:.0f} KB" if mine.size >= 1024 else f"{mine.size} B"
        rows += [
            Row(area, f"{what} p50 (server)", database, server_p50, "ms", None, "", "-", True),
            Row(area, f"{what} p95 (server)", database, server_p95, "ms", ref_p95,
                REFERENCE_LABEL, f"< {LATENCY_TARGET_MS:.0f} ms",
                mine.client.failures == 0 and server_p95 < LATENCY_TARGET_MS),
            Row(area, f"{what} p95 (client, incl. queue)", database, client_p95, "ms",
                ref_client_p95, REFERENCE_LABEL, "-", True),
            Row(area, f"{what} throughput ({size})", database, mine.client.throughput,
                "req/s", theirs.client.throughput, REFERENCE_LABEL,
                f">= {THROUGHPUT_SHARE}x reference",
                mine.client.failures == 0
                and mine.client.throughput >= THROUGHPUT_SHARE * theirs.client.throughput),
        ]
    worst = max(peaks)
    rows.append(Row("Web worker", "peak RSS (VmHWM), largest worker", database, worst, "MB",
                    None, "", f"< {RSS_TARGET_MB:.0f} MB", worst < RSS_TARGET_MB))
    return rows


def measure_database(label: str, url: str, cfg: Settings) -> list[Row]:
    started = time.perf_counter()
    with database_copy(url) as copy, tempfile.TemporaryDirectory(prefix="web-load-") as tmp:
        supervisors = add_supervisors(copy, USERS)
        env = {"AUDIT_DATABASE_URL": copy, "AUDIT_SECRET_KEY": SECRET,
               "AUDIT_INSECURE_COOKIES": "1", "AUDIT_DATABASE_POOL_SIZE": str(cfg.threads)}
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        with gunicorn(cfg.app, env, Path(tmp), cfg.threads) as server:
            app, post_bytes = asyncio.run(measure_app(server, supervisors, cfg))
            peaks = server.worker_peak_rss_mb()
        with gunicorn("benchmarks.bare_flask:app", {}, Path(tmp), cfg.threads) as server:
            sizes = {key: m.size for key, m in app.items()}
            ref = asyncio.run(measure_reference(server, sizes, post_bytes, cfg))
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    requests = sum(len(m.client.latencies) + m.client.failures
                   for m in (*app.values(), *ref.values()))
    print(f"  {label}: {time.perf_counter() - started:.0f} s; the load generator used "
          f"{cpu * 1e3 / max(requests, 1):.2f} ms CPU per request; load average "
          f"{os.getloadavg()[0]:.1f}", file=sys.stderr)
    return rows_for(label, app, ref, peaks)


def rows(dbs: DemoDatabases, quick: bool = False, *, databases: tuple[str, ...] = (),
         threads: int = DEFAULT_THREADS, cfg: Settings | None = None) -> list[Row]:
    """PostgreSQL always (the target's database); SQLite too unless ``quick``."""
    cfg = cfg or settings(quick, threads)
    wanted = databases or (("PostgreSQL",) if quick else ("PostgreSQL", "SQLite"))
    result = []
    for label, url in dbs.by_backend():
        if label in wanted:
            result += measure_database(label, url, cfg)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--databases", default="",
                        help="comma-separated: postgresql,sqlite (default: both; quick: pg)")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help="threads per gunicorn worker; 1 means sync workers")
    parser.add_argument("--requests", type=int, help="timed requests per user and kind")
    parser.add_argument("--seconds", type=float, help="cap on each timed phase")
    parser.add_argument("--app", default=Settings.app,
                        help="the gunicorn app to measure (to compare a change with the old way)")
    parser.add_argument("--postgres", help="copy this PostgreSQL demo database, not the shared one")
    parser.add_argument("--sqlite", help="copy this SQLite demo database, not the shared one")
    args = parser.parse_args(argv)
    names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
    databases = tuple(names[d.strip().lower()] for d in args.databases.split(",") if d.strip())
    cfg = settings(args.quick, args.threads)
    cfg = Settings(args.requests or cfg.requests_per_client, args.seconds or cfg.max_seconds,
                   cfg.warm_up, cfg.threads, args.app)
    if args.postgres or args.sqlite:
        dbs = DemoDatabases(sqlite_url=args.sqlite or "", postgres_url=args.postgres or "")
        databases = databases or tuple(
            label for label, url in dbs.by_backend() if url)
    else:
        dbs = DemoDatabases.ensure()
    print_table(rows(dbs, args.quick, databases=databases, cfg=cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main())

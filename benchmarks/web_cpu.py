"""CPU and queries per request for the pages ``web_load`` measures, in process, one at a time.

Usage: python -m benchmarks.web_cpu [--database postgresql|sqlite] [--requests 60]
       [--no-pool] [--profile form,save,dashboard]

Load figures on a shared 2-core machine move with whatever else runs; the CPU time a
request costs the process that serves it does not (much). So each optimisation in
``docs/performance.md`` is measured here first: the same copy of the large demo and the
same 20 supervisors as ``web_load``, requests made through Flask's test client (the whole
app, no network), the kinds taking turns, and for each kind of request the median and
10th-percentile CPU milliseconds (this process only: PostgreSQL's own work is not
counted; the low percentile is the steadier figure on a busy machine) and the number of
SQL statements.
``--profile`` prints a pyinstrument profile of the named kinds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

from benchmarks.demo_databases import DemoDatabases
from benchmarks.load_client import Client
from benchmarks.web_load import (
    PASSWORD,
    SECRET,
    TOKEN,
    USERS,
    add_supervisors,
    database_copy,
    draft_form,
    read_form,
)

KINDS = ("form", "save", "dashboard")


def measure(url: str, requests: int, pool: bool, profile: set[str]) -> list[tuple]:
    from audit_service.app import create_app
    from audit_service.storage.database import database

    supervisors = add_supervisors(url, USERS)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "SESSION_COOKIE_SECURE": False,
                      "DATABASE_POOL_SIZE": 1 if pool else None})
    statements = 0
    execute_sql = database.obj.execute_sql

    def counting(*args, **kwargs):
        nonlocal statements
        statements += 1
        return execute_sql(*args, **kwargs)

    database.obj.execute_sql = counting
    users = []
    for username, public_id in supervisors:
        client = app.test_client()
        token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
        signed_in = client.post("/login", data={"username": username, "password": PASSWORD,
                                                "csrf_token": token})
        assert signed_in.status_code == 302, signed_in.status_code
        path = f"/audits/{public_id}"
        form = Client("-", 0, state={"username": username})
        read_form(form, client.get(path).get_data(as_text=True))
        users.append((client, path, form))

    def request(kind: str, number: int) -> None:
        client, path, form = users[number % len(users)]
        if kind == "form":
            response, expected = client.get(path), 200
        elif kind == "dashboard":
            response, expected = client.get("/my-audits"), 200
        else:
            response, expected = client.post(path, data=draft_form(form)), 302
            form.state["version"] += 1
        assert response.status_code == expected, (kind, response.status_code)

    for kind in KINDS:
        for number in range(len(users)):  # warm: templates compiled, caches filled
            request(kind, number)
    # The kinds take turns, so a burst of load from elsewhere on the machine hits them alike.
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    counted = dict.fromkeys(KINDS, 0)
    for number in range(requests):
        for kind in KINDS:
            before, started = statements, time.process_time()
            request(kind, number)
            cpu[kind].append(time.process_time() - started)
            counted[kind] += statements - before
    results = [(kind, statistics.median(cpu[kind]) * 1000,
                sorted(cpu[kind])[len(cpu[kind]) // 10] * 1000, counted[kind] / requests)
               for kind in KINDS]
    for kind in KINDS:
        if kind in profile:
            _profile(lambda n, k=kind: request(k, n), kind, requests)
    database.obj.execute_sql = execute_sql
    if not database.is_closed():
        database.close()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()
    return results


def _profile(request: Callable[[int], None], kind: str, requests: int) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for number in range(requests):
        request(10_000 + number)
    profiler.stop()
    print(f"--- {kind} ---")
    print(profiler.output_text(unicode=False, color=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--no-pool", action="store_true",
                        help="connect and close per request, as before pooling")
    parser.add_argument("--profile", default="", help=f"comma-separated, from {KINDS}")
    parser.add_argument("--source", help="copy this demo database instead of the shared one")
    args = parser.parse_args(argv)
    if args.source:
        source = args.source
    else:
        dbs = DemoDatabases.ensure()
        source = dbs.postgres_url if args.database == "postgresql" else dbs.sqlite_url
    profile = {k for k in args.profile.split(",") if k}
    with database_copy(source) as url:
        results = measure(url, args.requests, not args.no_pool, profile)
    print(f"{'request':<10} {'CPU ms (median)':>16} {'CPU ms (p10)':>13} {'SQL statements':>15}")
    for kind, cpu_ms, low_ms, statements in results:
        print(f"{kind:<10} {cpu_ms:>16.1f} {low_ms:>13.1f} {statements:>15.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""gunicorn settings for the web app: ``gunicorn -c python:audit_service.gunicorn_conf
audit_service.wsgi:app``.

Every setting can be overridden on the command line or with ``GUNICORN_CMD_ARGS``.
The defaults are what the issue-9 load benchmark measured as best on 2 cores
(``docs/performance.md``): 2 sync worker processes, one request at a time each.
Threads (``AUDIT_WEB_THREADS=2`` selects gthread workers, with HTTP keep-alive)
let a worker use its CPU while a request waits on PostgreSQL and served the audit
form about a quarter faster, but every request then shares its worker's interpreter
lock with another, and the server-side p95 the product promises got worse (the team
dashboard's doubled). Sync workers should sit behind a buffering reverse proxy
(nginx), so a slow client never holds a worker.

- ``AUDIT_WEB_WORKERS`` (default 2) and ``AUDIT_WEB_THREADS`` (default 1).
- Each worker's database pool holds as many connections as it has threads (a sync
  worker keeps its one connection open between requests).
- The app is not preloaded: each worker imports it after the fork, so no
  database connection is ever shared between processes.
- Sessions are signed with ``AUDIT_SECRET_KEY``. Without one, a random key is made
  here, once, in the master process, and shared by its workers; otherwise each
  worker would make its own, and a user signed in on one worker would be signed
  out by the next request the other worker served.
"""

from __future__ import annotations

import os
import secrets
import sys

from audit_service.config import positive_int

bind = os.environ.get("AUDIT_BIND", "127.0.0.1:8000")
workers = positive_int(os.environ, "AUDIT_WEB_WORKERS", 2)
threads = positive_int(os.environ, "AUDIT_WEB_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
keepalive = 5
preload_app = False
# A worker whose memory crept up (a leak in a plugin, say) is replaced now and then.
max_requests = 20_000
max_requests_jitter = 2_000

if not os.environ.get("AUDIT_SECRET_KEY"):
    print("audit-service: AUDIT_SECRET_KEY is not set; sessions will end when gunicorn "
          "stops", file=sys.stderr)
    os.environ["AUDIT_SECRET_KEY"] = secrets.token_hex(32)


def post_fork(server, worker) -> None:
    """Size the new worker's pool to its threads, as finally set (``--threads`` included).

    Runs in the worker before it imports the app, so ``audit_service.wsgi`` reads it.
    """
    os.environ.setdefault("AUDIT_DATABASE_POOL_SIZE", str(worker.cfg.threads))

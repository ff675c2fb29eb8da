"""Server-side p50/p95 of the audit form's GET and its draft saves, on the large demo council.

Usage: .venv/bin/python benchmarks/audit_form.py [--supervisors 20] [--requests 200]
       [--seed 2024] [--postgres URL] [--skip-postgres]

For each database a fresh one is migrated and loaded with the large demo council
(120 teams, 20,000 open cases), the month's rounds are opened, and
``--supervisors`` supervisors are given a login and a draft audit of their first
drawn case, half answered. Then, in process through the Flask test client (the
whole app: routing, sessions, CSRF, queries, templates; no network), each
signed-in supervisor in turn:

- GETs the audit form (three rubrics, 19 criteria, evidence prompts);
- saves the draft with "Save draft" (the form post with its version, one
  evidence box changed each time, answered with a redirect);
- saves it through autosave (the same fields, answered in JSON).

The slowest outliers from the first warm-up pass are not counted. Times are
wall-clock milliseconds per request; the table gives p50, p95 and max.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

from audit_service.app import create_app
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.accounts import users as accounts
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.demo.council import generate_council
from audit_service.services.demo.loader import load_demo, start_demo_sampling
from audit_service.storage.database import bind, database
from audit_service.storage.migrations import migrate
from audit_service.storage.models import RoundCase, SamplingRound, Staff

BENCH_DB = "audit_bench_form"
PASSWORD = "benchmark-password"  # noqa: S105 - a throwaway database's password
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
WARM_UP = 1  # passes over every supervisor before timing starts


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max, in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def prepare(app, supervisors: int, seed: int) -> list[tuple[str, str, list[str]]]:
    """Load the large demo and give ``supervisors`` supervisors a half-answered draft.

    Returns (username, audit public id, criterion stems) for each.
    """
    today = dt.date.today()
    drafts = []
    with app.app_context(), database.connection_context():
        started = time.perf_counter()
        load_demo(generate_council("large", seed, today), PASSWORD)
        start_demo_sampling(today, registry=registries().sampling_strategies)
        catalogue = registries()
        audit_service.ensure_published(catalogue.rubrics)
        types = catalogue.criterion_types
        rounds = (SamplingRound.select().where(SamplingRound.period == f"{today:%Y-%m}")
                  .order_by(SamplingRound.id).limit(supervisors))
        for index, round_ in enumerate(rounds):
            first = (RoundCase.select().where(RoundCase.round == round_)
                     .order_by(RoundCase.position).first())
            if first is None:
                continue
            staff = Staff.get_by_id(round_.supervisor_id)
            user = accounts.create_user(f"bench-supervisor-{index}", role=Role.SUPERVISOR,
                                        password=PASSWORD, display_name=staff.name,
                                        staff=staff, actor_label="benchmark")
            audit, _ = audit_service.start_audit(user, round_.public_id, first.case.public_id,
                                                 types)
            state = audit_service.load_state(audit, types)
            stems = [f"{k.rubric_id}-{k.criterion_id}" for k in state.keys]
            drafts.append((user.username, audit.public_id, stems))
        print(f"  loaded the large demo and {len(drafts)} drafts in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return drafts


def half_answered(stems: list[str], n: int) -> dict[str, str]:
    """Ratings and evidence for the first half of the criteria; one box differs each time."""
    data = {}
    for stem in stems[: len(stems) // 2]:
        data[f"rating-{stem}"] = "good"
        data[f"evidence-{stem}"] = "Seen in the case file; the plan is current."
    data[f"evidence-{stems[0]}"] = f"Edit number {n}: seen alone at the last visit."
    return data


def measure(url: str, backend: str, supervisors: int, requests: int, seed: int) -> list[tuple]:
    migrate(bind(url))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": os.urandom(24).hex(),
                      "SESSION_COOKIE_SECURE": False})
    drafts = prepare(app, supervisors, seed)
    sessions = []
    for username, public_id, stems in drafts:
        client = app.test_client()
        token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
        response = client.post("/login", data={"username": username, "password": PASSWORD,
                                                "csrf_token": token})
        assert response.status_code == 302, response.status_code
        sessions.append({"client": client, "audit": public_id, "stems": stems, "version": 1,
                         "token": None})

    timings: dict[str, list[float]] = {"GET audit form": [], "POST save draft": [],
                                       "POST autosave (JSON)": []}
    passes = WARM_UP + max(1, -(-requests // len(sessions)))
    for number in range(passes):
        for session in sessions:
            client, path = session["client"], f"/audits/{session['audit']}"
            start = time.perf_counter()
            page = client.get(path)
            get_seconds = time.perf_counter() - start
            assert page.status_code == 200, page.status_code
            html = page.get_data(as_text=True)
            token = TOKEN.search(html).group(1)
            version = int(re.search(r'name="version" id="audit-version" value="(\d+)"',
                                    html).group(1))
            data = {"csrf_token": token, "intent": "save", "version": str(version),
                    **half_answered(session["stems"], number * 2)}
            start = time.perf_counter()
            saved = client.post(path, data=data)
            save_seconds = time.perf_counter() - start
            assert saved.status_code == 302, saved.get_data(as_text=True)[:300]
            data = {**data, "version": str(version + 1),
                    **half_answered(session["stems"], number * 2 + 1)}
            data.pop("intent")
            start = time.perf_counter()
            auto = client.post(f"{path}/autosave", data=data)
            auto_seconds = time.perf_counter() - start
            assert auto.status_code == 200 and auto.json["version"] == version + 2, auto.json
            if number >= WARM_UP:
                timings["GET audit form"].append(get_seconds)
                timings["POST save draft"].append(save_seconds)
                timings["POST autosave (JSON)"].append(auto_seconds)
    if not database.is_closed():
        database.close()
    return [(backend, label, len(samples), *percentiles(samples))
            for label, samples in timings.items()]


def _admin(url: str, statement: str) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supervisors", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200,
                        help="timed requests of each kind (spread over the supervisors)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--postgres", default="postgresql://127.0.0.1:5432/test",
                        help=f"admin URL used to create and drop the {BENCH_DB} database")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        print("sqlite:", file=sys.stderr)
        rows += measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "sqlite",
                        args.supervisors, args.requests, args.seed)
    if not args.skip_postgres:
        print("postgresql:", file=sys.stderr)
        _admin(args.postgres, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        _admin(args.postgres, f'CREATE DATABASE "{BENCH_DB}"')
        try:
            base = args.postgres.rpartition("/")[0]
            rows += measure(f"{base}/{BENCH_DB}", "postgresql", args.supervisors,
                            args.requests, args.seed)
        finally:
            if not database.is_closed():
                database.close()
            _admin(args.postgres, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    print(f"{'database':<11} {'request':<22} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for backend, label, n, p50, p95, worst in rows:
        print(f"{backend:<11} {label:<22} {n:>5} {p50:>8.1f} {p95:>8.1f} {worst:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time ``open_rounds`` for a whole month, on SQLite and PostgreSQL, at two scales.

Usage: python benchmarks/open_rounds.py [--scales large,10x] [--seed 2024]
       [--postgres URL] [--skip-postgres]

``large`` is the largest council of PRODUCT.md section 6 (120 supervisors,
20,000 open cases); ``10x`` is the regional pool (1,200 supervisors, 200,000 open
cases; 4,000 practitioners, since the demo's invented names run out beyond that).
For each database and scale: a fresh database is migrated, the demo council is
loaded, the demo policy is set (2 cases, risk-weighted, own team, 12-month
exclusion), then the month's rounds are opened (timed) and opened again (timed:
the idempotent no-op). Targets: under 2 s at large, under 20 s at 10x.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

from audit_service.domain.demo import SIZES, CouncilSize, generate_council
from audit_service.domain.sampling import SamplingPolicySettings
from audit_service.plugins.sampling_registry import default_registry
from audit_service.services.demo_loader import DEMO_POLICY, load_demo
from audit_service.services.rounds import open_rounds
from audit_service.services.sampling_policies import set_policy
from audit_service.storage.database import bind
from audit_service.storage.migrations import migrate
from audit_service.storage.models import RoundCase, SamplingRound

BENCH_DB = "audit_bench_rounds"
TODAY = dt.date(2026, 6, 1)
TARGETS = {"large": 2.0, "10x": 20.0}


def size_of(scale: str) -> CouncilSize:
    large = SIZES["large"]
    if scale == "large":
        return large
    return dataclasses.replace(
        large, teams={kind: n * 10 for kind, n in large.teams.items()}, practitioners=4_000,
        open_cases=large.open_cases * 10, closed_cases=large.closed_cases * 10,
        leavers=large.leavers * 10,
    )


def measure(url: str, backend: str, scale: str, seed: int) -> list[tuple]:
    db = bind(url)
    migrate(db)
    db.connect(reuse_if_open=True)
    council = generate_council(size_of(scale), seed, TODAY)
    load_demo(council, "benchmark-password")
    registry = default_registry()
    set_policy(SamplingPolicySettings(**DEMO_POLICY), actor_label="benchmark", registry=registry)
    period = f"{TODAY:%Y-%m}"
    rows = []
    for label in ("open", "re-run (no-op)"):
        start = time.perf_counter()
        report = open_rounds(period, today=TODAY, actor_label="benchmark", registry=registry)
        seconds = time.perf_counter() - start
        rows.append((backend, scale, label, report.opened_count, report.already_open_count,
                     RoundCase.select().count(), seconds))
    assert SamplingRound.select().count() == rows[0][3]
    db.close()
    return rows


def _admin(url: str, statement: str) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="large,10x")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--postgres", default="postgresql://127.0.0.1:5432/test",
                        help=f"admin URL used to create and drop the {BENCH_DB} database")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    for scale in args.scales.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            rows += measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "sqlite", scale, args.seed)
        if not args.skip_postgres:
            _admin(args.postgres, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            _admin(args.postgres, f'CREATE DATABASE "{BENCH_DB}"')
            try:
                base = args.postgres.rpartition("/")[0]
                rows += measure(f"{base}/{BENCH_DB}", "postgresql", scale, args.seed)
            finally:
                _admin(args.postgres, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    print(f"{'database':<11} {'scale':<6} {'run':<15} {'opened':>7} {'already':>8} "
          f"{'cases':>7} {'seconds':>8}  target")
    failed = False
    for backend, scale, label, opened, already, cases, seconds in rows:
        target = TARGETS.get(scale)
        verdict = "" if label != "open" or target is None else (
            f"< {target:g} s {'ok' if seconds < target else 'MISSED'}")
        failed |= "MISSED" in verdict
        print(f"{backend:<11} {scale:<6} {label:<15} {opened:>7} {already:>8} {cases:>7} "
              f"{seconds:>8.2f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

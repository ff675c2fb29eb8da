"""Time ``open_rounds`` for a whole month, on SQLite and PostgreSQL, at two scales.

Usage: python -m benchmarks.open_rounds [--quick]

``large`` is the largest council of PRODUCT.md section 6 (120 supervisors,
20,000 open cases); ``10x`` is the regional pool (1,200 supervisors, 200,000 open
cases; 4,000 practitioners, since the demo's invented names run out beyond that).
For each database and scale the council is loaded once into a cached template (with the demo
policy: 2 cases, risk-weighted, own team, 12-month exclusion); each run copies the template and
times opening the month's rounds in the copy. Targets: under 2 s at large, under 20 s at 10x.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import sys
import time

import psycopg2

from audit_service.domain.sampling import SamplingPolicySettings
from audit_service.plugins.installed import build_registries
from audit_service.services.demo.council import SIZES, CouncilSize, generate_council
from audit_service.services.demo.loader import DEMO_POLICY, load_demo
from audit_service.services.sampling.policies import set_policy
from audit_service.services.sampling.rounds import open_rounds
from audit_service.storage.database import bind
from audit_service.storage.migrations import migrate
from audit_service.storage.models import RoundCase, SamplingRound
from benchmarks.demo_databases import (
    CACHE,
    DEFAULT_POSTGRES,
    DemoDatabases,
    admin_sql,
    fingerprint,
    server_url,
)
from benchmarks.report import Row, module_main

RUN_DB = "audit_bench_rounds"
SEED = 2024
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


def _load_base(url: str, scale: str, seed: int) -> None:
    """A migrated council with its policy set and no rounds: the 1st of the month, 06:59."""
    db = bind(url)
    migrate(db)
    db.connect(reuse_if_open=True)
    try:
        load_demo(generate_council(size_of(scale), seed, TODAY), "benchmark-password")
        set_policy(SamplingPolicySettings(**DEMO_POLICY), actor_label="benchmark",
                   registry=build_registries().sampling_strategies)
    finally:
        db.close()


def base_database(backend: str, scale: str, seed: int, admin_url: str, log=print) -> str:
    """A fresh copy of the cached base council (built once per fingerprint) to open rounds in."""
    key = f"rounds-{scale}-{seed}-{fingerprint(TODAY)}"
    if backend == "SQLite":
        template = CACHE / f"{key}.sqlite3"
        if not template.exists():
            CACHE.mkdir(parents=True, exist_ok=True)
            log(f"building the {scale} council on SQLite (once)...")
            partial = template.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            _load_base(f"sqlite:///{partial}", scale, seed)
            partial.rename(template)
        copy = CACHE / "rounds-run.sqlite3"
        shutil.copyfile(template, copy)
        return f"sqlite:///{copy}"
    template = f"audit_bench_{key.replace('-', '_')}"
    if not _exists(admin_url, template):
        log(f"building the {scale} council on PostgreSQL (once)...")
        admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{template}_partial" WITH (FORCE)')
        admin_sql(admin_url, f'CREATE DATABASE "{template}_partial"')
        _load_base(server_url(admin_url, f"{template}_partial"), scale, seed)
        admin_sql(admin_url, f'ALTER DATABASE "{template}_partial" RENAME TO "{template}"')
    admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{RUN_DB}" WITH (FORCE)')
    admin_sql(admin_url, f'CREATE DATABASE "{RUN_DB}" TEMPLATE "{template}"')
    return server_url(admin_url, RUN_DB)


def _exists(admin_url: str, name: str) -> bool:
    conn = psycopg2.connect(admin_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            return cur.fetchone() is not None
    finally:
        conn.close()


def measure(url: str) -> tuple[float, int, int]:
    """Seconds to open the month's rounds, rounds opened, cases drawn."""
    db = bind(url)
    db.connect(reuse_if_open=True)
    try:
        registry = build_registries().sampling_strategies
        start = time.perf_counter()
        report = open_rounds(f"{TODAY:%Y-%m}", today=TODAY, actor_label="benchmark",
                             registry=registry)
        seconds = time.perf_counter() - start
        assert SamplingRound.select().count() == report.opened_count
        return seconds, report.opened_count, RoundCase.select().count()
    finally:
        db.close()


def rows(dbs: DemoDatabases | None = None, quick: bool = False,
         admin_url: str = DEFAULT_POSTGRES) -> list[Row]:
    out = []
    for scale in ("large",) if quick else ("large", "10x"):
        for backend in ("SQLite", "PostgreSQL"):
            url = base_database(backend, scale, SEED, admin_url)
            seconds, opened, cases = measure(url)
            out.append(Row(
                area="Open a month's rounds", measure=f"{scale}: {opened} rounds, {cases} cases",
                database=backend, figure=seconds, unit="s", reference=None,
                reference_label="", target=f"< {TARGETS[scale]:g} s",
                met=seconds < TARGETS[scale],
            ))
    if _exists(admin_url, RUN_DB):
        admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{RUN_DB}" WITH (FORCE)')
    return out


def main(argv: list[str] | None = None) -> int:
    return module_main(rows, __doc__, argv, "the large scale only")


if __name__ == "__main__":
    sys.exit(main())

"""Time each summary query on the large demo with 5 years of history, beside hand-written SQL.

Usage: python benchmarks/summaries.py [--scale large] [--repeats 15]
       [--postgres URL] [--skip-postgres] [--skip-sqlite]

For each database a fresh one is migrated, the demo council is loaded with its
history (``large``: 120 supervisors, 60 months, about 22,000 audits and 400,000
ratings), then each summary query is run ``--repeats`` times over the whole five
years, as is one hand-written SQL statement computing the same numbers (checked
equal). The table gives p50 and p95 in milliseconds and the ratio of the p50s.
Target: the service's query is no more than 1.5x the hand-written SQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from audit_service.domain.demo import generate_council
from audit_service.domain.demo_history import DEFAULT_MONTHS
from audit_service.domain.sampling import SamplingPolicySettings
from audit_service.plugins.catalogue import Catalogue
from audit_service.plugins.manager import build_plugin_manager
from audit_service.services import rubric_versions
from audit_service.services.demo_history_loader import load_history
from audit_service.services.demo_loader import DEMO_POLICY, load_demo
from audit_service.services.sampling_policies import set_policy
from audit_service.services.summaries import (
    Level,
    Scope,
    audit_figures,
    domain_figures,
    sampling_figures,
)
from audit_service.storage.database import bind
from audit_service.storage.migrations import migrate

BENCH_DB = "audit_bench_summaries"
TODAY = dt.date(2026, 6, 1)
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")


@dataclass(frozen=True)
class Span:
    """Five whole years as a period: what the summary queries read (start, end, months)."""

    start: dt.date
    end: dt.date

    @property
    def months(self) -> list[str]:
        out, day = [], self.start
        while day < self.end:
            out.append(f"{day:%Y-%m}")
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return out


def _grade_sums() -> str:
    return ", ".join(f"SUM(CASE WHEN a.overall_grade = '{g}' THEN 1 ELSE 0 END)" for g in GRADES)


def hand_sql(name: str, p: str) -> str:
    """The statement a DBA would write for each summary; ``p`` is the parameter marker."""
    audits = (f"FROM audit a LEFT JOIN team t ON a.team_id = t.id "
              f"WHERE a.status = 'submitted' AND a.submitted_at >= {p} AND a.submitted_at < {p}")
    if name == "audits by team":
        return (f"SELECT a.team_id, COUNT(a.id), {_grade_sums()}, AVG(a.overall_score) {audits} "
                "GROUP BY a.team_id")
    if name == "audits by service":
        return (f"SELECT t.service_id, COUNT(a.id), {_grade_sums()}, AVG(a.overall_score) "
                f"{audits} GROUP BY t.service_id")
    if name == "audits by practitioner":
        return (f"SELECT a.practitioner_id, COUNT(a.id), {_grade_sums()}, AVG(a.overall_score) "
                f"{audits} GROUP BY a.practitioner_id")
    if name == "domains by team":
        return ("SELECT a.team_id, d.rubric_id, d.domain, COUNT(r.score), AVG(r.score) "
                "FROM audit_rubric r JOIN audit a ON r.audit_id = a.id "
                "JOIN rubric_version v ON r.rubric_version_id = v.id "
                "JOIN rubric_definition d ON v.rubric_id = d.id "
                "LEFT JOIN team t ON a.team_id = t.id "
                f"WHERE a.status = 'submitted' AND a.submitted_at >= {p} "
                f"AND a.submitted_at < {p} GROUP BY a.team_id, d.rubric_id, d.domain")
    if name == "sampling by team":
        return ("SELECT s.team_id, COUNT(rc.id), "
                "SUM(CASE WHEN a.status = 'submitted' THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN a.status = 'submitted' AND DATE(a.submitted_at) <= s.due_on "
                "THEN 1 ELSE 0 END) FROM round_case rc "
                "JOIN sampling_round s ON rc.round_id = s.id "
                "LEFT JOIN audit a ON a.round_case_id = rc.id "
                f"WHERE s.period >= {p} AND s.period <= {p} AND rc.replaced_at IS NULL "
                "GROUP BY s.team_id")
    raise KeyError(name)


def service_query(name: str, span: Span):
    scope = Scope()
    return {
        "audits by team": lambda: audit_figures(span, scope, Level.TEAM),
        "audits by service": lambda: audit_figures(span, scope, Level.SERVICE),
        "audits by practitioner": lambda: audit_figures(span, scope, Level.PRACTITIONER),
        "domains by team": lambda: domain_figures(span, scope, Level.TEAM),
        "sampling by team": lambda: sampling_figures(span, scope, Level.TEAM),
    }[name]


def _params(name: str, span: Span) -> tuple:
    if name == "sampling by team":
        return (span.months[0], span.months[-1])
    start = dt.datetime(span.start.year, span.start.month, 1)
    end = dt.datetime(span.end.year, span.end.month, 1)
    return (start, end)


def _percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _time(fn, repeats: int) -> list[float]:
    fn()  # warm the caches once
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _as_numbers(rows) -> list[tuple]:
    out = []
    for row in rows:
        out.append(tuple(round(float(v), 4) if v is not None and not isinstance(v, str) else v
                         for v in row))
    return sorted(out, key=repr)


def measure(url: str, backend: str, scale: str, seed: int, repeats: int) -> list[tuple]:
    db = bind(url)
    migrate(db)
    db.connect(reuse_if_open=True)
    catalogue = Catalogue.from_plugins(build_plugin_manager())
    started = time.perf_counter()
    rubric_versions.sync([(s.rubric, "benchmark") for s in catalogue.rubrics.values()])
    load_demo(generate_council(scale, seed, TODAY), "benchmark-password")
    set_policy(SamplingPolicySettings(**DEMO_POLICY), actor_label="benchmark")
    history = load_history(today=TODAY, months=DEFAULT_MONTHS[scale], seed=seed,
                           criterion_types=catalogue.criterion_types)
    print(f"{backend}: loaded {history.audits} audits, {history.ratings} ratings, "
          f"{history.actions} actions in {time.perf_counter() - started:.1f} s", flush=True)
    db.execute_sql("ANALYZE")
    span = Span(dt.date(TODAY.year - 5, TODAY.month, 1), TODAY.replace(day=1))
    rows = []
    marker = "?" if backend == "sqlite" else "%s"
    for name in ("audits by team", "audits by service", "audits by practitioner",
                 "domains by team", "sampling by team"):
        ours = service_query(name, span)
        sql, params = hand_sql(name, marker), _params(name, span)

        def hand(sql=sql, params=params):
            return db.execute_sql(sql, params).fetchall()

        mine = ours()
        flat = ([(k, *v) for k, v in mine.items()] if isinstance(mine, dict)
                else [(d.group_id, d.rubric_id, d.domain, d.audits, d.mean_score) for d in mine])
        if _as_numbers(flat) != _as_numbers(hand()):
            raise SystemExit(f"{backend} {name}: the service and the hand-written SQL disagree")
        ours_p50, ours_p95 = _percentiles(_time(ours, repeats))
        hand_p50, hand_p95 = _percentiles(_time(hand, repeats))
        rows.append((backend, name, ours_p50, ours_p95, hand_p50, hand_p95,
                     ours_p50 / hand_p50 if hand_p50 else float("inf")))
    db.close()
    return rows


def _admin(url: str, statement: str) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large", choices=("small", "large"))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--postgres", default="postgresql://127.0.0.1:5432/test",
                        help="a server database to create the benchmark database from")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    rows = []
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            rows += measure(url, "sqlite", args.scale, args.seed, args.repeats)
    if not args.skip_postgres:
        _admin(args.postgres, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        _admin(args.postgres, f'CREATE DATABASE "{BENCH_DB}"')
        try:
            base = args.postgres.rpartition("/")[0]
            rows += measure(f"{base}/{BENCH_DB}", "postgresql", args.scale, args.seed,
                            args.repeats)
        finally:
            _admin(args.postgres, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    print(f"\n{'database':<11} {'query':<24} {'ours p50':>9} {'ours p95':>9} "
          f"{'SQL p50':>8} {'SQL p95':>8} {'ratio':>6}")
    worst = 0.0
    for backend, name, op50, op95, hp50, hp95, ratio in rows:
        worst = max(worst, ratio)
        print(f"{backend:<11} {name:<24} {op50:9.1f} {op95:9.1f} {hp50:8.1f} {hp95:8.1f} "
              f"{ratio:6.2f}")
    print(f"\nmilliseconds over {args.repeats} runs; worst ratio {worst:.2f} (target 1.5)")
    return 0 if worst <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())

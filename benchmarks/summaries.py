"""HR summaries over five years on the large demo, each beside one hand-written SQL statement.

Usage: python -m benchmarks.summaries [--quick]

On the shared large demo (about 22,000 audits and 400,000 ratings over 60 months; see
``benchmarks/demo_databases.py``) each summary query and the statement a DBA would write for
the same numbers (checked equal first) run alternately 15 times. Target: the service's p50 and
p95 are no more than 1.5 times the hand-written SQL's on the same database in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from dataclasses import dataclass

from audit_service.services.summaries.figures import (
    Level,
    Scope,
    audit_figures,
    domain_figures,
    sampling_figures,
)
from audit_service.storage.database import bind
from benchmarks.demo_databases import DemoDatabases
from benchmarks.report import Row, percentile, print_table

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
    return ", ".join(f"SUM(CASE WHEN a.effective_grade = '{g}' THEN 1 ELSE 0 END)" for g in GRADES)


def hand_sql(name: str, p: str) -> str:
    """The statement a DBA would write for each summary; ``p`` is the parameter marker."""
    audits = (f"FROM audit a LEFT JOIN team t ON a.team_id = t.id "
              f"WHERE a.status = 'submitted' AND a.kind <> 'moderation' "
              f"AND a.submitted_at >= {p} AND a.submitted_at < {p}")
    if name == "audits by team":
        return (f"SELECT a.team_id, COUNT(a.id), {_grade_sums()}, AVG(a.effective_score) {audits} "
                "GROUP BY a.team_id")
    if name == "audits by service":
        return (f"SELECT t.service_id, COUNT(a.id), {_grade_sums()}, AVG(a.effective_score) "
                f"{audits} GROUP BY t.service_id")
    if name == "audits by practitioner":
        return (f"SELECT a.practitioner_id, COUNT(a.id), {_grade_sums()}, AVG(a.effective_score) "
                f"{audits} GROUP BY a.practitioner_id")
    if name == "domains by team":
        return ("SELECT a.team_id, d.rubric_id, d.domain, COUNT(r.effective_score), "
                "AVG(r.effective_score) "
                "FROM audit_rubric r JOIN audit a ON r.audit_id = a.id "
                "JOIN rubric_version v ON r.rubric_version_id = v.id "
                "JOIN rubric_definition d ON v.rubric_id = d.id "
                "LEFT JOIN team t ON a.team_id = t.id "
                f"WHERE a.status = 'submitted' AND a.kind <> 'moderation' "
                f"AND a.submitted_at >= {p} "
                f"AND a.submitted_at < {p} GROUP BY a.team_id, d.rubric_id, d.domain "
                # An unscored judgement ("Is the child safe now?") has no domain figure.
                "HAVING COUNT(r.effective_score) > 0")
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


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _as_numbers(rows) -> list[tuple]:
    out = []
    for row in rows:
        out.append(tuple(round(float(v), 4) if v is not None and not isinstance(v, str) else v
                         for v in row))
    return sorted(out, key=repr)


QUERIES = ("audits by team", "audits by service", "audits by practitioner", "domains by team",
           "sampling by team")
TARGET = 1.5


def measure(url: str, repeats: int) -> list[tuple[str, list[float], list[float]]]:
    """(query, our timings, hand-written SQL timings) per summary, each checked equal first."""
    db = bind(url)
    db.connect(reuse_if_open=True)
    today = dt.date.today()
    span = Span(dt.date(today.year - 5, today.month, 1), today.replace(day=1))
    marker = "%s" if url.startswith("postgres") else "?"
    out = []
    try:
        for name in QUERIES:
            ours = service_query(name, span)
            sql, params = hand_sql(name, marker), _params(name, span)

            def hand(sql=sql, params=params):
                return db.execute_sql(sql, params).fetchall()

            mine = ours()
            flat = ([(k, *v) for k, v in mine.items()] if isinstance(mine, dict)
                    else [(d.group_id, d.rubric_id, d.domain, d.audits, d.mean_score)
                          for d in mine])
            if _as_numbers(flat) != _as_numbers(hand()):
                raise SystemExit(f"{url} {name}: the service and the hand-written SQL disagree")
            # Interleave so that a burst of load on the machine hits both sides alike.
            ours_t, hand_t = [], []
            ours(), hand()
            for _ in range(repeats):
                ours_t.append(_seconds(ours))
                hand_t.append(_seconds(hand))
            out.append((name, ours_t, hand_t))
    finally:
        db.close()
    return out


def rows(dbs: DemoDatabases, quick: bool = False) -> list[Row]:
    repeats = 5 if quick else 15
    result = []
    for label, url in dbs.by_backend():
        for name, ours_t, hand_t in measure(url, repeats):
            for stat, fn in (("p50", statistics.median), ("p95", lambda t: percentile(t, 0.95))):
                figure, reference = fn(ours_t) * 1000, fn(hand_t) * 1000
                result.append(Row(
                    area="HR summaries, 5 years", measure=f"{name} {stat}", database=label,
                    figure=figure, unit="ms", reference=reference,
                    reference_label="one hand-written SQL statement",
                    target=f"≤ {TARGET}x reference", met=figure <= TARGET * reference,
                ))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    table = rows(DemoDatabases.ensure(), quick=args.quick)
    print_table(table)
    return 0 if all(r.met for r in table) else 1


if __name__ == "__main__":
    sys.exit(main())

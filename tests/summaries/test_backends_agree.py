"""SQLite and PostgreSQL give the same summary numbers for the same demo history."""

from __future__ import annotations

import datetime as dt
import shutil

from audit_service.domain.summaries.periods import parse_period
from audit_service.services.demo.council import generate_council
from audit_service.services.demo.history_loader import load_history
from audit_service.services.demo.loader import load_demo
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.services.sampling.policies import set_policy
from audit_service.services.summaries.coverage import coverage
from audit_service.services.summaries.figures import Level, summarise
from audit_service.services.summaries.tables import coverage_table, summary_tables
from audit_service.services.summaries.trends import Metric, trends
from audit_service.storage.database import bind
from tests.conftest import _truncate_postgres
from tests.support.installed import installed, strategies

TODAY = dt.date(2026, 5, 20)


def _figures() -> dict:
    catalogue = installed()
    rubric_versions.sync_installed(catalogue.rubrics)
    load_demo(generate_council("small", 7, TODAY), "a-long-demo-password")
    from audit_service.domain.sampling import SamplingPolicySettings

    set_policy(SamplingPolicySettings(cases_per_supervisor=2), actor_label="test",
               registry=strategies())
    load_history(today=TODAY, months=12, seed=7, criterion_types=catalogue.criterion_types)
    out = {}
    for level in Level:
        for key in ("2026-Q1", "2025"):
            summary = summarise(level, parse_period(key), today=TODAY,
                                criterion_types=catalogue.criterion_types)
            for threshold in (None, 5):
                for name, table in summary_tables(summary, threshold).items():
                    out[(level, key, threshold, name)] = table.rows
    for metric in Metric:
        series = trends(Level.TEAM, last_month=dt.date(2026, 4, 1), months=12, metric=metric)
        out[("trend", metric)] = [(s.name, s.counts, [round(v or 0, 6) for v in s.values],
                                   round(s.chart.mean, 6) if s.chart else None) for s in series]
    out["coverage"] = coverage_table(coverage(TODAY), 5).rows
    return out


def test_sqlite_and_postgresql_agree(sqlite_template, postgres_template, tmp_path):
    path = tmp_path / "agree.sqlite3"
    shutil.copyfile(sqlite_template, path)
    db = bind(f"sqlite:///{path}")
    with db.connection_context():
        on_sqlite = _figures()
    db.close()
    _truncate_postgres(postgres_template)
    db = bind(postgres_template)
    with db.connection_context():
        on_postgres = _figures()
    db.close()
    # Both databases start empty, so even the surrogate ids (group_id) agree.
    assert on_sqlite.keys() == on_postgres.keys()
    assert any(rows for rows in on_sqlite.values())
    for key in on_sqlite:
        assert on_sqlite[key] == on_postgres[key], key

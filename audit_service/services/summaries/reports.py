"""The summaries as pages, downloads and the API ask for them: one function each, so the
same filters always give the same table, whoever asks and however."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from audit_service.domain.rubrics import CriterionType
from audit_service.domain.summaries.periods import Period
from audit_service.exports.base import Table
from audit_service.services.summaries.coverage import coverage, never_audited_high_risk
from audit_service.services.summaries.figures import Level, Scope, summarise
from audit_service.services.summaries.filters import last_whole_month
from audit_service.services.summaries.tables import (
    coverage_table,
    high_risk_table,
    summary_tables,
    trend_rows,
    trend_table,
)
from audit_service.services.summaries.trends import Metric, TrendSeries, trends

#: The most cases a download or the API lists; the page shows fewer.
ALL_HIGH_RISK = 100_000


def summary_report(level: Level | str, period: Period, scope: Scope, *, reader_id: int,
                   today: dt.date, threshold: int | None,
                   criterion_types: Mapping[str, CriterionType]) -> dict[str, Table]:
    """The summary's tables by name (``summary``, ``domains``, ``criteria``, ``breakdowns``),
    leaving out what ``reader_id`` moderates blind."""
    figures = summarise(Level(level), period, replace(scope, blind_to=reader_id), today=today,
                        criterion_types=criterion_types)
    return summary_tables(figures, threshold)


@dataclass(frozen=True)
class TrendReport:
    """One series per group, and the same numbers as a table for downloads and the API."""

    series: tuple[TrendSeries, ...]
    metric: Metric
    table: Table


def trend_report(level: str, metric: Metric, months: int, scope: Scope, *, reader_id: int,
                 held: Scope | None, today: dt.date, threshold: int | None) -> TrendReport:
    """``months`` to the last whole month, by ``level`` ("council": the scope as one series);
    a reader ``held`` to a team sees only that team, and nobody sees what they moderate blind."""
    chosen = Level.TEAM if held else (None if level == "council" else Level(level))
    series = trends(chosen, last_month=last_whole_month(today), months=months, metric=metric,
                    scope=replace(held or scope, blind_to=reader_id), threshold=threshold)
    rows = []
    for s in series:
        rows += trend_rows(s.group_id, s.name, s.months, s.counts, s.values, s.chart, s.hidden)
    return TrendReport(tuple(series), metric, trend_table(rows, metric.label))


def coverage_report(today: dt.date, threshold: int | None) -> Table:
    return coverage_table(coverage(today), threshold)


def high_risk_report(today: dt.date) -> Table:
    """Every open high-risk case never audited: it names cases (never for HR)."""
    cases, _total = never_audited_high_risk(today, limit=ALL_HIGH_RISK)
    return high_risk_table(cases)

"""Monthly SPC trends per service or team (or the whole council) from one grouped query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from audit_service.domain.summaries.periods import trailing_months
from audit_service.domain.summaries.spc import (
    SpcOptions,
    Variation,
    XmrChart,
    classify,
    false_dawns,
    xmr,
)
from audit_service.services.summaries.figures import Level, Scope, group_names, monthly_series

DEFAULT_MONTHS = 24


class Metric(StrEnum):
    GOOD_OR_BETTER = "good_or_better_pct"
    MEAN_SCORE = "mean_score"

    @property
    def label(self) -> str:
        return {"good_or_better_pct": "Audits rated Good or better (%)",
                "mean_score": "Mean overall score (1 to 4)"}[self.value]


@dataclass
class TrendSeries:
    group_id: int | None
    name: str
    months: list[str]
    counts: list[int]
    values: list[float | None]
    hidden: list[bool]
    chart: XmrChart | None
    variation: Variation | None
    false_dawn_months: list[str] = field(default_factory=list)
    note: str = ""


def _value(metric: Metric, n: int, good: int, mean: float | None) -> float | None:
    if not n:
        return None
    return 100 * good / n if metric is Metric.GOOD_OR_BETTER else mean


def trends(
    level: Level | None,
    *,
    last_month: dt.date,
    months: int = DEFAULT_MONTHS,
    metric: Metric = Metric.GOOD_OR_BETTER,
    scope: Scope | None = None,
    threshold: int | None = None,
    options: SpcOptions | None = None,
) -> list[TrendSeries]:
    """One series per group (or one for the whole scope when ``level`` is None).

    With a ``threshold`` (HR), a month built from fewer audits is hidden, and a
    series with a hidden month gets no chart: its limits would reveal the month.
    """
    scope = scope or Scope()
    periods = trailing_months(last_month, months)
    keys = [p.key for p in periods]
    data = monthly_series(periods, scope, level)
    if level is None:
        groups = {None: "All teams"}
    elif level is Level.PRACTITIONER:
        raise ValueError("trends are drawn for services and teams, not practitioners")
    else:
        groups = group_names(level, scope)
    result = []
    for gid, name in sorted(groups.items(), key=lambda kv: kv[1].casefold()):
        by_month = data.get(gid, {})
        counts = [by_month.get(k, (0, 0, None))[0] for k in keys]
        values = [_value(metric, *by_month.get(k, (0, 0, None))) for k in keys]
        hidden = [threshold is not None and 0 < n < threshold for n in counts]
        chart, variation, dawns, note = None, None, [], ""
        if any(hidden):
            note = ("Some months have too few audits to show, so no chart is drawn. "
                    "Choose a longer period or a larger group.")
        elif any(v is None for v in values):
            note = "Some months have no audits, so no chart is drawn."
        elif len(values) >= 2:
            chart = xmr([v for v in values if v is not None], options)
            variation = classify(chart, higher_is_better=True)
            dawns = [keys[i] for i in false_dawns(chart)]
            if not chart.enough_points:
                note = (f"Fewer than {chart.options.minimum_points} months: "
                        "the process limits are provisional.")
        shown = [None if h else v for v, h in zip(values, hidden, strict=True)]
        result.append(TrendSeries(gid, name, keys, counts, shown, hidden, chart, variation,
                                  dawns, note))
    return result

"""Summary figures as the tables pages, exports and the API all show, suppressed for HR.

One function builds each table, so a page, its CSV/XLSX download and the API
give the same numbers under the same column ids (documented in
``docs/summaries.md``; Power BI reports depend on them, so never rename one).
Suppression follows ``domain.summaries.suppression``: counts built from 1 to
``threshold - 1`` audits become ``c``, with secondary suppression in every row
and column published with a total.
"""

from __future__ import annotations

from collections.abc import Sequence

from audit_service.domain.summaries.bands import (
    CASELOAD_BANDS,
    EMPLOYMENT_BANDS,
    SERVICE_BANDS,
    WORKER_CHANGE_BANDS,
    band_label,
)
from audit_service.domain.summaries.spc import XmrChart, classify, false_dawns
from audit_service.domain.summaries.suppression import SUPPRESSED, suppress_grid, suppress_line
from audit_service.exports.base import Table, table
from audit_service.services.summaries.figures import (
    BREAKDOWN_ORDER,
    GOOD_OR_BETTER,
    GRADES,
    GroupFigures,
    Summary,
)

MODERATION_NOTE = "Moderation agreement is not available yet: moderation is not recorded."

GROUP_COLUMNS = (
    ("period", "Period"),
    ("level", "Level"),
    ("group_id", "Group id"),
    ("group", "Group"),
    ("audits_sampled", "Cases sampled"),
    ("audits_completed", "Audits completed"),
    ("completed_on_time", "Completed on time"),
    ("completed_on_time_pct", "Completed on time (%)"),
    ("audits_submitted", "Audits submitted"),
    ("outstanding", "Outstanding"),
    ("good", "Good"),
    ("requires_improvement", "Requires improvement"),
    ("inadequate", "Inadequate"),
    ("not_graded", "Not graded"),
    ("good_or_better_pct", "Good or better (%)"),
    ("mean_score", "Mean score"),
    ("actions", "Actions"),
    ("actions_done", "Actions done"),
    ("actions_done_on_time", "Actions done on time"),
    ("actions_overdue", "Actions overdue"),
    ("actions_done_pct", "Actions done (%)"),
    ("moderation_agreement_pct", "Moderation agreement (%)"),
)
DOMAIN_COLUMNS = (
    ("period", "Period"), ("level", "Level"), ("group_id", "Group id"), ("group", "Group"),
    ("domain_id", "Domain id"), ("domain", "Domain"), ("audits", "Audits graded"),
    ("mean_score", "Mean score"),
)
CRITERION_COLUMNS = (
    ("period", "Period"), ("rank", "Rank (1 = weakest)"), ("domain_id", "Domain id"),
    ("domain", "Domain"), ("criterion_id", "Criterion id"), ("criterion", "Criterion"),
    ("ratings", "Ratings"), ("mean_score", "Mean score"),
)
BREAKDOWN_COLUMNS = (
    ("period", "Period"), ("dimension", "Breakdown id"), ("breakdown", "Breakdown"),
    ("band_id", "Band id"), ("band", "Band"),
    ("audits", "Audits submitted"), ("good_or_better_pct", "Good or better (%)"),
    ("mean_score", "Mean score"),
)
TREND_COLUMNS = (
    ("month", "Month"), ("group_id", "Group id"), ("group", "Group"), ("audits", "Audits"),
    ("value", "Value"), ("mean", "Mean"), ("lower_limit", "Lower process limit"),
    ("upper_limit", "Upper process limit"), ("special_cause", "Special cause"),
    ("rules", "Rules"),
)
DIMENSION_LABELS = {
    "employment_type": "Employment type",
    "caseload_band": "Caseload (open cases now)",
    "length_of_service": "Length of service",
    "worker_changes": "Child's changes of social worker in 12 months (SSDA903)",
}
DIMENSION_BANDS = {
    "employment_type": EMPLOYMENT_BANDS,
    "caseload_band": CASELOAD_BANDS,
    "length_of_service": SERVICE_BANDS,
    "worker_changes": WORKER_CHANGE_BANDS,
}


def pct(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def _mean(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _c(value, hidden: bool):
    return SUPPRESSED if hidden else value


def group_table(summary: Summary, threshold: int | None) -> Table:
    """One row per group, then the ``All`` row; ``threshold`` None means no suppression."""
    figures = [*summary.groups, summary.total]
    rows = [_group_row(summary, f) for f in figures]
    if threshold is not None:
        _suppress_groups(summary.groups, rows, threshold)
    return table("summary", f"Summary by {summary.level.value}, {summary.period.label}",
                 GROUP_COLUMNS, [tuple(r[c] for c, _ in GROUP_COLUMNS) for r in rows])


def _group_row(summary: Summary, f: GroupFigures) -> dict:
    return {
        "period": summary.period.key, "level": summary.level.value,
        "group_id": f.group_id, "group": f.name,
        "audits_sampled": f.sampled, "audits_completed": f.completed,
        "completed_on_time": f.on_time, "completed_on_time_pct": pct(f.on_time, f.sampled),
        "audits_submitted": f.audits, **{g: f.grades[g] for g in GRADES},
        "not_graded": f.not_graded,
        "good_or_better_pct": pct(f.good_or_better, f.audits),
        "mean_score": _mean(f.mean_score),
        "actions": f.actions, "actions_done": f.actions_done,
        "actions_done_on_time": f.actions_done_on_time, "actions_overdue": f.actions_overdue,
        "actions_done_pct": pct(f.actions_done, f.actions),
        "moderation_agreement_pct": None,
    }


def _suppress_groups(groups: Sequence[GroupFigures], rows: list[dict], threshold: int) -> None:
    """Hide in place. ``rows`` is the groups followed by the total row."""
    n = len(groups)
    quality_cols = [*GRADES, "not_graded"]
    grid = [[g.grades[x] for x in GRADES] + [g.not_graded] for g in groups]
    small = [i for i, g in enumerate(groups) if 0 < g.audits < threshold]
    quality = suppress_grid(grid, threshold, hide_rows=small)
    for i, row in enumerate(rows):
        hidden_row = quality.row_hidden(i) if i < n else quality.grand_total
        hidden_cells = {c for c, _ in enumerate(quality_cols)
                        if (i < n and (i, c) in quality.cells)
                        or (i == n and c in quality.column_totals)}
        for c, col in enumerate(quality_cols):
            row[col] = _c(row[col], hidden_row or c in hidden_cells)
        sides = {quality_cols[c] in GOOD_OR_BETTER for c in hidden_cells}
        mixed = len(sides) > 1 or (hidden_cells and not sides)
        row["audits_submitted"] = _c(row["audits_submitted"], hidden_row)
        row["good_or_better_pct"] = _c(row["good_or_better_pct"], hidden_row or bool(mixed))
        row["mean_score"] = _c(row["mean_score"], hidden_row)

    sampling = suppress_grid(
        [[g.on_time, g.completed - g.on_time, g.sampled - g.completed] for g in groups],
        threshold)
    actions = suppress_grid(
        [[g.actions_done_on_time, g.actions_done - g.actions_done_on_time, g.actions_overdue,
          g.actions - g.actions_done - g.actions_overdue] for g in groups], threshold,
        hide_rows=[i for i in range(n) if quality.row_hidden(i)])
    for i, row in enumerate(rows):
        def hid(result, c, i=i):
            return (i, c) in result.cells if i < n else c in result.column_totals

        total_hidden = sampling.row_hidden(i) if i < n else sampling.grand_total
        row["audits_sampled"] = _c(row["audits_sampled"], total_hidden)
        row["audits_completed"] = _c(row["audits_completed"],
                                     total_hidden or hid(sampling, 0) or hid(sampling, 1))
        row["completed_on_time"] = _c(row["completed_on_time"], total_hidden or hid(sampling, 0))
        row["completed_on_time_pct"] = _c(row["completed_on_time_pct"],
                                          total_hidden or hid(sampling, 0))
        a_hidden = actions.row_hidden(i) if i < n else actions.grand_total
        done_hidden = a_hidden or hid(actions, 0) or hid(actions, 1)
        row["actions"] = _c(row["actions"], a_hidden)
        row["actions_done"] = _c(row["actions_done"], done_hidden)
        row["actions_done_on_time"] = _c(row["actions_done_on_time"], a_hidden or hid(actions, 0))
        row["actions_overdue"] = _c(row["actions_overdue"], a_hidden or hid(actions, 2))
        row["actions_done_pct"] = _c(row["actions_done_pct"], done_hidden)


def domain_table(summary: Summary, threshold: int | None) -> Table:
    names = {g.group_id: g.name for g in summary.groups}
    rows = []
    for rubric_id in sorted({d.rubric_id for d in summary.domain_totals}):
        items = sorted((d for d in summary.domains if d.rubric_id == rubric_id),
                       key=lambda d: names.get(d.group_id, "").casefold())
        total = next(d for d in summary.domain_totals if d.rubric_id == rubric_id)
        hidden, total_hidden = (frozenset(), False)
        if threshold is not None:
            hidden, total_hidden = suppress_line([d.audits for d in items], threshold)
        for i, d in enumerate(items):
            rows.append((summary.period.key, summary.level.value, d.group_id,
                         names.get(d.group_id, "Not recorded"), d.rubric_id, d.domain,
                         _c(d.audits, i in hidden), _c(_mean(d.mean_score), i in hidden)))
        rows.append((summary.period.key, summary.level.value, None, "All", total.rubric_id,
                     total.domain, _c(total.audits, total_hidden),
                     _c(_mean(total.mean_score), total_hidden)))
    return table("domains", f"Mean score by domain, {summary.period.label}", DOMAIN_COLUMNS,
                 rows)


def criterion_table(summary: Summary, threshold: int | None) -> Table:
    rows = []
    for rank, c in enumerate(summary.criteria, start=1):
        hidden = threshold is not None and 0 < c.ratings < threshold
        rows.append((summary.period.key, rank, c.rubric_id, c.domain, c.criterion_id, c.prompt,
                     _c(c.ratings, hidden), _c(_mean(c.mean_score), hidden)))
    return table("criteria", f"Mean score by criterion, weakest first, {summary.period.label}",
                 CRITERION_COLUMNS, rows)


def breakdown_table(summary: Summary, threshold: int | None) -> Table:
    rows = []
    for dimension, order in BREAKDOWN_ORDER.items():
        found = {b.band_id: b for b in summary.breakdowns if b.dimension == dimension}
        items = [found[b] for b in [*order, *sorted(set(found) - set(order))] if b in found]
        result = None
        if threshold is not None and items:
            grid = [[b.good_or_better, b.audits - b.good_or_better] for b in items]
            result = suppress_grid(grid, threshold,
                                   hide_rows=[i for i, b in enumerate(items)
                                              if 0 < b.audits < threshold])
        for i, b in enumerate(items):
            row_hidden = bool(result and result.row_hidden(i))
            pct_hidden = row_hidden or bool(result and ((i, 0) in result.cells
                                                        or (i, 1) in result.cells))
            rows.append((summary.period.key, dimension, DIMENSION_LABELS[dimension], b.band_id,
                         band_label(DIMENSION_BANDS[dimension], b.band_id),
                         _c(b.audits, row_hidden),
                         _c(pct(b.good_or_better, b.audits), pct_hidden),
                         _c(_mean(b.mean_score), row_hidden)))
    return table("breakdowns", f"Breakdowns by workforce, {summary.period.label}",
                 BREAKDOWN_COLUMNS, rows)


def summary_tables(summary: Summary, threshold: int | None) -> dict[str, Table]:
    return {
        "summary": group_table(summary, threshold),
        "domains": domain_table(summary, threshold),
        "criteria": criterion_table(summary, threshold),
        "breakdowns": breakdown_table(summary, threshold),
    }


def trend_rows(group_id, name: str, months: Sequence[str], counts: Sequence[int],
               values: Sequence[float | None], chart: XmrChart | None,
               hidden: Sequence[bool]) -> list[tuple]:
    rows = []
    for i, month in enumerate(months):
        point = chart.points[i] if chart else None
        rules = ", ".join(sorted(r.value for r in point.rules)) if point else ""
        rows.append((
            month, group_id, name, _c(counts[i], hidden[i]),
            _c(None if values[i] is None else round(values[i], 2), hidden[i]),
            round(chart.mean, 2) if chart else None,
            round(chart.lower_limit, 2) if chart else None,
            round(chart.upper_limit, 2) if chart else None,
            (point.direction.value if point and point.special else "") if chart else "",
            rules,
        ))
    return rows


def trend_table(rows: list[tuple], title: str) -> Table:
    return table("trend", title, TREND_COLUMNS, rows)


__all__ = [
    "MODERATION_NOTE", "breakdown_table", "classify", "criterion_table", "domain_table",
    "false_dawns", "group_table", "summary_tables", "trend_rows", "trend_table",
]


COVERAGE_COLUMNS = (
    ("team_id", "Team id"), ("team", "Team"), ("case_type", "Case type"),
    ("open_cases", "Open cases"), ("audited_12m", "Audited in the last 12 months"),
    ("coverage_pct", "Coverage (%)"), ("high_risk_open", "High-risk open cases"),
    ("high_risk_never_audited", "High-risk cases never audited"),
)
HIGH_RISK_COLUMNS = (
    ("case_id", "Case id"), ("team", "Team"), ("case_type", "Case type"),
    ("risk_factors", "Risk factors"),
)


def coverage_table(rows, threshold: int | None) -> Table:
    """Coverage by team and case type. For HR, small counts are hidden like audit counts."""
    from audit_service.domain.vocabulary import CaseType

    audited = hr = None
    if threshold is not None and rows:
        audited = suppress_grid([[r.audited_12m, r.open_cases - r.audited_12m] for r in rows],
                                threshold)
        hr = suppress_grid([[r.high_risk_never_audited,
                             r.high_risk - r.high_risk_never_audited] for r in rows], threshold)
    out = []
    for i, r in enumerate(rows):
        open_hidden = bool(audited and audited.row_hidden(i))
        audited_hidden = open_hidden or bool(audited and (i, 0) in audited.cells)
        pct_hidden = audited_hidden or bool(audited and (i, 1) in audited.cells)
        hr_hidden = bool(hr and hr.row_hidden(i))
        out.append((r.team_id, r.team, CaseType(r.case_type).label, _c(r.open_cases, open_hidden),
                    _c(r.audited_12m, audited_hidden),
                    _c(pct(r.audited_12m, r.open_cases), pct_hidden),
                    _c(r.high_risk, hr_hidden),
                    _c(r.high_risk_never_audited, hr_hidden or bool(hr and (i, 0) in hr.cells))))
    return table("coverage", "Open cases audited in the last 12 months", COVERAGE_COLUMNS, out)


def high_risk_table(cases) -> Table:
    from audit_service.domain.vocabulary import CaseType

    return table("high_risk_never_audited", "High-risk open cases never audited",
                 HIGH_RISK_COLUMNS,
                 [(c.public_id, c.team, CaseType(c.case_type).label, "; ".join(c.reasons))
                  for c in cases])

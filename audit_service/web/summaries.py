"""``/summaries``, ``/summaries/trends`` and ``/coverage``: practice quality for HR and leaders.

Every table is built by ``services.summary_tables``, so the page, its CSV and
XLSX downloads and the API show the same numbers. HR sees suppressed figures and
never a case; every view and download is written to the audit trail.
"""

from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.summaries.suppression import SUPPRESSED
from audit_service.exports.base import Table
from audit_service.extension import registries
from audit_service.services.summaries import access
from audit_service.services.summaries import coverage as coverage_service
from audit_service.services.summaries.figures import (
    GRADE_LABELS,
    GRADES,
    Level,
    Scope,
    summarise,
)
from audit_service.services.summaries.tables import (
    MODERATION_NOTE,
    coverage_table,
    high_risk_table,
    summary_tables,
    trend_rows,
    trend_table,
)
from audit_service.services.summaries.trends import Metric, trends
from audit_service.web.access import require_roles
from audit_service.web.summary_filters import (
    TrendForm,
    parse_scope,
    scope_choices,
    summary_form,
)

bp = Blueprint("summaries", __name__)

TABLE_NAMES = ("summary", "domains", "criteria", "breakdowns")


def _user():
    return current_user.record


def _threshold() -> int | None:
    return access.threshold_for(_user(), access.configured_threshold(current_app.config))


def _fixed_scope() -> Scope | None:
    try:
        fixed = access.scope_for(_user(), Scope())
    except access.NoTeam:
        abort(403)
    return fixed if fixed != Scope() else None


def _download(table: Table, fmt: str, what: str, filters: dict) -> Response:
    exporter = registries().exporters.get(fmt)
    if exporter is None:
        abort(404)
    stream = io.BytesIO()
    exporter.write(table, stream)
    access.record(_user(), "summary.exported", what, {**filters, "format": fmt}, via="web",
                  remote_addr=request.remote_addr)
    response = Response(stream.getvalue(), mimetype=exporter.media_type)
    name = f"{table.name}-{filters.get('period', local_today().isoformat())}.{exporter.extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _summary(args):
    form, filters = summary_form(args, _fixed_scope())
    if filters is None:
        return form, None, None
    summary = summarise(filters.level, filters.period, filters.scope, today=local_today(),
                        criterion_types=registries().criterion_types)
    return form, filters, summary_tables(summary, _threshold())


def _chart(table: Table, label_col: str, value_col: str, title: str) -> dict:
    labels, values = [], []
    for row in table.as_dicts():
        labels.append(str(row[label_col]))
        value = row[value_col]
        values.append(None if value in (None, SUPPRESSED) else value)
    return {"type": "bar", "title": title, "labels": labels,
            "datasets": [{"label": title, "data": values}]}


@bp.get("/summaries")
@require_roles(*access.SUMMARY_ROLES)
def index():
    form, filters, tables = _summary(request.args)
    if filters is None:
        return render_template("summaries/index.html", form=form, tables=None), 400
    access.record(_user(), "summary.viewed", "summary", filters.as_args(), via="web",
                  remote_addr=request.remote_addr)
    groups = tables["summary"]
    chart_data = _chart(groups, "group", "good_or_better_pct", "Audits rated Good or better (%)")
    weakest = [r for r in tables["criteria"].as_dicts() if r["mean_score"] != SUPPRESSED][:5]
    return render_template(
        "summaries/index.html", form=form, filters=filters, tables=tables, chart_data=chart_data,
        weakest=weakest, grades=list(GRADES), grade_labels=GRADE_LABELS,
        suppressed=_threshold() is not None, threshold=_threshold(),
        moderation_note=MODERATION_NOTE, exporters=list(registries().exporters.ids()),
        export_args=filters.as_args(), table_names=TABLE_NAMES,
    )


@bp.get("/summaries/<name>.<fmt>")
@require_roles(*access.SUMMARY_ROLES)
def export(name: str, fmt: str):
    if name not in TABLE_NAMES:
        abort(404)
    _form, filters, tables = _summary(request.args)
    if filters is None:
        abort(400)
    return _download(tables[name], fmt, name, filters.as_args())


def _trend_request(args):
    form = TrendForm(args)
    fixed = _fixed_scope()
    form.scope.choices = scope_choices(fixed)
    if fixed is not None:
        form.scope.data = form.scope.choices[0][0]
        form.level.choices = [("team", "Team")]
        form.level.data = "team"
    if args and not form.validate():
        return form, None
    level = None if form.level.data == "council" else Level(form.level.data)
    scope = fixed or parse_scope(form.scope.data)
    metric = Metric(form.metric.data)
    months = int(form.months.data)
    end = local_today().replace(day=1)
    last = date(end.year - (end.month == 1), 12 if end.month == 1 else end.month - 1, 1)
    series = trends(level, last_month=last, months=months, metric=metric, scope=scope,
                    threshold=_threshold())
    filters = {"level": form.level.data, "metric": metric.value, "months": str(months),
               "scope": form.scope.data or ""}
    return form, (filters, metric, series)


def _trend_table(series, metric: Metric) -> Table:
    rows = []
    for s in series:
        rows += trend_rows(s.group_id, s.name, s.months, s.counts, s.values, s.chart, s.hidden)
    return trend_table(rows, metric.label)


@bp.get("/summaries/trends")
@require_roles(*access.SUMMARY_ROLES)
def trends_page():
    form, result = _trend_request(request.args)
    if result is None:
        return render_template("summaries/trends.html", form=form, series=None), 400
    filters, metric, series = result
    access.record(_user(), "summary.viewed", "trends", filters, via="web",
                  remote_addr=request.remote_addr)
    charts = [_trend_chart(s, metric) for s in series]
    return render_template("summaries/trends.html", form=form, series=series, charts=charts,
                           metric=metric, filters=filters, exporters=registries().exporters.ids(),
                           suppressed=_threshold() is not None, threshold=_threshold())


def _trend_chart(s, metric: Metric) -> dict | None:
    if s.chart is None:
        return None
    flags = [p.direction.value if p.special else "" for p in s.chart.points]
    return {"type": "spc", "title": f"{s.name}: {metric.label}", "labels": s.months,
            "values": [round(v, 2) for v in s.values], "flags": flags,
            "mean": round(s.chart.mean, 2), "upper": round(s.chart.upper_limit, 2),
            "lower": round(s.chart.lower_limit, 2)}


@bp.get("/summaries/trends.<fmt>")
@require_roles(*access.SUMMARY_ROLES)
def trends_export(fmt: str):
    _form, result = _trend_request(request.args)
    if result is None:
        abort(400)
    filters, metric, series = result
    return _download(_trend_table(series, metric), fmt, "trends", filters)


def _coverage():
    on = local_today()
    rows = coverage_service.coverage(on)
    return on, coverage_table(rows, _threshold())


@bp.get("/coverage")
@require_roles(*access.COVERAGE_ROLES)
def coverage():
    on, table = _coverage()
    cases, total = ([], 0)
    if access.may_list_cases(_user()):
        cases, total = coverage_service.never_audited_high_risk(on, limit=100)
    access.record(_user(), "summary.viewed", "coverage", {"as_of": on.isoformat()}, via="web",
                  remote_addr=request.remote_addr)
    return render_template("summaries/coverage.html", table=table, cases=cases,
                           case_total=total, may_list=access.may_list_cases(_user()),
                           exporters=registries().exporters.ids(), on=on,
                           suppressed=_threshold() is not None, threshold=_threshold())


@bp.get("/coverage.<fmt>")
@require_roles(*access.COVERAGE_ROLES)
def coverage_export(fmt: str):
    on, table = _coverage()
    return _download(table, fmt, "coverage", {"as_of": on.isoformat(), "period": on.isoformat()})


@bp.get("/coverage/high-risk.<fmt>")
@require_roles(*sorted(access.CASE_LIST_ROLES))
def high_risk_export(fmt: str):
    on = local_today()
    cases, _total = coverage_service.never_audited_high_risk(on, limit=100_000)
    return _download(high_risk_table(cases), fmt, "high_risk_never_audited",
                     {"as_of": on.isoformat(), "period": on.isoformat()})

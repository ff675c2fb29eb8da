"""``/summaries``, ``/summaries/trends`` and ``/coverage``: practice quality for HR and leaders.

Every table is built by ``services.summaries.reports``, so the page, its CSV and
XLSX downloads and the API show the same numbers. HR sees suppressed figures and
never a case; every view and download is written to the audit trail. A supervisor
without a team is refused by the service (``NoTeam``), with the reason.
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from audit_service.clock import local_today
from audit_service.domain.summaries.suppression import SUPPRESSED
from audit_service.exports.base import Table
from audit_service.extension import registries
from audit_service.services.errors import Invalid
from audit_service.services.summaries import access, reports
from audit_service.services.summaries import coverage as coverage_service
from audit_service.services.summaries.figures import GRADE_LABELS, GRADES, Scope
from audit_service.services.summaries.tables import MODERATION_NOTE
from audit_service.services.summaries.trends import Metric
from audit_service.web.access import require_roles
from audit_service.web.summary_filters import (
    show_refusal,
    summary_filters,
    summary_form,
    trend_form,
)

bp = Blueprint("summaries", __name__)

TABLE_NAMES = ("summary", "domains", "criteria", "breakdowns")
LISTED_HIGH_RISK = 100


def _user():
    return current_user.record


def _threshold() -> int | None:
    return access.threshold_for(_user(), access.configured_threshold(current_app.config))


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


def _summary(form, held: Scope | None):
    """The filters and the tables they give; neither when the form is refused."""
    filters = summary_filters(form, request.args, held)
    if filters is None:
        return None, None
    return filters, reports.summary_report(
        filters.level, filters.period, filters.scope, reader_id=_user().id, today=local_today(),
        threshold=_threshold(), criterion_types=registries().criterion_types)


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
    held = access.held_scope(_user())
    form = summary_form(request.args, held)
    try:
        filters, tables = _summary(form, held)
    except Invalid as exc:
        show_refusal(form, exc)
        return render_template("summaries/index.html", form=form, tables=None), exc.status
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
    held = access.held_scope(_user())
    filters, tables = _summary(summary_form(request.args, held), held)
    if filters is None:
        abort(400)
    return _download(tables[name], fmt, name, filters.as_args())


def _trends(args):
    """The form, and the filters to record with the report they give (None if refused)."""
    held = access.held_scope(_user())
    form = trend_form(args, held)
    if args and not form.validate():
        return form, None, None
    metric = Metric(form.metric.data)
    months = int(form.months.data)
    report = reports.trend_report(form.level.data, metric, months, Scope.parse(form.scope.data),
                                  reader_id=_user().id, held=held, today=local_today(),
                                  threshold=_threshold())
    filters = {"level": form.level.data, "metric": metric.value, "months": str(months),
               "scope": form.scope.data or ""}
    return form, filters, report


@bp.get("/summaries/trends")
@require_roles(*access.SUMMARY_ROLES)
def trends_page():
    form, filters, report = _trends(request.args)
    if report is None:
        return render_template("summaries/trends.html", form=form, series=None), 400
    access.record(_user(), "summary.viewed", "trends", filters, via="web",
                  remote_addr=request.remote_addr)
    charts = [_trend_chart(s, report.metric) for s in report.series]
    return render_template("summaries/trends.html", form=form, series=report.series,
                           charts=charts, metric=report.metric, filters=filters,
                           exporters=registries().exporters.ids(),
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
    _form, filters, report = _trends(request.args)
    if report is None:
        abort(400)
    return _download(report.table, fmt, "trends", filters)


@bp.get("/coverage")
@require_roles(*access.COVERAGE_ROLES)
def coverage():
    on = local_today()
    table = reports.coverage_report(on, _threshold())
    may_list = access.may_list_cases(_user())
    cases, total = ([], 0)
    if may_list:
        cases, total = coverage_service.never_audited_high_risk(on, limit=LISTED_HIGH_RISK)
    access.record(_user(), "summary.viewed", "coverage", {"as_of": on.isoformat()}, via="web",
                  remote_addr=request.remote_addr)
    return render_template("summaries/coverage.html", table=table, cases=cases,
                           case_total=total, may_list=may_list,
                           exporters=registries().exporters.ids(), on=on,
                           suppressed=_threshold() is not None, threshold=_threshold())


@bp.get("/coverage.<fmt>")
@require_roles(*access.COVERAGE_ROLES)
def coverage_export(fmt: str):
    on = local_today()
    return _download(reports.coverage_report(on, _threshold()), fmt, "coverage",
                     {"as_of": on.isoformat(), "period": on.isoformat()})


@bp.get("/coverage/high-risk.<fmt>")
@require_roles(*sorted(access.CASE_LIST_ROLES), case_readers=True)
def high_risk_export(fmt: str):
    on = local_today()
    return _download(reports.high_risk_report(on), fmt, "high_risk_never_audited",
                     {"as_of": on.isoformat(), "period": on.isoformat()})


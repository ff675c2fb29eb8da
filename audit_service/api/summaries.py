"""``GET /api/v1/summaries/...``: the summary tables for Power BI and other tools.

The same filters, roles, suppression and column ids as the pages and their
downloads (``docs/summaries.md``). Rows are paginated with ``page`` and
``page_size``; a suppressed figure is the string ``"c"``.
"""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask import current_app, request
from flask_smorest import abort

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import StrictSchema
from audit_service.clock import local_today
from audit_service.domain.summaries.periods import (
    Granularity,
    PeriodError,
    parse_period,
    period_containing,
)
from audit_service.extension import registries
from audit_service.services.summaries import access
from audit_service.services.summaries import coverage as coverage_service
from audit_service.services.summaries.figures import Level, Scope, summarise
from audit_service.services.summaries.tables import (
    BREAKDOWN_COLUMNS,
    COVERAGE_COLUMNS,
    CRITERION_COLUMNS,
    DOMAIN_COLUMNS,
    GROUP_COLUMNS,
    HIGH_RISK_COLUMNS,
    TREND_COLUMNS,
    coverage_table,
    high_risk_table,
    summary_tables,
    trend_rows,
    trend_table,
)
from audit_service.services.summaries.trends import Metric, trends

bp = Blueprint("api_summaries", __name__, url_prefix="/api/v1/summaries",
               description="Practice-quality summaries (suppressed for HR: `c` hides a figure)")


def _row_schema(name: str, columns) -> type[ma.Schema]:
    fields = {cid: ma.fields.Raw(allow_none=True, metadata={"description": label})
              for cid, label in columns}
    return StrictSchema.from_dict(fields, name=name)


GroupRow = _row_schema("SummaryGroupRow", GROUP_COLUMNS)
DomainRow = _row_schema("SummaryDomainRow", DOMAIN_COLUMNS)
CriterionRow = _row_schema("SummaryCriterionRow", CRITERION_COLUMNS)
BreakdownRow = _row_schema("SummaryBreakdownRow", BREAKDOWN_COLUMNS)
TrendRow = _row_schema("SummaryTrendRow", TREND_COLUMNS)
CoverageRow = _row_schema("CoverageRow", COVERAGE_COLUMNS)
HighRiskRow = _row_schema("HighRiskCaseRow", HIGH_RISK_COLUMNS)

SCOPE_DESCRIPTION = "`service:<id>` or `team:<id>`; leave out for the whole council"


class PagingSchema(StrictSchema):
    @ma.pre_load
    def _leave_paging_to_paginate(self, data, **_kwargs):
        return {k: v for k, v in data.items() if k not in ("page", "page_size")}


def _scope_field():
    return ma.fields.String(load_default="", validate=ma.validate.Regexp(
        r"^((service|team):\d+)?$", error="scope must be service:<id> or team:<id>"),
        metadata={"description": SCOPE_DESCRIPTION})


class SummaryQuery(PagingSchema):
    level = ma.fields.String(load_default=Level.TEAM.value,
                             validate=ma.validate.OneOf([lv.value for lv in Level]))
    period = ma.fields.String(
        load_default=None,
        metadata={"description": "`2026-03` (month), `2026-Q1` (quarter) or `2026` (year); "
                  "default: the last whole quarter"})
    scope = _scope_field()


class TrendQuery(PagingSchema):
    level = ma.fields.String(load_default="service",
                             validate=ma.validate.OneOf(["council", "service", "team"]))
    metric = ma.fields.String(load_default=Metric.GOOD_OR_BETTER.value,
                              validate=ma.validate.OneOf([m.value for m in Metric]))
    months = ma.fields.Integer(load_default=24, validate=ma.validate.Range(min=2, max=120))
    scope = _scope_field()


class CoverageQuery(PagingSchema):
    pass


def _scope(key: str) -> Scope:
    kind, _, number = key.partition(":")
    if kind == "service":
        return Scope(service_id=int(number))
    if kind == "team":
        return Scope(team_id=int(number))
    return Scope()


def _user_scope(requested: Scope) -> Scope:
    try:
        return access.scope_for(current_api_user(), requested)
    except access.NoTeam as exc:
        abort(403, message=str(exc))


def _threshold() -> int | None:
    return access.threshold_for(current_api_user(),
                                access.configured_threshold(current_app.config))


def _page(rows: list[dict], pagination) -> list[dict]:
    pagination.item_count = len(rows)
    start = (pagination.page - 1) * pagination.page_size
    return rows[start:start + pagination.page_size]


def _record(what: str, filters: dict) -> None:
    access.record(current_api_user(), "summary.viewed", what, filters, via="api",
                  remote_addr=request.remote_addr)


def _summary_rows(name: str, level: str, period: str | None, scope: str, pagination):
    try:
        chosen = (parse_period(period) if period
                  else period_containing(Granularity.QUARTER, local_today()).previous())
    except PeriodError as exc:
        abort(422, errors={"query": {"period": [str(exc)]}})
    summary = summarise(level, chosen, _user_scope(_scope(scope)), today=local_today(),
                        criterion_types=registries().criterion_types)
    table = summary_tables(summary, _threshold())[name]
    _record(name, {"level": level, "period": chosen.key, "scope": scope,
                   "page": pagination.page})
    return _page(table.as_dicts(), pagination)


@bp.route("/groups", methods=["GET"])
@require_api_roles(*access.SUMMARY_ROLES)
@bp.arguments(SummaryQuery, location="query", as_kwargs=True)
@bp.response(200, GroupRow(many=True))
@bp.paginate()
def groups(pagination_parameters, level, period, scope):
    """Sampling, grades, scores and actions per service, team or practitioner, then `All`."""
    return _summary_rows("summary", level, period, scope, pagination_parameters)


@bp.route("/domains", methods=["GET"])
@require_api_roles(*access.SUMMARY_ROLES)
@bp.arguments(SummaryQuery, location="query", as_kwargs=True)
@bp.response(200, DomainRow(many=True))
@bp.paginate()
def domains(pagination_parameters, level, period, scope):
    """Mean score by domain for each group, then `All`."""
    return _summary_rows("domains", level, period, scope, pagination_parameters)


@bp.route("/criteria", methods=["GET"])
@require_api_roles(*access.SUMMARY_ROLES)
@bp.arguments(SummaryQuery, location="query", as_kwargs=True)
@bp.response(200, CriterionRow(many=True))
@bp.paginate()
def criteria(pagination_parameters, level, period, scope):
    """Mean score by criterion over the scope, weakest first (`rank` 1)."""
    return _summary_rows("criteria", level, period, scope, pagination_parameters)


@bp.route("/breakdowns", methods=["GET"])
@require_api_roles(*access.SUMMARY_ROLES)
@bp.arguments(SummaryQuery, location="query", as_kwargs=True)
@bp.response(200, BreakdownRow(many=True))
@bp.paginate()
def breakdowns(pagination_parameters, level, period, scope):
    """Audits, Good or better and mean score by employment type, caseload and service length."""
    return _summary_rows("breakdowns", level, period, scope, pagination_parameters)


@bp.route("/trends", methods=["GET"])
@require_api_roles(*access.SUMMARY_ROLES)
@bp.arguments(TrendQuery, location="query", as_kwargs=True)
@bp.response(200, TrendRow(many=True))
@bp.paginate()
def trend(pagination_parameters, level, metric, months, scope):
    """Monthly values with the XmR mean, process limits and special-cause signals."""
    user_scope = _user_scope(_scope(scope))
    chosen_level = None if level == "council" else Level(level)
    if user_scope.team_id is not None and access.scope_for(current_api_user(), Scope()) != Scope():
        chosen_level = Level.TEAM
    end = local_today().replace(day=1) - dt.timedelta(days=1)
    series = trends(chosen_level, last_month=end, months=months, metric=Metric(metric),
                    scope=user_scope, threshold=_threshold())
    rows = []
    for s in series:
        rows += trend_rows(s.group_id, s.name, s.months, s.counts, s.values, s.chart, s.hidden)
    _record("trends", {"level": level, "metric": metric, "months": months, "scope": scope,
                       "page": pagination_parameters.page})
    return _page(trend_table(rows, Metric(metric).label).as_dicts(), pagination_parameters)


@bp.route("/coverage", methods=["GET"])
@require_api_roles(*access.COVERAGE_ROLES)
@bp.arguments(CoverageQuery, location="query", as_kwargs=True)
@bp.response(200, CoverageRow(many=True))
@bp.paginate()
def coverage(pagination_parameters):
    """Open cases audited in the last 12 months by team and case type."""
    table = coverage_table(coverage_service.coverage(local_today()), _threshold())
    _record("coverage", {"page": pagination_parameters.page})
    return _page(table.as_dicts(), pagination_parameters)


@bp.route("/coverage/high-risk", methods=["GET"])
@require_api_roles(*sorted(access.CASE_LIST_ROLES))
@bp.arguments(CoverageQuery, location="query", as_kwargs=True)
@bp.response(200, HighRiskRow(many=True))
@bp.paginate()
def high_risk(pagination_parameters):
    """Open high-risk cases never audited (not for HR: it names cases)."""
    cases, _total = coverage_service.never_audited_high_risk(local_today(), limit=100_000)
    _record("high_risk_never_audited", {"page": pagination_parameters.page})
    return _page(high_risk_table(cases).as_dicts(), pagination_parameters)

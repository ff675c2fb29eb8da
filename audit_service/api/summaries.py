"""``GET /api/v1/summaries/...``: the summary tables for Power BI and other tools.

The same filters, roles, suppression and column ids as the pages and their
downloads (``docs/summaries.md``). Rows are paginated with ``page`` and
``page_size``; a suppressed figure is the string ``"c"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import marshmallow as ma
from flask import current_app, request

from audit_service.api.auth import current_api_user, require_api_roles
from audit_service.api.blueprint import Blueprint
from audit_service.api.schemas import PagingSchema, StrictSchema
from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.exports.base import Table
from audit_service.extension import registries
from audit_service.services.summaries import access, reports
from audit_service.services.summaries.figures import Level, Scope
from audit_service.services.summaries.filters import choose_period
from audit_service.services.summaries.tables import (
    BREAKDOWN_COLUMNS,
    COVERAGE_COLUMNS,
    CRITERION_COLUMNS,
    DOMAIN_COLUMNS,
    GROUP_COLUMNS,
    HIGH_RISK_COLUMNS,
    TREND_COLUMNS,
)
from audit_service.services.summaries.trends import Metric

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
    """No filters: coverage is of the whole council on the day asked."""


def _rows_endpoint(path: str, roles: Iterable[Role], query: type[ma.Schema],
                   row: type[ma.Schema], *, case_readers: bool = False) -> Callable:
    """A GET of paginated ``row``s at ``path`` for ``roles``, filtered by ``query``:
    the shape every endpoint here has, so none can document or check it differently."""
    decorators = (bp.route(path, methods=["GET"]),
                  require_api_roles(*roles, case_readers=case_readers),
                  bp.arguments(query, location="query", as_kwargs=True),
                  bp.response(200, row(many=True)), bp.paginate())

    def decorate(view: Callable) -> Callable:
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return decorate


def _threshold() -> int | None:
    return access.threshold_for(current_api_user(),
                                access.configured_threshold(current_app.config))


def _rows(table: Table, what: str, filters: dict, pagination) -> list[dict]:
    """The page of ``table`` asked for; the read is recorded with its filters and page."""
    access.record(current_api_user(), "summary.viewed", what,
                  {**filters, "page": pagination.page}, via="api",
                  remote_addr=request.remote_addr)
    rows = table.as_dicts()
    pagination.item_count = len(rows)
    start = (pagination.page - 1) * pagination.page_size
    return rows[start:start + pagination.page_size]


def _summary_endpoint(name: str, table: str, row: type[ma.Schema], doc: str) -> Callable:
    """``/<name>``: one of the summary's tables, for the level, period and scope asked."""

    def view(pagination_parameters, level, period, scope):
        today = local_today()
        chosen = choose_period(period, today)
        tables = reports.summary_report(
            level, chosen, access.scope_for(current_api_user(), Scope.parse(scope)),
            reader_id=current_api_user().id, today=today, threshold=_threshold(),
            criterion_types=registries().criterion_types)
        return _rows(tables[table], table, {"level": level, "period": chosen.key, "scope": scope},
                     pagination_parameters)

    view.__name__ = view.__qualname__ = name
    view.__doc__ = doc
    return _rows_endpoint(f"/{name}", access.SUMMARY_ROLES, SummaryQuery, row)(view)


groups = _summary_endpoint(
    "groups", "summary", GroupRow,
    "Sampling, grades, scores and actions per service, team or practitioner, then `All`.")
domains = _summary_endpoint("domains", "domains", DomainRow,
                            "Mean score by domain for each group, then `All`.")
criteria = _summary_endpoint("criteria", "criteria", CriterionRow,
                             "Mean score by criterion over the scope, weakest first (`rank` 1).")
breakdowns = _summary_endpoint(
    "breakdowns", "breakdowns", BreakdownRow,
    "Audits, Good or better and mean score by employment type, caseload and service length.")


@_rows_endpoint("/trends", access.SUMMARY_ROLES, TrendQuery, TrendRow)
def trend(pagination_parameters, level, metric, months, scope):
    """Monthly values with the XmR mean, process limits and special-cause signals."""
    report = reports.trend_report(level, Metric(metric), months, Scope.parse(scope),
                                  reader_id=current_api_user().id,
                                  held=access.held_scope(current_api_user()),
                                  today=local_today(), threshold=_threshold())
    return _rows(report.table, "trends",
                 {"level": level, "metric": metric, "months": months, "scope": scope},
                 pagination_parameters)


@_rows_endpoint("/coverage", access.COVERAGE_ROLES, CoverageQuery, CoverageRow)
def coverage(pagination_parameters):
    """Open cases audited in the last 12 months by team and case type."""
    return _rows(reports.coverage_report(local_today(), _threshold()), "coverage", {},
                 pagination_parameters)


@_rows_endpoint("/coverage/high-risk", sorted(access.CASE_LIST_ROLES), CoverageQuery,
                HighRiskRow, case_readers=True)
def high_risk(pagination_parameters):
    """Open high-risk cases never audited (not for HR: it names cases)."""
    return _rows(reports.high_risk_report(local_today()), "high_risk_never_audited", {},
                 pagination_parameters)

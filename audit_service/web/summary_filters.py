"""The filters shared by the summary pages and their downloads, read from the query string."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wtforms import Form, SelectField

from audit_service.clock import local_today
from audit_service.domain.summaries.periods import (
    Granularity,
    Period,
    PeriodError,
    parse_period,
    period_containing,
)
from audit_service.services.summaries.figures import Level, Scope
from audit_service.services.summaries.trends import Metric
from audit_service.storage.models import Service, Team

PERIODS_LISTED = {Granularity.MONTH: 36, Granularity.QUARTER: 20, Granularity.YEAR: 6}


def period_choices(granularity: Granularity, on: dt.date) -> list[tuple[str, str]]:
    period = period_containing(granularity, on)
    choices = []
    for _ in range(PERIODS_LISTED[granularity]):
        choices.append((period.key, period.label))
        period = period.previous()
    return choices


def default_period(granularity: Granularity, on: dt.date) -> Period:
    """The last whole period: this one is still filling up."""
    return period_containing(granularity, on).previous()


def scope_choices(fixed: Scope | None = None) -> list[tuple[str, str]]:
    if fixed is not None and fixed.team_id is not None:
        team = Team.get_by_id(fixed.team_id)
        return [(f"team:{team.id}", team.name)]
    choices = [("", "The whole council")]
    choices += [(f"service:{sid}", name) for sid, name in
                Service.select(Service.id, Service.name).order_by(Service.name).tuples()]
    choices += [(f"team:{tid}", name) for tid, name in
                Team.select(Team.id, Team.name).order_by(Team.name).tuples()]
    return choices


def parse_scope(value: str | None) -> Scope:
    kind, _, number = (value or "").partition(":")
    if kind == "service" and number.isdigit():
        return Scope(service_id=int(number))
    if kind == "team" and number.isdigit():
        return Scope(team_id=int(number))
    return Scope()


class SummaryForm(Form):
    """Read from the query string: looking changes nothing, so it is a GET without CSRF."""

    level = SelectField("Show figures by", choices=[(lv.value, lv.label) for lv in Level],
                        default=Level.TEAM.value)
    granularity = SelectField("Period length", choices=[
        ("month", "Month"), ("quarter", "Quarter"), ("year", "Year")], default="quarter")
    period = SelectField("Period", choices=[], validate_choice=False)
    scope = SelectField("Services and teams", choices=[], default="")


@dataclass(frozen=True)
class SummaryFilters:
    level: Level
    period: Period
    scope: Scope
    scope_key: str

    def as_args(self) -> dict[str, str]:
        return {"level": self.level.value, "granularity": self.period.granularity.value,
                "period": self.period.key, "scope": self.scope_key}


def summary_form(args, fixed: Scope | None) -> tuple[SummaryForm, SummaryFilters | None]:
    """The form and, when it is valid, the filters it describes."""
    form = SummaryForm(args)
    on = local_today()
    granularity = Granularity(form.granularity.data if form.granularity.data in
                              {g.value for g in Granularity} else "quarter")
    form.period.choices = period_choices(granularity, on)
    form.scope.choices = scope_choices(fixed)
    if fixed is not None:
        form.scope.data = form.scope.choices[0][0]
    if args and not form.validate():
        return form, None
    try:
        period = parse_period(form.period.data) if form.period.data else None
    except PeriodError as exc:
        form.period.errors = [str(exc)]
        return form, None
    if period is None:
        period = default_period(granularity, on)
    elif period.granularity is not granularity:
        period = period_containing(granularity, period.start)
    if period.key not in dict(form.period.choices):
        form.period.choices.insert(0, (period.key, period.label))
    form.period.data = period.key
    scope_key = form.scope.data or ""
    return form, SummaryFilters(Level(form.level.data or Level.TEAM.value), period,
                                fixed or parse_scope(scope_key), scope_key)


class TrendForm(Form):
    level = SelectField("Chart each", choices=[("council", "Whole council"),
                                               ("service", "Service"), ("team", "Team")],
                        default="service")
    metric = SelectField("Measure", choices=[(m.value, m.label) for m in Metric],
                         default=Metric.GOOD_OR_BETTER.value)
    months = SelectField("Months", choices=[("12", "12 months"), ("24", "24 months"),
                                            ("36", "36 months"), ("60", "60 months")],
                         default="24")
    scope = SelectField("Services and teams", choices=[], default="")

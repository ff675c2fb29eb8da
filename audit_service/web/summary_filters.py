"""The filters shared by the summary pages and their downloads, read from the query string."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wtforms import Form, SelectField

from audit_service.clock import local_today
from audit_service.domain.summaries.periods import Granularity, Period, period_containing
from audit_service.services.errors import Invalid
from audit_service.services.summaries.figures import Level, Scope
from audit_service.services.summaries.filters import choose_period, scope_options
from audit_service.services.summaries.trends import Metric

PERIODS_LISTED = {Granularity.MONTH: 36, Granularity.QUARTER: 20, Granularity.YEAR: 6}


def period_choices(granularity: Granularity, on: dt.date) -> list[tuple[str, str]]:
    period = period_containing(granularity, on)
    choices = []
    for _ in range(PERIODS_LISTED[granularity]):
        choices.append((period.key, period.label))
        period = period.previous()
    return choices


def scope_choices(held: Scope | None) -> list[tuple[str, str]]:
    return [(option.key, option.name) for option in scope_options(held)]


def show_refusal(form: Form, refusal: Invalid) -> None:
    """Put a service's reasons beside the fields they concern, for the error summary."""
    for name, message in refusal.error_for.items():
        form[name].errors = [message]


class SummaryForm(Form):
    """Read from the query string: looking changes nothing, so it is a GET without CSRF."""

    level = SelectField("Show figures by", choices=[(lv.value, lv.label) for lv in Level],
                        default=Level.TEAM.value)
    granularity = SelectField("Period length", choices=[
        ("month", "Month"), ("quarter", "Quarter"), ("year", "Year")], default="quarter")
    period = SelectField("Period", choices=[], validate_choice=False)
    scope = SelectField("Services and teams", choices=[], default="")

    @property
    def chosen_granularity(self) -> Granularity:
        value = self.granularity.data
        return Granularity(value if value in {g.value for g in Granularity} else "quarter")


@dataclass(frozen=True)
class SummaryFilters:
    level: Level
    period: Period
    scope: Scope
    scope_key: str

    def as_args(self) -> dict[str, str]:
        return {"level": self.level.value, "granularity": self.period.granularity.value,
                "period": self.period.key, "scope": self.scope_key}


def summary_form(args, held: Scope | None) -> SummaryForm:
    """The form with its choices; a reader held to a team has only that team to choose."""
    form = SummaryForm(args)
    form.period.choices = period_choices(form.chosen_granularity, local_today())
    form.scope.choices = scope_choices(held)
    if held is not None:
        form.scope.data = form.scope.choices[0][0]
    return form


def summary_filters(form: SummaryForm, args, held: Scope | None) -> SummaryFilters | None:
    """What the form asks for (the defaults without ``args``); None when the form is refused.
    A wrong period is the service's refusal, ``InvalidPeriod``."""
    if args and not form.validate():
        return None
    period = choose_period(form.period.data, local_today(), form.chosen_granularity)
    if period.key not in dict(form.period.choices):
        form.period.choices.insert(0, (period.key, period.label))
    form.period.data = period.key
    scope_key = form.scope.data or ""
    return SummaryFilters(Level(form.level.data or Level.TEAM.value), period,
                          held or Scope.parse(scope_key), scope_key)


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


def trend_form(args, held: Scope | None) -> TrendForm:
    """The form with its choices; a reader held to a team charts that team alone."""
    form = TrendForm(args)
    form.scope.choices = scope_choices(held)
    if held is not None:
        form.scope.data = form.scope.choices[0][0]
        form.level.choices = [("team", "Team")]
        form.level.data = "team"
    return form

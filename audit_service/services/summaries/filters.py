"""What a reader may choose in the summaries' filters: the period, and which services and teams.

Pages (the filter form) and the API (query parameters) read the same choices and
refuse the same wrong period, so a link and a Power BI query mean the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audit_service.domain.months import Month
from audit_service.domain.summaries.periods import (
    Granularity,
    Period,
    PeriodError,
    parse_period,
    period_containing,
)
from audit_service.services.errors import Invalid
from audit_service.services.summaries.figures import Scope
from audit_service.storage.models import Service, Team


class InvalidPeriod(Invalid):
    """A period that is not a month, quarter or year; the message gives examples."""


@dataclass(frozen=True)
class ScopeOption:
    """One choice of services and teams: ``key`` is what a link or query carries."""

    key: str
    name: str


def scope_options(held: Scope | None = None) -> list[ScopeOption]:
    """The whole council, each service and each team; only their own team for a reader
    held to one."""
    if held is not None and held.team_id is not None:
        team = Team.get_by_id(held.team_id)
        return [ScopeOption(held.key, team.name)]
    services = Service.select(Service.id, Service.name).order_by(Service.name).tuples()
    teams = Team.select(Team.id, Team.name).order_by(Team.name).tuples()
    return ([ScopeOption("", "The whole council")]
            + [ScopeOption(Scope(service_id=sid).key, name) for sid, name in services]
            + [ScopeOption(Scope(team_id=tid).key, name) for tid, name in teams])


def last_whole_period(granularity: Granularity, today: dt.date) -> Period:
    """The default: this period is still filling up."""
    return period_containing(granularity, today).previous()


def last_whole_month(today: dt.date) -> dt.date:
    """The first day of the last whole month, where trends end."""
    return Month.of(today).previous().first_day


def choose_period(key: str | None, today: dt.date,
                  granularity: Granularity | None = None) -> Period:
    """The period ``key`` names, else the last whole quarter (or ``granularity``); with a
    ``granularity`` the page asks for, the period of that length that ``key`` starts in."""
    if not key:
        return last_whole_period(granularity or Granularity.QUARTER, today)
    try:
        period = parse_period(key)
    except PeriodError as exc:
        raise InvalidPeriod("That period is not a month, quarter or year.",
                            {"period": str(exc)}) from None
    if granularity is not None and period.granularity is not granularity:
        period = period_containing(granularity, period.start)
    return period

"""Jinja filters that show stored values the way GOV.UK style asks for them."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from audit_service.clock import local_time
from audit_service.domain.rubrics import DEFAULT_SCALE
from audit_service.domain.vocabulary import AgeBand, CaseType, Role


def local_datetime(value: dt.datetime | None) -> str:
    """Naive-UTC storage shown in the service's time zone: '5 January 2024 at 3:04pm'."""
    if value is None:
        return ""
    local = local_time(value)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def long_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def role_label(value: str | Role) -> str:
    try:
        return Role(value).label
    except ValueError:
        return str(value)


def case_type_label(value: str | None) -> str:
    """"looked_after" as "Looked after"."""
    try:
        return CaseType(value).label
    except ValueError:
        return str(value)


def age_band_label(value: str | None) -> str:
    """"1_4" as "1 to 4"; no band as "Not known"."""
    try:
        return AgeBand(value).label if value else "Not known"
    except ValueError:
        return str(value)


def grade_level(value: str | None) -> dict[str, str] | None:
    """A stored grade id as the ``{id, label}`` the grade tag shows; None stays None."""
    if not value or not DEFAULT_SCALE.has_level(value):
        return None
    level = DEFAULT_SCALE.level(value)
    return {"id": level.id, "label": level.label}


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(role_label, "role_label")
    app.add_template_filter(grade_level, "grade_level")
    app.add_template_filter(age_band_label, "age_band_label")
    app.add_template_filter(case_type_label, "case_type_label")

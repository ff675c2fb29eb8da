"""Workforce bands for breakdowns: caseload, length of service, changes of social worker.

Bands are fixed and named with stable ids, because exported column values are
read by other tools (Power BI) and must not shift when the data does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    id: str
    label: str


CASELOAD_BANDS: tuple[tuple[Band, int, int | None], ...] = (
    (Band("0-10", "0 to 10 open cases"), 0, 10),
    (Band("11-15", "11 to 15 open cases"), 11, 15),
    (Band("16-20", "16 to 20 open cases"), 16, 20),
    (Band("21+", "21 or more open cases"), 21, None),
)

SERVICE_BANDS: tuple[tuple[Band, int, int | None], ...] = (
    (Band("<1y", "Less than 1 year"), 0, 1),
    (Band("1-2y", "1 to 2 years"), 1, 2),
    (Band("2-5y", "2 to 5 years"), 2, 5),
    (Band("5y+", "5 years or more"), 5, None),
)
#: Changes of social worker in the audited child's last 12 months (from the SSDA903): how
#: often a child's relationship with their worker broke, beside the quality of their file.
WORKER_CHANGE_BANDS: tuple[tuple[Band, int, int | None], ...] = (
    (Band("0-1", "None or one change of social worker"), 0, 1),
    (Band("2", "Two changes of social worker"), 2, 2),
    (Band("3+", "Three or more changes of social worker"), 3, None),
)
UNKNOWN = Band("unknown", "Not known")

EMPLOYMENT_BANDS: tuple[Band, ...] = (
    Band("permanent", "Permanent"),
    Band("agency", "Agency"),
)


def caseload_band(open_cases: int) -> Band:
    if open_cases < 0:
        raise ValueError(f"a caseload cannot be negative ({open_cases})")
    for band, low, high in CASELOAD_BANDS:
        if low <= open_cases and (high is None or open_cases <= high):
            return band
    raise AssertionError("bands cover every non-negative number")


def years_before(day: dt.date, years: int) -> dt.date:
    """The same date ``years`` earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def service_band(started_on: dt.date | None, on: dt.date) -> Band:
    """Length of service at ``on``: under a year is ``<1y``; exactly one year is ``1-2y``."""
    if started_on is None:
        return UNKNOWN
    for band, _low, high in SERVICE_BANDS:
        if high is None or started_on > years_before(on, high):
            return band
    raise AssertionError("the last band is open-ended")


def service_band_cutoffs(on: dt.date) -> list[tuple[Band, dt.date | None]]:
    """``(band, started after)`` in order, for a SQL CASE that matches ``service_band``."""
    return [(band, years_before(on, high) if high is not None else None)
            for band, _low, high in SERVICE_BANDS]


def band_label(bands: tuple, band_id: str) -> str:
    for entry in bands:
        band = entry[0] if isinstance(entry, tuple) else entry
        if band.id == band_id:
            return band.label
    return UNKNOWN.label if band_id == UNKNOWN.id else band_id

"""Reading the children's social work workforce census (CSWW XML) for what HR summaries need.

The census is the council's own return to the DfE: one ``CSWWWorker`` per social worker, with
agency status, dates in role and the worker's Social Work England number (``SWENo``), the one
identifier that matches a census worker to a staff record here. It also carries each worker's
date of birth, gender, ethnicity, absence and qualifications. None of that is needed to read
practice quality by employment type and length of service, so none of it is read: a record
holds the number, agency status and role dates only.

Reading is streamed (``iterparse``, each worker dropped once read) through defusedxml, so a
council's whole workforce, or a hostile file with entity expansions, costs no more than one
worker's element at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from audit_service.domain.imports.case_records import RowError
from audit_service.domain.imports.xml_returns import ReturnFileError, records, texts
from audit_service.domain.social_work_england import SweNumberError, swe_number

WORKER = "CSWWWorker"


class WorkforceFileError(ValueError):
    """Not a workforce census at all (not XML, or no ``Message`` of ``CSWWWorker``s)."""


@dataclass(frozen=True, slots=True)
class WorkerRecord:
    """One census worker, as much as matching and HR breakdowns need."""

    swe_number: str
    #: The worker's place in the file (1 for the first ``CSWWWorker``), for the report.
    row: int
    agency: bool | None = None
    started_on: dt.date | None = None
    left_on: dt.date | None = None


def _flag(text: str | None) -> bool | None:
    value = (text or "").strip()
    return {"1": True, "0": False, "true": True, "false": False}.get(value.lower()) \
        if value else None


def _date(text: str | None) -> dt.date | None:
    value = (text or "").strip()
    return dt.date.fromisoformat(value) if value else None


def read_workforce_census(stream: BinaryIO) -> Iterator[WorkerRecord | RowError]:
    """A ``WorkerRecord`` per readable worker and a ``RowError`` per problem, in file order.

    A worker without a readable, unrepeated Social Work England number is refused (it could
    not be matched to anyone); an unreadable agency flag or date is a warning: the worker is
    read without that value. Raises ``WorkforceFileError`` when the file is not a census.
    """
    seen: dict[str, int] = {}
    try:
        for row, element in enumerate(records(stream, WORKER, "a workforce census"), start=1):
            yield from _worker(element, row, seen)
    except ReturnFileError as exc:
        raise WorkforceFileError(str(exc)) from None


def _worker(element, row: int, seen: dict[str, int]) -> Iterator[WorkerRecord | RowError]:
    values = texts(element)
    raw = values.get("SWENo", "")
    try:
        number = swe_number(raw)
    except SweNumberError as exc:
        yield RowError(WORKER, row, "SWENo", raw, str(exc))
        return
    if number is None:
        yield RowError(WORKER, row, "SWENo", "", "No Social Work England number: the worker "
                       "cannot be matched to a staff record")
        return
    if number in seen:
        yield RowError(WORKER, row, "SWENo", raw, f"The same number as worker {seen[number]}; "
                       "only the first is read")
        return
    seen[number] = row
    warnings: list[RowError] = []
    agency = _flag(values.get("AgencyWorker"))
    if agency is None and values.get("AgencyWorker"):
        warnings.append(RowError(WORKER, row, "AgencyWorker", values["AgencyWorker"],
                                 "Agency status must be 1 (agency) or 0 (employed by the "
                                 "council); left as it was", imported=True))
    dates: dict[str, dt.date | None] = {}
    for column in ("RoleStartDate", "RoleEndDate"):
        try:
            dates[column] = _date(values.get(column))
        except ValueError:
            dates[column] = None
            warnings.append(RowError(WORKER, row, column, values[column],
                                     "A date must be written YYYY-MM-DD; left as it was",
                                     imported=True))
    yield WorkerRecord(number, row, agency, dates["RoleStartDate"], dates["RoleEndDate"])
    yield from warnings

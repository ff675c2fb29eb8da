"""Build small Annex A workbooks in tests, so each fixture shows exactly what it covers."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from openpyxl import Workbook

LIST_6 = [
    "Child Unique ID", "Gender", "Date of Birth", "CIN Start Date", "Date Child Was Last Seen",
    "CIN Closure Date", "Reason for Closure", "Case Status", "Allocated Team", "Allocated Worker",
]
LIST_7 = [
    "Child Unique ID", "Date of Birth", "Child Protection Plan Start Date",
    "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
    "Child Protection Plan End Date", "Number of Previous Child Protection Plans",
    "Allocated Team", "Allocated Worker",
]
LIST_8 = [
    "Child Unique ID", "Date of Birth", "Date Started to be Looked After",
    "Date of Last Social Work Visit", "Number of Placements in the Last 12 months",
    "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
    "Allocated Team", "Allocated Worker",
]
LIST_9 = [
    "Child Unique ID", "Date of Birth", "Allocated Team", "Allocated Worker",
    "Allocated Personal Advisor", "Latest Date of Contact",
]
LIST_3 = [
    "Child Unique ID", "Date of Birth", "Number of Referrals in Last 12 Months",
    "Allocated Team", "Allocated Worker",
]


def d(day: int, month: int, year: int) -> dt.datetime:
    """An Excel date cell."""
    return dt.datetime(year, month, day)


def workbook_bytes(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """An .xlsx with one sheet per entry; the first row of each is its header.

    openpyxl saves formulas (``"=B2+5"``) without a cached result, which is
    exactly the case the importer must report.
    """
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stream(data: bytes, name: str = "annex_a.xlsx") -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def cin_row(child: int, seen: dt.datetime | None = None, team: str = "Locality 1",
            worker: str = "Ann Smith", status: str = "c)") -> list[object]:
    return [child, "a) Male", d(1, 5, 2015), d(1, 1, 2023), seen or d(3, 1, 2024), None, None,
            status, team, worker]


def cp_row(child: int, team: str = "Locality 1", worker: str = "Ann Smith") -> list[object]:
    return [child, d(1, 5, 2015), d(1, 9, 2023), d(20, 1, 2024), "a) Yes", None, 0, team, worker]


def cla_row(child: int, team: str = "Children in Care", worker: str = "Bo Lee") -> list[object]:
    return [child, d(1, 5, 2012), d(1, 3, 2022), d(10, 1, 2024), 1, None, None, team, worker]


def caseload(cin: Sequence[int] = (), cp: Sequence[int] = (), cla: Sequence[int] = ()) -> bytes:
    """A workbook of Lists 6, 7 and 8 holding these children (each list even when empty)."""
    return workbook_bytes({
        "List 6": [LIST_6, *(cin_row(child) for child in cin)],
        "List 7": [LIST_7, *(cp_row(child) for child in cp)],
        "List 8": [LIST_8, *(cla_row(child) for child in cla)],
    })

"""Small Annex A workbooks built in memory for import tests."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

HEADINGS = ["Child Unique ID", "Date of Birth", "Allocated Team", "Allocated Worker"]


def small_list6_workbook() -> bytes:
    """Three readable children on List 6, one impossible birth date, one row without an id."""
    book = Workbook()
    sheet = book.active
    sheet.title = "List 6"
    sheet.append(HEADINGS)
    sheet.append(["C001", dt.datetime(2015, 3, 1), "Team A", "Ann Smith"])
    sheet.append(["C002", "31/02/2015", "Team A", "Ann Smith"])
    sheet.append(["C003", "01/04/2016", "Team B", "Bob Jones"])
    sheet.append(["", "01/04/2016", "Team B", "Bob Jones"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

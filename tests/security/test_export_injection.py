"""Summary exports cannot carry a formula into a spreadsheet, whatever the data holds.

Team, worker and theme names come from uploaded files and forms, so any of them
may start with ``=``, ``+``, ``-`` or ``@`` (CSV injection: ``=cmd|' /C calc'!A0``,
``=HYPERLINK(...)``). Each built-in exporter must write such text so that a
spreadsheet shows it as text, keep numbers as numbers, and never fail on text a
spreadsheet cannot hold (control characters).
"""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from audit_service.exports.base import FORMULA_STARTS, table
from audit_service.exports.formats import CsvExporter, XlsxExporter

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
ATTACKS = st.sampled_from([
    "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
    "\t=1", "\r=1", "=1", "==", "-", "+", "@", "\x00=1", " =1", "\u00a0", "\x01\x02",
])
TEXT = st.one_of(ATTACKS, st.text(st.characters(exclude_categories=("Cs",)), max_size=15),
                 st.builds("{}{}".format, st.sampled_from("=+-@"), st.text(max_size=8)))
# Figures in summaries are counts, percentages and scores: a few decimals at most.
CELL = st.one_of(TEXT, st.integers(-10**6, 10**6),
                 st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 4)), st.none())
TABLES = st.lists(st.tuples(TEXT, CELL, CELL), min_size=1, max_size=6).map(
    lambda rows: table("summary", "Summary", [("group", "Group"), ("a", "A"), ("b", "B")], rows))


def _is_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def _expected_text(value: str) -> str:
    """What a person should see: control characters marked, formulas quoted."""
    shown = "".join("\ufffd" if ord(c) < 32 and c not in "\t\n\r" else c for c in value)
    return "'" + shown if _is_formula(shown) else shown


@FUZZ
@given(data=TABLES)
def test_csv_cells_never_start_a_formula(data) -> None:
    stream = io.BytesIO()
    CsvExporter().write(data, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig"), newline="")))
    assert rows[0] == data.column_ids
    assert len(rows) == len(data.rows) + 1
    for written, original in zip(rows[1:], data.rows, strict=True):
        for cell, value in zip(written, original, strict=True):
            if isinstance(value, str):
                assert not _is_formula(cell) and cell == _expected_text(value), cell
            elif isinstance(value, int | float):
                assert float(cell) == value  # numbers stay numbers (a minus sign included)


@FUZZ
@given(data=TABLES)
def test_xlsx_cells_are_never_formulas(data) -> None:
    stream = io.BytesIO()
    XlsxExporter().write(data, stream)
    sheet = load_workbook(io.BytesIO(stream.getvalue())).active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(data.rows)
    for written, original in zip(rows, data.rows, strict=True):
        for cell, value in zip(written, original, strict=True):
            assert cell.data_type != "f", cell.value
            if isinstance(value, str) and value:  # XML stores a carriage return as a newline
                assert cell.value == _expected_text(value).replace("\r", "\n")
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert cell.value == value and cell.data_type == "n"

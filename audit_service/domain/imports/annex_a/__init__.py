"""Ofsted Annex A: which lists and columns we read, and how each cell is understood.

Pure Python over plain cell values, so the workbook and CSV importers (and the
tests) share one set of rules: ``SheetReader`` turns a list's rows into
``CaseRecord`` values and ``RowError`` reports.
"""

from audit_service.domain.imports.annex_a.headers import header_key, match_headers
from audit_service.domain.imports.annex_a.lists import (
    CASELOAD_LISTS,
    LISTS,
    ListSpec,
    list_from_headings,
    list_number,
)
from audit_service.domain.imports.annex_a.rows import SheetReader
from audit_service.domain.imports.annex_a.values import (
    CellProblem,
    SpreadsheetError,
    UncalculatedFormula,
    is_missing,
    parse_date,
)

__all__ = [
    "CASELOAD_LISTS",
    "LISTS",
    "CellProblem",
    "ListSpec",
    "SheetReader",
    "SpreadsheetError",
    "UncalculatedFormula",
    "header_key",
    "is_missing",
    "list_from_headings",
    "list_number",
    "match_headers",
    "parse_date",
]

"""Turn the rows of one Annex A list into case records and row errors.

Shared by the workbook and CSV importers: they only supply row numbers and
cell values. A bad value in a fact column is reported and the row is still
imported without it, so one typo never drops a child from the caseload; a row
without a usable child id cannot be matched to a case and is not imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from audit_service.domain.imports.annex_a.headers import Column, Need, column_letter, match_headers
from audit_service.domain.imports.annex_a.lists import ListSpec
from audit_service.domain.imports.annex_a.values import CellProblem, display, is_missing
from audit_service.domain.imports.case_records import CaseRecord, RowError, SourceRef
from audit_service.domain.vocabulary import CaseType, age_band

NOT_IMPORTED = "the row was not imported"
IMPORTED_WITHOUT = "the row was imported without this value"

_STATUS_TYPES = {
    "a": CaseType.LOOKED_AFTER,
    "b": CaseType.CHILD_PROTECTION,
    "c": CaseType.CHILD_IN_NEED,
    "d": CaseType.OPEN_ASSESSMENT,
}
_CLOSED_STATUS = "e"


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


class SheetReader:
    """Reads the data rows of one list, given its header row."""

    def __init__(
        self,
        sheet: str,
        spec: ListSpec,
        header_cells: Sequence[object],
        *,
        as_of: dt.date,
        header_row: int = 1,
    ):
        self.sheet = sheet
        self.spec = spec
        self.as_of = as_of
        self.header_row = header_row
        match = match_headers(header_cells, spec.fields)
        self.columns: dict[str, Column] = match.columns
        self.header_errors: list[RowError] = []
        for _field, heading, first, again in match.repeated:
            self.header_errors.append(self._header_error(
                heading,
                heading,
                f"this heading appears more than once (columns {column_letter(first)} and "
                f"{column_letter(again)}); only column {column_letter(first)} was read",
                imported=True,
            ))
        required = [f for f in match.missing if f.need is Need.REQUIRED]
        # Without a child id nothing else matters, so report that alone.
        for field in required or match.missing:
            if field.need is Need.REQUIRED:
                self.header_errors.append(self._header_error(
                    field.heading,
                    "",
                    f"no {field.heading} column in the header row, so no row can be matched "
                    "to a case; the sheet was not imported",
                    imported=False,
                ))
            elif field.need is Need.EXPECTED:
                self.header_errors.append(self._header_error(
                    field.heading,
                    "",
                    "no column with this heading; every row was imported without it",
                    imported=True,
                ))

    @property
    def readable(self) -> bool:
        return "child_id" in self.columns

    def _header_error(self, column: str, value: str, reason: str, *, imported: bool
                      ) -> RowError:
        return RowError(self.sheet, self.header_row, column, value, reason, imported)

    def read(self, row: int, cells: Sequence[object]) -> list[CaseRecord | RowError]:
        """The record for one data row (if any) followed by its problems."""
        if not self.readable or all(is_missing(c) for c in cells):
            return []
        values: dict[str, object] = {}
        errors: list[RowError] = []
        for key, column in self.columns.items():
            raw = _cell(cells, column)
            try:
                values[key] = column.field.parse(raw)
            except CellProblem as problem:
                values[key] = None
                kept = key != "child_id"
                tail = IMPORTED_WITHOUT if kept else NOT_IMPORTED
                errors.append(self._error(row, column, cells, f"{problem}; {tail}",
                                          imported=kept))
        if values.get("child_id") is None:
            if not any(e.column == self.columns["child_id"].heading for e in errors):
                errors.insert(0, self._error(
                    row, self.columns["child_id"], cells,
                    "the child id is blank, so the row cannot be matched to a case; "
                    + NOT_IMPORTED,
                    imported=False,
                ))
            return self._in_column_order(errors)
        if values.get("authorised_on") is not None:
            # A completed assessment is history, not an open case.
            return []
        case_type = self.spec.case_type
        closed_on = values.get("closed_on")
        status = values.get("case_status")
        if status is not None:
            if status.letter == _CLOSED_STATUS and closed_on is None:
                errors.append(self._error(
                    row, self.columns["case_status"], cells,
                    f"the Case Status says the episode is closed but there is no "
                    f"{self.spec.field('closed_on').heading}; the case was imported as open",
                    imported=True,
                ))
            case_type = _STATUS_TYPES.get(status.letter, case_type)
        self._check_dates(row, cells, values, errors)
        born = values.get("date_of_birth")
        record = CaseRecord(
            child_id=values["child_id"],
            case_type=case_type,
            source=SourceRef(self.sheet, row),
            team_name=values.get("team_name"),
            worker_name=values.get("worker_name") or values.get("personal_adviser"),
            opened_on=values.get("opened_on"),
            closed_on=closed_on,
            closure_reason=values.get("closure_reason") if closed_on else None,
            age_band=age_band(born, self.as_of) if born else None,
            last_seen_on=values.get("last_seen_on"),
            seen_alone=values.get("seen_alone"),
            referrals_12m=values.get("referrals_12m"),
            previous_cp_plans=values.get("previous_cp_plans"),
            placements_12m=values.get("placements_12m"),
        )
        return [record, *self._in_column_order(errors)]

    def _check_dates(
        self, row: int, cells: Sequence[object], values: dict, errors: list[RowError]
    ) -> None:
        """Dates that cannot be true are reported and left out rather than trusted."""
        born = values.get("date_of_birth")
        start_key = self.spec.start_field
        started = values.get(start_key) if start_key else None
        limit = self.spec.pre_birth_limit
        # As a difference of dates: ``born - limit`` overflows for a birth date in year 1.
        if born and started and limit is not None and born - started > limit:
            column = self.columns[start_key]
            if limit:
                reason = (f"{_fmt(started)} is more than {limit.days // 7} weeks before the "
                          f"Date of Birth {_fmt(born)}")
            else:
                reason = f"{_fmt(started)} is before the Date of Birth {_fmt(born)}"
            errors.append(self._error(row, column, cells,
                                      f"{reason}; {IMPORTED_WITHOUT}", imported=True))
            values[start_key] = None
        seen = values.get("last_seen_on")
        if seen and seen > self.as_of:
            column = self.columns["last_seen_on"]
            errors.append(self._error(
                row, column, cells,
                f"{_fmt(seen)} is after the import date {_fmt(self.as_of)}; {IMPORTED_WITHOUT}",
                imported=True,
            ))
            values["last_seen_on"] = None

    def _in_column_order(self, errors: list[RowError]) -> list[RowError]:
        order = {c.heading: c.index for c in self.columns.values()}
        return sorted(errors, key=lambda e: order.get(e.column, -1))

    def _error(
        self, row: int, column: Column, cells: Sequence[object], reason: str, *, imported: bool
    ) -> RowError:
        return RowError(self.sheet, row, column.heading, display(_cell(cells, column)), reason,
                        imported)


def _cell(cells: Sequence[object], column: Column) -> object:
    return cells[column.index] if column.index < len(cells) else None

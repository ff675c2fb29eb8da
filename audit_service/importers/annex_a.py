"""The built-in readers for Ofsted's Annex A: the workbook itself, or one CSV with its columns.

Both only turn cells into values; the rules for headings, codes and dates live
in ``audit_service.domain.imports.annex_a`` so the two formats behave identically.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, VALUE_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from audit_service.domain.imports.annex_a import (
    CASELOAD_LISTS,
    LISTS,
    ListSpec,
    SheetReader,
    SpreadsheetError,
    UncalculatedFormula,
    header_key,
    is_missing,
    list_from_headings,
    list_number,
    match_headers,
)
from audit_service.domain.imports.annex_a.lists import CHILD_ID
from audit_service.domain.imports.annex_a.values import display
from audit_service.domain.imports.case_records import CaseRecord, ListRead, RowError
from audit_service.importers.base import CaseImporter

Item = CaseRecord | RowError | ListRead
_TEXT = f"{{{SHEET_MAIN_NS}}}t"
_RUN = f"{{{SHEET_MAIN_NS}}}r"


class UnreadableFile(ValueError):
    """The whole file cannot be read (wrong format, no Annex A lists); nothing was imported."""


#: A workbook is a zip of XML. A real Annex A return of 20,000 children expands to tens of
#: megabytes at ratios of 5 to 30; a file built to exhaust the server expands hundreds of
#: times. Both limits are checked from the zip's directory, before anything is parsed.
MAX_EXPANDED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 100


def _check_expansion(stream: BinaryIO) -> None:
    """Refuse a workbook that would expand out of bounds, reading only its zip directory."""
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: openpyxl says so in its own words
    finally:
        stream.seek(0)
    expanded = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    if expanded > MAX_EXPANDED_BYTES or expanded / packed > MAX_RATIO:
        raise UnreadableFile(
            f"the workbook expands to {expanded / 1024 / 1024:,.0f} MB "
            f"({expanded / packed:,.0f} times its packed size), more than an Annex A return "
            f"can hold (at most {MAX_EXPANDED_BYTES // 1024 // 1024} MB and {MAX_RATIO} times); "
            "it was not read"
        )


def _damaged(exc: SyntaxError) -> UnreadableFile:
    return UnreadableFile(
        f"the workbook is damaged and cannot be read ({exc}); open it in Excel, save it "
        "again as an .xlsx workbook and try again"
    )


def _caseload_names() -> str:
    names = [f"List {n}" for n in CASELOAD_LISTS]
    return ", ".join(names[:-1]) + " or " + names[-1]


class AnnexAWorkbookImporter(CaseImporter):
    """Ofsted's Annex A workbook: sheets ``List 6`` to ``List 9`` (plus Lists 3 and 4).

    Sheets are found by name (``List 6``, ``list6``, ``List 6 - CIN``) and
    columns by heading. Rows stream from the file, so memory stays flat
    however long the lists are. Formulas are read from their saved results; a
    formula saved without one is reported for that cell.
    """

    id = "annex-a-xlsx"
    label = "Ofsted Annex A workbook (.xlsx)"
    extensions = (".xlsx", ".xlsm")
    reports_lists = True

    def read(self, stream: BinaryIO, *, as_of: dt.date) -> Iterator[Item]:
        if not stream.seekable():
            stream = io.BytesIO(stream.read())
        _check_expansion(stream)
        try:
            workbook = load_workbook(stream, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
            raise UnreadableFile(
                "the file is not an Excel workbook (.xlsx); save the Annex A return from Excel "
                "as an .xlsx workbook and try again"
            ) from exc
        except SyntaxError as exc:  # the XML parsers' errors: a part's XML is damaged
            raise _damaged(exc) from exc
        try:
            sheets = [found for sheet in workbook.worksheets
                      if (found := _find_list(sheet.title, _SheetRows(workbook, sheet)))]
            if not any(list_.spec.number in CASELOAD_LISTS for list_ in sheets):
                titles = ", ".join(repr(s.title) for s in workbook.worksheets) or "none"
                raise UnreadableFile(
                    f"the workbook has no {_caseload_names()} sheet, so it holds no caseload "
                    f"(its sheets are: {titles})"
                )
            for list_ in sheets:
                yield from _read_sheet(list_, as_of)
        except SyntaxError as exc:
            raise _damaged(exc) from exc
        finally:
            workbook.close()


class AnnexACsvImporter(CaseImporter):
    """One CSV file with Annex A's column headings (UTF-8 with or without a BOM, or Windows-1252;
    any line endings).

    A CSV has no sheets, so each row's list is decided in this order:

    1. a ``List`` column (``List 7`` or ``7``), so one file can hold several lists;
    2. otherwise the file name (``annex_a_list_8.csv``);
    3. otherwise the headings (a ``Child Protection Plan Start Date`` column means List 7);
    4. otherwise List 6, whose ``Case Status`` column gives each child's case type.

    Rows are reported under the list's name (``List 7``) with their row number
    as a spreadsheet shows it (the header is row 1).
    """

    id = "annex-a-csv"
    label = "Annex A columns as CSV (.csv)"
    extensions = (".csv",)
    reports_lists = True

    def read(self, stream: BinaryIO, *, as_of: dt.date) -> Iterator[Item]:
        name = display(PurePath(str(getattr(stream, "name", "") or "")).name) or "the CSV file"
        if not stream.seekable():
            stream = io.BytesIO(stream.read())
        encoding = _sniff_encoding(stream)
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            yield from self._read_rows(csv.reader(text), name, as_of)
        except csv.Error as exc:
            raise UnreadableFile(f"{name} is not a readable CSV file: {exc}") from exc
        except UnicodeDecodeError as exc:  # not UTF-8, and bytes Windows-1252 never uses
            raise UnreadableFile(
                f"{name} is not a text CSV file (it holds bytes that are neither UTF-8 nor "
                "Windows-1252); save it from Excel as \"CSV UTF-8\" and try again"
            ) from exc
        finally:
            text.detach()

    def _read_rows(self, rows: Iterator[list[str]], name: str, as_of: dt.date) -> Iterator[Item]:
        numbered = enumerate(rows, start=1)
        leading = _leading_rows(numbered)
        if not leading:
            raise UnreadableFile(f"{name} is empty: there is no header row")
        # The header is the first row naming a child id column (a title row may stand above
        # it, as in Ofsted's template), else the first row, whose problems are then reported.
        at = next((i for i, (_, cells) in enumerate(leading) if _has_child_id(cells)), 0)
        header_row, header = leading[at]
        list_column = _list_column(header)
        fixed_list = (_list_from_name(name) or list_from_headings(header) or 6
                      if list_column is None else None)
        readers: dict[int, SheetReader] = {}
        for number, cells in itertools.chain(leading[at + 1:], numbered):
            if all(is_missing(c) for c in cells):
                continue
            if list_column is not None:
                raw = cells[list_column] if list_column < len(cells) else ""
                which = list_number(raw) if not is_missing(raw) else None
                if which not in LISTS:
                    yield RowError(
                        name, number, display(header[list_column].strip()), display(raw),
                        "not an Annex A list: expected List 3, 4, 6, 7, 8 or 9; "
                        "the row was not imported",
                    )
                    continue
            else:
                which = fixed_list
            reader = readers.get(which)
            if reader is None:
                reader = SheetReader(
                    f"List {which}", LISTS[which], header, as_of=as_of, header_row=header_row
                )
                readers[which] = reader
                yield from reader.header_errors
            yield from reader.read(number, cells)
        for which, reader in readers.items():
            if reader.readable and LISTS[which].creates_cases:
                yield ListRead(reader.sheet, LISTS[which].case_type)


#: How many non-blank rows may stand above a list's header (Ofsted's template puts a title
#: row there; councils add notes and blank rows).
HEADER_SEARCH = 10


def _leading_rows(numbered: Iterator[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The first ``HEADER_SEARCH`` non-blank rows, where a header row may be."""
    leading: list[tuple[int, list[str]]] = []
    for number, cells in numbered:
        if not all(is_missing(c) for c in cells):
            leading.append((number, cells))
            if len(leading) >= HEADER_SEARCH:
                break
    return leading


def _has_child_id(cells: Sequence[object]) -> bool:
    """Whether a row is a header row: it names the child id column every list has."""
    return bool(match_headers(cells, (CHILD_ID,)).columns)


_LIST_HEADINGS = {
    header_key(h) for h in ("List", "Annex A List", "List Number", "List No", "Sheet")
}


def _list_column(header: list[str]) -> int | None:
    return next((i for i, h in enumerate(header) if header_key(h) in _LIST_HEADINGS), None)


def _list_from_name(name: str) -> int | None:
    found = list_number(PurePath(name).stem)
    return found if found in LISTS else None


def _sniff_encoding(stream: BinaryIO) -> str:
    """UTF-8 (BOM or not) unless the bytes say otherwise; Excel's "CSV" is Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(1 << 16):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
    stream.seek(0)
    return encoding


@dataclass
class _FoundList:
    """A sheet holding an Annex A list we read, and where its header row is."""

    title: str
    spec: ListSpec
    rows: _SheetRows
    #: (row number, cells) of the header, or of the first non-blank row when no row holds
    #: the list's child id column (the reader then reports what is missing).
    header: tuple[int, list[object]] | None


def _find_list(title: str, rows: _SheetRows) -> _FoundList | None:
    """The list a sheet holds, by its name (``List 6``, ``CIN``, ``6. Children in need``) or,
    failing that, by the headings of a header row near its top; None for any other sheet."""
    number = list_number(title)
    if number is not None and number not in LISTS:
        return None  # a list of Annex A that holds no caseload facts
    leading: list[tuple[int, list[object]]] = []
    for row in rows:
        if all(is_missing(c) for c in row[1]):
            continue
        leading.append(row)
        found = number if number is not None else list_from_headings(row[1])
        if found is not None and _has_child_id(row[1]):
            return _FoundList(title, LISTS[found], rows, row)
        if len(leading) >= HEADER_SEARCH:
            break
    if number is None:
        return None
    return _FoundList(title, LISTS[number], rows, leading[0] if leading else None)


def _read_sheet(found: _FoundList, as_of: dt.date) -> Iterator[Item]:
    if found.header is None:
        return  # an empty sheet: nothing read, so nothing of its kind closes
    header_row, cells = found.header
    reader = SheetReader(found.title, found.spec, cells, as_of=as_of, header_row=header_row)
    yield from reader.header_errors
    if not reader.readable:
        return
    found.rows.wanted = {column.index + 1 for column in reader.columns.values()}
    for number, row in found.rows:
        if number > header_row:
            yield from reader.read(number, row)
    if found.spec.creates_cases:
        yield ListRead(found.title, found.spec.case_type)


class _SavedResultParser(WorkSheetParser):
    """openpyxl's streaming sheet parser with a lean cell reader for ``data_only`` reading.

    It keeps what ``data_only`` hides: a formula saved without a result and a
    cell holding an error (``#REF!``) come back as marker values, which the
    importer reports. Once the header is known, cells in columns nobody reads
    are skipped unparsed: a 34-column List 8 needs only 9 of them.
    """

    wanted: set[int] | None = None

    def parse_cell(self, element):
        ref = element.get("r")
        column = (
            column_index_from_string(ref.rstrip("0123456789")) if ref else self.col_counter + 1
        )
        self.col_counter = column
        if self.wanted is not None and column not in self.wanted:
            return None
        data_type = element.get("t", "n")
        value = element.findtext(VALUE_TAG)
        if element.find(FORMULA_TAG) is not None:
            # Parsed for every formula so shared formulas can be translated.
            formula = str(self.parse_formula(element))
            if not value and data_type != "inlineStr":
                return {"column": column, "value": UncalculatedFormula(formula)}
        return {"column": column, "value": self._value(element, data_type, value)}

    def _value(self, element, data_type: str, value: str | None) -> object:
        if data_type == "inlineStr":
            inline = element.find(INLINE_STRING)
            if inline is None:
                return None
            if inline.find(_TEXT) is not None:
                return inline.findtext(_TEXT)
            return "".join(run.findtext(_TEXT) or "" for run in inline.findall(_RUN))
        if value is None or value == "":
            return None
        if data_type == "n":
            try:
                number = float(value) if ("." in value or "e" in value.lower()) else int(value)
            except ValueError:  # not a number, or past int()'s 4,300 digits
                return SpreadsheetError("#NUM!")
            style = int(element.get("s", 0))
            if style in self.date_formats:
                try:
                    return from_excel(
                        number, self.epoch, timedelta=style in self.timedelta_formats
                    )
                except (OverflowError, ValueError):
                    return SpreadsheetError("#VALUE!")
            return number
        if data_type == "s":
            try:
                return self.shared_strings[int(value)]
            except (ValueError, IndexError):  # points at no shared string
                return SpreadsheetError("#REF!")
        if data_type == "e":
            return SpreadsheetError(value)
        if data_type == "b":
            return value == "1"
        if data_type == "d":
            return from_ISO8601(value)
        return value


class _SheetRows:
    """(row number, cell values) for each stored row, streamed from the file.

    Set ``wanted`` (1-based column numbers) to parse only those columns.
    """

    def __init__(self, workbook, sheet):
        self.workbook = workbook
        self.sheet = sheet
        self.wanted: set[int] | None = None

    def __iter__(self) -> Iterator[tuple[int, list[object]]]:
        workbook, sheet = self.workbook, self.sheet
        with sheet._get_source() as source:
            parser = _SavedResultParser(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            for number, parsed in parser.parse():
                parser.wanted = self.wanted
                cells = [c for c in parsed if c is not None]
                if not cells:
                    continue
                values: list[object] = [None] * max(c["column"] for c in cells)
                for cell in cells:
                    values[cell["column"] - 1] = cell["value"]
                yield number, values


__all__ = ["AnnexACsvImporter", "AnnexAWorkbookImporter", "UnreadableFile"]

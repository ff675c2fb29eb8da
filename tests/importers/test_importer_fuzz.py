"""Hostile Annex A files: every failure is a file error or a row error, never a crash.

Cells come from the ways real exports go wrong and from hostile uploads:
dates in a dozen formats, blanks and ``#N/A``, text past the column limit,
spreadsheet formulas (``=cmd|...``), unicode and control characters, numbers as
text and numbers past any real count. Whole files are also random bytes. The
importers may only yield case records and row errors that name the list, row
and column (and can be stored and shown), or raise ``UnreadableFile`` with a
reason. Through the import service, on both databases, a file is imported
whole or not at all: a failed import changes no case.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from audit_service.domain.imports.case_records import CaseRecord, ListRead, RowError
from audit_service.importers.annex_a import (
    AnnexACsvImporter,
    AnnexAWorkbookImporter,
    UnreadableFile,
)
from audit_service.services.imports.case_import import ImportFailed, import_file
from audit_service.storage.models import Case, ImportBatch, RejectedRow
from tests.importers.builders import LIST_3, LIST_6, LIST_7, LIST_8, LIST_9, workbook_bytes
from tests.support.installed import installed

AS_OF = dt.date(2024, 1, 31)
HEADERS = {"List 3": LIST_3, "List 6": LIST_6, "List 7": LIST_7, "List 8": LIST_8,
           "List 9": LIST_9}
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

DATES = st.sampled_from([
    "01/02/2023", "1/2/2023", "2023-02-01", "01-02-2023", "01.02.23", "31/02/2023",
    "00/01/2023", "2023-13-01", "01/02/2023 00:00", "2023-02-01T00:00:00", "01/02/0001",
    "45000", "45000.5", "1", "9999999", "1e308", "Feb 1 2023",
    "\u0661/\u0662/\u0662\u0660\u0662\u0663",  # 1/2/2023 in Arabic-Indic digits
])
SPECIAL_VALUES = [
    "", " ", "\xa0", "#N/A", "#REF!", "N/A", "=cmd|' /C calc'!A0", "=1+1", "+1", "-1", "@SUM(A1)",
    "\x00", "C\x00001", "\x1b[31m", "\u202eevil", "yes", "No", "a) Looked after child",
    "e) Closed", "z) Unknown", "List 7", "7", "List 12", "9" * 30, "9" * 5000, "-0", "1.0",
    "1.5", "NaN", "inf", "TRUE", "x" * 300, "<script>", "'; DROP TABLE cases; --",
]
SPECIAL = st.sampled_from(SPECIAL_VALUES)
CELLS = st.one_of(SPECIAL, DATES, st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
                  st.integers(-10, 10**6).map(str))


def _check_items(items: list, sheets: set[str]) -> None:
    """Only records and row errors, each one a person can act on and the database can store."""
    for item in items:
        assert isinstance(item, CaseRecord | RowError | ListRead), item
        if isinstance(item, ListRead):
            assert item.sheet in sheets, item
            continue
        texts = [item.sheet, item.column, item.value, item.reason] if isinstance(
            item, RowError) else [item.child_id, item.team_name or "", item.worker_name or "",
                                  item.closure_reason or "", item.source.sheet]
        for text in texts:
            assert isinstance(text, str) and "\x00" not in text, item
        if isinstance(item, RowError):
            assert item.sheet in sheets and item.row >= 1 and item.reason, item
            assert item.column.strip(), item
        else:
            assert item.source.sheet in sheets and item.source.row >= 2
            assert item.child_id.strip() and len(item.child_id) <= 255
            for text in (item.team_name, item.worker_name, item.closure_reason):
                assert text is None or len(text) <= 255


def _csv(header: list[str], rows: list[list[str]], line_end: str, bom: bool) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


@st.composite
def csv_files(draw) -> tuple[bytes, str, int]:
    """(bytes, file name, data rows) with a real Annex A header and hostile cells."""
    sheet = draw(st.sampled_from(sorted(HEADERS)))
    header = list(HEADERS[sheet])
    if draw(st.booleans()):
        header = ["List", *header]
    width = len(header) + draw(st.integers(-2, 1))
    rows = draw(st.lists(st.lists(CELLS, min_size=max(width, 0), max_size=max(width, 0)),
                         min_size=1, max_size=6))
    if header[0] == "List":
        for row in rows:
            if row and draw(st.booleans()):
                row[0] = sheet
    name = draw(st.sampled_from(["annex_a.csv", f"annex_a_{sheet.replace(' ', '_')}.csv",
                                 "x.csv"]))
    return _csv(header, rows, draw(st.sampled_from(["\r\n", "\n", "\r"])), draw(st.booleans())), \
        name, len(rows)


def _read(importer, data: bytes, name: str) -> list:
    stream = io.BytesIO(data)
    stream.name = name
    return list(importer.read(stream, as_of=AS_OF))


@FUZZ
@given(file=csv_files())
def test_any_csv_cells_give_records_or_row_errors(file) -> None:
    data, name, _ = file
    try:
        items = _read(AnnexACsvImporter(), data, name)
    except UnreadableFile as exc:
        assert str(exc)
        return
    _check_items(items, {name, *HEADERS, "List 4"})


@FUZZ
@given(file=csv_files())
def test_every_data_row_is_imported_or_reported(file) -> None:
    """No row vanishes: each non-blank row is a record or names its row in an error."""
    data, name, _ = file
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    wanted = {number for number, cells in enumerate(rows[1:], start=2)
              if any(c.strip() and c.strip().upper() != "#N/A" for c in cells)}
    items = _read(AnnexACsvImporter(), data, name)
    covered = {i.source.row if isinstance(i, CaseRecord) else i.row
               for i in items if not isinstance(i, ListRead)}
    header_broken = any(isinstance(i, RowError) and i.row == 1 and "not imported" in i.reason
                        for i in items)
    assert header_broken or wanted <= covered, (wanted - covered, items)


@FUZZ
@given(data=st.binary(max_size=400), name=st.sampled_from(["x.csv", "annex_a_list_7.csv"]))
def test_garbage_bytes_as_csv_are_a_file_error_or_row_errors(data: bytes, name: str) -> None:
    try:
        items = _read(AnnexACsvImporter(), data, name)
    except UnreadableFile as exc:
        assert name in str(exc)
        return
    _check_items(items, {name, *HEADERS, "List 4"})


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), st.binary(max_size=400).map(
    lambda b: b"PK\x03\x04" + b)))
def test_garbage_bytes_as_a_workbook_are_a_file_error(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="not an Excel workbook"):
        _read(AnnexAWorkbookImporter(), data, "x.xlsx")


# Values openpyxl will write: text without XML-illegal control characters, numbers,
# dates, booleans, formulas (saved without a result, as a program writes them).
XLSX_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=20)
XLSX_CELLS = st.one_of(
    SPECIAL.filter(lambda s: not any(ord(c) < 32 for c in s)), DATES, XLSX_TEXT,
    st.integers(-10, 10**15), st.floats(allow_nan=True, allow_infinity=False),
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1)), st.booleans(), st.none(),
)


@settings(FUZZ, max_examples=20)
@given(sheet=st.sampled_from(sorted(HEADERS)),
       title=st.sampled_from(["List 6", "list7", "List 8 - CLA", "List 9", "List 3", "Sheet"]),
       rows=st.lists(st.lists(XLSX_CELLS, min_size=3, max_size=10), min_size=1, max_size=5))
def test_any_workbook_cells_give_records_or_row_errors(sheet, title, rows) -> None:
    data = workbook_bytes({title: [HEADERS[sheet], *rows]})
    try:
        items = _read(AnnexAWorkbookImporter(), data, "annex_a.xlsx")
    except UnreadableFile as exc:
        assert "sheet" in str(exc)
        return
    _check_items(items, {title})


def _tampered(data: bytes, change) -> bytes:
    """The workbook with every sheet's XML passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                body = change(body)
            target.writestr(item, body)
    return out.getvalue()


VALID_LIST_7 = workbook_bytes({"List 7": [LIST_7, ["C1", "01/02/2015", "01/03/2023",
                                                   "01/01/2024", "Yes", None, 2, "T", "W"]]})


@settings(FUZZ, max_examples=30)
@given(cut=st.floats(0, 1), junk=st.binary(max_size=40),
       kind=st.sampled_from(["truncate", "value", "type", "shared", "insert"]))
def test_a_tampered_workbook_is_a_file_error_or_row_errors(cut, junk, kind) -> None:
    """A program (or an attacker) wrote the sheet's XML: damaged XML, odd cell types."""
    text = junk.decode("latin-1").replace("<", "&lt;").replace("&", "&amp;").encode()
    changes = {
        "truncate": lambda b: b[: int(len(b) * cut)],
        "value": lambda b: b.replace(b"<t>", b"<t>" + text, 1).replace(b"<v>", b"<v>" + text),
        "type": lambda b: b.replace(b't="inlineStr"', b't="n"'),
        "shared": lambda b: b.replace(b't="inlineStr"><is><t>C1', b't="s"><v>999</v><is><t>'),
        "insert": lambda b: b[: int(len(b) * cut)] + junk + b[int(len(b) * cut):],
    }
    data = _tampered(VALID_LIST_7, changes[kind])
    try:
        items = _read(AnnexAWorkbookImporter(), data, "annex_a.xlsx")
    except UnreadableFile as exc:
        assert str(exc)
        return
    _check_items(items, {"List 7"})


# --- through the import service, on both databases ----------------------------------------------


def _counts() -> tuple[int, int, int]:
    return Case.select().count(), ImportBatch.select().count(), RejectedRow.select().count()


def test_an_import_is_whole_or_nothing(app) -> None:
    files = st.one_of(
        csv_files().map(lambda f: (f[0], f[1])),
        st.tuples(st.binary(max_size=200), st.sampled_from(["x.csv", "x.xlsx", "x.txt"])),
    )
    outcomes = {"imported": 0, "refused": 0}

    @settings(FUZZ, max_examples=25, phases=(Phase.explicit, Phase.generate))
    @given(file=files)
    def run(file) -> None:
        data, name = file
        cases, batches, rejected = _counts()
        try:
            with app.app_context():
                batch = import_file(io.BytesIO(data), name, as_of=AS_OF, actor_label="fuzz",
                                    importers=installed().importers, closure_limit=None)
        except ImportFailed as exc:
            outcomes["refused"] += 1
            assert str(exc) and Case.select().count() == cases
            failed = exc.batch
            assert failed is not None and failed.status == "failed" and failed.error
            assert ImportBatch.select().count() == batches + 1
            assert RejectedRow.select().count() == rejected + failed.rejected_count
            return
        outcomes["imported"] += 1
        assert batch.status == "completed"
        assert Case.select().count() == cases + batch.created_count
        stored = list(RejectedRow.select().where(RejectedRow.batch == batch.id))
        assert len(stored) == batch.rejected_count
        assert all(r.sheet and r.column and r.reason for r in stored)

    run()
    assert outcomes["imported"] and outcomes["refused"], outcomes


def test_the_fuzzed_cells_cover_the_column_limit_and_controls() -> None:
    """Guards the strategies: an edit that drops these would weaken every test above."""
    specials = SPECIAL_VALUES
    assert any(len(s) > 255 for s in specials)
    assert any("\x00" in s for s in specials)
    assert any(s[:1] in "=+-@" and s[:1] for s in specials)
    assert any(s.isdigit() and len(s) > 4300 for s in specials)  # past int()'s digit limit

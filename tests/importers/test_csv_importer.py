"""The Annex A CSV importer: each row's list comes from a List column, the name or the headings."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from audit_service.domain.imports.case_records import CaseRecord, ListRead, RowError
from audit_service.domain.vocabulary import CaseType
from audit_service.importers.annex_a import AnnexACsvImporter, UnreadableFile

AS_OF = dt.date(2024, 1, 31)
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "annex_a" / "caseload_mixed.csv"


def read_all(data: bytes, name: str) -> list[CaseRecord | RowError | ListRead]:
    buffer = io.BytesIO(data)
    buffer.name = name
    return list(AnnexACsvImporter().read(buffer, as_of=AS_OF))


def read(data: bytes, name: str) -> list[CaseRecord | RowError]:
    """The rows' records and errors (the lists read are tested on their own)."""
    return [item for item in read_all(data, name) if not isinstance(item, ListRead)]


def test_committed_fixture_has_a_bom_and_crlf():
    raw = FIXTURE.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw


def test_mixed_csv_with_a_list_column():
    items = read(FIXTURE.read_bytes(), FIXTURE.name)
    errors = [i for i in items if isinstance(i, RowError)]
    records = [i for i in items if isinstance(i, CaseRecord)]
    assert errors == [
        RowError("List 6", 5, "Case Status", "z) Unknown",
                 "not a known Case Status: expected one of a) Looked after child, "
                 "b) Child protection plan, c) Child in need plan, d) Open assessment, "
                 "e) Closed episode; the row was imported without this value"),
        RowError("caseload_mixed.csv", 7, "List", "List 12",
                 "not an Annex A list: expected List 3, 4, 6, 7, 8 or 9; the row was not imported"),
        RowError("List 7", 8, "Date of the Last Statutory Visit", "32/01/2024",
                 "32/01/2024 is not a real date (day 32, month 1); "
                 "the row was imported without this value"),
    ]
    assert [(r.source.sheet, r.source.row, r.child_id, r.case_type) for r in records] == [
        ("List 6", 2, "5001", CaseType.CHILD_IN_NEED),
        ("List 7", 3, "5001", CaseType.CHILD_PROTECTION),
        ("List 6", 4, "5002", CaseType.CHILD_IN_NEED),
        ("List 6", 5, "5003", CaseType.CHILD_IN_NEED),
        ("List 6", 6, "5002", CaseType.CHILD_IN_NEED),  # a duplicate: reconcile reports it
        ("List 7", 8, "5005", CaseType.CHILD_PROTECTION),
        ("List 6", 10, "5006", CaseType.CHILD_IN_NEED),
    ]
    first = records[0]
    assert (first.team_name, first.worker_name, first.last_seen_on) == (
        "Locality 1", "Ann Smith", dt.date(2023, 12, 15)
    )
    assert records[2].opened_on == dt.date(2023, 3, 1)  # "1/3/2023": day first
    assert (records[2].team_name, records[2].worker_name) == (None, None)
    assert records[5].team_name == "Locality 2, East"
    assert records[5].seen_alone is True
    assert (records[6].closed_on, records[6].closure_reason) == (
        dt.date(2023, 11, 1), "Moved out of area"
    )


def test_file_name_gives_the_list():
    data = b"Child Unique ID,Date of Birth,Latest Date of Contact\n7001,01/01/2005,02/01/2024\n"
    *errors, record = read(data, "annex_a_list_9.csv")
    assert [(e.sheet, e.row, e.column, e.value, e.reason) for e in errors] == [
        ("List 9", 1, heading, "", "no column with this heading; every row was imported without it")
        for heading in ("Allocated Team", "Allocated Worker")
    ]
    assert (record.source.sheet, record.case_type, record.last_seen_on) == (
        "List 9", CaseType.CARE_LEAVER, dt.date(2024, 1, 2)
    )


def test_headings_give_the_list_when_nothing_else_does():
    data = (b"Child Unique ID,Date Started to be Looked After,"
            b"Number of Placements in the Last 12 months\n8001,01/02/2020,3\n")
    items = read(data, "export.csv")
    record = next(i for i in items if isinstance(i, CaseRecord))
    assert (record.source.sheet, record.case_type, record.placements_12m) == (
        "List 8", CaseType.LOOKED_AFTER, 3
    )


def test_plain_columns_default_to_list_6_layout_with_case_status():
    data = b"Child Unique ID,Case Status\r\n9001,a) Looked after child\r\n9002,d)\r\n"
    records = [i for i in read(data, "export.csv") if isinstance(i, CaseRecord)]
    assert [(r.source.sheet, r.case_type) for r in records] == [
        ("List 6", CaseType.LOOKED_AFTER), ("List 6", CaseType.OPEN_ASSESSMENT)
    ]


def test_windows_1252_text_is_read():
    name = "Si\u00e2n O\u2019Neil"
    data = f"Child Unique ID,Case Status,Allocated Worker\n9003,c),{name}\n".encode("cp1252")
    records = [i for i in read(data, "export.csv") if isinstance(i, CaseRecord)]
    assert records[0].worker_name == name


def test_empty_file_is_refused():
    with pytest.raises(UnreadableFile, match=r"empty\.csv is empty: there is no header row"):
        read(b"\xef\xbb\xbf\r\n", "empty.csv")


def test_the_lists_a_csv_holds_are_reported_as_read():
    items = read_all(FIXTURE.read_bytes(), FIXTURE.name)
    assert [(i.sheet, i.case_type) for i in items if isinstance(i, ListRead)] == [
        ("List 6", CaseType.CHILD_IN_NEED), ("List 7", CaseType.CHILD_PROTECTION)]
    unreadable = read_all(b"Reference,Case Status\n1,c)\n", "cases.csv")
    assert not [i for i in unreadable if isinstance(i, ListRead)]


def test_a_birth_date_in_year_one_is_read_without_overflowing():
    """Found by the fuzzer: the pre-birth check once computed a date before year 1."""
    data = (b"Child Unique ID,Date of Birth,Child Protection Plan Start Date\n"
            b"7,02/01/0001,01/01/0001\n")
    records = [item for item in read(data, "annex_a_list_7.csv") if isinstance(item, CaseRecord)]
    assert [r.child_id for r in records] == ["7"]


def test_a_title_row_above_the_header_is_skipped():
    data = (b"List 7: Child Protection\r\n\r\n"
            b"Child Unique ID,Date of Birth,Child Protection Plan Start Date\r\n"
            b"77,01/05/2015,01/09/2023\r\n")
    items = read_all(data, "ofsted_template.csv")
    assert [(i.child_id, i.source.row, i.case_type) for i in items
            if isinstance(i, CaseRecord)] == [("77", 4, CaseType.CHILD_PROTECTION)]
    assert [i.sheet for i in items if isinstance(i, ListRead)] == ["List 7"]

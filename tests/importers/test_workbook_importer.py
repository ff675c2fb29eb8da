"""The Annex A workbook importer, on workbooks built in the test and on the shared sample."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_service.domain.imports.case_records import CaseRecord, ListRead, RowError, SourceRef
from audit_service.domain.vocabulary import AgeBand, CaseType
from audit_service.importers.annex_a import AnnexAWorkbookImporter, UnreadableFile
from tests.importers.builders import (
    LIST_3,
    LIST_6,
    LIST_7,
    LIST_8,
    LIST_9,
    d,
    stream,
    workbook_bytes,
)
from tests.support.samples import ANNEX_A_2024, sample

AS_OF = dt.date(2024, 1, 31)

MESSY = {
    "List6": [
        ["CHILD UNIQUE ID", "Date\xa0of Birth", "cin start date", "Date  Child Was Last Seen",
         "CIN Closure Date", "Reason for Closure", " Case Status ", "Allocated Team",
         "Allocated\xa0Worker"],
        [1001, d(1, 5, 2015), d(1, 1, 2023), "15/12/2023", None, None,
         "c) Child in need plan", "Locality\xa01", "Ann\xa0Smith"],
        [1002, d(2, 6, 2012), "31/02/2023", d(3, 1, 2024), None, None, "Child in need plan",
         "#N/A", "#N/A"],
        [1003, d(3, 7, 2010), d(1, 3, 2023), d(4, 1, 2024), None, None, "z) Unknown",
         "Locality 1", "Bob Jones"],
        [1001, d(1, 5, 2015), d(1, 1, 2023), d(5, 1, 2024), None, None, "c) Child in need plan",
         "Locality 1", "Ann Smith"],
        [None, d(1, 1, 2016), d(1, 1, 2023), None, None, None, "c)", "Locality 1", "Ann Smith"],
        [1004, d(4, 8, 2014), d(1, 4, 2023), "=C7+5", None, None, "c)", "Locality 2",
         "Cy Twin"],
        [1005, d(5, 9, 2011), d(1, 5, 2022), "01/10/2023", "01/11/2023",
         "a) Moved out of area", "e) Closed episode", "Locality 2", "Cy Twin"],
        [1006, None, d(1, 6, 2023), d(6, 1, 2024), None, None, "b) Child protection plan",
         "Locality 2", "Cy Twin"],
        [None, None, None, None, None, None, None, None, None],
        [1007, d(7, 1, 2013), d(1, 7, 2023), "#REF!", None, None, "e) Closed episode",
         "Locality 2", "Cy Twin"],
    ],
    "List 7 - Child protection": [
        ["Child ID", "DOB", "CP Plan Start Date", "Date of Last Statutory Visit",
         "was the child seen alone", "Number of previous CP plans", "Allocated Team",
         "Allocated Worker"],
        [1001, d(1, 5, 2015), d(1, 9, 2023), d(20, 1, 2024), "a) Yes", 2, "locality 1",
         "ann smith"],
        [1008, d(8, 8, 2016), d(1, 9, 2023), d(20, 1, 2025), "Maybe", "two", "Locality 1",
         "Ann Smith"],
    ],
}


def read_all(sheets: dict, name: str = "annex_a.xlsx") -> list[CaseRecord | RowError | ListRead]:
    return list(AnnexAWorkbookImporter().read(stream(workbook_bytes(sheets), name), as_of=AS_OF))


def read(sheets: dict, name: str = "annex_a.xlsx") -> list[CaseRecord | RowError]:
    """The rows' records and errors (the lists read are tested on their own)."""
    return [item for item in read_all(sheets, name) if not isinstance(item, ListRead)]


def test_messy_workbook_reports_every_problem_exactly():
    errors = [i for i in read(MESSY) if isinstance(i, RowError)]
    assert errors == [
        RowError("List6", 3, "cin start date", "31/02/2023",
                 "31/02/2023 is not a real date (day 31, month 2); "
                 "the row was imported without this value"),
        RowError("List6", 4, "Case Status", "z) Unknown",
                 "not a known Case Status: expected one of a) Looked after child, "
                 "b) Child protection plan, c) Child in need plan, d) Open assessment, "
                 "e) Closed episode; the row was imported without this value"),
        RowError("List6", 6, "CHILD UNIQUE ID", "",
                 "the child id is blank, so the row cannot be matched to a case; "
                 "the row was not imported"),
        RowError("List6", 7, "Date Child Was Last Seen", "=C7+5",
                 "the cell holds a formula with no saved result; open the file in Excel, "
                 "let it calculate and save it again; the row was imported without this value"),
        RowError("List6", 11, "Date Child Was Last Seen", "#REF!",
                 "the cell holds the spreadsheet error #REF!; "
                 "the row was imported without this value"),
        RowError("List6", 11, "Case Status", "e) Closed episode",
                 "the Case Status says the episode is closed but there is no CIN Closure Date; "
                 "the case was imported as open"),
        RowError("List 7 - Child protection", 1, "Child Protection Plan End Date", "",
                 "no column with this heading; every row was imported without it"),
        RowError("List 7 - Child protection", 3, "Date of Last Statutory Visit", "20/01/2025",
                 "20/01/2025 is after the import date 31/01/2024; "
                 "the row was imported without this value"),
        RowError("List 7 - Child protection", 3, "was the child seen alone", "Maybe",
                 "not a known answer to whether the child was seen alone: expected one of "
                 "a) Yes, b) No, c) Unknown; "
                 "the row was imported without this value"),
        RowError("List 7 - Child protection", 3, "Number of previous CP plans", "two",
                 "not a whole number; the row was imported without this value"),
    ]


def test_messy_workbook_still_reads_every_row_it_can():
    records = {(r.source.sheet, r.source.row): r for r in read(MESSY)
               if isinstance(r, CaseRecord)}
    assert sorted(records) == [
        ("List 7 - Child protection", 2), ("List 7 - Child protection", 3),
        ("List6", 2), ("List6", 3), ("List6", 4), ("List6", 5), ("List6", 7), ("List6", 8),
        ("List6", 9), ("List6", 11),
    ]
    assert records["List6", 2] == CaseRecord(
        child_id="1001", case_type=CaseType.CHILD_IN_NEED, source=SourceRef("List6", 2),
        team_name="Locality 1", worker_name="Ann Smith", opened_on=dt.date(2023, 1, 1),
        age_band=AgeBand.AGE_5_9, last_seen_on=dt.date(2023, 12, 15),
    )
    missing_team = records["List6", 3]
    assert (missing_team.team_name, missing_team.worker_name, missing_team.opened_on) == (
        None, None, None
    )
    closed = records["List6", 8]
    assert (closed.closed_on, closed.closure_reason) == (dt.date(2023, 11, 1), "Moved out of area")
    assert records["List6", 9].case_type is CaseType.CHILD_PROTECTION
    assert records["List6", 9].age_band is None
    cp = records["List 7 - Child protection", 2]
    assert (cp.case_type, cp.seen_alone, cp.previous_cp_plans, cp.last_seen_on) == (
        CaseType.CHILD_PROTECTION, True, 2, dt.date(2024, 1, 20)
    )


def test_out_of_order_dates_are_reported():
    sheets = {
        "List 8": [
            ["Child Unique ID", "Date of Birth", "Date Started to be Looked After"],
            [2001, d(13, 3, 2018), d(24, 2, 2010)],
            [2002, d(13, 3, 2018), d(14, 3, 2018)],
        ],
        "List 7": [
            ["Child Unique ID", "Date of Birth", "Child Protection Plan Start Date"],
            [2003, d(4, 1, 2021), d(23, 11, 2020)],
            [2004, d(29, 5, 2020), d(25, 6, 2019)],
        ],
    }
    errors = [(e.sheet, e.row, e.column, e.value, e.reason)
              for e in read(sheets) if isinstance(e, RowError) and e.row > 1]
    assert errors == [
        ("List 8", 2, "Date Started to be Looked After", "24/02/2010",
         "24/02/2010 is before the Date of Birth 13/03/2018; "
         "the row was imported without this value"),
        ("List 7", 3, "Child Protection Plan Start Date", "25/06/2019",
         "25/06/2019 is more than 42 weeks before the Date of Birth 29/05/2020; "
         "the row was imported without this value"),
    ]


def test_sheet_without_child_id_column_is_skipped_and_reported():
    items = read({"List 6": [["Reference", "Case Status"], ["X1", "c)"]],
                  "List 9": [["Child Unique ID", "Latest Date of Contact"], [3001, "02/01/2024"]]})
    assert items[0] == RowError(
        "List 6", 1, "Child Unique ID", "",
        "no Child Unique ID column in the header row, so no row can be matched to a case; "
        "the sheet was not imported",
    )
    assert [i.child_id for i in items if isinstance(i, CaseRecord)] == ["3001"]


def test_workbook_without_caseload_lists_is_refused():
    with pytest.raises(UnreadableFile) as caught:
        read({"List 1": [["Child Unique ID"], [1]], "Notes": [["hello"]]})
    assert str(caught.value) == (
        "the workbook has no List 6, List 7, List 8 or List 9 sheet, so it holds no caseload "
        "(its sheets are: 'List 1', 'Notes')"
    )


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(UnreadableFile, match=r"not an Excel workbook \(.xlsx\)"):
        list(AnnexAWorkbookImporter().read(stream(b"Child Unique ID,Case Status\r\n"),
                                           as_of=AS_OF))


def test_list_4_adds_only_assessments_still_open():
    items = read({
        "List 6": [LIST_6],
        "List 4": [
            ["Child Unique ID", "Continuous Assessment Start Date",
             "Continuous Assessment Date of Authorisation", "Allocated Team", "Allocated Worker"],
            [4001, d(2, 1, 2024), None, "Front Door", "Di Lee"],
            [4002, d(2, 12, 2023), d(20, 1, 2024), "Front Door", "Di Lee"],
        ],
    })
    records = [i for i in items if isinstance(i, CaseRecord)]
    assert [(r.child_id, r.case_type, r.opened_on) for r in records] == [
        ("4001", CaseType.OPEN_ASSESSMENT, dt.date(2024, 1, 2))
    ]


def test_rows_stream_so_a_large_sheet_is_not_held_in_memory():
    rows = [LIST_6] + [[i, None, d(1, 1, 2023)] for i in range(1, 3001)]
    items = AnnexAWorkbookImporter().read(stream(workbook_bytes({"List 6": rows})), as_of=AS_OF)
    first = next(item for item in items if isinstance(item, CaseRecord))
    assert first.child_id == "1"  # yielded before the rest of the sheet is read


def test_shared_sample_workbook():
    with sample(ANNEX_A_2024).open("rb") as f:
        items = list(AnnexAWorkbookImporter().read(f, as_of=AS_OF))
    errors = [i for i in items if isinstance(i, RowError)]
    assert errors == [
        RowError("List 7", 8, "Child Protection Plan Start Date", "25/06/2019",
                 "25/06/2019 is more than 42 weeks before the Date of Birth 29/05/2020; "
                 "the row was imported without this value"),
        RowError("List 8", 5, "Date Started to be Looked After", "24/02/2010",
                 "24/02/2010 is before the Date of Birth 13/03/2018; "
                 "the row was imported without this value"),
    ]
    records = [i for i in items if isinstance(i, CaseRecord)]
    by_sheet: dict[str, int] = {}
    for r in records:
        by_sheet[r.source.sheet] = by_sheet.get(r.source.sheet, 0) + 1
    # List 4's assessments are all authorised (completed), so none is an open case.
    assert by_sheet == {"List 3": 6, "List 6": 5, "List 7": 7, "List 8": 5, "List 9": 6}
    first_cin = next(r for r in records if r.source.sheet == "List 6")
    assert (first_cin.team_name, first_cin.worker_name) == (None, None)  # "#N/A" in the file
    ceased = next(r for r in records if r.child_id == "3623204")
    assert (ceased.closed_on, ceased.closure_reason) == (
        dt.date(2020, 9, 22), "E47: Special Guardianship Orders - relative/friend"
    )


def test_only_lists_whose_header_was_read_are_reported_as_read():
    items = read_all({
        "List 6": [LIST_6],  # no children in need left: read, and it speaks for them
        "List 7": [["Reference", *LIST_7[1:]], [1]],  # no id column: not read
        "Notes": [["Remarks"], ["Exported from the case system"]],  # not a list at all
        "List 3": [LIST_3, [3]],  # adds facts only: closes nothing
    })
    assert [(i.sheet, i.case_type) for i in items if isinstance(i, ListRead)] == [
        ("List 6", CaseType.CHILD_IN_NEED)]


def test_lists_are_found_by_council_names_and_below_title_rows():
    """Ofsted's template puts a title row above the header; councils rename sheets."""
    items = read_all({
        "CIN": [["List 6: Children in Need"], [], LIST_6,
                [1, "a) Male", d(1, 5, 2015), d(1, 1, 2023), d(3, 1, 2024), None, None,
                 "c)", "Locality 1", "Ann Smith"]],
        "L7": [LIST_7, [2, d(1, 5, 2015), d(1, 9, 2023), d(20, 1, 2024), "a) Yes", None, 0,
                        "Locality 1", "Ann Smith"]],
        "8. Children in care": [["Children looked after"], LIST_8],
        "Data": [["Extract for Ofsted"], LIST_9, [9, d(1, 5, 2005), "Leaving Care", "Pat PA",
                                                  None, d(1, 1, 2024)]],
    })
    records = {i.child_id: (i.source.sheet, i.source.row, i.case_type)
               for i in items if isinstance(i, CaseRecord)}
    assert records == {"1": ("CIN", 4, CaseType.CHILD_IN_NEED),
                       "2": ("L7", 2, CaseType.CHILD_PROTECTION),
                       "9": ("Data", 3, CaseType.CARE_LEAVER)}
    assert [(i.sheet, i.case_type) for i in items if isinstance(i, ListRead)] == [
        ("CIN", CaseType.CHILD_IN_NEED), ("L7", CaseType.CHILD_PROTECTION),
        ("8. Children in care", CaseType.LOOKED_AFTER), ("Data", CaseType.CARE_LEAVER)]
    assert not [i for i in items if isinstance(i, RowError)]

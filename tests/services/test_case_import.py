"""Importing a caseload into the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts.users import create_user
from audit_service.services.errors import Conflict
from audit_service.services.imports.case_import import (
    MISSING_REASON,
    ConfirmationNeeded,
    ImportFailed,
    cancel_pending,
    confirm_pending,
    import_file,
)
from audit_service.storage.models import Case, Event, ImportBatch, RejectedRow, Staff, Team
from tests.importers.builders import LIST_6, LIST_7, LIST_8, caseload, d, workbook_bytes
from tests.support.installed import installed
from tests.support.samples import ANNEX_A_2024, sample

AS_OF = dt.date(2024, 1, 31)
FIXTURE_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "annex_a" / "caseload_mixed.csv"


@pytest.fixture
def registry():
    return installed().importers


def run(registry, data: bytes, name: str = "annex_a.xlsx", **kwargs) -> ImportBatch:
    kwargs.setdefault("as_of", AS_OF)
    kwargs.setdefault("closure_limit", None)
    return import_file(io.BytesIO(data), name, importers=registry, **kwargs)


def counts(batch: ImportBatch) -> dict[str, int]:
    batch = ImportBatch.get_by_id(batch.id)
    return {
        "rows_read": batch.rows_read, "created": batch.created_count,
        "updated": batch.updated_count, "unchanged": batch.unchanged_count,
        "closed": batch.closed_count, "rejected": batch.rejected_count,
    }


def rejected(batch: ImportBatch) -> list[tuple]:
    query = RejectedRow.select().where(RejectedRow.batch == batch).order_by(RejectedRow.id)
    return [(r.sheet, r.row, r.column, r.value, r.reason) for r in query]


def cin(child: int, seen: dt.datetime, team="Locality 1", worker="Ann Smith", status="c)"):
    return [child, "a) Male", d(1, 5, 2015), d(1, 1, 2023), seen, None, None, status, team, worker]


def test_shared_sample_imports_and_reports_its_bad_rows(db, registry):
    workbook = sample(ANNEX_A_2024)
    user = create_user("admin", role=Role.ADMIN, password="correct horse battery")
    batch = run(registry, workbook.read_bytes(), workbook.name, uploaded_by=user)
    assert batch.status == "completed"
    assert batch.importer == "annex-a-xlsx"
    assert batch.finished_at is not None
    assert len(batch.sha256) == 64
    assert counts(batch) == {"rows_read": 29, "created": 23, "updated": 0, "unchanged": 0,
                             "closed": 0, "rejected": 2}
    # Both problems are values dropped from rows that were imported: no row was refused.
    assert (batch.rows_refused, batch.warning_count) == (0, 2)
    assert rejected(batch) == [
        ("List 7", 8, "Child Protection Plan Start Date", "25/06/2019",
         "25/06/2019 is more than 42 weeks before the Date of Birth 29/05/2020; "
         "the row was imported without this value"),
        ("List 8", 5, "Date Started to be Looked After", "24/02/2010",
         "24/02/2010 is before the Date of Birth 13/03/2018; "
         "the row was imported without this value"),
    ]
    # Both rows with problems were still imported, without the bad date.
    assert Case.get(Case.child_id == "2529037").opened_on is None
    assert Case.get(Case.child_id == "6913085").case_type == "child_protection"
    assert Case.select().where(Case.status == "closed").count() == 6  # ended plans, ceased care
    cin_case = Case.get(Case.child_id == "12598894")  # "#N/A" team and worker
    assert (cin_case.team_id, cin_case.worker_id, cin_case.status) == (None, None, "open")
    swift = Staff.get(Staff.name_key == "eugene swift")
    assert swift.team.name == "Children in Care Team 1"
    event = Event.get(Event.action == "cases.imported")
    assert (event.actor_id, event.object_id) == (user.id, batch.public_id)
    assert event.after["created"] == 23 and event.after["rejected"] == 2

    again = run(registry, workbook.read_bytes(), workbook.name)
    assert counts(again) == {"rows_read": 29, "created": 0, "updated": 0, "unchanged": 23,
                             "closed": 0, "rejected": 2}


def test_reimporting_the_same_file_changes_nothing(db, registry):
    data = workbook_bytes({
        "List 6": [LIST_6, cin(1, d(3, 1, 2024)), cin(2, d(4, 1, 2024))],
        "List 7": [LIST_7, [1, d(1, 5, 2015), d(1, 9, 2023), d(20, 1, 2024), "a) Yes", None, 0,
                            "Locality 1", "Ann Smith"]],
    })
    first = run(registry, data)
    assert counts(first) == {"rows_read": 3, "created": 2, "updated": 0, "unchanged": 0,
                             "closed": 0, "rejected": 0}
    before = {c.child_id: (c.updated_at, c.facts_hash, c.last_batch_id) for c in Case.select()}
    second = run(registry, data)
    assert counts(second) == {"rows_read": 3, "created": 0, "updated": 0, "unchanged": 2,
                              "closed": 0, "rejected": 0}
    after = {c.child_id: (c.updated_at, c.facts_hash, c.last_batch_id) for c in Case.select()}
    assert after == before
    assert (Team.select().count(), Staff.select().count()) == (1, 1)
    merged = Case.get(Case.child_id == "1")
    assert (merged.case_type, merged.seen_alone, merged.last_seen_on) == (
        "child_protection", True, dt.date(2024, 1, 20)
    )


def test_case_missing_from_a_newer_full_import_is_closed_not_deleted(db, registry):
    january = workbook_bytes({"List 6": [LIST_6, cin(1, d(3, 1, 2024)), cin(2, d(4, 1, 2024)),
                                         cin(3, d(5, 1, 2024))]})
    february = workbook_bytes({"List 6": [LIST_6, cin(1, d(3, 1, 2024)),
                                          cin(2, d(14, 2, 2024))]})
    run(registry, january)
    batch = run(registry, february, as_of=dt.date(2024, 2, 29))
    assert counts(batch) == {"rows_read": 2, "created": 0, "updated": 1, "unchanged": 1,
                             "closed": 1, "rejected": 0}
    gone = Case.get(Case.child_id == "3")
    assert (gone.status, gone.closed_on, gone.closure_reason, gone.last_batch_id) == (
        "closed", dt.date(2024, 2, 29), MISSING_REASON, batch.id
    )
    assert Case.get(Case.child_id == "2").last_seen_on == dt.date(2024, 2, 14)
    assert Case.select().count() == 3

    # The child is back in March: the same facts as in January reopen the case.
    back = run(registry, january, as_of=dt.date(2024, 3, 31))
    assert counts(back) == {"rows_read": 3, "created": 0, "updated": 2, "unchanged": 1,
                            "closed": 0, "rejected": 0}
    reopened = Case.get(Case.child_id == "3")
    assert (reopened.status, reopened.closed_on, reopened.closure_reason) == ("open", None, None)


def test_teams_and_staff_are_matched_or_created(db, registry):
    locality = Team.create(name="Locality 1")
    ann = Staff.create(name="Ann Smith", name_key="ann smith", team=locality)
    data = workbook_bytes({"List 6": [
        LIST_6,
        cin(1, d(3, 1, 2024), team="locality\xa01", worker="Ann\xa0 Smith"),
        cin(2, d(3, 1, 2024), team="Locality 2", worker="Cy\xa0Twin"),
        cin(3, d(3, 1, 2024), team="LOCALITY 2", worker="cy twin"),
        cin(4, d(3, 1, 2024), team="#N/A", worker="#N/A"),
    ]})
    run(registry, data)
    assert sorted(t.name for t in Team.select()) == ["Locality 1", "Locality 2"]
    assert sorted(s.name for s in Staff.select()) == ["Ann Smith", "Cy Twin"]
    cy = Staff.get(Staff.name_key == "cy twin")
    assert cy.team.name == "Locality 2"
    by_child = {c.child_id: (c.team_id, c.worker_id) for c in Case.select()}
    assert by_child == {
        "1": (locality.id, ann.id),
        "2": (cy.team_id, cy.id),
        "3": (cy.team_id, cy.id),
        "4": (None, None),
    }


def test_duplicate_rows_are_saved_as_rejected_rows(db, registry):
    data = workbook_bytes({"List 6": [LIST_6, cin(1, d(3, 1, 2024)),
                                      cin(1, d(9, 1, 2024), worker="Someone Else")]})
    batch = run(registry, data)
    assert rejected(batch) == [
        ("List 6", 3, "Child Unique ID", "1",
         "duplicate row for child 1, first seen at row 2; the row was not imported"),
    ]
    assert Case.get(Case.child_id == "1").last_seen_on == dt.date(2024, 1, 3)


def test_csv_is_imported_by_extension(db, registry):
    batch = run(registry, FIXTURE_CSV.read_bytes(), FIXTURE_CSV.name)
    assert batch.importer == "annex-a-csv"
    assert counts(batch) == {"rows_read": 8, "created": 5, "updated": 0, "unchanged": 0,
                             "closed": 0, "rejected": 4}
    assert [r[:3] for r in rejected(batch)] == [
        ("List 6", 5, "Case Status"),
        ("List 6", 6, "Child Unique ID"),  # child 5002 again on List 6
        ("caseload_mixed.csv", 7, "List"),
        ("List 7", 8, "Date of the Last Statutory Visit"),
    ]
    assert Case.get(Case.child_id == "5001").case_type == "child_protection"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"not a zip", "annex_a.xlsx",
         "could not read annex_a.xlsx: the file is not an Excel workbook (.xlsx); save the "
         "Annex A return from Excel as an .xlsx workbook and try again"),
        (workbook_bytes({"List 1": [["Child Unique ID"], [1]]}), "annex_a.xlsx",
         "could not read annex_a.xlsx: the workbook has no List 6, List 7, List 8 or List 9 "
         "sheet, so it holds no caseload (its sheets are: 'List 1')"),
        (b"hello", "notes.txt",
         "cannot tell how to read 'notes.txt': expected one of .csv, .xlsm, .xlsx, .xml "
         "(or name a --format)"),
        (b"Reference,Team\n1,A\n", "cases.csv",
         "no case could be read from cases.csv, so nothing was changed; 1 problem is listed"),
    ],
)
def test_unreadable_file_fails_without_writing_cases(db, registry, data, name, message):
    with pytest.raises(ImportFailed) as caught:
        run(registry, data, name)
    assert str(caught.value) == message
    batch = ImportBatch.get_by_id(caught.value.batch.id)
    assert (batch.status, batch.error) == ("failed", message)
    assert batch.finished_at is not None
    assert Case.select().count() == 0
    assert Event.select().where(Event.action == "cases.imported").count() == 0


def test_named_format_overrides_the_extension(db, registry):
    data = b"Child Unique ID,Case Status\n1,c)\n"
    batch = run(registry, data, "export.txt", importer_id="annex-a-csv")
    assert (batch.importer, batch.created_count) == ("annex-a-csv", 1)


# --- an import never closes what it did not read (issue 15) ------------------------------------


def cp(child: int, team="Locality 1", worker="Ann Smith"):
    return [child, d(1, 5, 2015), d(1, 9, 2023), d(20, 1, 2024), "a) Yes", None, 0, team, worker]


def cla(child: int, team="Children in Care", worker="Bo Lee"):
    return [child, d(1, 5, 2012), d(1, 3, 2022), d(10, 1, 2024), 1, None, None, team, worker]


def _council(registry) -> None:
    """January: two children in need, two on CP plans, two in care; all open."""
    run(registry, workbook_bytes({
        "List 6": [LIST_6, cin(1, d(3, 1, 2024)), cin(2, d(4, 1, 2024))],
        "List 7": [LIST_7, cp(11), cp(12)],
        "List 8": [LIST_8, cla(21), cla(22)],
    }))
    assert Case.select().where(Case.status == "open").count() == 6


def _open_by_type() -> dict[str, int]:
    query = Case.select(Case.case_type).where(Case.status == "open")
    found: dict[str, int] = {}
    for case in query:
        found[case.case_type] = found.get(case.case_type, 0) + 1
    return found


JANUARY_OPEN = {"child_in_need": 2, "child_protection": 2, "looked_after": 2}


@pytest.mark.parametrize(("variant", "sheets"), [
    ("List 7 below a dozen rows of notes", {
        "List 6": [LIST_6, cin(1, d(3, 2, 2024)), cin(2, d(4, 2, 2024))],
        "List 7": [*([f"note {n}"] for n in range(12)), LIST_7, cp(11)],
        "List 8": [LIST_8, cla(21), cla(22)]}),
    ("no id column on List 7", {
        "List 6": [LIST_6, cin(1, d(3, 2, 2024)), cin(2, d(4, 2, 2024))],
        "List 7": [["Reference", *LIST_7[1:]], cp(11)],
        "List 8": [LIST_8, cla(21), cla(22)]}),
    ("List 7 absent", {"List 6": [LIST_6, cin(1, d(3, 2, 2024)), cin(2, d(4, 2, 2024))],
                       "List 8": [LIST_8, cla(21), cla(22)]}),
])
def test_a_list_that_was_not_read_closes_none_of_its_cases(db, registry, variant, sheets):
    _council(registry)
    batch = run(registry, workbook_bytes(sheets), as_of=dt.date(2024, 2, 29))
    assert batch.closed_count == 0, variant
    assert _open_by_type() == JANUARY_OPEN
    assert [read["sheet"] for read in ImportBatch.get_by_id(batch.id).lists_read] == [
        "List 6", "List 8"]
    event = Event.get(Event.action == "cases.imported", Event.object_id == batch.public_id)
    assert event.after["lists_read"] == ["List 6", "List 8"]


def test_a_list_that_was_read_still_closes_its_missing_cases(db, registry):
    _council(registry)
    batch = run(registry, workbook_bytes({
        "List 6": [LIST_6, cin(1, d(3, 2, 2024)), cin(2, d(4, 2, 2024))],
        "List 7": [LIST_7, cp(11)],
        "List 8": [LIST_8, cla(21), cla(22)],
    }), as_of=dt.date(2024, 2, 29))
    assert batch.closed_count == 1
    assert Case.get(Case.child_id == "12").closure_reason == MISSING_REASON
    assert _open_by_type() == {**JANUARY_OPEN, "child_protection": 1}


def test_per_list_csv_files_do_not_close_each_others_cases(db, registry):
    def csv_of(header, *rows):
        lines = [",".join(header)]
        lines += [",".join("" if v is None else v.strftime("%d/%m/%Y")
                           if isinstance(v, dt.datetime) else str(v) for v in row)
                  for row in rows]
        return ("\n".join(lines) + "\n").encode()

    run(registry, csv_of(LIST_6, cin(1, d(3, 1, 2024)), cin(2, d(4, 1, 2024))),
        "annex_a_list_6.csv")
    run(registry, csv_of(LIST_7, cp(11), cp(12)), "annex_a_list_7.csv")
    assert _open_by_type() == {"child_in_need": 2, "child_protection": 2}
    # Next month's List 7 alone: a CP plan ended, the children in need are untouched.
    batch = run(registry, csv_of(LIST_7, cp(11)), "annex_a_list_7.csv",
                as_of=dt.date(2024, 2, 29))
    assert batch.closed_count == 1
    assert _open_by_type() == {"child_in_need": 2, "child_protection": 1}


def test_the_report_says_which_kinds_of_case_an_import_could_close(db, registry):
    from audit_service.services.imports.reports import view_of

    _council(registry)
    batch = run(registry, workbook_bytes({"List 6": [LIST_6, cin(1, d(3, 2, 2024))]}),
                as_of=dt.date(2024, 2, 29))
    view = view_of(ImportBatch.get_by_id(batch.id))
    assert view.list_names == ["List 6"]
    assert view.lists_not_read == ["List 7 (child protection)", "List 8 (children in care)",
                                   "List 9 (care leavers)"]
    assert view.closure_scope == (
        "Open cases of the kinds it read that are missing from the file were closed (child "
        "in need); other kinds of case were left as they were")
    assert batch.closed_count == 1 and _open_by_type() == {**JANUARY_OPEN, "child_in_need": 1}


# --- a large closure waits for a person to confirm it ------------------------------------------


def _state() -> list[tuple]:
    return sorted(Case.select(Case.child_id, Case.status, Case.facts_hash, Case.last_batch)
                  .tuples())


def test_an_import_closing_more_than_the_limit_changes_nothing_until_confirmed(db, registry):
    run(registry, caseload(cin=range(1, 9), cp=(11, 12)))  # ten open cases
    before = _state()
    small_file = caseload(cin=(1,), cp=(11, 12))  # would close 7 of the 10
    with pytest.raises(ConfirmationNeeded) as held:
        run(registry, small_file, closure_limit=0.1, as_of=dt.date(2024, 2, 29))
    assert _state() == before
    assert held.value.status == 409
    assert held.value.details() == {"import": held.value.batch.public_id, "would_close": 7,
                                    "open_cases": 10}
    assert "would close 7 of the 10 open cases (70%)" in str(held.value)
    batch = ImportBatch.get_by_id(held.value.batch.id)
    assert (batch.status, batch.closed_count, bytes(batch.pending_file)) == (
        "awaiting_confirmation", 7, small_file)
    assert batch.preview["rows"] == [["Locality 1", "child_in_need", 0, 0, 7]]
    assert Event.get(Event.action == "cases.import_held").object_id == batch.public_id

    done = confirm_pending(batch.public_id, actor=None, importers=registry)
    assert (done.id, done.status, done.closed_count, done.pending_file) == (
        batch.id, "completed", 7, None)
    assert Case.select().where(Case.status == "open").count() == 3
    assert Case.get(Case.child_id == "8").closed_on == dt.date(2024, 2, 29)
    assert Event.get(Event.action == "cases.imported",
                     Event.object_id == batch.public_id).after["confirmed"] is True
    with pytest.raises(Conflict):
        confirm_pending(batch.public_id, actor=None, importers=registry)


def test_a_cancelled_import_changes_nothing_and_cannot_be_confirmed(db, registry):
    run(registry, caseload(cin=range(1, 9), cp=(11, 12)))
    before = _state()
    with pytest.raises(ConfirmationNeeded) as held:
        run(registry, caseload(cin=(1,)), closure_limit=0.1)
    cancelled = cancel_pending(held.value.batch.public_id, actor=None)
    assert (cancelled.status, cancelled.pending_file) == ("cancelled", None)
    assert _state() == before
    with pytest.raises(Conflict):
        confirm_pending(cancelled.public_id, actor=None, importers=registry)


def test_closures_within_the_limit_go_ahead(db, registry):
    run(registry, caseload(cin=range(1, 21)))
    batch = run(registry, caseload(cin=range(1, 19)), closure_limit=0.1)  # 2 of 20
    assert (batch.status, batch.closed_count) == ("completed", 2)


@pytest.mark.parametrize("nobody", ["Unallocated", "NOT ALLOCATED", "Not allocated.", "", "#N/A"])
def test_unallocated_is_nobody_not_a_team_or_worker_of_that_name(db, registry, nobody):
    run(registry, workbook_bytes({"List 6": [
        LIST_6, cin(1, d(3, 1, 2024), team=nobody, worker=nobody),
        cin(2, d(3, 1, 2024), team="Locality 1", worker=nobody)]}))
    assert [(c.team_id is None, c.worker_id) for c in Case.select().order_by(Case.child_id)] == [
        (True, None), (False, None)]
    assert [t.name for t in Team.select()] == ["Locality 1"]
    assert Staff.select().count() == 0


def test_a_renamed_list_under_a_title_row_is_read_and_reconciled(db, registry):
    _council(registry)
    batch = run(registry, workbook_bytes({
        "CIN": [["List 6: Children in Need"], LIST_6, cin(1, d(3, 2, 2024)),
                cin(2, d(4, 2, 2024))],
        "CP": [["List 7: Child Protection"], LIST_7, cp(11)],
        "CLA": [LIST_8, cla(21), cla(22)],
    }), as_of=dt.date(2024, 2, 29))
    assert [read["sheet"] for read in ImportBatch.get_by_id(batch.id).lists_read] == [
        "CIN", "CP", "CLA"]
    assert (batch.closed_count, batch.rejected_count) == (1, 0)
    assert Case.get(Case.child_id == "12").status == "closed"
    assert _open_by_type() == {**JANUARY_OPEN, "child_protection": 1}


# --- bounded work --------------------------------------------------------------------------------


def test_a_workbook_that_would_expand_out_of_bounds_is_refused_unread(db, registry):
    import zipfile

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "a" * 20_000_000 + "</sst>")
    with pytest.raises(ImportFailed) as caught:
        run(registry, packed.getvalue())
    assert "the workbook expands to 19 MB" in str(caught.value)
    assert "it was not read" in str(caught.value)
    assert Case.select().count() == 0


def test_only_the_first_problems_are_stored_but_all_are_counted(db, registry, monkeypatch):
    from audit_service.services.imports import case_import

    monkeypatch.setattr(case_import, "MAX_PROBLEMS_LISTED", 3)
    rows = [cin(n, d(3, 1, 2024)) for n in range(1, 6)]
    for row in rows:
        row[2] = "not a date"
    batch = run(registry, workbook_bytes({"List 6": [LIST_6, *rows]}))
    assert (batch.rejected_count, RejectedRow.select().count(), batch.created_count) == (5, 3, 5)


def test_a_file_past_the_row_limit_is_refused_whole(db, registry, monkeypatch):
    from audit_service.services.imports import case_import

    monkeypatch.setattr(case_import, "MAX_ITEMS", 4)
    with pytest.raises(ImportFailed) as caught:
        run(registry, workbook_bytes({"List 6": [LIST_6, *(cin(n, d(3, 1, 2024))
                                                            for n in range(1, 8))]}))
    assert "holds more than 4 rows and problems" in str(caught.value)
    assert Case.select().count() == 0


def test_rows_read_are_imported_or_refused_and_warnings_are_counted_apart(db, registry):
    data = workbook_bytes({"List 6": [
        LIST_6,
        cin(1, d(3, 1, 2024)),
        cin(2, "31/02/2024"),  # imported without the date seen
        cin(None, d(3, 1, 2024)),  # no child id: refused
        cin(1, d(9, 1, 2024)),  # child 1 again: refused
    ]})
    batch = run(registry, data)
    assert (batch.rows_read, batch.rows_refused, batch.warning_count, batch.rejected_count) == (
        4, 2, 1, 3)
    assert batch.created_count == 2

"""Admins upload a caseload file in the browser and read its report."""

from __future__ import annotations

import io
import re

import pytest

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import Case, Event, ImportBatch, RejectedRow
from tests.support.pages import XHTML
from tests.support.samples import ANNEX_A_2024, sample
from tests.support.workbooks import small_list6_workbook


def _cells(row) -> list[str]:
    return [re.sub(r"\s+", " ", "".join(c.itertext())).strip()
            for c in row if c.tag in (f"{XHTML}td", f"{XHTML}th")]


def _table_rows(page, caption_start: str) -> list[list[str]]:
    for table in page.doc.iter(f"{XHTML}table"):
        caption = table.find(f"{XHTML}caption")
        if caption is not None and "".join(caption.itertext()).startswith(caption_start):
            return [_cells(tr) for tr in table.find(f"{XHTML}tbody")]
    raise AssertionError(f"no table captioned {caption_start!r}")


def _summary(page) -> dict[str, str]:
    keys = [re.sub(r"\s+", " ", "".join(e.itertext())).strip() for e in page.select("dt")]
    values = [re.sub(r"\s+", " ", "".join(e.itertext())).strip() for e in page.select("dd")]
    return dict(zip(keys, values, strict=True))


def _upload(admin, content: bytes, filename: str, **fields: str):
    form = admin.get("/admin/imports")
    data = {"csrf_token": form.csrf_token(), "file": (io.BytesIO(content), filename), **fields}
    return admin.client.post("/admin/imports", data=data, content_type="multipart/form-data")


def test_the_imports_page_offers_the_registered_formats(login_as) -> None:
    admin = login_as(Role.ADMIN)
    page = admin.get("/admin/imports")
    assert page.h1() == "Imports"
    options = [o.get("value") for o in page.select("option")]
    assert options == ["", "annex-a-csv", "annex-a-xlsx", "cin-census-xml", "ssda903-csv"]
    assert page.select("input", type="file")[0].get("accept") == ".csv,.xlsm,.xlsx,.xml"
    assert "No cases have been imported yet." in page.text()
    assert [a.get("href") for a in page.doc.iter(f"{XHTML}a")
            if a.get("aria-current") == "page"] == ["/admin/imports"]


def test_uploading_a_workbook_shows_its_report(login_as) -> None:
    admin = login_as(Role.ADMIN)
    response = _upload(admin, small_list6_workbook(), "annex-a.xlsx",
                       **{"as_of-day": "31", "as_of-month": "1", "as_of-year": "2024"})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    batch = ImportBatch.get()
    assert response.headers["Location"] == f"/admin/imports/{batch.public_id}"
    assert batch.uploaded_by_id == admin.user.id
    assert Case.select().count() == 3

    report = admin.get(response.headers["Location"])
    assert report.h1() == "Import report: annex-a.xlsx"
    summary = _summary(report)
    assert summary["Status"] == "Completed"
    assert summary["Cases created"] == "3"
    assert summary["Cases updated"] == "0"
    assert summary["Cases unchanged"] == "0"
    assert summary["Cases closed"] == "0"
    assert summary["Problems listed"] == str(batch.rejected_count)
    assert summary["Rows read"] == (f"{batch.rows_read} ({batch.rows_read - batch.rows_refused} "
                                    f"imported, {batch.rows_refused} refused)")
    assert summary["Uploaded by"] == "Test Administrator"

    expected = [
        [r.sheet, str(r.row), r.column, r.value, r.reason]
        for r in RejectedRow.select().order_by(RejectedRow.sheet, RejectedRow.row, RejectedRow.id)
    ]
    shown = _table_rows(report, "Rows that could not be read")
    assert shown == expected
    assert ["List 6", "3", "Date of Birth", "31/02/2015"] in [row[:4] for row in shown]
    assert any(row[:2] == ["List 6", "5"] and row[2] == "Child Unique ID" for row in shown)
    region = report.select("div", **{"class": "app-table-wrapper"})[0]
    assert (region.get("role"), region.get("tabindex")) == ("region", "0")

    listing = admin.get("/admin/imports")
    [row] = _table_rows(listing, "The 50 most recent imports")
    assert row[1:] == ["annex-a.xlsx", "Test Administrator", "Completed", "3", "0", "0", "0",
                       str(batch.rejected_count)]


def test_importing_the_same_file_again_changes_nothing(login_as) -> None:
    admin = login_as(Role.ADMIN)
    content = small_list6_workbook()
    assert _upload(admin, content, "annex-a.xlsx").status_code == 302
    again = _upload(admin, content, "annex-a.xlsx")
    report = admin.get(again.headers["Location"])
    summary = _summary(report)
    assert (summary["Cases created"], summary["Cases unchanged"]) == ("0", "3")


def test_the_sample_annex_a_workbook_imports_and_reports_its_bad_rows(login_as) -> None:
    workbook = sample(ANNEX_A_2024)
    admin = login_as(Role.ADMIN)
    response = _upload(admin, workbook.read_bytes(), workbook.name)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    batch = ImportBatch.get()
    assert batch.created_count > 0 and batch.rejected_count > 0
    report = admin.get(response.headers["Location"])
    assert _summary(report)["Problems listed"] == str(batch.rejected_count)
    shown = _table_rows(report, "Rows that could not be read")
    assert len(shown) == min(batch.rejected_count, 100)
    if batch.rejected_count > 100:
        last = -(-batch.rejected_count // 100)
        admin.get(f"{response.headers['Location']}?page={last}")
        admin.get(f"{response.headers['Location']}?page={last + 1}", expected_status=404)


def test_an_unreadable_file_shows_the_form_again_with_the_reason(login_as) -> None:
    admin = login_as(Role.ADMIN)
    form = admin.get("/admin/imports")
    page = admin.post(
        "/admin/imports",
        data={"csrf_token": form.csrf_token(),
              "file": (io.BytesIO(b"not a workbook"), "cases.xlsx"),
              "as_of-day": "1", "as_of-month": "2", "as_of-year": "2024"},
        content_type="multipart/form-data",
        expected_status=422,
    )
    assert page.select("div", **{"class": "govuk-error-summary"})
    assert "cases.xlsx could not be imported" in page.text()
    assert [i.get("value") for i in page.select("input", name="as_of-day")] == ["1"]
    assert Case.select().count() == 0
    assert ImportBatch.get().status == "failed"


def test_a_file_of_unknown_type_is_refused_with_the_known_types(login_as) -> None:
    admin = login_as(Role.ADMIN)
    response = _upload(admin, b"id\n1\n", "cases.txt")
    assert response.status_code == 422
    assert "expected one of .csv, .xlsm, .xlsx" in response.get_data(as_text=True)


def test_missing_file_and_impossible_date_are_reported(login_as) -> None:
    admin = login_as(Role.ADMIN)
    form = admin.get("/admin/imports")
    page = admin.post(
        "/admin/imports",
        data={"csrf_token": form.csrf_token(), "as_of-day": "31", "as_of-month": "2",
              "as_of-year": "2024", "format": "no-such-format"},
        content_type="multipart/form-data",
        expected_status=400,
    )
    links = {a.get("href"): "".join(a.itertext()).strip()
             for a in page.doc.iter(f"{XHTML}a") if (a.get("href") or "").startswith("#")}
    assert links["#file"] == "Select the case file to import"
    assert links["#as_of-day"] == "Date the file was produced must be a real date"
    assert "#format" in links
    assert ImportBatch.select().count() == 0


def test_uploading_without_a_csrf_token_is_refused(login_as) -> None:
    admin = login_as(Role.ADMIN)
    response = admin.client.post(
        "/admin/imports",
        data={"file": (io.BytesIO(small_list6_workbook()), "annex-a.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert ImportBatch.select().count() == 0


def test_an_unknown_report_is_not_found(login_as) -> None:
    admin = login_as(Role.ADMIN)
    admin.get("/admin/imports/0123456789abcdef", expected_status=404)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_admins_may_import(login_as, role: Role) -> None:
    user = login_as(role)
    denied = user.get("/admin/imports", expected_status=403)
    assert denied.h1() == "You do not have permission to see this page"
    assert user.client.post("/admin/imports", data={"csrf_token": denied.csrf_token()}
                            ).status_code == 403
    events = list(Event.select().where(Event.action == "access.denied"))
    assert [(e.actor_id, e.object_id) for e in events] == [
        (user.user.id, "admin_imports.index"), (user.user.id, "admin_imports.upload")
    ]
    assert events[0].after["required_roles"] == ["admin"]


def test_an_import_closing_many_cases_shows_what_it_would_do_and_asks_first(login_as) -> None:
    from tests.importers.builders import caseload

    admin = login_as(Role.ADMIN)
    assert _upload(admin, caseload(cin=range(1, 9), cp=(11, 12)), "jan.xlsx").status_code == 302
    held = _upload(admin, caseload(cin=(1,), cp=(11, 12)), "feb.xlsx")
    batch = ImportBatch.get(ImportBatch.source_name == "feb.xlsx")
    assert held.headers["Location"] == f"/admin/imports/{batch.public_id}/confirm"
    assert Case.select().where(Case.status == "open").count() == 10

    page = admin.get(held.headers["Location"])
    assert page.h1() == "Check the cases this import would close"
    assert "would close 7 of the 10 open cases (70%)" in page.text()
    assert _table_rows(page, "What the import would do") == [
        ["Locality 1", "Child in need", "0", "0", "7"]]
    assert _summary(page)["Lists read"] == "List 6, List 7, List 8"
    listing = admin.get("/admin/imports")
    assert "Awaiting confirmation" in listing.text()

    done = admin.client.post(f"/admin/imports/{batch.public_id}/confirm", data={
        "csrf_token": page.csrf_token(), "decision": "confirm"})
    assert done.headers["Location"] == f"/admin/imports/{batch.public_id}"
    assert Case.select().where(Case.status == "open").count() == 3
    report = admin.get(done.headers["Location"])
    assert _summary(report)["Status"] == "Completed"
    assert "7 cases missing from the file were closed" in report.text()
    again = admin.client.post(f"/admin/imports/{batch.public_id}/confirm", data={
        "csrf_token": page.csrf_token(), "decision": "confirm"})
    assert again.status_code == 409


def test_a_held_import_can_be_cancelled(login_as) -> None:
    from tests.importers.builders import caseload

    admin = login_as(Role.ADMIN)
    _upload(admin, caseload(cin=range(1, 9)), "jan.xlsx")
    held = _upload(admin, caseload(cin=(1,)), "feb.xlsx")
    page = admin.get(held.headers["Location"])
    cancelled = admin.client.post(held.headers["Location"], data={
        "csrf_token": page.csrf_token(), "decision": "cancel"})
    assert cancelled.headers["Location"] == "/admin/imports"
    assert ImportBatch.get(ImportBatch.source_name == "feb.xlsx").status == "cancelled"
    assert Case.select().where(Case.status == "open").count() == 8
    assert "The import was cancelled" in admin.get("/admin/imports").text()

"""``/api/v1/imports``: upload, list and read import reports."""

from __future__ import annotations

import io

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import Case, ImportBatch, RejectedRow
from tests.support.workbooks import small_list6_workbook


def _upload(api, content: bytes, filename: str, query: str = ""):
    return api.post(f"/api/v1/imports{query}", data={"file": (io.BytesIO(content), filename)},
                    content_type="multipart/form-data")


def test_an_admin_imports_a_workbook_and_gets_the_report(api_as) -> None:
    api = api_as(Role.ADMIN)
    response = _upload(api, small_list6_workbook(), "annex-a.xlsx", "?as_of=2024-01-31")
    assert response.status_code == 201, response.json
    batch = ImportBatch.get()
    body = response.json
    assert body["id"] == batch.public_id
    assert body["source_name"] == "annex-a.xlsx"
    assert body["importer"] == "annex-a-xlsx"
    assert body["status"] == "completed"
    assert body["uploaded_by"] == api.user.username
    assert (body["created"], body["updated"], body["unchanged"], body["closed"]) == (3, 0, 0, 0)
    assert body["rejected"] == RejectedRow.select().count() == len(body["rejected_rows"])
    assert {"sheet": "List 6", "row": 3, "column": "Date of Birth", "value": "31/02/2015",
            "reason": body["rejected_rows"][[r["row"] for r in body["rejected_rows"]].index(3)][
                "reason"]} in body["rejected_rows"]
    assert Case.select().count() == 3

    listing = api.get("/api/v1/imports")
    assert listing.status_code == 200
    assert [b["id"] for b in listing.json] == [batch.public_id]
    assert "rejected_rows" not in listing.json[0]

    report = api.get(f"/api/v1/imports/{batch.public_id}")
    assert report.status_code == 200
    assert report.json == body


def test_an_unreadable_file_is_422_and_changes_nothing(api_as) -> None:
    api = api_as(Role.ADMIN)
    response = _upload(api, b"not a workbook", "cases.xlsx")
    assert response.status_code == 422
    assert response.json["message"].startswith("cases.xlsx could not be imported: ")
    assert Case.select().count() == 0


def test_an_unknown_extension_names_the_known_ones(api_as) -> None:
    response = _upload(api_as(Role.ADMIN), b"x", "cases.txt")
    assert response.status_code == 422
    assert "expected one of .csv, .xlsm, .xlsx" in response.json["message"]


def test_an_unknown_format_is_422(api_as) -> None:
    response = _upload(api_as(Role.ADMIN), small_list6_workbook(), "a.xlsx", "?format=nope")
    assert response.status_code == 422
    assert response.json["message"] == (
        "unknown format 'nope'; known formats: annex-a-csv, annex-a-xlsx, cin-census-xml, "
        "ssda903-csv"
    )
    assert ImportBatch.select().count() == 0


def test_the_format_can_be_named(api_as) -> None:
    api = api_as(Role.ADMIN)
    csv = b"Child Unique ID,Date of Birth,Allocated Team,Allocated Worker\nC9,01/01/2015,T,W\n"
    response = _upload(api, csv, "export.dat", "?format=annex-a-csv")
    assert response.status_code == 201, response.json
    assert response.json["importer"] == "annex-a-csv"
    assert response.json["created"] == 1


def test_missing_file_and_unknown_fields_are_refused(api_as) -> None:
    api = api_as(Role.ADMIN)
    missing = api.post("/api/v1/imports", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "file" in missing.json["errors"]["files"]
    unknown = _upload(api, small_list6_workbook(), "a.xlsx", "?colour=blue")
    assert unknown.status_code == 422
    assert unknown.json["errors"]["query"] == {"colour": ["Unknown field."]}
    bad_date = _upload(api, small_list6_workbook(), "a.xlsx", "?as_of=31/01/2024")
    assert bad_date.status_code == 422
    assert ImportBatch.select().count() == 0


def test_an_unknown_import_is_404(api_as) -> None:
    response = api_as(Role.ADMIN).get("/api/v1/imports/0123456789abcdef")
    assert response.status_code == 404
    assert response.json["message"] == "no import with that id"


def test_a_large_closure_is_409_until_confirmed(api_as) -> None:
    from tests.importers.builders import caseload

    api = api_as(Role.ADMIN)
    assert _upload(api, caseload(cin=range(1, 11)), "jan.xlsx").status_code == 201
    held = _upload(api, caseload(cin=(1, 2)), "feb.xlsx")
    assert held.status_code == 409, held.json
    assert (held.json["would_close"], held.json["open_cases"]) == (8, 10)
    assert "confirm" in held.json["message"]
    assert Case.select().where(Case.status == "open").count() == 10
    done = _upload(api, caseload(cin=(1, 2)), "feb.xlsx", "?confirm=true")
    assert done.status_code == 201, done.json
    assert (done.json["closed"], done.json["lists_read"]) == (8, ["List 6", "List 7", "List 8"])
    assert Case.select().where(Case.status == "open").count() == 2


def test_a_large_file_is_queued_with_202_and_its_progress_read_until_done(app, api_as) -> None:
    from audit_service.services.imports.background import run_queued
    from tests.support.installed import installed

    app.config["IMPORT_BACKGROUND_BYTES"] = 1
    api = api_as(Role.ADMIN)
    response = _upload(api, small_list6_workbook(), "annex-a.xlsx", "?as_of=2024-01-31")
    assert response.status_code == 202, response.json
    assert response.json["status"] == "queued" and response.json["created"] == 0
    assert response.json["progress"]["rows_read"] == 0
    location = response.headers["Location"]
    assert location.endswith(f"/api/v1/imports/{response.json['id']}")
    assert Case.select().count() == 0
    waiting = api.get(location)
    assert waiting.json["status"] == "queued" and waiting.json["progress"]["words"].startswith(
        "Waiting to start")

    with app.app_context():
        run_queued(installed().importers)
    done = api.get(location)
    assert done.json["status"] == "completed" and done.json["progress"] is None
    assert done.json["created"] == 3 == Case.select().count()

"""Large uploads are imported by the scheduler, never in a web request: queued with their
file, claimed once, imported as an upload would be, with their progress shown as they go."""

from __future__ import annotations

import datetime as dt
import io

from audit_service.domain.vocabulary import ImportStatus, Role
from audit_service.importers.annex_a import AnnexACsvImporter
from audit_service.services.imports import background
from audit_service.services.imports.uploads import confirm_upload, run_import
from audit_service.storage.models import Case, Event, ImportBatch, RejectedRow
from tests.support.installed import installed

AS_OF = dt.date(2024, 1, 31)
HEADER = "Child Unique ID,Date of Birth,Case Status,Allocated Team,Allocated Worker\n"


def _csv(children: range, team: str = "Locality 1") -> bytes:
    rows = "".join(f"C{n},01/05/2015,c) Child in need plan,{team},Ann Smith\n" for n in children)
    return (HEADER + rows).encode()


def _upload(admin_record, data: bytes, *, limit: float | None = 0.1):
    return run_import(io.BytesIO(data), "caseload.csv", importer_id=None, uploaded_by=admin_record,
                      as_of=AS_OF, importers=installed().importers, closure_limit=limit,
                      background_bytes=1)


def test_a_queued_import_changes_nothing_until_run_then_imports_once_with_progress(
        db, make_user):
    admin = make_user(Role.ADMIN)
    queued = _upload(admin, _csv(range(2500)))
    assert queued.status == "queued" and queued.progress.words.startswith("Waiting to start")
    assert Case.select().count() == 0
    stored = ImportBatch.get(ImportBatch.public_id == queued.public_id)
    assert stored.progress_total == 2500 and bytes(stored.pending_file).startswith(b"Child")
    assert Event.select().where(Event.action == "cases.import_queued").count() == 1

    [done] = background.run_queued(installed().importers)
    assert done.status == ImportStatus.COMPLETED and done.pending_file is None
    assert done.created_count == done.rows_read - done.rows_refused == 2500
    assert done.progress_rows == done.rows_read
    assert done.uploaded_by_id == admin.id
    assert Case.select().count() == 2500
    assert background.run_queued(installed().importers) == []  # claimed once, run once


def test_progress_is_written_as_the_file_is_read(db, make_user):
    seen: list[int] = []

    class Watched(AnnexACsvImporter):
        def read(self, stream, *, as_of):
            for count, item in enumerate(super().read(stream, as_of=as_of), start=1):
                if count in (999, 1001, 2001):
                    seen.append(ImportBatch.get().progress_rows)
                yield item

    _upload(make_user(Role.ADMIN), _csv(range(2500)))
    [done] = background.run_queued({"annex-a-csv": Watched})
    assert done.status == ImportStatus.COMPLETED
    assert seen == [0, 1000, 2000]  # another request reads this while the import runs


def test_a_batch_is_claimed_by_one_runner_and_a_stale_one_is_taken_up_again(db, make_user):
    queued = _upload(make_user(Role.ADMIN), _csv(range(3)))
    now = dt.datetime(2026, 12, 8, 9, 0)
    first = background._claim_next(now)
    assert first is not None and first.public_id == queued.public_id
    assert background._claim_next(now) is None  # another scheduler finds nothing to do
    assert background._claim_next(now + dt.timedelta(minutes=29)) is None
    again = background._claim_next(now + dt.timedelta(minutes=31))  # its runner died
    assert again is not None and again.public_id == queued.public_id
    background._run(again, installed().importers)
    assert ImportBatch.get_by_id(again.id).status == ImportStatus.COMPLETED
    assert Case.select().count() == 3


def test_an_unreadable_queued_file_fails_with_its_reason_and_is_not_kept(db, make_user):
    queued = _upload(make_user(Role.ADMIN), b"Reference,Team\n1,A\n")
    [failed] = background.run_queued(installed().importers)
    assert failed.status == ImportStatus.FAILED and failed.pending_file is None
    assert "no case could be read" in failed.error
    assert RejectedRow.select().where(RejectedRow.batch == failed.id).count() == 1
    assert failed.public_id == queued.public_id


def test_a_queued_import_closing_too_many_waits_then_runs_again_in_the_background(
        db, make_user):
    admin = make_user(Role.ADMIN)
    _upload(admin, _csv(range(10)))
    background.run_queued(installed().importers)
    smaller = _upload(admin, _csv(range(2)))  # would close 8 of 10 open cases
    [held] = background.run_queued(installed().importers)
    assert held.status == ImportStatus.AWAITING_CONFIRMATION and held.closed_count == 8
    assert Case.select().where(Case.status == "open").count() == 10

    confirmed = confirm_upload(smaller.public_id, actor=admin, importers=installed().importers,
                               background_bytes=1)
    assert confirmed.status == "queued"
    [done] = background.run_queued(installed().importers)
    assert done.status == ImportStatus.COMPLETED and done.closed_count == 8
    assert Case.select().where(Case.status == "open").count() == 2
    [event] = Event.select().where(Event.action == "cases.imported",
                                   Event.object_id == smaller.public_id)
    assert event.after["confirmed"] is True


def test_an_administrator_sees_the_import_queued_then_its_progress_then_its_report(
        app, login_as):
    app.config["IMPORT_BACKGROUND_BYTES"] = 1
    admin = login_as(Role.ADMIN)
    form = admin.get("/admin/imports")
    response = admin.client.post("/admin/imports", data={
        "file": (io.BytesIO(_csv(range(5))), "caseload.csv"), "format": "",
        "csrf_token": form.csrf_token()}, content_type="multipart/form-data")
    assert response.status_code == 302
    report_url = response.headers["Location"]
    page = admin.get(report_url)
    assert "Waiting to start" in page.text()
    [progress] = page.select("progress")
    assert (progress.get("max"), progress.get("value")) == ("5", "0")
    assert f'data-progress-url="{report_url}/progress"' in page.html
    assert "js/import-progress.mjs" in page.html
    status = admin.client.get(report_url + "/progress")
    assert status.json == {"status": "queued", "rows_read": 0, "rows_estimated": 5,
                           "words": "Waiting to start: large files are imported in the "
                                    "background, one at a time"}
    assert Case.select().count() == 0

    with app.app_context():
        background.run_queued(installed().importers)
    done = admin.get(report_url)
    assert done.select("progress") == []
    assert "Cases created" in done.text() and Case.select().count() == 5
    assert admin.client.get(report_url + "/progress").json["status"] == "completed"
    assert login_as(Role.QUALITY_LEAD).client.get(report_url + "/progress").status_code == 403

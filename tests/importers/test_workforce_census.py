"""The workforce census (CSWW XML) brings agency status and dates in role onto staff records
matched by Social Work England number, reads nothing personal, and creates nobody."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest

from audit_service.domain.imports.case_records import RowError
from audit_service.domain.imports.workforce import (
    WorkerRecord,
    WorkforceFileError,
    read_workforce_census,
)
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.services.imports.workforce_import import (
    WorkforceImportFailed,
    import_workforce,
)
from audit_service.storage.models import Event, Staff, User
from tests.support.samples import sample

CENSUS = "workforce/csww_2022_synthetic.xml"


def _census(*workers: str, namespace: str = "") -> io.BytesIO:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    body = "".join(f"<CSWWWorker>{w}</CSWWWorker>" for w in workers)
    return io.BytesIO(f"<Message{xmlns}><Header/>{body}</Message>".encode())


def _read(stream) -> tuple[list[WorkerRecord], list[RowError]]:
    items = list(read_workforce_census(stream))
    return ([i for i in items if isinstance(i, WorkerRecord)],
            [i for i in items if isinstance(i, RowError)])


def test_a_record_holds_the_number_agency_status_and_dates_and_nothing_personal():
    assert {f.name for f in dataclasses.fields(WorkerRecord)} == {
        "swe_number", "row", "agency", "started_on", "left_on"}
    workers, problems = _read(_census(
        "<AgencyWorker>1</AgencyWorker><SWENo>sw 123456</SWENo><PersonBirthDate>1967-01-04"
        "</PersonBirthDate><Ethnicity>REFU</Ethnicity><RoleStartDate>2019-04-07</RoleStartDate>",
        namespace="http://www.dfe.gov.uk/csww"))
    assert problems == []
    assert workers == [WorkerRecord("SW123456", 1, True, dt.date(2019, 4, 7), None)]


def test_each_problem_is_refused_or_left_out_with_its_place_and_reason():
    workers, problems = _read(_census(
        "<AgencyWorker>0</AgencyWorker>",  # no number: cannot be matched
        "<SWENo>12345</SWENo>",  # not a number
        "<SWENo>SW1</SWENo><AgencyWorker>yes</AgencyWorker><RoleEndDate>31/03/2023"
        "</RoleEndDate>",
        "<SWENo>sw1</SWENo>",  # the same person again
    ))
    assert [w.swe_number for w in workers] == ["SW1"]
    assert workers[0].agency is None and workers[0].left_on is None
    assert [(p.row, p.column, p.imported) for p in problems] == [
        (1, "SWENo", False), (2, "SWENo", False), (3, "AgencyWorker", True),
        (3, "RoleEndDate", True), (4, "SWENo", False)]
    assert "like SW123456" in problems[1].reason
    assert "The same number as worker 3" in problems[4].reason


@pytest.mark.parametrize(("content", "reason"), [
    (b"Child Unique ID\nC1\n", "not readable XML"),
    (b"<CINChildren><Child/></CINChildren>", "starts with <CINChildren>"),
    (b"<Message><Header/></Message>", "holds no <CSWWWorker>"),
    (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
     b"<Message><CSWWWorker><SWENo>&b;</SWENo></CSWWWorker></Message>", "declares entities"),
])
def test_a_file_that_is_not_a_census_is_refused_whole(content, reason):
    with pytest.raises(WorkforceFileError, match=reason):
        list(read_workforce_census(io.BytesIO(content)))


def test_the_shared_census_sample_reads_every_worker():
    with sample(CENSUS).open("rb") as stream:
        workers, problems = _read(stream)
    assert len(workers) == 30 and problems == []
    assert sum(w.agency for w in workers) == 18
    assert sum(w.started_on is not None for w in workers) == 26


def _staff(name: str, number: str | None, **fields) -> Staff:
    return Staff.create(name=name, name_key=name.lower(), swe_number=number, **fields)


def test_matched_staff_are_updated_once_unmatched_workers_are_reported_never_created(app):
    path = sample(CENSUS)
    with path.open("rb") as stream:
        first_three, _ = _read(stream)
    first_three = first_three[:3]
    for index, worker in enumerate(first_three):
        _staff(f"Worker {index}", worker.swe_number, employment_type="permanent")
    _staff("Not in the census", "SW999999", employment_type="permanent")
    people = Staff.select().count()

    with path.open("rb") as stream:
        checked = import_workforce(stream, path.name, actor_label="test", dry_run=True)
    assert (checked.matched, checked.updated, checked.unmatched) == (3, 3, 27)
    assert Staff.get(Staff.swe_number == first_three[0].swe_number).started_on is None

    with path.open("rb") as stream:
        report = import_workforce(stream, path.name, actor_label="test")
    assert (report.workers_read, report.matched, report.updated, report.unchanged,
            report.unmatched, report.refused, report.warnings) == (30, 3, 3, 0, 27, 0, 0)
    assert report.workers_read == report.matched + report.unmatched + report.refused
    assert len(report.unmatched_rows) == 27 and 1 not in report.unmatched_rows
    assert Staff.select().count() == people
    for worker in first_three:
        staff = Staff.get(Staff.swe_number == worker.swe_number)
        assert staff.employment_type == ("agency" if worker.agency else "permanent")
        assert staff.started_on == worker.started_on
    assert Staff.get(Staff.swe_number == "SW999999").employment_type == "permanent"
    [event] = Event.select().where(Event.action == "workforce.imported")
    assert event.after["updated"] == 3 and "1967" not in str(event.after)

    with path.open("rb") as stream:
        again = import_workforce(stream, path.name, actor_label="test")
    assert (again.updated, again.unchanged) == (0, 3)


def test_the_command_line_reports_and_refuses(app, runner, tmp_path):
    path = sample(CENSUS)
    result = runner.invoke(args=["import-workforce", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "30 workers read, 0 matched to staff records" in result.output
    assert "30 with no staff record of their number" in result.output
    assert not Event.select().where(Event.action == "workforce.imported").exists()
    wrong = tmp_path / "annex.csv"
    wrong.write_text("Child Unique ID\nC1\n")
    refused = runner.invoke(args=["import-workforce", str(wrong)])
    assert refused.exit_code == 1 and "annex.csv was not imported" in refused.output
    with pytest.raises(WorkforceImportFailed):
        import_workforce(io.BytesIO(b"<x/>"), "x.xml", actor_label="test")


def test_an_administrator_imports_the_census_in_the_browser_and_the_api(app, login_as):
    path = sample(CENSUS)
    with path.open("rb") as stream:
        workers, _ = _read(stream)
    staff = _staff("Ana Agency", workers[0].swe_number, employment_type="permanent")
    admin = login_as(Role.ADMIN)
    page = admin.get("/admin/imports")
    assert "/admin/imports/workforce" in page.html
    form = admin.get("/admin/imports/workforce")
    checked = admin.post("/admin/imports/workforce", data={
        "file": (io.BytesIO(path.read_bytes()), path.name), "dry_run": "y",
        "csrf_token": form.csrf_token()}, content_type="multipart/form-data")
    assert checked.h1() == f"Checked: {path.name}" and "Nothing was changed" in checked.text()
    assert Staff.get_by_id(staff.id).employment_type == "permanent"
    done = admin.post("/admin/imports/workforce", data={
        "file": (io.BytesIO(path.read_bytes()), path.name), "csrf_token": form.csrf_token()},
        content_type="multipart/form-data")
    assert done.h1() == f"Imported: {path.name}"
    assert "No staff record has the Social Work England number of workers 2, 3" in done.text()
    assert Staff.get_by_id(staff.id).employment_type == "agency"
    [event] = Event.select().where(Event.action == "workforce.imported")
    assert event.actor_id == admin.user.id
    refused = admin.post("/admin/imports/workforce", expected_status=422, data={
        "file": (io.BytesIO(b"Child Unique ID\nC1\n"), "annex.csv"),
        "csrf_token": form.csrf_token()}, content_type="multipart/form-data")
    assert "not readable XML" in refused.text()

    token = accounts.create_token(User.get_by_id(admin.user.id), "t", actor_label="test")
    api = app.test_client().post(
        "/api/v1/imports/workforce?dry_run=true", headers={"Authorization": f"Bearer {token}"},
        data={"file": (io.BytesIO(path.read_bytes()), path.name)},
        content_type="multipart/form-data")
    assert api.status_code == 200, api.get_json()
    body = api.get_json()
    assert (body["matched"], body["unchanged"], body["unmatched"], body["dry_run"]) == (
        1, 1, 29, True)
    assert body["unmatched_rows"][:2] == [2, 3] and body["problems"] == []


def test_import_cases_help_names_the_installed_importers(runner):
    result = runner.invoke(args=["import-cases", "--help"])
    assert result.exit_code == 0
    text = "".join(result.output.split())  # help wraps lines, even inside an id
    assert ("Installed:annex-a-csv(.csv);annex-a-xlsx(.xlsx,.xlsm);cin-census-xml(.xml);"
            "ssda903-csv(.csv).") in text

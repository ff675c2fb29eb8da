"""An administrator signs in, uploads the council's Annex A workbook and reads the report.

Real Chromium, real server, both databases; axe-core (WCAG 2.2 AA) on every page state.
"""

from __future__ import annotations

import pytest

from audit_service.domain.vocabulary import Role
from tests.browser.conftest import assert_accessible, screenshot
from tests.support.auth import PASSWORD
from tests.support.samples import ANNEX_A_2024, sample


@pytest.fixture
def admin(app, make_user):
    with app.app_context():
        return make_user(Role.ADMIN, "ada")


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_errors_are_accessible_and_linked(live_server, browser_page, admin):
    page = browser_page
    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")
    assert_accessible(page, "login: empty")

    sign_in(page, live_server, "ada", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for(state="visible")
    assert page.title().startswith("Error: Sign in")
    assert_accessible(page, "login: error")


def test_admin_uploads_the_sample_workbook_and_reads_the_report(live_server, browser_page, admin):
    workbook = sample(ANNEX_A_2024)
    page = browser_page
    sign_in(page, live_server, "ada", PASSWORD)
    page.goto(f"{live_server}/admin/imports")
    assert page.locator("h1").inner_text() == "Imports"
    assert_accessible(page, "imports: empty")

    page.get_by_label("Case file").set_input_files(str(workbook))
    page.get_by_role("button", name="Import cases").click()

    page.wait_for_url("**/admin/imports/*")
    assert "report" in page.locator("h1").inner_text().lower()
    body = page.locator("main").inner_text()
    assert "List 7" in body and "List 8" in body  # the sample's two bad rows are reported
    assert_accessible(page, "import report")

    page.goto(f"{live_server}/admin/imports")
    assert_accessible(page, "imports: filled")


def test_keyboard_only_sign_in(live_server, browser_page, admin):
    page = browser_page
    page.goto(f"{live_server}/login")
    page.keyboard.press("Tab")  # skip link first
    for _ in range(10):
        if page.evaluate("document.activeElement.name") == "username":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("ada")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")
    assert "Signed in as" in page.locator("body").inner_text() or page.locator("h1").is_visible()


def test_a_small_file_that_would_close_most_cases_waits_for_confirmation(
        live_server, browser_page, admin, tmp_path):
    from tests.importers.builders import caseload

    january, february = tmp_path / "january.xlsx", tmp_path / "february.xlsx"
    january.write_bytes(caseload(cin=range(1, 9), cp=(11, 12)))
    february.write_bytes(caseload(cin=(1,), cp=(11, 12)))
    page = browser_page
    sign_in(page, live_server, "ada", PASSWORD)
    for workbook in (january, february):
        page.goto(f"{live_server}/admin/imports")
        page.get_by_label("Case file").set_input_files(str(workbook))
        page.get_by_role("button", name="Import cases").click()
    page.wait_for_url("**/confirm")
    assert page.locator("h1").inner_text() == "Check the cases this import would close"
    assert "would close 7 of the 10 open cases" in page.locator(".govuk-warning-text").inner_text()
    assert_accessible(page, "import: confirm closures")
    screenshot(page, "import-confirm.png")

    page.get_by_role("button", name="Import and close 7 cases").click()
    page.wait_for_url("**/admin/imports/*")
    assert "7 cases missing from the file were closed" in page.locator("main").inner_text()
    assert_accessible(page, "import: confirmed")


def test_admin_checks_then_imports_the_workforce_census(live_server, browser_page, admin, app):
    from audit_service.domain.imports.workforce import WorkerRecord, read_workforce_census
    from audit_service.storage.models import Staff

    census = sample("workforce/csww_2022_synthetic.xml")
    with census.open("rb") as stream:
        first = next(i for i in read_workforce_census(stream) if isinstance(i, WorkerRecord))
    with app.app_context():
        Staff.create(name="Ana Agency", name_key="ana agency", swe_number=first.swe_number)
    page = browser_page
    sign_in(page, live_server, "ada", PASSWORD)
    # The administrator finds the worker's staff record and checks its number first.
    page.goto(f"{live_server}/admin/staff")
    page.get_by_label("Name or Social Work England number").fill("ana")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Ana Agency").click()
    assert page.locator("h1").inner_text() == "Ana Agency"
    assert page.get_by_label("Social Work England number").input_value() == first.swe_number
    assert_accessible(page, "staff record")
    page.goto(f"{live_server}/admin/staff?q=nobody")
    assert_accessible(page, "staff records: none found")
    page.goto(f"{live_server}/admin/imports")
    page.get_by_role("link", name="Import the workforce census").click()
    assert page.locator("h1").inner_text() == "Import the workforce census"
    assert_accessible(page, "workforce census: empty")

    page.get_by_label("Workforce census").set_input_files(str(census))
    page.get_by_label("Only check").check()
    page.get_by_role("button", name="Import the census").click()
    page.wait_for_selector("h1:has-text('Checked')")
    assert "Nothing was changed" in page.locator("main").inner_text()
    assert_accessible(page, "workforce census: checked")

    page.get_by_label("Workforce census").set_input_files(str(census))
    page.get_by_role("button", name="Import the census").click()
    page.wait_for_selector("h1:has-text('Imported')")
    summary = page.locator(".govuk-summary-list").inner_text()
    assert "Matched to staff records\n1" in summary.replace("\t", "\n")
    screenshot(page, "workforce-census-report.png")
    assert_accessible(page, "workforce census: imported")


def test_a_large_upload_shows_its_progress_then_its_report(live_server, browser_page, admin,
                                                            app):
    """The upload returns at once; the page follows the background import and shows the
    report when the scheduler has run it."""
    from audit_service.services.imports.background import run_queued
    from tests.support.installed import installed

    app.config["IMPORT_BACKGROUND_BYTES"] = 1
    page = browser_page
    sign_in(page, live_server, "ada", PASSWORD)
    page.goto(f"{live_server}/admin/imports")
    page.get_by_label("Case file").set_input_files(str(sample(ANNEX_A_2024)))
    page.get_by_role("button", name="Import cases").click()
    page.wait_for_url("**/admin/imports/*")
    assert page.get_by_role("progressbar").is_visible()
    assert "Waiting to start" in page.locator("main").inner_text()
    assert page.get_by_text("Cases created").count() == 0  # no counts before there are any
    assert_accessible(page, "import: queued")
    screenshot(page, "import-queued.png")

    with app.app_context():
        [done] = run_queued(installed().importers)
    assert done.status == "completed"
    # The page's script notices and reloads itself into the report.
    page.get_by_text("Cases created").wait_for(timeout=15_000)
    assert page.get_by_role("progressbar").count() == 0
    assert "Completed" in page.locator("main").inner_text()
    assert "List 7" in page.locator("main").inner_text()
    assert_accessible(page, "import: done")

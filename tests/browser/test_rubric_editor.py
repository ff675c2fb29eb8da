"""A quality lead creates a rubric draft in Chromium, sees the validator's errors on their
fields, previews it as an auditor would, publishes it, then publishes a weight change as
version 2 and compares the versions. Sampling policies and thematic audits pages too.

axe-core (WCAG 2.2 AA) runs on every new page in its empty, error and filled states.
"""

from __future__ import annotations

import pytest

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import Case, Service, Team
from tests.audits.world import publish_rubrics
from tests.browser.conftest import assert_accessible
from tests.browser.test_admin_import_journey import sign_in
from tests.support.auth import PASSWORD


@pytest.fixture
def lead(app, make_user):
    with app.app_context():
        return make_user(Role.QUALITY_LEAD, "lee")


def _submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def test_quality_lead_creates_validates_previews_and_publishes_a_rubric(
        live_server, browser_page, lead):
    page = browser_page
    sign_in(page, live_server, "lee", PASSWORD)
    page.goto(f"{live_server}/rubrics")
    assert_accessible(page, "rubrics: empty")

    page.get_by_role("button", name="Create a new rubric").click()
    page.wait_for_url("**/rubrics/new")
    assert_accessible(page, "new rubric: empty")
    page.get_by_label("Rubric id").fill("Not An Id")
    _submit(page, "Create draft")
    assert page.title().startswith("Error: Create a new rubric")
    page.locator(".govuk-error-summary").get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id"
    assert_accessible(page, "new rubric: error")

    page.get_by_label("Rubric id").fill("record_keeping")
    page.get_by_label("Title").fill("Record keeping")
    page.get_by_label("Domain").fill("Records")
    _submit(page, "Create draft")
    assert page.locator("h1").inner_text() == "Draft of Record keeping"
    draft_url = page.url
    assert page.locator("#problems li").count() == 2
    assert_accessible(page, "draft: problems")

    page.locator("#problems a", has_text="case_types").click()
    page.wait_for_url("**/details*")
    assert page.locator("#case_types-error").is_visible()
    assert_accessible(page, "details: error")
    page.get_by_label("Child in need").check()
    page.get_by_label("Child protection").check()
    _submit(page, "Save details")

    page.wait_for_url(draft_url)
    page.goto(f"{draft_url}/criteria")
    assert_accessible(page, "criteria: empty")
    page.get_by_role("button", name="Add a criterion").click()
    page.wait_for_url("**/criteria/new")
    assert_accessible(page, "criterion: empty")
    page.get_by_label("Criterion id").fill("chronology")
    page.get_by_label("Question for the auditor").fill("Is the chronology up to date?")
    page.get_by_label("Weight").fill("heavy")
    _submit(page, "Save criterion")
    error = page.locator("#weight-error")
    assert "Must be a number (got 'heavy')" in error.inner_text()
    assert page.get_by_label("Weight").input_value() == "heavy"
    assert_accessible(page, "criterion: error")
    page.get_by_label("Weight").fill("2")
    page.get_by_label("Good", exact=True).fill("Updated within a week of each event")
    _submit(page, "Save criterion")
    page.wait_for_url("**/criteria")
    assert_accessible(page, "criteria: filled")

    for section in ("scale", "bands", "rules", "rules/new"):
        page.goto(f"{draft_url}/{section}")
        assert_accessible(page, f"{section}: filled")

    page.goto(draft_url)
    assert page.locator("#ready").is_visible()
    assert_accessible(page, "draft: ready")
    page.get_by_role("button", name="Preview as an auditor").click()
    page.wait_for_url("**/preview")
    assert page.locator("#rating-record_keeping-chronology").is_disabled()
    assert "Updated within a week" in page.locator("main").text_content()  # in Guidance
    assert_accessible(page, "preview")
    page.go_back()

    _submit(page, "Publish as a new version")
    assert page.locator("h1").inner_text() == "Record keeping"
    assert "Version 1 of Record keeping has been published" in page.locator("body").inner_text()
    assert_accessible(page, "rubric: one version")

    # Version 2: change the weight, publish, compare.
    _submit(page, "Create a draft from version 1")
    second_draft = page.url
    page.goto(f"{second_draft}/criteria/0")
    page.get_by_label("Weight").fill("3")
    _submit(page, "Save criterion")
    page.goto(second_draft)
    _submit(page, "Publish as a new version")
    assert "Version 2 of Record keeping has been published" in page.locator("body").inner_text()
    _submit(page, "Compare")
    assert "criterion 'chronology': weight changed from 2 to 3" in page.locator(
        "#changes").inner_text()
    assert_accessible(page, "diff")

    page.goto(f"{live_server}/rubrics")
    assert_accessible(page, "rubrics: filled")
    page.goto(f"{live_server}/rubrics/import")
    assert_accessible(page, "import: empty")
    _submit(page, "Import as a draft")
    assert page.locator("#file-error").is_visible()
    assert_accessible(page, "import: error")

    page.goto(f"{live_server}/rubrics/assignments")
    assert_accessible(page, "assignments: empty")
    _submit(page, "Assign rubric")
    assert page.locator("#rubric-error").is_visible()
    assert_accessible(page, "assignments: error")
    page.get_by_label("Rubric", exact=True).select_option("record_keeping")
    page.get_by_label("Child in need").check()
    _submit(page, "Assign rubric")
    assert page.locator("#assignments").is_visible()
    assert_accessible(page, "assignments: filled")


def test_policy_and_thematic_pages_are_accessible(app, live_server, browser_page, lead):
    with app.app_context():
        publish_rubrics(app)
        service = Service.create(name="Children's services")
        team = Team.create(name="North", service=service)
        for i in range(3):
            Case.create(child_id=f"C{i}", case_type="child_protection", team=team,
                        age_band="1_4", facts_hash=str(i))
    page = browser_page
    sign_in(page, live_server, "lee", PASSWORD)
    page.goto(f"{live_server}/policies")
    assert_accessible(page, "policies: defaults")
    page.get_by_role("link", name="Change the policy for North").click()
    assert_accessible(page, "team policy: inherited")
    page.get_by_label("Cases per team manager each month").fill("0")
    _submit(page, "Save as a new version")
    assert page.locator("#cases_per_supervisor-error").is_visible()
    assert_accessible(page, "team policy: error")
    page.get_by_label("Cases per team manager each month").fill("3")
    _submit(page, "Save as a new version")
    assert "Team North, version 1" in page.locator("#team-policies").inner_text()
    assert_accessible(page, "policies: filled")

    page.goto(f"{live_server}/thematic")
    assert_accessible(page, "thematic: empty")
    page.get_by_role("button", name="Define a thematic audit").click()
    page.wait_for_url("**/thematic/new")
    assert_accessible(page, "thematic new: empty")
    page.locator("#closed_from-day").fill("31")
    page.locator("#closed_from-month").fill("2")
    page.locator("#closed_from-year").fill("2024")
    _submit(page, "Save thematic audit")
    assert page.locator("#closed_from-error").is_visible()
    assert_accessible(page, "thematic new: error")
    page.locator("#closed_from-day").fill("")
    page.locator("#closed_from-month").fill("")
    page.locator("#closed_from-year").fill("")
    page.get_by_label("Title").fill("Under-5s on CP plans")
    page.get_by_label("Under 5", exact=True).check()
    _submit(page, "Count matching cases")
    assert "3 cases match" in page.locator("#cohort-size").inner_text()
    assert_accessible(page, "thematic new: counted")
    _submit(page, "Save thematic audit")
    assert_accessible(page, "thematic: defined")
    page.get_by_label("How many cases to audit").fill("2")
    _submit(page, "Draw the sample")
    assert page.locator("#cases tbody tr").count() == 2
    assert_accessible(page, "thematic: drawn")

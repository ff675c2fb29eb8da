"""Blind moderation in Chromium: the moderator cannot see the first audit until they submit.

The page text and the DOM are both checked for the first auditor's evidence and
grade; axe (WCAG 2.2 AA) runs on each new page in its empty, error and filled states.
"""

from __future__ import annotations

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import Moderation
from tests.audits.world import world_fixture  # noqa: F401
from tests.browser.conftest import assert_accessible
from tests.browser.test_admin_import_journey import sign_in
from tests.moderation.builders import FIRST_EVIDENCE, moderated, submitted_first_audit
from tests.support.auth import PASSWORD


def _sign_out(page, base: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")


def test_moderator_is_blind_until_they_submit_then_the_lead_adjudicates(
        live_server, browser_page, world, make_user):
    with world.app.app_context():
        lead, first, moderation, second = moderated(world, make_user, submit=False)
    page = browser_page
    base = live_server

    # The moderator (a supervisor from another team) signs in and tries the first audit.
    sign_in(page, base, world.other_supervisor.username, PASSWORD)
    page.goto(f"{base}/audits/{first.public_id}")
    assert page.locator("h1").inner_text() == "You are moderating this audit"
    assert FIRST_EVIDENCE not in page.locator("body").inner_text()
    assert FIRST_EVIDENCE not in page.content()
    assert "Outstanding" not in page.content()

    # Their own blind form, filled in and submitted through the normal audit journey.
    page.goto(f"{base}/audits/{second.public_id}")
    assert FIRST_EVIDENCE not in page.content()
    for group in page.locator(".govuk-radios:has(input[name^=rating-])").all():
        options = group.locator("input[type=radio]")
        # The child is safe ("Yes"); every graded criterion the second option.
        (options.nth(0) if options.nth(0).get_attribute("value") == "yes"
         else options.nth(1)).check()
    for area in page.locator("textarea[name^=evidence-]").all():
        area.fill("The moderator's own evidence")
    page.get_by_role("button", name="Submit audit").click()
    page.get_by_text("Audit submitted").first.wait_for()

    # Now the first audit opens, with its evidence.
    page.goto(f"{base}/audits/{first.public_id}")
    assert FIRST_EVIDENCE in page.locator("body").inner_text()

    # The quality lead compares the two and records the agreed grade.
    _sign_out(page, base)
    sign_in(page, base, lead.username, PASSWORD)
    page.goto(f"{base}/moderation/{moderation.public_id}")
    assert "Different" in page.locator("main").inner_text()
    page.get_by_role("button", name="Record agreed grade").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert page.title().startswith("Error:")
    assert_accessible(page, "adjudication: error")
    page.get_by_label("Good", exact=True).check()
    page.get_by_label("Note: how the grade was agreed").fill("Agreed after discussion")
    page.get_by_role("button", name="Record agreed grade").click()
    page.locator("#agreed-grade").wait_for(state="visible")
    assert page.locator("#agreed-grade").inner_text() == "Good"
    assert_accessible(page, "adjudication: filled")
    with world.app.app_context():
        assert Moderation.get_by_id(moderation.id).agreed_grade == "good"

    page.goto(f"{base}/moderation/statistics")
    assert "1 completed moderation" in page.locator("main").inner_text()
    assert_accessible(page, "statistics: filled")
    page.goto(f"{base}/moderation/statistics?from=2026-13")
    assert page.title().startswith("Error:")
    assert_accessible(page, "statistics: error")


def test_moderation_and_learning_pages_are_accessible(live_server, browser_page, world,
                                                      make_user):
    lead = make_user(Role.QUALITY_LEAD, "lena", display_name="Lena Lead")
    page = browser_page
    base = live_server
    sign_in(page, base, lead.username, PASSWORD)
    for url, state in [("/moderation", "moderation: empty"),
                       ("/moderation/statistics", "statistics: empty"),
                       ("/learning", "learning: empty")]:
        page.goto(f"{base}{url}")
        assert_accessible(page, state)

    page.goto(f"{base}/moderation")
    page.get_by_role("button", name="Save share").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert_accessible(page, "moderation: error")

    with world.app.app_context():
        first = submitted_first_audit(world)
    page.goto(f"{base}/moderation")
    page.get_by_role("button", name="Pick the audit of child ID CHILD-A1 for moderation").click()
    page.wait_for_url("**/moderation/*")
    assert_accessible(page, "moderation detail: awaiting moderator")
    page.get_by_role("button", name="Assign moderator").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert_accessible(page, "assign: error")
    page.goto(f"{base}/moderation")
    assert_accessible(page, "moderation: filled")

    page.goto(f"{base}/learning")
    page.get_by_role("button", name="Add theme").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert_accessible(page, "learning: error")
    page.get_by_label("New theme").fill("Drift")
    page.get_by_role("button", name="Add theme").click()
    page.goto(f"{base}/learning/audits/{first.public_id}")
    assert_accessible(page, "tagging: empty")
    page.get_by_label("Drift").check()
    page.get_by_role("button", name="Save themes").click()
    page.get_by_label("Title").fill("Seen alone")
    page.get_by_label("Excerpt").fill("Seen at home on 03/04/2019 with CHILD-A1")
    page.get_by_role("button", name="Share exemplar").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "CHILD-A1" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "exemplar: error")
    page.get_by_label("Excerpt").fill("The child was seen alone at every visit.")
    page.get_by_role("button", name="Share exemplar").click()
    page.goto(f"{base}/learning")
    assert "The child was seen alone at every visit." in page.locator("main").inner_text()
    assert_accessible(page, "learning: filled")

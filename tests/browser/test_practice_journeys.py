"""The judgement inside the audit, in real Chromium: "No, the child is not safe" alerts the
service manager as soon as the draft is saved; the form shows the calculated grade and every
rule that limits it before submission; the result explains the grade with its findings."""

from __future__ import annotations

import re

from audit_service.domain.vocabulary import CaseType
from audit_service.storage.models import Audit, OutboxMessage
from tests.browser.builders import sign_in
from tests.browser.conftest import assert_accessible, screenshot
from tests.practice.conftest import council  # noqa: F401

SAFETY = "rating-safety_now-safe_now"


def test_not_safe_alerts_on_save_and_the_result_explains_the_grade(
        council, live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server
    case = council.cases[CaseType.CHILD_IN_NEED]
    sign_in(page, base, council.team_manager.username)
    page.goto(f"{base}/my-audits")
    with page.expect_navigation():
        page.locator(f"#start-audit-{case.public_id}").click()
    audit = Audit.get(Audit.case == case.id)

    # The safety question comes first; "No" is saved as a draft and alerts at once.
    first_radio = page.locator("input[type=radio][name^='rating-']").first
    assert first_radio.get_attribute("name") == SAFETY
    page.locator(f"input[name='{SAFETY}'][value='no']").check()
    page.locator("#evidence-safety_now-safe_now").fill(
        "Police notification last week: the child was found alone at night; no visit since.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    assert "Draft saved" in page.locator("main").inner_text()
    [alert] = [m for m in OutboxMessage.select() if m.key.startswith("audit-alert:")
               and m.notifier == "email"]
    assert alert.recipient_id == council.service_manager.id
    assert audit.status == "draft"

    # Every graded criterion Good except seen alone; the form then shows what the rules give.
    for radio in page.locator("input[type=radio][name^='rating-'][value='good']").all():
        radio.check()
    page.locator("input[name='rating-voice_of_the_child-seen_alone'][value='inadequate']").check()
    for area in page.locator("textarea[name^='evidence-']").all():
        if not area.input_value():
            area.fill("Read on the file")
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    preview = page.locator("#overall-judgement-section").inner_text()
    assert "the calculated grade is Inadequate" in preview
    findings = page.locator("#preview-findings").inner_text()
    assert "Child not seen alone and no reason recorded: overall grade capped at Requires " \
        "improvement" in findings
    assert "The auditor judged the child or young person not safe now: overall grade " \
        "capped at Inadequate" in findings
    assert_accessible(page, "audit form: complete, with the calculated grade")
    screenshot(page, "audit-form-overall-grade.png", "#overall-judgement-section")

    # A judgement above the rules is refused, naming the rule.
    page.locator("#overall-judgement-good").check()
    page.locator("#overall-judgement-reason").fill("The mother is engaging well.")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit audit").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "cannot be above Inadequate: The auditor judged the child or young person not " \
        "safe now" in summary
    assert_accessible(page, "audit form: judgement refused")
    page.locator("#overall-judgement").check()  # use the calculated grade
    with page.expect_navigation():
        page.get_by_role("button", name="Submit audit").click()

    page.wait_for_url(re.compile(r"/audits/[^/#]+$"))
    assert "Inadequate" in page.locator("#overall-grade").inner_text()
    explained = page.locator("#scoring-explanation").inner_text()
    assert "Alert raised" in explained
    assert "The auditor judged the child or young person not safe now: overall grade capped " \
        "at Inadequate" in explained
    assert "(the scores alone gave no more)" not in explained.split("\n")[0]
    assert page.locator("#domain-grade-safety_now").inner_text().strip() == "No"
    assert_accessible(page, "result: findings")
    screenshot(page, "audit-result-findings.png", "#audit-result")
    assert Audit.get_by_id(audit.id).effective_grade == "inadequate"

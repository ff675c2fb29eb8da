"""The audit journeys of issue 5 in real Chromium, against a live server, on both databases.

A supervisor completes and submits an audit with the keyboard alone; the
practitioner reads it, responds and acknowledges; actions are added and updated;
two tabs edit one draft and meet the conflict page; the form works with
JavaScript off; and it reflows at 320px and 400% zoom. axe-core (WCAG 2.2 AA)
runs on every page in its empty, error and filled states.
"""

from __future__ import annotations

import re

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import Audit, AuditAction, InboxItem, SamplingRound
from tests.audits.world import World, world_fixture  # noqa: F401
from tests.browser.builders import (
    active,
    criterion_stems,
    deliver_notices,
    sign_in,
    sign_in_by_keyboard,
    started_audit,
    submitted_audit,
    tab_to,
)
from tests.browser.conftest import assert_accessible

EVIDENCE = "Seen in the case file"


def _fill_by_keyboard(page, limit: int = 800) -> int:
    """Tab through the audit form from where focus is, answering every criterion.

    Each unanswered rating group gets ArrowDown (which moves to and selects its
    second option, "Good" on a four-point scale), except the safety judgement, which
    gets Space on its first option ("Yes"); each empty evidence box gets typed text.
    The overall judgement keeps the calculated grade. Stops on the Submit button;
    returns how many ratings it chose.
    """
    chosen = 0
    for _ in range(limit):
        el = active(page)
        if el["id"] == "submit-audit":
            return chosen
        if el["type"] == "radio" and el["name"].startswith("rating-"):
            if not el["groupChecked"]:
                page.keyboard.press("Space" if el["value"] == "yes" else "ArrowDown")
                chosen += 1
        elif el["tag"] == "textarea" and el["name"].startswith("evidence-") and not el["value"]:
            page.keyboard.type(f"Seen {chosen}")  # short: each key is a round trip
        page.keyboard.press("Tab")
    raise AssertionError("the Submit audit button was never reached by Tab")


def test_supervisor_completes_and_submits_an_audit_with_only_the_keyboard(
        world: World, live_server, browser_page):
    page = browser_page
    case = world.cases_a[0]
    sign_in_by_keyboard(page, live_server, "sam")

    tab_to(page, "a[href='/my-audits']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "My audits"
    assert "simple random: drawn at random" in page.locator("#round-cases").inner_text()
    assert_accessible(page, "supervisor home: this month's round")

    tab_to(page, f"#start-audit-{case.public_id}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == f"Audit of case {case.child_id}"
    assert_accessible(page, "audit form: empty")

    # Submitting with nothing answered: the error summary links to each field.
    tab_to(page, "#submit-audit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error: Audit of case")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for(state="visible")
    first_link = summary.locator("a").first
    target = first_link.get_attribute("href")
    assert_accessible(page, "audit form: errors")

    # Follow the first error link; focus lands on the field it names.
    tab_to(page, ".govuk-error-summary__list a")
    page.keyboard.press("Enter")
    page.wait_for_function("t => document.activeElement && ('#' + document.activeElement.id) == t",
                           arg=target)
    stems = criterion_stems(world, Audit.get(Audit.case == case))
    assert target == f"#rating-{stems[0]}"

    chosen = _fill_by_keyboard(page)
    assert chosen == len(stems)
    assert_accessible(page, "audit form: filled")
    assert active(page)["id"] == "submit-audit"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/audits/[^/#]+$"))
    assert page.locator("h1").inner_text() == f"Audit of case {case.child_id}"
    assert "Audit submitted" in page.locator("main").inner_text()
    assert "Good" in page.locator("#overall-grade").inner_text()
    audit = Audit.get(Audit.case == case)
    assert audit.status == "submitted" and audit.overall_grade == "good"
    for rubric_id in {stem.split("-")[0] for stem in stems}:
        assert page.locator(f"[id='domain-grade-{rubric_id}']").inner_text().strip()
    assert page.locator("#scoring-explanation li").count() >= 1
    assert page.locator("#audit-form").count() == 0  # read-only now
    assert_accessible(page, "result")


def test_practitioner_reads_responds_acknowledges_and_updates_an_action(
        world: World, live_server, browser):
    audit = submitted_audit(world)
    deliver_notices(world)
    sup_context = browser.new_context(viewport={"width": 1280, "height": 900})
    pat_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        sup, pat = sup_context.new_page(), pat_context.new_page()

        # The practitioner is told in the inbox and follows the link to the audit.
        sign_in(pat, live_server, "pat")
        pat.goto(f"{live_server}/inbox")
        assert "1 unread message" in pat.locator("main").inner_text()
        assert_accessible(pat, "inbox: filled")
        with pat.expect_navigation():
            pat.get_by_role("link", name="An audit of your case is ready to read").click()
        assert pat.url.endswith(f"/audits/{audit.public_id}")
        assert pat.locator("#overall-grade").is_visible()
        assert_accessible(pat, "practitioner audit view: to respond")

        with pat.expect_navigation():
            pat.locator("#save-response").click()
        assert pat.title().startswith("Error: ")
        assert "Enter your response" in pat.locator(".govuk-error-summary").inner_text()
        assert_accessible(pat, "practitioner audit view: response error")

        pat.get_by_label("Your response").fill("I agree; the chronology is now up to date.")
        with pat.expect_navigation():
            pat.locator("#save-response").click()
        assert "Response saved" in pat.locator("main").inner_text()
        with pat.expect_navigation():
            pat.locator("#acknowledge-audit").click()
        assert "Acknowledged by the practitioner" in pat.locator("main").inner_text()
        assert pat.locator("#response-text").inner_text().startswith("I agree")
        assert pat.locator("#response").count() == 0
        assert_accessible(pat, "practitioner audit view: acknowledged")
        fresh = Audit.get_by_id(audit.id)
        assert fresh.acknowledged_at is not None and fresh.response.startswith("I agree")

        # The supervisor records an action: first with gaps, then properly.
        sign_in(sup, live_server, "sam")
        sup.goto(f"{live_server}/audits/{audit.public_id}")
        assert sup.locator("#response-text").is_visible()
        assert_accessible(sup, "actions: none yet")
        with sup.expect_navigation():
            sup.locator("#add-action").click()
        assert sup.title().startswith("Error: ")
        assert_accessible(sup, "actions: errors")
        sup.get_by_label("What needs to be done").fill("Update the chronology")
        sup.locator("#owner").select_option(label="Pat Practice (practitioner)")
        sup.locator("#due-day").fill("1")
        sup.locator("#due-month").fill("3")
        sup.locator("#due-year").fill("2031")
        with sup.expect_navigation():
            sup.locator("#add-action").click()
        assert "Action added" in sup.locator("main").inner_text()
        assert "Update the chronology" in sup.locator("#actions-table").inner_text()
        assert_accessible(sup, "actions: filled")

        # The owner moves it on from their own page.
        pat.goto(f"{live_server}/my-case-audits")
        assert "Acknowledged" in pat.locator("#my-audits").inner_text()
        action = AuditAction.get()
        pat.locator(f"#action-status-{action.public_id}").select_option("in_progress")
        with pat.expect_navigation():
            pat.locator(f"#update-action-{action.public_id}").click()
        assert "Action updated" in pat.locator("main").inner_text()
        assert AuditAction.get_by_id(action.id).status == "in_progress"
        assert_accessible(pat, "practitioner home: filled")

        sup.goto(f"{live_server}/my-audits")
        assert "Update the chronology" in sup.locator("#team-actions").inner_text()
        assert_accessible(sup, "supervisor home: round submitted, team actions")
    finally:
        sup_context.close()
        pat_context.close()


def test_two_tabs_editing_one_draft_meet_the_conflict_page_and_merge(
        world: World, live_server, browser_page):
    audit = started_audit(world)
    one, two = criterion_stems(world, audit)[:2]
    tab_a = browser_page
    sign_in(tab_a, live_server, "sam")
    tab_b = tab_a.context.new_page()
    url = f"{live_server}/audits/{audit.public_id}"
    tab_a.goto(url)
    tab_b.goto(url)

    tab_a.locator(f"#evidence-{one}").fill("Tab A: seen alone twice")
    with tab_a.expect_navigation():
        tab_a.locator("#save-draft").click()
    assert "Draft saved" in tab_a.locator("main").inner_text()

    tab_b.locator(f"#evidence-{one}").fill("Tab B: seen once, with mother")
    tab_b.locator(f"#evidence-{two}").fill("Tab B: plan reviewed")
    with tab_b.expect_navigation():
        tab_b.locator("#save-draft").click()
    assert tab_b.locator("h1").inner_text() == "This audit was changed somewhere else"
    conflict = tab_b.locator("#conflict-form").inner_text()
    assert "Tab A: seen alone twice" in conflict and "Tab B: seen once, with mother" in conflict
    assert "Tab B: plan reviewed" in conflict
    assert_accessible(tab_b, "conflict page")

    # Per field: keep the saved (tab A) answer for the first, tab B's for the second.
    tab_b.locator(f"#choice-evidence-{one}-2").check()
    tab_b.locator(f"#choice-evidence-{two}").check()
    with tab_b.expect_navigation():
        tab_b.locator("#save-choices").click()
    assert "Draft saved with the answers you chose" in tab_b.locator("main").inner_text()
    assert tab_b.locator(f"#evidence-{one}").input_value() == "Tab A: seen alone twice"
    assert tab_b.locator(f"#evidence-{two}").input_value() == "Tab B: plan reviewed"
    assert Audit.get_by_id(audit.id).version == 3

    # Tab A is stale now; its autosave is refused and offers the comparison.
    tab_a.locator(f"#evidence-{two}").fill("Tab A: typed later")
    tab_a.locator(f"#evidence-{one}").focus()  # leaving the box starts the autosave
    compare = tab_a.locator("#autosave-compare")
    compare.wait_for(state="visible")
    assert "saved in another window" in tab_a.locator("#autosave-status").inner_text()
    assert_accessible(tab_a, "audit form: autosave conflict")
    with tab_a.expect_navigation():
        compare.click()
    assert tab_a.locator("h1").inner_text() == "This audit was changed somewhere else"
    assert "Tab A: typed later" in tab_a.locator("#conflict-form").inner_text()
    assert Audit.get_by_id(audit.id).version == 3  # nothing was overwritten


def test_saving_and_submitting_work_without_javascript(world: World, live_server, browser):
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, live_server, "sam")
        page.goto(f"{live_server}/my-audits")
        case = world.cases_a[1]
        with page.expect_navigation():
            page.locator(f"#start-audit-{case.public_id}").click()
        audit = Audit.get(Audit.case == case)
        stems = criterion_stems(world, audit)

        page.locator(f"#rating-{stems[0]}-2").check()
        page.locator(f"#evidence-{stems[0]}").fill("Typed with JavaScript off")
        with page.expect_navigation():
            page.locator("#save-draft").click()
        assert "Draft saved" in page.locator("main").inner_text()
        assert page.locator(f"#rating-{stems[0]}-2").is_checked()
        assert page.locator(f"#evidence-{stems[0]}").input_value() == "Typed with JavaScript off"
        assert Audit.get_by_id(audit.id).version == 2

        with page.expect_navigation():
            page.locator("#submit-audit").click()
        assert page.title().startswith("Error: ")
        links = page.locator(".govuk-error-summary a")
        assert links.count() == 2 * (len(stems) - 1)  # a rating and evidence for each other one
        for stem in stems[1:]:
            page.locator(f"#rating-{stem}-2").check()
            page.locator(f"#evidence-{stem}").fill(EVIDENCE)
        with page.expect_navigation():
            page.locator("#submit-audit").click()
        assert "Audit submitted" in page.locator("main").inner_text()
        assert page.locator("#overall-grade").inner_text().strip()
        assert Audit.get_by_id(audit.id).status == "submitted"
    finally:
        context.close()


def _no_horizontal_scroll(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width}px: {scroll}px wide"


def test_the_audit_form_reflows_at_320px_and_400_percent_zoom(world: World, live_server, browser):
    audit = started_audit(world)
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        sign_in(page, live_server, "sam")
        page.goto(f"{live_server}/audits/{audit.public_id}")
        _no_horizontal_scroll(page, 320)
        with page.expect_navigation():
            page.locator("#submit-audit").click()
        assert page.title().startswith("Error: ")
        _no_horizontal_scroll(page, 320)
        # 400% zoom of a 1280x1024 screen: 320 by 256 CSS pixels.
        page.set_viewport_size({"width": 320, "height": 256})
        _no_horizontal_scroll(page, 320)
        page.goto(f"{live_server}/my-audits")
        _no_horizontal_scroll(page, 320)
    finally:
        context.close()


def test_empty_and_error_states_of_homes_inbox_and_rounds_are_accessible(
        world: World, live_server, browser, make_user):
    make_user(Role.QUALITY_LEAD, "quinn")
    pages = {}
    try:
        for username in ("hana", "cal", "sam", "quinn"):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            pages[username] = context.new_page()
            sign_in(pages[username], live_server, username)

        manager = pages["hana"]  # a supervisor with no round this month
        manager.goto(f"{live_server}/my-audits")
        assert "You have no sampling round" in manager.locator("main").inner_text()
        assert_accessible(manager, "supervisor home: empty")

        colleague = pages["cal"]  # a practitioner with no audited cases
        colleague.goto(f"{live_server}/my-case-audits")
        assert "None of your cases" in colleague.locator("main").inner_text()
        assert_accessible(colleague, "practitioner home: empty")
        colleague.goto(f"{live_server}/inbox")
        assert InboxItem.select().count() == 0
        assert "You have no messages" in colleague.locator("main").inner_text()
        assert_accessible(colleague, "inbox: empty")

        owner = pages["sam"]
        owner.goto(f"{live_server}/rounds/{world.round_a.public_id}")
        assert owner.locator("h1").inner_text().startswith("Your sample for")
        assert_accessible(owner, "round: filled")
        with owner.expect_navigation():
            owner.get_by_role("button", name="Replace case 1").click()
        assert owner.title().startswith("Error: ")
        assert "Enter the reason" in owner.locator(".govuk-error-summary").inner_text()
        assert_accessible(owner, "round: replace error")

        lead = pages["quinn"]
        lead.goto(f"{live_server}/rounds")
        assert SamplingRound.select().count() == 2
        assert "Sam Super" in lead.locator("main").inner_text()
        assert_accessible(lead, "rounds index: filled")
        lead.goto(f"{live_server}/rounds?period=2001-01")
        assert_accessible(lead, "rounds index: empty")
        lead.goto(f"{live_server}/rounds/{world.round_a.public_id}/population")
        assert_accessible(lead, "round population")
    finally:
        for page in pages.values():
            page.context.close()



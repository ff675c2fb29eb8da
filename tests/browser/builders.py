"""Helpers for the browser journeys: data built through the services, and keyboard moves.

The data comes from the same ``world`` as the Flask-client audit tests
(``tests/audits/world.py``), so both kinds of test speak about the same council.
Keyboard helpers move focus with Tab / Shift+Tab only and read where focus
landed; they never click or fill, so a journey that uses them proves the page
can be worked by keyboard alone.
"""

from __future__ import annotations

import datetime as dt

from audit_service.domain.audits import answers_from_form
from audit_service.extension import registries
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.platform import outbox
from audit_service.storage.models import Audit
from tests.audits.world import World, complete_form
from tests.support.auth import PASSWORD

# Where focus is, described in one round trip: tag, type, name, id, value, checked state,
# and for a radio whether any of its group is checked.
_ACTIVE = """() => {
  const el = document.activeElement;
  if (!el) return null;
  return {tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "",
          id: el.id || "", checked: !!el.checked, value: el.value || "",
          groupChecked: el.type === "radio" && !!el.form &&
            !!el.form.querySelector(`input[name="${el.name}"]:checked`)};
}"""


def active(page) -> dict:
    """The focused element's tag, type, name, id, value, checked and group-checked state."""
    return page.evaluate(_ACTIVE)


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 600) -> dict:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return active(page)
    raise AssertionError(f"{selector!r} was not reached with {limit} presses of {key}")


def sign_in_by_keyboard(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    tab_to(page, "input[name=username]")
    page.keyboard.type(username)
    tab_to(page, "input[name=password]")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    """The ordinary way in, for journeys that are not about the keyboard."""
    page.goto(f"{base}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def started_audit(world: World, case_index: int = 0) -> Audit:
    """The supervisor's draft audit of the ``case_index``-th drawn case, made by the service."""
    with world.app.app_context():
        audit_service.ensure_published(registries().rubrics)
        audit, _ = audit_service.start_audit(
            world.supervisor, world.round_a.public_id, world.cases_a[case_index].public_id,
            registries().criterion_types)
    return audit


def submitted_audit(world: World, case_index: int = 0, rating_index: int = 1) -> Audit:
    """A complete audit submitted by the supervisor, its notices queued for the practitioner."""
    audit = started_audit(world, case_index)
    with world.app.app_context():
        types = registries().criterion_types
        state = audit_service.load_state(audit, types)
        answers = answers_from_form(complete_form(state, rating_index), state.keys)
        audit_service.submit(world.supervisor, audit, answers, audit.version, types)
    return Audit.get_by_id(audit.id)


def deliver_notices(world: World) -> None:
    """Do what the scheduler does every minute: send the queued notices (in-app inbox here)."""
    with world.app.app_context():
        outbox.deliver_due(dt.datetime.now(dt.UTC), registries().notifiers)


def criterion_stems(world: World, audit: Audit) -> list[str]:
    """``<rubric>-<criterion>`` for every criterion of the audit, in form order."""
    with world.app.app_context():
        state = audit_service.load_state(Audit.get_by_id(audit.id),
                                         registries().criterion_types)
    return [f"{key.rubric_id}-{key.criterion_id}" for key in state.keys]

"""Re-audit that checks change: a case graded Requires improvement comes back after the policy's
interval, drawn first, and its re-audit shows the audit it follows up, that audit's actions
and the change in grade. A case that closes while it waits is reported, not dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_service.domain.audits import answers_from_form
from audit_service.domain.vocabulary import CaseType
from audit_service.extension import registries
from audit_service.services.audits import actions as action_service
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.imports import case_import
from audit_service.services.sampling import rounds
from audit_service.storage.models import (
    Audit,
    Event,
    OutboxMessage,
    RoundCase,
    SamplingRound,
    User,
)
from tests.audits.world import complete_form
from tests.importers.builders import LIST_6, d, stream, workbook_bytes
from tests.practice.conftest import PracticeCouncil
from tests.support.auth import sign_in
from tests.support.installed import strategies
from tests.support.pages import PageClient

MONTHS_AGO = dt.timedelta(days=125)


def _types():
    return registries().criterion_types


def _graded_requires_improvement(council: PracticeCouncil) -> Audit:
    """The child in need case, audited four months ago and graded Requires improvement, with
    an action agreed after it."""
    with council.app.app_context():
        audit, _ = audit_service.start_audit(council.team_manager, council.round_.public_id,
                                             council.cases[CaseType.CHILD_IN_NEED].public_id,
                                             _types())
        state = audit_service.load_state(audit, _types())
        answers = answers_from_form(complete_form(state, 2), state.keys)
        done = audit_service.submit(council.team_manager, audit, answers, audit.version,
                                    _types()).audit
        worker = User.get(User.username == "wren")
        action_service.create_action(council.team_manager, done, action_service.ActionInput(
            "Record the child's wishes and feelings in their own words", worker,
            dt.date.today() + dt.timedelta(days=20)), dt.date.today())
    then = dt.datetime.now() - MONTHS_AGO
    Audit.update(created_at=then, submitted_at=then).where(Audit.id == done.id).execute()
    SamplingRound.update(opened_at=then).where(SamplingRound.id == council.round_.id).execute()
    return Audit.get_by_id(done.id)


def _next_period() -> tuple[str, dt.date]:
    first = (dt.date.today().replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return f"{first:%Y-%m}", first


def test_a_case_graded_requires_improvement_is_re_audited_and_shows_the_change(
    council: PracticeCouncil,
) -> None:
    previous = _graded_requires_improvement(council)
    assert previous.effective_grade == "requires_improvement"
    period, first_day = _next_period()
    with council.app.app_context():
        report = rounds.open_rounds(period, today=first_day, registry=strategies())
    assert report.opened == ["Tom Team"]
    round_ = SamplingRound.get(SamplingRound.period == period)
    first = RoundCase.select().where(RoundCase.round == round_.id).order_by(
        RoundCase.position).first()
    assert (first.case_id, first.pool, first.reaudit_of_id) == (
        previous.case_id, "reaudit", previous.id)
    assert first.reason.startswith("re-audit: graded Requires improvement on ")

    tom = council.api(council.team_manager)
    started = tom.post("/api/v1/audits", json={
        "round": round_.public_id, "case": council.cases[CaseType.CHILD_IN_NEED].public_id})
    assert started.status_code == 201, started.json
    body = started.json
    assert body["kind"] == "reaudit"
    assert body["reaudit"]["previous"]["id"] == previous.public_id
    assert body["reaudit"]["previous"]["grade"] == "requires_improvement"
    assert [a["description"] for a in body["reaudit"]["previous"]["actions"]] == [
        "Record the child's wishes and feelings in their own words"]
    assert (body["reaudit"]["grade"], body["reaudit"]["change"]) == (None, None)

    good = [{"rubric": r["rubric"], "criterion": c["id"],
             "rating": "good" if c["scored"] else "yes", "evidence": "Seen and heard"}
            for r in body["rubrics"] for c in r["criteria"]]
    done = tom.post(f"/api/v1/audits/{body['id']}/submit",
                    json={"version": body["version"], "answers": good})
    assert done.status_code == 200, done.json
    after = tom.get(f"/api/v1/audits/{body['id']}").json
    assert (after["reaudit"]["grade"], after["reaudit"]["change"]) == ("good", "improved")
    assert Event.get(Event.action == "audit.reaudited").after == {
        "previous_audit": previous.public_id, "previous_grade": "requires_improvement",
        "grade": "good"}

    client = council.app.test_client()
    assert sign_in(client, council.team_manager.username).status_code == 302
    page = PageClient(client).get(f"/audits/{body['id']}")
    panel = " ".join("".join(page.select("div", id="reaudit-panel")[0].itertext()).split())
    assert "Re-audit: has practice changed?" in panel
    assert "practice has improved" in panel
    assert "Record the child's wishes and feelings in their own words (open, due" in panel


def test_a_case_that_closes_before_its_re_audit_alerts_the_quality_lead(
    council: PracticeCouncil,
) -> None:
    previous = _graded_requires_improvement(council)
    others = [case for case_type, case in council.cases.items()
              if case_type != CaseType.CHILD_IN_NEED]
    rows = [LIST_6, *[[case.child_id, "F", d(1, 1, 2015), d(1, 1, 2026), d(1, 11, 2026), None,
                       None, "Open", "Safeguarding East", "Wren Worker"] for case in others]]
    with council.app.app_context():
        batch = case_import.import_file(stream(workbook_bytes({"List 6": rows})),
                                        "annex_a.xlsx", as_of=dt.date.today(),
                                        importers=registries().importers, closure_limit=None)
    assert batch.closed_count == 1
    [message] = [m for m in OutboxMessage.select()
                 if m.key.startswith("reaudit-closed:") and m.notifier == "email"]
    assert message.recipient_id == council.quality_lead.id
    assert message.link == "/reaudits"
    assert "Safeguarding East (1)" in message.body_text
    child = council.cases[CaseType.CHILD_IN_NEED].child_id
    assert child not in message.body_text + message.subject
    event = Event.get(Event.action == "case.closed_awaiting_reaudit")
    assert event.after["last_grade"] == "requires_improvement"

    ql = council.api(council.quality_lead)
    [row] = [r for r in ql.get("/api/v1/reaudits").json if r["closed_on"]]
    assert (row["child_id"], row["last_grade"]) == (child, previous.effective_grade)
    client = council.app.test_client()
    assert sign_in(client, council.quality_lead.username).status_code == 302
    page = PageClient(client).get("/reaudits")
    assert page.h1() == "Re-audits"
    assert child in "".join(page.select("table", id="closed-awaiting")[0].itertext())


@pytest.mark.parametrize("role", ["supervisor", "practitioner", "hr", "senior_leader"])
def test_only_quality_leads_and_administrators_read_the_re_audit_list(
    council: PracticeCouncil, make_user, role: str,
) -> None:
    user = make_user(role, f"reader-{role.replace('_', '-')}")
    assert council.api(user).get("/api/v1/reaudits").status_code == 403

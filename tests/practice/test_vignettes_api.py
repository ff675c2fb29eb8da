"""Every vignette audited end to end through the API, on SQLite and PostgreSQL: start the
audit of a drawn case, save the ratings as a draft, submit, and read the grade and the
findings a principal social worker would expect."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_service.domain.vocabulary import CaseType
from audit_service.storage.models import Audit, Case, Event, OutboxMessage
from tests.practice.conftest import answers_for, started
from tests.practice.vignettes import BY_ID, VIGNETTES
from tests.support.auth import sign_in
from tests.support.pages import PageClient


def _findings(result: dict) -> set[str]:
    found = {f["rule"] for f in result["overall"]["findings"]}
    for domain in result["domains"]:
        found |= {f["rule"] for f in domain["findings"]}
    return found - {"weakest_domain"}


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.id)
def test_each_vignette_is_graded_through_the_api(council, vignette) -> None:
    if vignette.closed:
        Case.update(status="closed", closed_on=dt.date.today() - dt.timedelta(days=3),
                    closure_reason="RC8 - Case closed after assessment").where(
            Case.id == council.cases[vignette.case_type].id).execute()
    tom = council.api(council.team_manager)
    audit = started(council, tom, vignette.case_type)
    assert audit["kind"] == "monthly"
    assert audit["case"]["status"] == ("closed" if vignette.closed else "open")
    url = f"/api/v1/audits/{audit['id']}"
    answers = answers_for(vignette, audit)
    saved = tom.client.put(f"{url}/draft", json={"version": audit["version"],
                                                 "answers": answers}, headers=tom.headers)
    assert saved.status_code == 200, saved.json
    done = tom.post(f"{url}/submit", json={"version": saved.json["version"], "answers": []})
    assert done.status_code == 200, done.json
    assert done.json["overall_grade"] == vignette.grade
    assert done.json["auditor_grade"] == vignette.grade
    assert _findings(done.json["result"]) == set(vignette.rules)
    overall = done.json["result"]["overall"]
    if overall["score"] is not None:  # a score shown never reads as a better grade
        assert float(overall["score"]) <= {"outstanding": 4, "good": 3.5,
                                           "requires_improvement": 2.5,
                                           "inadequate": 1.5}[vignette.grade]
    assert Audit.get(Audit.public_id == audit["id"]).effective_grade == vignette.grade


def test_no_means_an_alert_to_the_service_manager_when_the_draft_is_saved(council) -> None:
    vignette = BY_ID["child_not_safe"]
    tom = council.api(council.team_manager)
    audit = started(council, tom, vignette.case_type)
    url = f"/api/v1/audits/{audit['id']}"
    [safety] = [a for a in answers_for(vignette, audit) if a["rubric"] == "safety_now"]
    saved = tom.client.put(f"{url}/draft", json={"version": audit["version"],
                                                 "answers": [safety]}, headers=tom.headers)
    assert saved.status_code == 200
    # Only the safety answer is saved: nothing else is rated, nothing is submitted.
    alerts = list(OutboxMessage.select().where(OutboxMessage.key.startswith("audit-alert:")))
    assert {m.recipient_id for m in alerts} == {council.service_manager.id}
    assert {m.notifier for m in alerts} == {"email", "inbox"}
    child_ids = [case.child_id for case in council.cases.values()]
    for message in alerts:
        assert message.link == f"/audits/{audit['id']}"
        assert not any(child in message.body_text + message.subject for child in child_ids)
    # Saving again, or submitting, does not alert twice.
    again = tom.client.put(f"{url}/draft", json={"version": saved.json["version"],
                                                 "answers": answers_for(vignette, audit)},
                           headers=tom.headers)
    assert again.status_code == 200
    done = tom.post(f"{url}/submit", json={"version": again.json["version"], "answers": []})
    assert done.json["overall_grade"] == "inadequate"
    assert OutboxMessage.select().where(OutboxMessage.key.startswith("audit-alert:")).count() \
        == len(alerts)
    assert Event.select().where(Event.action == "audit.alert_raised").count() == 1
    # The service manager can open the audit the alert links to.
    sian = council.api(council.service_manager)
    assert sian.get(url).status_code == 200


def test_an_auditor_may_judge_differently_with_a_reason_but_never_above_a_rule(council) -> None:
    tom = council.api(council.team_manager)
    audit = started(council, tom, CaseType.CHILD_IN_NEED)
    url = f"/api/v1/audits/{audit['id']}"
    vignette = BY_ID["half_good_oversight"]  # calculated: Requires improvement
    answers = answers_for(vignette, audit)
    too_high = tom.post(f"{url}/submit", json={
        "version": audit["version"], "answers": answers,
        "overall_judgement": {"grade": "outstanding", "reason": "Strong direct work."}})
    assert too_high.status_code == 422
    assert too_high.json["errors"] == {"overall-judgement": [
        "Your overall judgement cannot be above Good, the best grade of any domain"]}
    version = Audit.get(Audit.public_id == audit["id"]).version
    no_reason = tom.post(f"{url}/submit", json={
        "version": version, "answers": [], "overall_judgement": {"grade": "good"}})
    assert no_reason.json["errors"] == {"overall-judgement-reason": [
        "Enter why your overall judgement differs from the calculated grade"]}
    version = Audit.get(Audit.public_id == audit["id"]).version
    done = tom.post(f"{url}/submit", json={
        "version": version, "answers": [], "overall_judgement": {
            "grade": "good", "reason": "Oversight gaps were in one month of leave cover."}})
    assert done.status_code == 200, done.json
    assert (done.json["overall_grade"], done.json["calculated_grade"]) == (
        "good", "requires_improvement")
    assert done.json["result"]["overall"]["judgement"] == {
        "grade": {"id": "good", "label": "Good"},
        "reason": "Oversight gaps were in one month of leave cover."}
    # The quality lead sees every judgement and its reason, in the API and on a page.
    quin = council.api(council.quality_lead)
    [row] = quin.get("/api/v1/judgements").json
    assert (row["audit"], row["calculated_grade"], row["judged_grade"], row["direction"],
            row["reason"]) == (audit["id"], "requires_improvement", "good", "above",
                               "Oversight gaps were in one month of leave cover.")
    assert council.api(council.team_manager).get("/api/v1/judgements").status_code == 403
    client = council.app.test_client()
    assert sign_in(client, council.quality_lead.username).status_code == 302
    page = PageClient(client).get("/judgements")
    table = " ".join("".join(page.select("table", id="judgements")[0].itertext()).split())
    assert "Requires improvement Good (above) Oversight gaps were in one month" in table


def test_no_judgement_lifts_a_grade_above_a_rule_about_the_child(council) -> None:
    tom = council.api(council.team_manager)
    audit = started(council, tom, CaseType.CHILD_IN_NEED)
    refused = tom.post(f"/api/v1/audits/{audit['id']}/submit", json={
        "version": audit["version"], "answers": answers_for(BY_ID["not_seen_alone"], audit),
        "overall_judgement": {"grade": "good", "reason": "She is 15 and declined."}})
    assert refused.status_code == 422
    assert refused.json["errors"] == {"overall-judgement": [
        "Your overall judgement cannot be above Requires improvement: Child not seen alone "
        "and no reason recorded. No judgement can outweigh that finding"]}

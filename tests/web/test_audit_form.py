"""The audit form through the Flask client: every page in its empty, error and filled states."""

from __future__ import annotations

import re

import pytest

from audit_service.extension import registries
from audit_service.services.audits import lifecycle as audit_service
from audit_service.storage.models import Audit, Event, SamplingRound
from tests.audits.world import complete_form, scored_keys, world_fixture  # noqa: F401
from tests.support.pages import XHTML


def _open_audit(w, case_index=0):
    """Sign in as the supervisor, start the audit from My audits, return (client, audit, form)."""
    sup = w.client(w.supervisor)
    home = sup.get("/my-audits")
    case = w.cases_a[case_index]
    assert f"start-audit-{case.public_id}" in home.html
    response = sup.client.post("/audits/start", data={
        "round": w.round_a.public_id, "case": case.public_id, "csrf_token": home.csrf_token()})
    assert response.status_code == 302
    audit = Audit.get(Audit.case == case)
    assert response.headers["Location"] == f"/audits/{audit.public_id}"
    form = sup.get(f"/audits/{audit.public_id}")
    return sup, audit, form


def _state(w, audit):
    with w.app.app_context():
        return audit_service.load_state(Audit.get_by_id(audit.id),
                                        registries().criterion_types)


def _post(client, audit, data, form_page, version=None, intent="save", expected=302):
    payload = {"csrf_token": form_page.csrf_token(), "intent": intent,
               "version": str(version if version is not None else Audit.get_by_id(
                   audit.id).version), **data}
    response = client.client.post(f"/audits/{audit.public_id}", data=payload)
    assert response.status_code == expected, response.get_data(as_text=True)[:800]
    return response


def test_empty_form_has_every_control_with_stable_ids(world):
    _sup, audit, form = _open_audit(world)
    state = _state(world, audit)
    assert form.h1() == "Audit of case CHILD-A1"
    for key in state.keys:
        stem = f"{key.rubric_id}-{key.criterion_id}"
        assert form.select("input", id=f"rating-{stem}"), stem
        assert form.select("textarea", id=f"evidence-{stem}")
        criterion = state.rubrics[key.rubric_id].criterion(key.criterion_id)
        assert bool(form.select("input", id=f"na-{stem}")) == criterion.na_allowed
        assert bool(form.select("textarea", id=f"na-reason-{stem}")) == criterion.na_allowed
    assert form.select("button", id="save-draft") and form.select("button", id="submit-audit")
    assert form.select("p", id="autosave-status")[0].get("aria-live") == "polite"
    assert len(form.select("details", **{"class": "govuk-details"})) >= len(state.keys) // 2
    # Evidence prompts from the case facts sit beside their criteria.
    assert "34 days" in form.text() or "days ago" in form.text()
    # The autosave module is loaded as a module with this response's nonce; no inline script.
    scripts = form.select("script")
    auto = [s for s in scripts if (s.get("src") or "").endswith("autosave.mjs")]
    assert auto and auto[0].get("type") == "module" and auto[0].get("nonce")
    assert all(s.get("src") or s.get("nonce") for s in scripts)
    assert Event.select().where(Event.action == "audit.viewed").count() == 1


def test_save_draft_keeps_answers_and_shows_them_again(world):
    sup, audit, form = _open_audit(world)
    state = _state(world, audit)
    key = scored_keys(state)[0]
    stem = f"{key.rubric_id}-{key.criterion_id}"
    _post(sup, audit, {f"rating-{stem}": "good", f"evidence-{stem}": "Seen twice\r\nalone"}, form)
    filled = sup.get(f"/audits/{audit.public_id}")
    assert filled.select("input", id=f"rating-{stem}-2")[0].get("checked") is not None
    assert "Seen twice\nalone" in filled.select("textarea", id=f"evidence-{stem}")[0].text
    assert filled.select("input", name="version")[0].get("value") == "2"
    assert "Draft saved" in filled.text()


def test_submit_with_gaps_shows_an_error_summary_linking_to_each_field(world):
    sup, audit, form = _open_audit(world)
    state = _state(world, audit)
    key = scored_keys(state)[0]
    stem = f"{key.rubric_id}-{key.criterion_id}"
    response = _post(sup, audit, {f"evidence-{stem}": "Kept on error"}, form, intent="submit",
                     expected=422)
    from tests.support.pages import check_page_health
    doc = check_page_health(response.get_data(as_text=True))
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "<title>Error: Audit of case CHILD-A1" in html
    links = [a.get("href") for a in doc.iter(f"{XHTML}a") if (a.get("href") or "").startswith("#")
             and a.get("href") not in ("#main-content",) and not a.get("href").startswith(
                 "#domain-")]
    ids = {el.get("id") for el in doc.iter() if el.get("id")}
    assert f"#rating-{stem}" in links
    assert all(link[1:] in ids for link in links), [x for x in links if x[1:] not in ids]
    assert "Kept on error" in html  # the entered value is shown again
    assert Audit.get_by_id(audit.id).status == "draft"


def test_valid_submit_shows_grades_and_the_scoring_explanation(world):
    sup, audit, form = _open_audit(world)
    state = _state(world, audit)
    with world.app.app_context():
        data = complete_form(state)
    response = _post(sup, audit, data, form, intent="submit")
    assert response.headers["Location"] == f"/audits/{audit.public_id}"
    result = sup.get(f"/audits/{audit.public_id}")
    assert result.select("dd", id="overall-grade")
    assert "Good" in "".join(result.select("dd", id="overall-grade")[0].itertext())
    for rubric_id in state.rubrics:
        assert result.select("dd", id=f"domain-grade-{rubric_id}")
    assert result.select("ul", id="scoring-explanation")
    assert not result.select("form", id="audit-form")  # read-only now
    # A save posted after submission changes nothing.
    _post(sup, audit, data, form, version=2, expected=409)
    assert Audit.get_by_id(audit.id).version == 2


def test_limiting_rule_is_explained(world):
    sup, audit, form = _open_audit(world)
    state = _state(world, audit)
    with world.app.app_context():
        data = complete_form(state, rating_index=0)
    rubric = next(r for r in state.rubrics.values() if r.limiting_rules)
    rule = rubric.limiting_rules[0]
    data[f"rating-{rubric.id}-{rule.criterion}"] = rule.when[0]
    _post(sup, audit, data, form, intent="submit")
    result = sup.get(f"/audits/{audit.public_id}")
    explanation = "".join(result.select("ul", id="scoring-explanation")[0].itertext())
    assert rule.explanation in explanation
    assert "capped at" in explanation


def test_stale_save_shows_the_conflict_page_and_merges_per_field(world):
    sup, audit, form = _open_audit(world)
    other_tab = world.client(world.supervisor)
    other_form = other_tab.get(f"/audits/{audit.public_id}")
    state = _state(world, audit)
    k1, k2 = scored_keys(state)[0], scored_keys(state)[1]
    s1, s2 = f"{k1.rubric_id}-{k1.criterion_id}", f"{k2.rubric_id}-{k2.criterion_id}"
    _post(other_tab, audit, {f"evidence-{s1}": "theirs one", f"evidence-{s2}": "theirs two"},
          other_form, version=1)
    response = _post(sup, audit, {f"evidence-{s1}": "mine one", f"evidence-{s2}": "mine two"},
                     form, version=1, expected=409)
    from tests.support.pages import check_page_health
    doc = check_page_health(response.get_data(as_text=True))
    html = response.get_data(as_text=True)
    assert "This audit was changed somewhere else" in html
    assert "mine one" in html and "theirs one" in html
    assert Audit.get_by_id(audit.id).version == 2
    assert f'id="choice-evidence-{s1}"' in html and f'id="choice-evidence-{s1}-2"' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    hidden = {el.get("name"): el.get("value") for el in doc.iter(f"{XHTML}input")
              if el.get("type") == "hidden"}
    assert hidden["version"] == "2"
    resolved = sup.client.post(f"/audits/{audit.public_id}/resolve", data={
        **hidden, "csrf_token": token, "keep": "choices",
        f"choice-evidence-{s1}": "yours", f"choice-evidence-{s2}": "saved"})
    assert resolved.status_code == 302
    answers = _state(world, audit).answers
    assert answers[k1].evidence == "mine one"
    assert answers[k2].evidence == "theirs two"
    assert Audit.get_by_id(audit.id).version == 3


def test_conflict_page_keep_all_of_mine(world):
    sup, audit, form = _open_audit(world)
    state = _state(world, audit)
    stem = f"{scored_keys(state)[0].rubric_id}-{scored_keys(state)[0].criterion_id}"
    _post(sup, audit, {f"evidence-{stem}": "saved first"}, form, version=1)
    page = sup.post(f"/audits/{audit.public_id}", expected_status=409, data={
        "csrf_token": form.csrf_token(), "intent": "save", "version": "1",
        f"evidence-{stem}": "mine"})
    assert page.h1() == "This audit was changed somewhere else"
    response = sup.client.post(f"/audits/{audit.public_id}/resolve", data={
        "csrf_token": page.csrf_token(), "version": "2", "keep": "yours",
        f"evidence-{stem}": "mine"})
    assert response.status_code == 302
    assert _state(world, audit).answers[scored_keys(state)[0]].evidence == "mine"


def test_autosave_answers_json_and_409_on_a_stale_version(world):
    sup, audit, form = _open_audit(world)
    state = _state(world, audit)
    stem = f"{scored_keys(state)[0].rubric_id}-{scored_keys(state)[0].criterion_id}"
    url = f"/audits/{audit.public_id}/autosave"
    ok = sup.client.post(url, data={"csrf_token": form.csrf_token(), "version": "1",
                                    f"evidence-{stem}": "typed"})
    assert ok.status_code == 200
    assert ok.json["status"] == "saved" and ok.json["version"] == 2
    assert re.fullmatch(r"\d\d:\d\d", ok.json["saved_at"])
    stale = sup.client.post(url, data={"csrf_token": form.csrf_token(), "version": "1",
                                       f"evidence-{stem}": "typed again"})
    assert stale.status_code == 409
    assert stale.json["status"] == "conflict"
    assert (stale.json["your_version"], stale.json["current_version"]) == (1, 2)
    bad = sup.client.post(url, data={"csrf_token": form.csrf_token(), "version": "2",
                                     f"rating-{stem}": "brilliant"})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == f"rating-{stem}"
    no_csrf = sup.client.post(url, data={"version": "2"})
    assert no_csrf.status_code == 400
    assert Event.select().where(Event.action == "audit.draft_saved").count() == 1


def test_supervisor_home_lists_the_round_with_reasons_and_states(world):
    sup, _audit, _form = _open_audit(world)
    home = sup.get("/my-audits")
    text = home.text()
    assert "CHILD-A1" in text and "CHILD-A2" in text and "CHILD-B1" not in text
    assert "simple random: drawn at random" in text
    assert "Draft" in text and "Not started" in text
    assert home.select("a", id=f"open-audit-{world.cases_a[0].public_id}")
    nav = [" ".join(a.itertext()).strip() for ul in home.select("ul", id="navigation")
           for a in ul.iter(f"{XHTML}a")]
    assert "My audits" in nav


def test_supervisor_home_empty_state(world):
    page = world.client(world.manager).get("/my-audits")
    assert "You have no sampling round" in page.text()
    assert "Nothing is overdue" in page.text()


def test_practitioner_reads_responds_and_acknowledges(world):
    sup, audit, form = _open_audit(world)
    state = _state(world, audit)
    with world.app.app_context():
        data = complete_form(state)
    _post(sup, audit, data, form, intent="submit")
    pat = world.client(world.practitioner)
    home = pat.get("/my-case-audits")
    assert home.select("a", id=f"read-audit-{audit.public_id}")
    page = pat.get(f"/audits/{audit.public_id}")
    assert page.select("textarea", id="response")
    error = pat.post(f"/audits/{audit.public_id}/response", expected_status=422, data={
        "csrf_token": page.csrf_token(), "version": "2", "response": "  "})
    assert "Enter your response" in error.text()
    response = pat.client.post(f"/audits/{audit.public_id}/response", data={
        "csrf_token": page.csrf_token(), "version": "2", "response": "I agree with this."})
    assert response.status_code == 302
    page = pat.get(f"/audits/{audit.public_id}")
    assert "I agree with this." in page.html
    response = pat.client.post(f"/audits/{audit.public_id}/acknowledge", data={
        "csrf_token": page.csrf_token(), "version": "3"})
    assert response.status_code == 302
    done = pat.get(f"/audits/{audit.public_id}")
    assert not done.select("textarea", id="response")
    assert "Acknowledged by the practitioner" in done.text()
    assert Event.select().where(Event.action.in_(["audit.responded", "audit.acknowledged"])
                                ).count() == 2


def test_supervisor_records_actions_and_the_owner_updates_them(world):
    sup, audit, form = _open_audit(world)
    state = _state(world, audit)
    with world.app.app_context():
        data = complete_form(state)
    _post(sup, audit, data, form, intent="submit")
    view = sup.get(f"/audits/{audit.public_id}")
    assert view.select("form", id="action-form")
    error = sup.post(f"/audits/{audit.public_id}/actions", expected_status=422, data={
        "csrf_token": view.csrf_token(), "description": "Visit", "owner": "",
        "due-day": "31", "due-month": "2", "due-year": "2030", "status": "open"})
    assert "Select who owns the action" in error.text()
    assert "Due date must be a real date" in error.text()
    assert error.select("input", id="due-day")[0].get("value") == "31"
    created = sup.client.post(f"/audits/{audit.public_id}/actions", data={
        "csrf_token": view.csrf_token(), "description": "Update the chronology",
        "owner": str(world.practitioner.id), "due-day": "1", "due-month": "3",
        "due-year": "2031", "status": "open"})
    assert created.status_code == 302
    pat = world.client(world.practitioner)
    mine = pat.get("/my-case-audits")
    assert "Update the chronology" in mine.text()
    from audit_service.storage.models import AuditAction
    action = AuditAction.get()
    response = pat.client.post(f"/audits/actions/{action.public_id}", data={
        "csrf_token": mine.csrf_token(), "version": "1", "status": "in_progress",
        "next": "practitioner"})
    assert response.status_code == 302
    assert AuditAction.get().status == "in_progress"
    stale = pat.client.post(f"/audits/actions/{action.public_id}", data={
        "csrf_token": mine.csrf_token(), "version": "1", "status": "done"})
    assert stale.status_code == 302
    assert AuditAction.get().status == "in_progress"
    assert "changed by someone else" in pat.get(stale.headers["Location"]).text()
    team = sup.get("/my-audits")
    assert "Update the chronology" in team.text()


@pytest.mark.parametrize("who", ["other_supervisor", "other_practitioner", "colleague"])
def test_other_teams_and_people_cannot_reach_an_audit(world, who):
    sup, audit, form = _open_audit(world)
    _post(sup, audit, {}, form)
    outsider = world.client(getattr(world, who))
    response = outsider.client.get(f"/audits/{audit.public_id}")
    assert response.status_code in (403, 404)
    posted = outsider.client.post(f"/audits/{audit.public_id}", data={
        "csrf_token": form.csrf_token(), "version": "1", "intent": "save"})
    assert posted.status_code in (400, 403, 404)
    assert Audit.get_by_id(audit.id).version == 1


def test_other_supervisor_cannot_start_an_audit_in_my_round(world):
    bea = world.client(world.other_supervisor)
    home = bea.get("/my-audits")
    response = bea.client.post("/audits/start", data={
        "round": world.round_a.public_id, "case": world.cases_a[0].public_id,
        "csrf_token": home.csrf_token()})
    assert response.status_code == 403
    assert Audit.select().count() == 0


def test_hr_never_sees_an_audit(world, login_as):
    _sup, audit, _form = _open_audit(world)
    hr = login_as("hr")
    assert hr.client.get(f"/audits/{audit.public_id}").status_code == 403
    assert hr.client.get("/my-audits").status_code == 403


def test_quality_lead_reads_a_draft_read_only(world, login_as):
    _sup, audit, _form = _open_audit(world)
    ql = login_as("quality_lead")
    page = ql.get(f"/audits/{audit.public_id}")
    assert "still a draft" in page.text()
    assert not page.select("form", id="audit-form")


def test_round_completes_when_every_case_is_submitted(world):
    for index in (0, 1):
        sup, audit, form = _open_audit(world, index)
        state = _state(world, audit)
        with world.app.app_context():
            data = complete_form(state)
        _post(sup, audit, data, form, intent="submit")
    assert SamplingRound.get_by_id(world.round_a.id).status == "completed"

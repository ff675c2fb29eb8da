"""The rubric editor through the Flask client: drafts, field errors, preview, publish, diff,
export and import, assignments, and the promise that published versions never move."""

from __future__ import annotations

import re
from html import unescape

import yaml

from audit_service.domain.rubrics import Rating, parse_rubric_document, score_rubric
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.models import (
    Audit,
    AuditRubric,
    Event,
    RubricAssignment,
    RubricDefinition,
    RubricDraft,
    RubricVersion,
)
from tests.audits.world import (  # noqa: F401
    complete_form,
    publish_rubrics,
    scored_keys,
    world_fixture,
)
from tests.support.pages import XHTML, check_page_health


def _post(client, url: str, data: dict, *, token_from: str, expected: int = 302):
    token = client.get(token_from).csrf_token()
    response = client.client.post(url, data={"csrf_token": token, **data})
    assert response.status_code == expected, response.get_data(as_text=True)[:800]
    return response


def _draft_version(draft_id: str) -> str:
    return str(RubricDraft.get(RubricDraft.public_id == draft_id).version)


def _links_resolve(html: str) -> None:
    """Every error-summary link points at an element on the page."""
    doc = check_page_health(html)
    ids = {el.get("id") for el in doc.iter() if el.get("id")}
    summary = [el for el in doc.iter(f"{XHTML}div")
               if "govuk-error-summary" in (el.get("class") or "")]
    links = [a.get("href") for s in summary for a in s.iter(f"{XHTML}a")]
    assert links, "no error summary"
    assert all(link.startswith("#") and link[1:] in ids for link in links), links


def _new_draft(lead) -> str:
    response = _post(lead, "/rubrics/new", {"id": "record_keeping", "title": "Record keeping",
                                            "domain": "Records"}, token_from="/rubrics/new")
    return response.headers["Location"].rsplit("/", 1)[1]


def test_create_a_rubric_from_scratch_with_errors_on_their_fields(app, login_as):
    lead = login_as(Role.QUALITY_LEAD)
    empty = lead.get("/rubrics")
    assert "No rubrics have been published yet." in empty.text()
    assert "There are no drafts." in empty.text()

    bad = _post(lead, "/rubrics/new", {"id": "Bad Id", "title": "", "domain": "x"},
                token_from="/rubrics/new", expected=422)
    html = bad.get_data(as_text=True)
    assert "<title>Error: Create a new rubric" in html
    assert "Enter the rubric's title" in unescape(html)
    _links_resolve(html)

    draft_id = _new_draft(lead)
    overview = lead.get(f"/rubrics/drafts/{draft_id}")
    assert "Case types" in overview.text()
    problems = [a.text for a in overview.select("a") if "case_types" in (a.get("href") or "")
                or "criteria" in (a.get("href") or "")]
    assert any("case_types" in (p or "") for p in problems)
    assert any("must list at least one criterion" in (p or "") for p in problems)

    details = lead.get(f"/rubrics/drafts/{draft_id}/details")
    assert details.select("input", id="case_types")  # the error link target exists
    assert "Must list at least one value" in details.text()

    _post(lead, f"/rubrics/drafts/{draft_id}/details",
          {"version": _draft_version(draft_id), "id": "record_keeping", "title": "Record keeping",
           "domain": "Records", "case_types": ["child_in_need", "child_protection"],
           "version_notes": "First"},
          token_from=f"/rubrics/drafts/{draft_id}/details")

    # A weight that is not a number is kept as typed and shown on the weight box.
    response = _post(lead, f"/rubrics/drafts/{draft_id}/criteria/new",
                     {"version": _draft_version(draft_id), "id": "chronology",
                      "prompt": "Is the chronology up to date?", "weight": "two",
                      "type": "scale", "options": ["evidence_required"]},
                     token_from=f"/rubrics/drafts/{draft_id}/criteria/new")
    assert response.headers["Location"].endswith(f"/rubrics/drafts/{draft_id}/criteria/0")
    page = lead.get(f"/rubrics/drafts/{draft_id}/criteria/0")
    assert page.html.count("Must be a number (got &#39;two&#39;)") == 2  # summary and field
    assert page.select("input", id="weight")[0].get("value") == "two"
    assert "weight-error" in page.select("input", id="weight")[0].get("aria-describedby")
    assert "<title>Error: Criterion 1" in page.html
    _links_resolve(page.html)

    _post(lead, f"/rubrics/drafts/{draft_id}/criteria/0",
          {"version": _draft_version(draft_id), "id": "chronology",
           "prompt": "Is the chronology up to date?", "weight": "1.5", "type": "scale",
           "options": ["evidence_required", "na_allowed"], "descriptor-good": "Updated weekly"},
          token_from=f"/rubrics/drafts/{draft_id}/criteria/0")
    ready = lead.get(f"/rubrics/drafts/{draft_id}")
    assert ready.select("p", id="ready"), ready.text()
    draft = RubricDraft.get(RubricDraft.public_id == draft_id)
    assert draft.document["criteria"][0]["weight"] == 1.5
    assert draft.document["criteria"][0]["level_descriptors"] == {"good": "Updated weekly"}

    preview = lead.get(f"/rubrics/drafts/{draft_id}/preview")
    assert preview.h1() == "Preview of Record keeping"
    assert preview.select("input", id="rating-record_keeping-chronology")
    assert "Updated weekly" in preview.text()
    assert preview.select("fieldset", disabled="")  # read-only

    _post(lead, f"/rubrics/drafts/{draft_id}/publish", {"version": _draft_version(draft_id)},
          token_from=f"/rubrics/drafts/{draft_id}")
    version = rubric_versions.latest_version("record_keeping")
    assert version.number == 1
    assert version.source == f"editor:{lead.user.username}"
    assert not RubricDraft.select().exists()
    listing = lead.get("/rubrics/record_keeping")
    assert "editor:test-quality-lead" in listing.text()


def test_a_stale_save_is_refused_and_keeps_what_was_typed(app, login_as):
    lead = login_as(Role.QUALITY_LEAD)
    draft_id = _new_draft(lead)
    stale = _draft_version(draft_id)
    _post(lead, f"/rubrics/drafts/{draft_id}/details",
          {"version": stale, "id": "record_keeping", "title": "First edit", "domain": "Records",
           "case_types": ["child_in_need"]}, token_from=f"/rubrics/drafts/{draft_id}/details")
    response = _post(lead, f"/rubrics/drafts/{draft_id}/details",
                     {"version": stale, "id": "record_keeping", "title": "Second edit",
                      "domain": "Records",
                      "case_types": ["child_in_need"]},
                     token_from=f"/rubrics/drafts/{draft_id}/details", expected=409)
    html = response.get_data(as_text=True)
    assert "Someone else saved this draft" in html
    assert 'value="Second edit"' in html
    assert RubricDraft.get(RubricDraft.public_id == draft_id).document["title"] == "First edit"


def test_criteria_can_be_reordered_and_removed(app, login_as):
    lead = login_as(Role.QUALITY_LEAD)
    publish_rubrics(app)
    _post(lead, "/rubrics/voice_of_the_child/versions/1/draft", {},
          token_from="/rubrics/voice_of_the_child")
    draft = RubricDraft.get()
    ids = [c["id"] for c in draft.document["criteria"]]
    url = f"/rubrics/drafts/{draft.public_id}/criteria"
    page = lead.get(url)
    assert page.h1() == "Criteria"
    _post(lead, f"{url}/1/move", {"version": _draft_version(draft.public_id),
                                  "direction": "up"}, token_from=url)
    _post(lead, f"{url}/2/remove", {"version": _draft_version(draft.public_id)}, token_from=url)
    after = [c["id"] for c in RubricDraft.get().document["criteria"]]
    assert after == [ids[1], ids[0], *ids[3:]]
    rules = lead.get(f"/rubrics/drafts/{draft.public_id}/rules")
    assert rules.h1() == "Limiting rules"
    lead.get(f"/rubrics/drafts/{draft.public_id}/rules/0")
    lead.get(f"/rubrics/drafts/{draft.public_id}/rules/new")
    lead.get(f"/rubrics/drafts/{draft.public_id}/scale")
    lead.get(f"/rubrics/drafts/{draft.public_id}/bands")
    # An item the draft does not have is no page, and the list is left as it was.
    lead.get(f"{url}/{len(after)}", expected_status=404)
    lead.get(f"/rubrics/drafts/{draft.public_id}/rules/99", expected_status=404)
    _post(lead, f"{url}/{len(after)}/remove", {"version": _draft_version(draft.public_id)},
          token_from=url, expected=404)
    assert [c["id"] for c in RubricDraft.get().document["criteria"]] == after


def _rate_unevenly(state) -> dict[str, str]:
    """The first criterion Outstanding, the rest Good: weights change the score."""
    data = complete_form(state, rating_index=1)
    first = scored_keys(state)[0]
    data[f"rating-{first.rubric_id}-{first.criterion_id}"] = "outstanding"
    return data


def test_weight_change_publishes_version_2_and_submitted_audits_keep_version_1(world):
    w = world
    sup = w.client(w.supervisor)
    home = sup.get("/my-audits")
    case = w.cases_a[0]
    sup.client.post("/audits/start", data={"round": w.round_a.public_id,
                                           "case": case.public_id,
                                           "csrf_token": home.csrf_token()})
    audit = Audit.get(Audit.case == case)
    form = sup.get(f"/audits/{audit.public_id}")
    with w.app.app_context():
        state = audit_service.load_state(audit, registries().criterion_types)
        data = _rate_unevenly(state)
    response = sup.client.post(f"/audits/{audit.public_id}", data={
        "csrf_token": form.csrf_token(), "intent": "submit", "version": "1", **data})
    assert response.status_code == 302
    graded = scored_keys(state)[0].rubric_id  # the first rubric with scored criteria
    voice = AuditRubric.select().join(RubricVersion).join(RubricDefinition).where(
        (AuditRubric.audit == audit.id) & (RubricDefinition.rubric_id == graded)).get()
    rubric_id = voice.rubric_version.rubric.rubric_id
    before = (voice.rubric_version_id, voice.score, voice.grade,
              Audit.get_by_id(audit.id).overall_score)

    lead = w.client(_lead(w))
    _post(lead, f"/rubrics/{rubric_id}/versions/1/draft", {},
          token_from=f"/rubrics/{rubric_id}")
    draft = RubricDraft.get()
    first = draft.document["criteria"][0]
    url = f"/rubrics/drafts/{draft.public_id}/criteria/0"
    options = [name for name in ("evidence_required", "na_allowed") if first[name]]
    _post(lead, url, {"version": _draft_version(draft.public_id), "id": first["id"],
                      "prompt": first["prompt"], "guidance": first["guidance"],
                      "weight": "9", "type": first["type"], "options": options,
                      **{f"descriptor-{k}": v for k, v in first["level_descriptors"].items()}},
          token_from=url)
    _post(lead, f"/rubrics/drafts/{draft.public_id}/publish",
          {"version": _draft_version(draft.public_id)},
          token_from=f"/rubrics/drafts/{draft.public_id}")
    v1 = rubric_versions.get_version(rubric_id, 1)
    v2 = rubric_versions.get_version(rubric_id, 2)
    assert v2.document["criteria"][0]["weight"] == 9
    assert v1.document["criteria"][0]["weight"] != 9
    assert v2.source == "editor:lee"

    # The submitted audit still points at version 1 with its grades unchanged ...
    voice = AuditRubric.get_by_id(voice.id)
    after = (voice.rubric_version_id, voice.score, voice.grade,
             Audit.get_by_id(audit.id).overall_score)
    assert after == before
    assert voice.rubric_version_id == v1.id
    # ... although version 2 would score the same answers differently (the test can fail).
    with w.app.app_context():
        types = registries().criterion_types
        ratings = {key.criterion_id: state.answers.get(key) for key in state.keys}
        rubric_v2 = parse_rubric_document(v2.document, criterion_types=types)
        answers = {c.id: data[f"rating-{rubric_id}-{c.id}"] for c in rubric_v2.criteria}
        rescored = score_rubric(rubric_v2, {k: (Rating.not_applicable if v is None else v)
                                            for k, v in answers.items()}, types)
    assert ratings  # the audit had answers
    assert rescored.score != before[1]
    shown = sup.get(f"/audits/{audit.public_id}")
    assert f"version {1}" in shown.text().lower() or str(before[1]) in shown.text()

    diff = lead.get(f"/rubrics/{rubric_id}/diff?from=1&to=2")
    assert f"criterion '{first['id']}': weight changed from {first['weight']} to 9" in diff.text()

    # A new audit starts on version 2.
    home = sup.get("/my-audits")
    sup.client.post("/audits/start", data={"round": w.round_a.public_id,
                                           "case": w.cases_a[1].public_id,
                                           "csrf_token": home.csrf_token()})
    new_audit = Audit.get(Audit.case == w.cases_a[1])
    pinned = {r.rubric_version_id for r in AuditRubric.select().where(
        AuditRubric.audit == new_audit.id)}
    assert v2.id in pinned and v1.id not in pinned


def _lead(w):
    from audit_service.services.accounts import users as accounts
    from tests.support.auth import PASSWORD

    return accounts.create_user("lee", role=Role.QUALITY_LEAD, password=PASSWORD,
                                display_name="Lee Lead", actor_label="test")


def test_export_validate_import_round_trip_gives_an_identical_version(app, login_as, runner,
                                                                     tmp_path):
    publish_rubrics(app)
    lead = login_as(Role.QUALITY_LEAD)
    original = rubric_versions.latest_version("voice_of_the_child")
    response = lead.client.get(f"/rubrics/voice_of_the_child/versions/{original.number}/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    path = tmp_path / "voice.yaml"
    path.write_bytes(response.data)
    result = runner.invoke(args=["rubrics", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(response.data) == original.document

    page = lead.get("/rubrics/import")
    imported = lead.client.post("/rubrics/import", data={
        "csrf_token": page.csrf_token(), "file": (path.open("rb"), "voice.yaml")},
        content_type="multipart/form-data")
    assert imported.status_code == 302
    draft = RubricDraft.get()
    assert parse_rubric_document(draft.document).content_hash() == original.content_hash
    published = _post(lead, f"/rubrics/drafts/{draft.public_id}/publish",
                      {"version": str(draft.version)},
                      token_from=f"/rubrics/drafts/{draft.public_id}")
    assert "/rubrics/drafts/" in published.headers["Location"]  # nothing new to publish
    assert RubricVersion.select().where(RubricVersion.rubric == original.rubric).count() == 1
    assert "identical to version 1" in lead.get(published.headers["Location"]).text()


def test_an_unreadable_file_is_refused_on_the_file_field(app, login_as):
    lead = login_as(Role.QUALITY_LEAD)
    page = lead.get("/rubrics/import")
    from io import BytesIO

    nothing = _post(lead, "/rubrics/import", {}, token_from="/rubrics/import", expected=422)
    assert "Choose a rubric file (.yaml) to import" in nothing.get_data(as_text=True)

    response = lead.client.post("/rubrics/import", data={
        "csrf_token": page.csrf_token(), "file": (BytesIO(b"id: [unclosed"), "bad.yaml")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "could not read the YAML" in html
    _links_resolve(html)


def test_retire_and_assign(world):
    lead = world.client(_lead(world))
    page = lead.get("/rubrics/assignments")
    assert "No rubric is assigned" in page.text()
    bad = _post(lead, "/rubrics/assignments", {"rubric": "", "service": ""},
                token_from="/rubrics/assignments", expected=422)
    _links_resolve(bad.get_data(as_text=True))
    _post(lead, "/rubrics/assignments", {"rubric": "voice_of_the_child", "service": "",
                                         "case_types": ["child_protection"]},
          token_from="/rubrics/assignments")
    assert RubricAssignment.select().count() == 1
    filled = lead.get("/rubrics/assignments")
    assert "All services" in filled.text()

    sup = world.client(world.supervisor)
    home = sup.get("/my-audits")
    sup.client.post("/audits/start", data={"round": world.round_a.public_id,
                                           "case": world.cases_a[0].public_id,
                                           "csrf_token": home.csrf_token()})
    audit = Audit.get(Audit.case == world.cases_a[0])
    pinned = [r.rubric_version.rubric.rubric_id for r in AuditRubric.select().where(
        AuditRubric.audit == audit.id)]
    assert pinned == ["voice_of_the_child"]

    _post(lead, "/rubrics/management_oversight/retire", {},
          token_from="/rubrics/management_oversight")
    assert "Retired on" in lead.get("/rubrics/management_oversight").text()
    assert Event.select().where(Event.action == "rubric.retired").count() == 1


def test_only_quality_leads_and_admins_edit_rubrics(app, login_as):
    publish_rubrics(app)
    for role in (Role.SUPERVISOR, Role.PRACTITIONER, Role.HR, Role.SENIOR_LEADER):
        client = login_as(role)
        for url in ("/rubrics", "/rubrics/new", "/rubrics/voice_of_the_child",
                    "/rubrics/assignments"):
            client.get(url, expected_status=403)
    admin = login_as(Role.ADMIN)
    assert admin.get("/rubrics").h1() == "Rubrics"
    assert re.search(r"Voice of the child", admin.get("/rubrics").text())

"""Rubric drafts, publishing, retiring, diffs, export, assignments and thematic audits over the
API: the same services as the pages, and only quality leads and admins write."""

from __future__ import annotations

import yaml

from audit_service.domain.rubrics import parse_rubric_document
from audit_service.domain.vocabulary import Role
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.models import Case, RubricDefinition, Service, Team
from tests.audits.world import publish_rubrics


def _put(client, url, **kwargs):
    return client.client.put(url, headers=client.headers, **kwargs)


def _delete(client, url):
    return client.client.delete(url, headers=client.headers)


def test_draft_edit_validate_publish_diff_export(app, api_as):
    publish_rubrics(app)
    lead = api_as(Role.QUALITY_LEAD)
    created = lead.post("/api/v1/rubric-drafts", json={"from_rubric": "voice_of_the_child",
                                                       "from_version": 1})
    assert created.status_code == 201, created.json
    draft = created.json
    document = draft["document"]
    document["criteria"][0]["weight"] = "heavy"
    saved = _put(lead, f"/api/v1/rubric-drafts/{draft['id']}",
                 json={"version": draft["version"], "document": document})
    assert saved.status_code == 200
    stale = _put(lead, f"/api/v1/rubric-drafts/{draft['id']}",
                 json={"version": draft["version"], "document": document})
    assert stale.status_code == 409
    assert (stale.json["your_version"], stale.json["current_version"]) == (1, 2)
    assert stale.json["message"] == "Someone else saved this draft after you opened it."
    check = lead.post(f"/api/v1/rubric-drafts/{draft['id']}/validate")
    assert check.json["valid"] is False
    assert check.json["errors"][0]["path"] == "criteria[0].weight"
    refused = lead.post(f"/api/v1/rubric-drafts/{draft['id']}/publish",
                        json={"version": saved.json["version"]})
    assert refused.status_code == 422
    assert refused.json["errors"] == {"document": [
        "draft voice_of_the_child: criteria[0].weight: must be a number (got 'heavy')"]}
    stale = lead.post(f"/api/v1/rubric-drafts/{draft['id']}/publish",
                      json={"version": draft["version"]})
    assert (stale.status_code, stale.json["current_version"]) == (409, saved.json["version"])

    document["criteria"][0]["weight"] = 5
    saved = _put(lead, f"/api/v1/rubric-drafts/{draft['id']}",
                 json={"version": saved.json["version"], "document": document})
    published = lead.post(f"/api/v1/rubric-drafts/{draft['id']}/publish",
                          json={"version": saved.json["version"]})
    assert published.status_code == 200, published.json
    assert published.json["version"] == 2 and published.json["created"] is True
    assert rubric_versions.get_version("voice_of_the_child", 2).source == \
        f"editor:{lead.user.username}"

    diff = lead.get("/api/v1/rubrics/voice_of_the_child/diff?from=1&to=2")
    # A draft from a version starts with empty notes for the new version.
    assert [c["field"] for c in diff.json] == ["version_notes", "weight"]
    assert diff.json[1]["new"] == 5

    export = lead.get("/api/v1/rubrics/voice_of_the_child/versions/2/export")
    loaded = parse_rubric_document(yaml.safe_load(export.json["yaml"]))
    assert loaded.content_hash() == rubric_versions.get_version("voice_of_the_child", 2
                                                                ).content_hash

    assert lead.post("/api/v1/rubrics/voice_of_the_child/retire").status_code == 204
    assert RubricDefinition.get(RubricDefinition.rubric_id == "voice_of_the_child").retired_at


def test_refused_drafts_name_the_field_in_the_one_error_shape(app, api_as):
    publish_rubrics(app)
    lead = api_as(Role.QUALITY_LEAD)
    unknown = lead.post("/api/v1/rubric-drafts", json={"from_rubric": "voice_of_the_child",
                                                       "from_version": 9})
    assert (unknown.status_code, unknown.json["errors"]) == (422, {
        "from_version": ["rubric 'voice_of_the_child' has no version 9"]})
    taken = lead.post("/api/v1/rubric-drafts", json={"rubric_id": "voice_of_the_child",
                                                     "title": "Voice", "domain": "Voice"})
    assert (taken.status_code, taken.json["message"], list(taken.json["errors"])) == (
        422, "The draft was not created", ["id"])
    for method, url in (("GET", "/api/v1/rubric-drafts/nope"),
                        ("DELETE", "/api/v1/rubric-drafts/nope"),
                        ("GET", "/api/v1/rubrics/voice_of_the_child/diff?from=1&to=3"),
                        ("GET", "/api/v1/rubrics/voice_of_the_child/versions/3/export"),
                        ("POST", "/api/v1/rubrics/nope/retire")):
        missing = lead.client.open(url, method=method, headers=lead.headers)
        assert (missing.status_code, missing.json["code"]) == (404, 404), url


def test_unknown_fields_are_refused_and_readers_cannot_write(app, api_as):
    publish_rubrics(app)
    lead = api_as(Role.QUALITY_LEAD)
    odd = lead.post("/api/v1/rubric-drafts", json={"rubric_id": "x", "colour": "red"})
    assert odd.status_code == 422
    both = lead.post("/api/v1/rubric-drafts", json={"rubric_id": "x", "from_rubric": "y"})
    assert both.status_code == 422
    senior = api_as(Role.SENIOR_LEADER)
    assert senior.get("/api/v1/rubric-assignments").status_code == 200
    assert senior.post("/api/v1/rubric-drafts", json={"rubric_id": "new_one"}).status_code == 403
    assert senior.post("/api/v1/rubrics/voice_of_the_child/retire").status_code == 403
    supervisor = api_as(Role.SUPERVISOR)
    assert supervisor.post("/api/v1/thematic-audits", json={"title": "x"}).status_code == 403


def test_assignments_over_the_api(app, api_as):
    publish_rubrics(app)
    Service.create(name="Early help")
    lead = api_as(Role.QUALITY_LEAD)
    made = lead.post("/api/v1/rubric-assignments", json={
        "rubric_id": "voice_of_the_child", "service": "Early help",
        "case_types": ["child_in_need"]})
    assert made.status_code == 201, made.json
    assert made.json["service"] == "Early help"
    assert lead.post("/api/v1/rubric-assignments", json={
        "rubric_id": "voice_of_the_child", "case_types": ["not_a_type"]}).status_code == 422
    refused = lead.post("/api/v1/rubric-assignments", json={
        "rubric_id": "nope", "service": "Early help", "case_types": []})
    assert (refused.status_code, refused.json["errors"]) == (422, {
        "rubric": ["Choose a published rubric"], "case_types": ["Choose at least one case type"]})
    nowhere = lead.post("/api/v1/rubric-assignments", json={
        "rubric_id": "voice_of_the_child", "service": "Nope", "case_types": ["looked_after"]})
    assert (nowhere.status_code, nowhere.json["message"], nowhere.json["errors"]) == (
        422, "there is no service with that name", {"service": ["no such service"]})
    assert _delete(lead, f"/api/v1/rubric-assignments/{made.json['id']}").status_code == 204
    assert lead.get("/api/v1/rubric-assignments").json == []


def test_thematic_audit_over_the_api(app, api_as, make_user):
    publish_rubrics(app)
    team = Team.create(name="North")
    for i in range(4):
        Case.create(child_id=f"C{i}", case_type="child_protection", team=team,
                    age_band="1_4" if i < 3 else "10_15", facts_hash=str(i))
    auditor = make_user(Role.SUPERVISOR, "sue")
    lead = api_as(Role.QUALITY_LEAD)
    filters = {"flags": ["under_5", "cp_plan"]}
    size = lead.post("/api/v1/thematic-audits/cohort-size", json={"filters": filters})
    assert size.json["size"] == 3
    assert size.json["filters"] == ["Flags: Under 5, On a child protection plan"]
    bad = lead.post("/api/v1/thematic-audits/cohort-size",
                    json={"filters": {"age_bands": ["ancient"]}})
    assert bad.status_code == 422
    made = lead.post("/api/v1/thematic-audits", json={"title": "Under-5s on CP plans",
                                                      "filters": filters})
    assert made.status_code == 201, made.json
    tid = made.json["id"]
    drawn = lead.post(f"/api/v1/thematic-audits/{tid}/draw",
                      json={"sample_size": 2, "seed": "s1"})
    assert drawn.status_code == 200, drawn.json
    assert drawn.json["seed"] == "s1" and len(drawn.json["cases"]) == 2
    again = lead.post(f"/api/v1/thematic-audits/{tid}/draw", json={"sample_size": 2})
    assert again.status_code == 422
    pinned = _put(lead, f"/api/v1/thematic-audits/{tid}/rubrics",
                  json={"rubrics": ["voice_of_the_child"]})
    assert pinned.json["rubrics"] == ["voice_of_the_child/1"]
    case = drawn.json["cases"][0]["case"]
    assigned = lead.post(f"/api/v1/thematic-audits/{tid}/auditors",
                         json={"assignments": [{"case": case, "auditor": auditor.username}]})
    assert assigned.status_code == 200, assigned.json
    row = next(c for c in assigned.json["cases"] if c["case"] == case)
    assert row["auditor"] == "sue" and row["audit"]

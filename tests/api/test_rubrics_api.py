"""Rubric and plugin endpoints: reading versions, validating uploads, roles enforced."""

from __future__ import annotations

import yaml

from audit_service.domain.rubrics import load_rubric_file
from audit_service.domain.vocabulary import Role
from audit_service.resources import rubrics_dir
from audit_service.services.rubrics import versions as rubric_versions

VOICE = rubrics_dir() / "voice_of_the_child.yaml"


def test_list_and_read_versions(api_as):
    rubric_versions.publish(load_rubric_file(VOICE), source="test")
    api = api_as(Role.SUPERVISOR)
    listing = api.get("/api/v1/rubrics")
    assert listing.status_code == 200
    assert listing.json == [{
        "id": "voice_of_the_child", "title": "Voice of the child",
        "domain": "Voice of the child", "latest_version": 1, "retired": False, "versions": [1],
    }]
    version = api.get("/api/v1/rubrics/voice_of_the_child/versions/1")
    assert version.status_code == 200
    assert version.json["document"]["criteria"][1]["id"] == "seen_alone"
    assert version.json["content_hash"] == load_rubric_file(VOICE).content_hash()


def test_unknown_version_is_404(api_as):
    response = api_as(Role.QUALITY_LEAD).get("/api/v1/rubrics/voice_of_the_child/versions/9")
    assert response.status_code == 404
    assert response.json["message"] == "rubric 'voice_of_the_child' has no version 9"


def test_hr_cannot_read_rubrics_and_anonymous_is_401(api_as, client):
    assert api_as(Role.HR).get("/api/v1/rubrics").status_code == 403
    assert client.get("/api/v1/rubrics").status_code == 401


def test_validate_reports_located_errors_and_saves_nothing(api_as):
    document = yaml.safe_load(VOICE.read_text())
    document["criteria"][3]["weight"] = -1
    api = api_as(Role.QUALITY_LEAD)
    response = api.post("/api/v1/rubrics/validate", json=document)
    assert response.status_code == 200
    assert response.json == {
        "valid": False,
        "rubric_id": None,
        "errors": [{"path": "criteria[3].weight", "message": "must be greater than 0 (got -1)",
                    "line": None, "column": None}],
    }
    assert rubric_versions.list_definitions() == []


def test_validate_accepts_a_valid_rubric(api_as):
    document = yaml.safe_load(VOICE.read_text())
    response = api_as(Role.ADMIN).post("/api/v1/rubrics/validate", json=document)
    assert response.json == {"valid": True, "rubric_id": "voice_of_the_child", "errors": []}


def test_validate_is_for_quality_leads_and_admins_only(api_as):
    document = yaml.safe_load(VOICE.read_text())
    for role in (Role.SUPERVISOR, Role.PRACTITIONER, Role.HR, Role.SENIOR_LEADER):
        assert api_as(role).post("/api/v1/rubrics/validate", json=document).status_code == 403


def test_validate_refuses_a_body_that_is_not_a_document(api_as):
    response = api_as(Role.QUALITY_LEAD).post("/api/v1/rubrics/validate", json=[1, 2])
    assert response.status_code == 422


def test_plugins_endpoint_lists_name_version_and_hooks(api_as):
    response = api_as(Role.ADMIN).get("/api/v1/plugins")
    assert response.status_code == 200
    by_name = {p["name"]: p for p in response.json}
    assert by_name["audit_service.default_plugins.default_rubrics"]["hooks"] == [
        "register_criterion_types", "register_rubrics"]
    assert by_name["audit_service.default_plugins.evidence_prompts"]["source"] == "built-in"
    assert api_as(Role.SUPERVISOR).get("/api/v1/plugins").status_code == 403


def test_rubric_and_plugin_paths_are_in_openapi(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in ("/api/v1/rubrics", "/api/v1/rubrics/{rubric_id}/versions/{number}",
                 "/api/v1/rubrics/validate", "/api/v1/plugins"):
        assert path in paths

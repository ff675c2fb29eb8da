"""The audits API: the same journey as the pages, with versions, 409s and per-field 400s."""

from __future__ import annotations

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.storage.models import Audit, AuditAction, Event
from tests.api.conftest import ApiClient
from tests.audits.world import world_fixture  # noqa: F401


def _api(world, user) -> ApiClient:
    token = accounts.create_token(user, "test", actor_label="test")
    return ApiClient(world.app.test_client(), token, user)


def _put(api, url, body):
    return api.client.put(url, json=body, headers=api.headers)


def _patch(api, url, body):
    return api.client.patch(url, json=body, headers=api.headers)


def _answers(audit_json, rating_index=1):
    answers = []
    for rubric in audit_json["rubrics"]:
        for criterion in rubric["criteria"]:
            options = criterion["options"]
            index = min(rating_index, len(options) - 1) if criterion["scored"] else 0
            answers.append({"rubric": rubric["rubric"], "criterion": criterion["id"],
                            "rating": options[index]["value"], "evidence": "Seen in the file"})
    return answers


def _start(world, api):
    response = api.post("/api/v1/audits", json={"round": world.round_a.public_id,
                                                "case": world.cases_a[0].public_id})
    assert response.status_code == 201, response.json
    return response.json


def test_round_audits_then_start_is_idempotent(world):
    sam = _api(world, world.supervisor)
    listing = sam.get(f"/api/v1/audits?round={world.round_a.public_id}")
    assert listing.status_code == 200
    assert [row["audit"] for row in listing.json] == [None, None]
    assert listing.json[0]["reason"].startswith("simple random")
    started = _start(world, sam)
    assert started["status"] == "draft" and started["version"] == 1
    assert started["rubrics"] and started["answers"] == []
    again = sam.post("/api/v1/audits", json={"round": world.round_a.public_id,
                                             "case": world.cases_a[0].public_id})
    assert again.status_code == 200 and again.json["id"] == started["id"]
    listing = sam.get(f"/api/v1/audits?round={world.round_a.public_id}")
    assert listing.json[0]["audit"]["id"] == started["id"]
    assert sam.get("/api/v1/audits?round=x&typo=1").status_code == 422


def test_draft_save_conflict_submit_and_result(world):
    sam = _api(world, world.supervisor)
    audit = _start(world, sam)
    url = f"/api/v1/audits/{audit['id']}"
    first = _answers(audit)[:1]
    saved = _put(sam, f"{url}/draft", {"version": 1, "answers": first})
    assert saved.status_code == 200 and saved.json == {"version": 2, "status": "draft"}
    stale = _put(sam, f"{url}/draft", {"version": 1, "answers": [
        {**first[0], "evidence": "different"}]})
    assert stale.status_code == 409
    assert stale.json["your_version"] == 1 and stale.json["current_version"] == 2
    bad = _put(sam, f"{url}/draft", {"version": 2, "answers": [{**first[0], "rating": "nope"}]})
    assert bad.status_code == 422 and bad.json["errors"]
    unknown = _put(sam, f"{url}/draft", {"version": 2, "answers": [], "extra": 1})
    assert unknown.status_code == 422
    incomplete = sam.post(f"{url}/submit", json={"version": 2, "answers": []})
    assert incomplete.status_code == 422
    fields = incomplete.json["errors"]
    second = _answers(audit)[1]
    assert f"rating-{second['rubric']}-{second['criterion']}" in fields
    read = sam.get(url).json
    assert read["version"] == 2 and read["answers"][0]["evidence"] == "Seen in the file"
    done = sam.post(f"{url}/submit", json={"version": 2, "answers": _answers(audit)})
    assert done.status_code == 200, done.json
    assert done.json["overall_grade"] == "good"
    assert done.json["result"]["domains"]
    result = sam.get(f"{url}/result")
    assert result.status_code == 200 and result.json["overall_grade"] == "good"
    after = _put(sam, f"{url}/draft", {"version": 3, "answers": []})
    assert after.status_code == 409
    assert Event.select().where(Event.action == "audit.viewed").count() >= 2


def test_practitioner_responds_acknowledges_and_updates_actions(world):
    sam = _api(world, world.supervisor)
    audit = _start(world, sam)
    url = f"/api/v1/audits/{audit['id']}"
    sam.post(f"{url}/submit", json={"version": 1, "answers": _answers(audit)})
    pat = _api(world, world.practitioner)
    assert pat.get(url).json["status"] == "submitted"
    responded = _put(pat, f"{url}/response", {"version": 2, "response": "Agreed."})
    assert responded.status_code == 200 and responded.json["version"] == 3
    stale = _put(pat, f"{url}/response", {"version": 2, "response": "Again"})
    assert stale.status_code == 409
    created = sam.post(f"{url}/actions", json={"description": "Visit alone", "owner": "pat",
                                               "due_on": "2031-01-31"})
    assert created.status_code == 201, created.json
    bad = sam.post(f"{url}/actions", json={"description": "x", "owner": "bo",
                                           "due_on": "2031-01-31"})
    assert bad.status_code == 422 and "owner" in bad.json["errors"]
    action_url = f"/api/v1/actions/{created.json['id']}"
    moved = _patch(pat, action_url, {"version": 1, "status": "done"})
    assert moved.status_code == 200 and moved.json["status"] == "done"
    assert _patch(pat, action_url, {"version": 1, "status": "open"}).status_code == 409
    assert _patch(_api(world, world.colleague), action_url,
                  {"version": 2, "status": "open"}).status_code == 404
    acked = pat.post(f"{url}/acknowledge", json={"version": 3})
    assert acked.status_code == 200
    assert Audit.get().acknowledged_at is not None
    assert AuditAction.get().status == "done"


def test_scoping_other_teams_and_roles(world, make_user):
    sam = _api(world, world.supervisor)
    audit = _start(world, sam)
    url = f"/api/v1/audits/{audit['id']}"
    bea = _api(world, world.other_supervisor)
    assert bea.get(url).status_code == 403
    assert _put(bea, f"{url}/draft", {"version": 1, "answers": []}).status_code == 403
    assert bea.get(f"/api/v1/audits?round={world.round_a.public_id}").status_code == 404
    assert bea.post("/api/v1/audits", json={"round": world.round_a.public_id,
                                            "case": world.cases_a[0].public_id}
                    ).status_code == 403
    assert _api(world, world.practitioner).get(url).status_code == 404  # still a draft
    assert _api(world, world.other_practitioner).get(url).status_code == 404
    hr = _api(world, make_user(Role.HR, "hr-person"))
    assert hr.get(url).status_code == 403
    ql = _api(world, make_user(Role.QUALITY_LEAD, "ql-person"))
    assert ql.get(url).status_code == 200
    assert Audit.get().version == 1


def test_every_audit_endpoint_is_in_openapi(app):
    spec = app.test_client().get("/api/openapi.json").json
    paths = spec["paths"]
    for path in ("/api/v1/audits", "/api/v1/audits/{public_id}",
                 "/api/v1/audits/{public_id}/draft", "/api/v1/audits/{public_id}/submit",
                 "/api/v1/audits/{public_id}/result", "/api/v1/audits/{public_id}/response",
                 "/api/v1/audits/{public_id}/acknowledge", "/api/v1/audits/{public_id}/actions",
                 "/api/v1/actions/{public_id}"):
        assert path in paths, path
    assert "409" in paths["/api/v1/audits/{public_id}/draft"]["put"]["responses"]

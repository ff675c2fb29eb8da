"""``/api/v1/rounds`` and ``/api/v1/policies``: what each role may read and do."""

from __future__ import annotations

import pytest
from playhouse.test_utils import count_queries

from audit_service.domain.sampling import SamplingPolicySettings
from audit_service.domain.vocabulary import CaseType, Role, StaffRole
from audit_service.services.accounts import users as accounts
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling.rounds import open_rounds
from audit_service.storage.models import SamplingPolicy, SamplingRound, Staff, Team
from tests.api.conftest import ApiClient
from tests.services.round_builders import PERIOD, TODAY, add_case, build_council
from tests.support.installed import strategies


@pytest.fixture
def council(app):
    return build_council()


def as_supervisor(app, user) -> ApiClient:
    return ApiClient(app.test_client(), accounts.create_token(user, "t", actor_label="test"), user)


def test_quality_leads_see_every_round_with_cases_and_reasons(app, council, api_as) -> None:
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    response = api_as(Role.QUALITY_LEAD).get(f"/api/v1/rounds?period={PERIOD}")
    assert response.status_code == 200, response.json
    body = response.json
    assert [r["supervisor"] for r in body] == ["Manager 1", "Manager 2"]
    first = body[0]
    assert (first["team"], first["status"], first["period"]) == ("Team 1", "open", PERIOD)
    assert first["due_on"] == "2026-05-26"
    assert first["policy"] == {"scope": "default", "version": 1, "strategy": "simple_random"}
    assert [c["position"] for c in first["cases"]] == [1, 2]
    assert all(c["reason"].startswith("simple random") and c["child_id"] for c in first["cases"])
    assert first["replaced_cases"] == []


def test_supervisors_see_only_their_own_round(app, council) -> None:
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    mine = as_supervisor(app, council.users[0])
    body = mine.get(f"/api/v1/rounds?period={PERIOD}").json
    assert [r["supervisor"] for r in body] == ["Manager 1"]
    theirs = SamplingRound.get(SamplingRound.supervisor == council.supervisors[1])
    assert mine.get(f"/api/v1/rounds/{theirs.public_id}").status_code == 404
    assert mine.get(f"/api/v1/rounds/{body[0]['id']}").json["id"] == body[0]["id"]


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.HR])
def test_practitioners_and_hr_are_refused(app, council, api_as, role) -> None:
    assert api_as(role).get(f"/api/v1/rounds?period={PERIOD}").status_code == 403


def test_bad_period_and_unknown_query_are_422(app, council, api_as) -> None:
    lead = api_as(Role.QUALITY_LEAD)
    assert lead.get("/api/v1/rounds?period=2026-13").status_code == 422
    assert lead.get("/api/v1/rounds?month=2026-05").status_code == 422
    assert app.test_client().get("/api/v1/rounds").status_code == 401


def test_replacing_a_case_needs_a_reason(app, council) -> None:
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    mine = as_supervisor(app, council.users[0])
    round_id = mine.get(f"/api/v1/rounds?period={PERIOD}").json[0]["id"]
    url = f"/api/v1/rounds/{round_id}/cases/1/replace"
    assert mine.post(url, json={}).status_code == 422
    assert mine.post(url, json={"reason": "x", "extra": 1}).status_code == 422
    blank = mine.post(url, json={"reason": " "})
    assert (blank.status_code, blank.json["errors"]) == (
        422, {"reason": ["Enter the reason for replacing this case"]})
    missing = mine.post(f"/api/v1/rounds/{round_id}/cases/9/replace",
                        json={"reason": "conflict of interest"})
    assert (missing.status_code, missing.json["message"]) == (
        404, "the round has no case at position 9")
    response = mine.post(url, json={"reason": "conflict of interest"})
    assert response.status_code == 200, response.json
    (old,) = response.json["replaced_cases"]
    assert old["replacement_reason"] == "conflict of interest"
    assert response.json["cases"][0]["reason"].startswith("replacement (conflict of interest)")
    other = as_supervisor(app, council.users[1])
    assert other.post(url, json={"reason": "mine now"}).status_code == 404


def test_supervisor_draws_their_own_sample(app, council) -> None:
    sampling_policies.set_policy(SamplingPolicySettings(draw_mode="supervisor"),
                                 actor_label="test", registry=strategies())
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    mine = as_supervisor(app, council.users[0])
    (round_,) = mine.get(f"/api/v1/rounds?period={PERIOD}").json
    assert (round_["status"], round_["cases"]) == ("awaiting_draw", [])
    drawn = mine.post(f"/api/v1/rounds/{round_['id']}/draw")
    assert drawn.status_code == 200, drawn.json
    assert (drawn.json["status"], len(drawn.json["cases"])) == ("open", 2)
    again = mine.post(f"/api/v1/rounds/{round_['id']}/draw")
    assert again.status_code == 409
    assert again.json["message"] == "this round's sample has already been drawn"
    theirs = SamplingRound.get(SamplingRound.supervisor == council.supervisors[1])
    assert mine.post(f"/api/v1/rounds/{theirs.public_id}/draw").status_code == 404


def test_population_is_for_quality_leads_and_admins(app, council, api_as) -> None:
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    round_ = SamplingRound.get(SamplingRound.supervisor == council.supervisors[0])
    url = f"/api/v1/rounds/{round_.public_id}/population"
    body = api_as(Role.QUALITY_LEAD).get(url).json
    assert (body["eligible_count_at_draw"], body["eligible_now"], len(body["cases"])) == (6, 4, 6)
    assert sum(c["in_round"] for c in body["cases"]) == 2
    assert api_as(Role.SENIOR_LEADER).get(url).status_code == 403
    assert as_supervisor(app, council.users[0]).get(url).status_code == 403


def test_policies_are_read_and_set_with_versions(app, council, api_as) -> None:
    lead = api_as(Role.QUALITY_LEAD)
    response = lead.client.put("/api/v1/policies", headers=lead.headers,
                               json={"cases_per_supervisor": 3, "strategy": "risk_weighted"})
    assert response.status_code == 200, response.json
    assert (response.json["scope"], response.json["version"]) == ("council", 1)
    assert response.json["applies_to"] == "the council"
    team = lead.client.put("/api/v1/policies", headers=lead.headers,
                           json={"team": "Team 2", "independence": "other_team"})
    assert team.status_code == 200, team.json
    assert (team.json["cases_per_supervisor"], team.json["strategy"]) == (3, "risk_weighted")
    bad = lead.client.put("/api/v1/policies", headers=lead.headers,
                          json={"strategy": "lottery", "case_types": []})
    assert bad.status_code == 422
    assert "'lottery' is not an installed sampling strategy" in bad.json["message"]
    assert set(bad.json["errors"]) == {"strategy", "case_types"}
    nowhere = lead.client.put("/api/v1/policies", headers=lead.headers, json={"team": "Team 9"})
    assert (nowhere.status_code, nowhere.json["errors"]) == (422, {"team": ["no such team"]})
    assert lead.client.put("/api/v1/policies", headers=lead.headers,
                           json={"cases": 3}).status_code == 422
    leader = api_as(Role.SENIOR_LEADER)
    listed = leader.get("/api/v1/policies").json
    assert sorted(p["applies_to"] for p in listed) == ["team Team 2", "the council"]
    assert leader.client.put("/api/v1/policies", headers=leader.headers,
                             json={"cases_per_supervisor": 1}).status_code == 403
    assert api_as(Role.HR, "hr").get("/api/v1/policies").status_code == 403
    lead.client.put("/api/v1/policies", headers=lead.headers, json={"cases_per_supervisor": 4})
    history = lead.get("/api/v1/policies?history=true").json
    assert [(p["scope"], p["version"]) for p in history if p["scope"] == "council"] == [
        ("council", 2), ("council", 1)]
    assert SamplingPolicy.select().count() == 3


def test_the_endpoints_are_in_the_openapi_document(app) -> None:
    paths = app.test_client().get("/api/openapi.json").json["paths"]
    for path in ("/api/v1/rounds", "/api/v1/rounds/{public_id}",
                 "/api/v1/rounds/{public_id}/draw",
                 "/api/v1/rounds/{public_id}/cases/{position}/replace",
                 "/api/v1/rounds/{public_id}/population", "/api/v1/policies"):
        assert path in paths, path
    assert set(paths["/api/v1/policies"]) >= {"get", "put"}


def test_listing_rounds_reads_every_round_s_cases_in_one_query(app, council, api_as) -> None:
    """The list once ran two queries per round: a query count that grew with the council."""
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    lead = api_as(Role.QUALITY_LEAD)
    assert len(lead.get(f"/api/v1/rounds?period={PERIOD}").json) == 2
    with count_queries() as two_rounds:
        lead.get(f"/api/v1/rounds?period={PERIOD}")
    for n in (3, 4):
        team = Team.create(name=f"Team {n}", service=council.service)
        Staff.create(name=f"Manager {n}", name_key=f"manager {n}",
                     staff_role=StaffRole.TEAM_MANAGER.value, team=team)
        for _ in range(6):
            add_case(team, CaseType.CHILD_PROTECTION)
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    assert len(lead.get(f"/api/v1/rounds?period={PERIOD}").json) == 4
    with count_queries() as four_rounds:
        lead.get(f"/api/v1/rounds?period={PERIOD}")
    assert four_rounds.count == two_rounds.count

"""Moderation and learning pages and API: blind until submitted, in HTML and in JSON."""

from __future__ import annotations

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.services.audits import lifecycle as audit_service
from audit_service.storage.models import Exemplar, Moderation
from tests.audits.world import world_fixture  # noqa: F401
from tests.moderation.builders import FIRST_EVIDENCE, answer_all, moderated, types


def _token(user):
    return {"Authorization": f"Bearer {accounts.create_token(user, 't', actor_label='test')}"}


def test_the_moderator_sees_nothing_of_the_first_audit_in_pages_or_api(world, make_user):
    with world.app.app_context():
        _lead, first, _moderation, second = moderated(world, make_user, submit=False)
        answers = [{"rubric": k.rubric_id, "criterion": k.criterion_id, **a.as_dict()}
                   for k, a in answer_all(second, 2, "MOD").items()]
        keys = audit_service.load_state(second, types()).keys
    moderator = world.other_supervisor
    browser = world.client(moderator)
    refused = browser.get(f"/audits/{first.public_id}", expected_status=403)
    assert refused.h1() == "You are moderating this audit"
    assert FIRST_EVIDENCE not in refused.text()
    form = browser.get(f"/audits/{second.public_id}")
    assert FIRST_EVIDENCE not in form.text()
    api = world.app.test_client()
    headers = _token(moderator)
    for url in (f"/api/v1/audits/{first.public_id}", f"/api/v1/audits/{first.public_id}/result"):
        response = api.get(url, headers=headers)
        assert response.status_code == 403
        assert FIRST_EVIDENCE not in response.get_data(as_text=True)
        assert "moderating" in response.get_json()["message"]
    # The moderator submits through the audits API like any audit ...
    response = api.post(f"/api/v1/audits/{second.public_id}/submit", headers=headers,
                        json={"version": second.version, "answers": answers})
    assert response.status_code == 200, response.get_json()
    assert len(keys) == len(answers)
    # ... and then reads the first audit.
    after = api.get(f"/api/v1/audits/{first.public_id}", headers=headers)
    assert after.status_code == 200 and FIRST_EVIDENCE in after.get_data(as_text=True)
    assert FIRST_EVIDENCE in browser.get(f"/audits/{first.public_id}").text()


def test_a_quality_lead_moderator_sees_no_grade_in_the_lists(world, make_user):
    moderator = make_user(Role.QUALITY_LEAD, "mo", display_name="Mo Derator")
    with world.app.app_context():
        lead, _first, moderation, _second = moderated(world, make_user, moderator=moderator,
                                                    submit=False)
    page = world.client(moderator).get("/moderation")
    assert "Hidden until you submit your moderation" in page.text()
    assert "Outstanding" not in page.text()
    detail = world.client(moderator).get(f"/moderation/{moderation.public_id}")
    assert "Hidden until you submit" in detail.text() and "Outstanding" not in detail.text()
    api = world.app.test_client()
    body = api.get(f"/api/v1/audits?round={world.round_a.public_id}",
                   headers=_token(moderator)).get_json()
    assert [row["audit"]["overall_grade"] for row in body if row["audit"]] == [None]
    shown = api.get(f"/api/v1/moderation/{moderation.public_id}",
                    headers=_token(moderator)).get_json()
    assert shown["first_grade"] is None and shown["comparison"] is None
    lead_view = api.get(f"/api/v1/moderation/{moderation.public_id}", headers=_token(lead))
    # The lead who assigned the moderation could have assigned themselves: withheld from them too.
    assert lead_view.get_json()["first_grade"] is None
    assert lead_view.get_json()["first_grade_withheld"] is True


def test_pick_assign_and_adjudicate_in_the_browser(world, make_user):
    lead_user = make_user(Role.QUALITY_LEAD, "lee", display_name="Lee Lead")
    from tests.moderation.builders import submitted_first_audit

    with world.app.app_context():
        first = submitted_first_audit(world)
    lead = world.client(lead_user)
    index = lead.get("/moderation")
    assert "CHILD-A1" in index.text() and "Not picked" in index.text()
    lead.post("/moderation/pick", data={"audit": first.public_id,
                                        "csrf_token": index.csrf_token()}, expected_status=302)
    moderation = Moderation.get()
    detail = lead.get(f"/moderation/{moderation.public_id}")
    error = lead.post(f"/moderation/{moderation.public_id}/assign",
                      data={"moderator": str(world.supervisor.id),
                            "csrf_token": detail.csrf_token()}, expected_status=422)
    assert "first auditor cannot moderate" in error.text()
    lead.post(f"/moderation/{moderation.public_id}/assign",
              data={"moderator": str(world.other_supervisor.id),
                    "csrf_token": detail.csrf_token()}, expected_status=302)
    second = Moderation.get().moderation_audit
    with world.app.app_context():
        audit_service.submit(world.other_supervisor, second, answer_all(second, 1, "MOD"),
                             second.version, types())
    ready = lead.get(f"/moderation/{moderation.public_id}")
    assert "Different" in ready.text()
    refused = lead.post(f"/moderation/{moderation.public_id}/adjudicate",
                        data={"csrf_token": ready.csrf_token()}, expected_status=422)
    assert "Select the agreed overall grade" in refused.text()
    lead.post(f"/moderation/{moderation.public_id}/adjudicate",
              data={"agreed_grade": "good", "note": "Agreed", "csrf_token": ready.csrf_token()},
              expected_status=302)
    assert Moderation.get().agreed_grade == "good"
    stats = lead.get("/moderation/statistics")
    assert "1 completed moderation in this period" in stats.text()
    assert lead.get("/moderation/statistics?from=2026-13", expected_status=422)


def test_moderation_api_writes_are_for_quality_leads_only(world, make_user):
    with world.app.app_context():
        lead, first, moderation, _second = moderated(world, make_user)
    api = world.app.test_client()
    sup = _token(world.supervisor)
    assert api.post("/api/v1/moderation", headers=sup,
                    json={"audit": first.public_id}).status_code == 403
    lead_headers = _token(lead)
    assert api.post("/api/v1/moderation", headers=lead_headers,
                    json={"audit": first.public_id, "extra": 1}).status_code == 422
    assert api.post("/api/v1/moderation", headers=lead_headers,
                    json={"audit": first.public_id}).status_code == 409
    done = api.post(f"/api/v1/moderation/{moderation.public_id}/adjudicate",
                    headers=lead_headers,
                    json={"agreed_grade": "good", "note": "Agreed on the phone"})
    assert done.status_code == 200 and done.get_json()["agreed_grade"] == "good"
    assert any(c["differs"] for c in done.get_json()["comparison"])
    period = f"{first.submitted_at:%Y-%m}"
    stats = api.get(f"/api/v1/moderation/statistics?from={period}&to={period}",
                    headers=lead_headers).get_json()
    assert stats["moderations"] == 1 and stats["criteria"][0]["pairs"] == 1
    put = api.put("/api/v1/moderation/settings", headers=lead_headers,
                  json={"share_percent": 10})
    assert put.status_code == 200 and put.get_json()["share_percent"] == 10


def test_learning_themes_and_exemplars_refuse_child_identifiers(world, make_user):
    with world.app.app_context():
        lead, first, _moderation, _second = moderated(world, make_user)
    api = world.app.test_client()
    headers = _token(lead)
    theme = api.post("/api/v1/themes", headers=headers, json={"name": "Drift"}).get_json()
    tagged = api.put(f"/api/v1/audits/{first.public_id}/themes", headers=headers,
                     json={"themes": [theme["id"]], "free_themes": ["Voice of the child lost"]})
    assert sorted(t["name"] for t in tagged.get_json()) == ["Drift", "Voice of the child lost"]
    for excerpt, words in [("Seen with CHILD-B1 at school", "child ID “CHILD-B1”"),
                           ("born 03/04/2019, seen weekly", "03/04/2019"),
                           ("visited at LS6 2AB", "postcode"),
                           ("child-a1 was seen alone", "CHILD-A1")]:
        refused = api.post("/api/v1/exemplars", headers=headers,
                           json={"audit": first.public_id, "title": "Good", "excerpt": excerpt})
        assert refused.status_code == 422, excerpt
        assert words.casefold() in str(refused.get_json()["errors"]).casefold(), excerpt
    shared = api.post("/api/v1/exemplars", headers=headers,
                      json={"audit": first.public_id, "title": "Seen alone, every visit",
                            "excerpt": "The worker saw the child alone at every visit."})
    assert shared.status_code == 201
    assert Exemplar.select().count() == 1
    practitioner = world.client(world.practitioner).get("/learning")
    assert "The worker saw the child alone at every visit." in practitioner.text()
    assert first.public_id not in practitioner.text()
    assert "Drift" in practitioner.text()
    assert api.post("/api/v1/themes", headers=_token(world.supervisor),
                    json={"name": "Neglect"}).status_code == 403
    page = world.client(lead).get(f"/learning/audits/{first.public_id}")
    assert page.h1() == "Themes and exemplars for an audit"


def test_the_last_month_a_period_can_name_is_shown_not_a_server_error(world, make_user):
    lead = make_user(Role.QUALITY_LEAD, "span_lead")
    client = world.client(lead)
    page = client.get("/learning?from=2100-01&to=2100-12")
    assert page.status_code == 200  # was a 500: the month after 2100-12 cannot be named
    counts = client.client.get("/learning?from=0001-01&to=9999-11")
    assert counts.status_code == 422


def test_the_pages_cap_a_span_of_months_as_the_api_does(world, make_user):
    """Ten years is a report; 1900 to 2100 was 2,412 columns per theme on the page while the
    API refused more than 120 months. Both now say the same, from the same rule."""
    lead = make_user(Role.QUALITY_LEAD, "span_lead")
    client = world.client(lead)
    api = world.app.test_client()
    for span in ("from=1900-01&to=2100-12", "from=2000-01&to=2010-01"):
        page = client.client.get(f"/learning?{span}")
        assert page.status_code == 422
        assert "Choose at most 120 months" in page.get_data(as_text=True)
        assert client.client.get(f"/moderation/statistics?{span}").status_code == 422
        assert api.get(f"/api/v1/themes/counts?{span}",
                       headers=_token(lead)).status_code == 422
    # A theme's description is held to the API's length on the page too.
    page = client.get("/learning")
    refused = client.client.post("/learning/themes", data={
        "name": "Neglect", "description": "x" * 501, "csrf_token": page.csrf_token()})
    assert refused.status_code == 422
    assert "500 characters or fewer" in refused.get_data(as_text=True)
    ten_years = "from=2000-01&to=2009-12"
    assert client.get(f"/learning?{ten_years}").status_code == 200
    assert api.get(f"/api/v1/themes/counts?{ten_years}", headers=_token(lead)).status_code == 200

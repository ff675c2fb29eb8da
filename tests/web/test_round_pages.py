"""The round page a supervisor works from, and the quality lead's list and population pages."""

from __future__ import annotations

import pytest

from audit_service.domain.sampling import SamplingPolicySettings
from audit_service.domain.vocabulary import Role
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling.round_reads import current_cases
from audit_service.services.sampling.rounds import open_rounds
from audit_service.storage.models import RoundCase, SamplingRound
from tests.services.round_builders import PERIOD, TODAY, build_council
from tests.support.auth import sign_in
from tests.support.installed import strategies
from tests.support.pages import PageClient


@pytest.fixture
def council(app):
    return build_council()


def supervisor(app, user) -> PageClient:
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return PageClient(client)


def round_of(staff) -> SamplingRound:
    return SamplingRound.get(SamplingRound.supervisor == staff)


def test_the_supervisor_sees_their_cases_and_why(app, council) -> None:
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    round_ = round_of(council.supervisors[0])
    page = supervisor(app, council.users[0]).get(f"/rounds/{round_.public_id}")
    assert page.h1() == "Your sample for May 2026"
    text = page.text()
    assert "Tuesday 26 May 2026" in text or "26 May 2026" in text
    for rc in current_cases(round_):
        assert rc.case.child_id in text
    assert "simple random: drawn from 6 eligible cases" in text
    labels = ["".join(label.itertext()).strip() for label in page.select("label")]
    assert labels[0].startswith("Reason for replacing case 1 (child ID ")
    assert "Draw my sample" not in text


def test_replacing_needs_a_reason_then_records_it(app, council) -> None:
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    round_ = round_of(council.supervisors[0])
    me = supervisor(app, council.users[0])
    form = me.get(f"/rounds/{round_.public_id}")
    url = f"/rounds/{round_.public_id}/cases/1/replace"
    refused = me.post(url, data={"csrf_token": form.csrf_token(), "reason": " "},
                      expected_status=422)
    assert "Enter the reason for replacing this case" in refused.text()
    assert refused.select("a", href="#reason-1")
    response = me.client.post(url, data={"csrf_token": form.csrf_token(),
                                         "reason": "closed since the draw"})
    assert response.status_code == 302
    page = me.get(f"/rounds/{round_.public_id}")
    assert "was replaced on" in page.text() and "closed since the draw" in page.text()
    assert RoundCase.select().where(RoundCase.replaced_at.is_null(False)).count() == 1


def test_draw_my_sample(app, council) -> None:
    sampling_policies.set_policy(SamplingPolicySettings(draw_mode="supervisor"),
                                 actor_label="test", registry=strategies())
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    round_ = round_of(council.supervisors[0])
    me = supervisor(app, council.users[0])
    page = me.get(f"/rounds/{round_.public_id}")
    assert "Draw my sample" in page.text()
    response = me.client.post(f"/rounds/{round_.public_id}/draw",
                              data={"csrf_token": page.csrf_token()})
    assert response.status_code == 302
    page = me.get(f"/rounds/{round_.public_id}")
    assert "Your sample has been drawn." in page.text()
    assert len(current_cases(round_)) == 2
    assert "Draw my sample" not in page.text()
    again = me.post(f"/rounds/{round_.public_id}/draw", data={"csrf_token": page.csrf_token()},
                    expected_status=409)
    assert "this round's sample has already been drawn" in again.text()


def test_other_people_cannot_see_or_act_on_a_supervisors_round(app, council, login_as) -> None:
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    round_ = round_of(council.supervisors[0])
    other = supervisor(app, council.users[1])
    other.get(f"/rounds/{round_.public_id}", expected_status=404)
    login_as(Role.HR).get(f"/rounds/{round_.public_id}", expected_status=403)
    login_as(Role.PRACTITIONER).get("/rounds", expected_status=403)
    other.get("/rounds", expected_status=403)


def test_quality_leads_list_the_months_rounds_and_see_the_population(app, council,
                                                                     login_as) -> None:
    open_rounds(PERIOD, today=TODAY, registry=strategies())
    lead = login_as(Role.QUALITY_LEAD)
    listing = lead.get(f"/rounds?period={PERIOD}")
    assert listing.h1() == "Sampling rounds for May 2026"
    assert "Manager 1" in listing.text() and "Manager 2" in listing.text()
    round_ = round_of(council.supervisors[0])
    page = lead.get(f"/rounds/{round_.public_id}")
    assert page.h1() == "Sample for Manager 1, May 2026"
    assert not page.select("textarea")
    population = lead.get(f"/rounds/{round_.public_id}/population")
    assert population.h1() == "Eligible population for Manager 1, May 2026"
    assert population.text().count("drawn into this round") == 2
    assert "No rounds have been opened for June 2026" in lead.get("/rounds?period=2026-06").text()
    refused = lead.get("/rounds?period=junk", expected_status=422)
    assert "'junk' is not a month written YYYY-MM" in refused.text()

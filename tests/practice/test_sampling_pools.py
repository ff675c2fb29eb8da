"""Sampling reaches the cases the seeds were about: a monthly dip sample of cases closed last
month, and unallocated cases in a pool for the service manager. A case that closed since the
draw is audited as a closure, not replaced."""

from __future__ import annotations

import datetime as dt

from audit_service.domain.sampling import SamplingPolicySettings
from audit_service.domain.vocabulary import CaseType
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling import rounds
from audit_service.storage.models import Case, RoundCase, SamplingRound, Staff
from tests.practice.conftest import PracticeCouncil
from tests.support.auth import sign_in
from tests.support.installed import strategies
from tests.support.pages import PageClient


def _next_month() -> tuple[str, dt.date]:
    first = (dt.date.today().replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return f"{first:%Y-%m}", first


def _policy(**settings) -> None:
    sampling_policies.set_policy(SamplingPolicySettings(**settings), actor_label="test",
                                 registry=strategies())


def test_a_dip_sample_of_last_months_closures_comes_beside_the_open_draw(
    council: PracticeCouncil,
) -> None:
    period, first_day = _next_month()
    council.round_.delete_instance(recursive=True)  # nothing drawn this month yet
    closed = council.cases[CaseType.CHILD_IN_NEED]
    Case.update(status="closed", closed_on=dt.date.today().replace(day=1),
                closure_reason="RC8 - Case closed after assessment, no further action").where(
        Case.id == closed.id).execute()
    with council.app.app_context():
        _policy(cases_per_supervisor=2, closed_cases=1)
        rounds.open_rounds(period, today=first_day, registry=strategies())
    round_ = SamplingRound.get(SamplingRound.period == period)
    drawn = list(RoundCase.select().where(RoundCase.round == round_.id)
                 .order_by(RoundCase.position))
    assert [rc.pool for rc in drawn] == ["open", "open", "closed"]
    assert drawn[2].case_id == closed.id
    assert drawn[2].reason.startswith(
        f"closed on {dt.date.today().replace(day=1):%d/%m/%Y} (RC8 - Case closed after "
        "assessment, no further action): ")


def test_unallocated_cases_make_a_round_for_the_service_manager(
    council: PracticeCouncil,
) -> None:
    period, first_day = _next_month()
    council.round_.delete_instance(recursive=True)  # nothing drawn this month yet
    unallocated = Case.create(child_id="NO-WORKER-1", case_type="child_in_need",
                              team=council.team, worker=None, facts_hash="u1")
    Case.create(child_id="NO-TEAM-1", case_type="child_in_need", team=None, worker=None,
                facts_hash="u2")
    with council.app.app_context():
        _policy(unallocated_cases=2)
        report = rounds.open_rounds(period, today=first_day, registry=strategies())
    head = Staff.get(Staff.name == "Sian Service")
    assert sorted(report.opened) == ["Sian Service", "Tom Team"]
    mine = SamplingRound.get((SamplingRound.period == period)
                             & (SamplingRound.supervisor == head.id))
    assert mine.team_id is None
    pooled = list(RoundCase.select().where(RoundCase.round == mine.id))
    assert {rc.pool for rc in pooled} == {"unallocated"}
    assert {rc.case.child_id for rc in pooled} == {"NO-WORKER-1", "NO-TEAM-1"}
    # The team manager's open draw never takes them twice.
    theirs = RoundCase.select().join(SamplingRound).where(
        (SamplingRound.period == period) & (SamplingRound.supervisor != head.id))
    assert unallocated.id not in {rc.case_id for rc in theirs}

    client = council.app.test_client()
    assert sign_in(client, council.service_manager.username).status_code == 302
    page = PageClient(client).get(f"/rounds/{mine.public_id}")
    assert "NO-WORKER-1" in page.text() and "unallocated: " in page.text()
    sian = council.api(council.service_manager)
    started = sian.post("/api/v1/audits", json={"round": mine.public_id,
                                                "case": unallocated.public_id})
    assert started.status_code == 201, started.json


def test_a_case_closed_since_the_draw_is_audited_as_a_closure_not_replaced(
    council: PracticeCouncil,
) -> None:
    case = council.cases[CaseType.CHILD_PROTECTION]
    Case.update(status="closed", closed_on=dt.date.today(), closure_reason="RC2").where(
        Case.id == case.id).execute()
    position = RoundCase.get(RoundCase.case == case.id).position
    tom = council.api(council.team_manager)
    refused = tom.post(f"/api/v1/rounds/{council.round_.public_id}/cases/{position}/replace",
                       json={"reason": "closed since the draw"})
    assert refused.status_code == 409
    assert "audit it as a closure" in refused.json["message"]
    started = tom.post("/api/v1/audits", json={"round": council.round_.public_id,
                                               "case": case.public_id})
    assert started.json["case"]["status"] == "closed"
    client = council.app.test_client()
    assert sign_in(client, council.team_manager.username).status_code == 302
    form = PageClient(client).get(f"/audits/{started.json['id']}")
    notice = " ".join("".join(form.select("div", id="closure-notice")[0].itertext()).split())
    assert notice.startswith(f"This case closed on {dt.date.today().day} ")
    assert "Closure reason: RC2. Audit it as a closure" in notice

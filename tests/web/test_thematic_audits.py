"""Thematic audits: a cohort by filters, a reproducible seeded draw, pinned rubrics, and
auditors who complete the cases in the normal audit journey."""

from __future__ import annotations

import datetime as dt

from audit_service.domain.sampling.thematic import CohortFilters
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.sampling import thematic as thematic_audits
from audit_service.storage.models import Audit, Case, Event, ThematicCase
from tests.audits.world import _case, complete_form, world_fixture  # noqa: F401
from tests.support.installed import strategies
from tests.web.test_rubric_editor import _lead, _links_resolve, _post


def _closed_cin(world, count: int) -> list[Case]:
    today = dt.date.today()
    prac = world.practitioner.staff
    return [
        _case(f"CLOSED-{i}", "child_in_need", world.team_a if i % 2 else world.team_b, prac,
              status="closed", closed_on=today - dt.timedelta(days=10 + i),
              closure_reason="RC8" if i < count - 1 else "RC1 adopted")
        for i in range(count)
    ]


def test_cohort_filters_select_closed_without_assessment(world):
    _closed_cin(world, 5)
    today = dt.date.today()
    filters = CohortFilters(case_types=["child_in_need"], closure="closed_without_assessment",
                            closed_from=today - dt.timedelta(days=60), closed_to=today)
    keys = [case.child_id for case, _ in thematic_audits.cohort_cases(filters, today)]
    assert sorted(keys) == ["CLOSED-0", "CLOSED-1", "CLOSED-2", "CLOSED-3"]
    only_a = CohortFilters(case_types=["child_in_need"], closure="closed_without_assessment",
                           team_ids=[world.team_a.id])
    assert thematic_audits.cohort_size(only_a, today) == 2
    under_5_cp = CohortFilters(flags=["under_5", "cp_plan"])
    assert thematic_audits.cohort_size(under_5_cp, today) == 0
    Case.update(age_band="1_4").where(Case.child_id == "CHILD-A1").execute()
    assert thematic_audits.cohort_size(under_5_cp, today) == 1


def test_the_same_seed_draws_the_same_sample(world):
    _closed_cin(world, 8)
    lead = _lead(world)
    filters = CohortFilters(case_types=["child_in_need"], statuses=["closed"])

    drawn = []
    for title in ("first", "second"):
        t = thematic_audits.define(title, filters, actor=lead)
        assert (t.status, t.cases, t.filters_text) == ("defined", (), ("Case type: Child in need",
                                                                       "Status: Closed"))
        view = thematic_audits.draw(t.public_id, 3, "simple_random", actor=lead,
                                    registry=strategies(), today=dt.date.today(),
                                    seed="fixed-seed")
        drawn.append([(c.case.child_id, c.reason) for c in view.cases])
        assert (view.seed, view.cohort_size) == ("fixed-seed", 8)
        assert thematic_audits.find(t.public_id) == view
    assert drawn[0] == drawn[1]
    assert len(drawn[0]) == 3 and all("drawn from 8 eligible cases" in r for _, r in drawn[0])
    # Another seed draws another sample (for these 8 cases and seeds, checked once).
    other = thematic_audits.define("third", filters, actor=lead)
    different = thematic_audits.draw(other.public_id, 3, "simple_random", actor=lead,
                                     registry=strategies(), today=dt.date.today(),
                                     seed="another-seed")
    assert [c.case.child_id for c in different.cases] != [cid for cid, _ in drawn[0]]
    event = Event.select().where(Event.action == "thematic.drawn").first()
    assert event.after["seed"] == "fixed-seed"


def test_quality_lead_defines_draws_assigns_and_the_auditor_audits(world, make_user):
    w = world
    _closed_cin(w, 4)
    lead = w.client(_lead(w))
    empty = lead.get("/thematic")
    assert "No thematic audits have been defined yet." in empty.text()

    form = lead.get("/thematic/new")
    bad = lead.client.post("/thematic/new", data={
        "csrf_token": form.csrf_token(), "title": "", "intent": "save",
        "closed_from-day": "31", "closed_from-month": "2", "closed_from-year": "2024"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "The start date must be a real date" in html
    _links_resolve(html)

    preview = lead.client.post("/thematic/new", data={
        "csrf_token": form.csrf_token(), "title": "CIN closures", "intent": "preview",
        "case_types": "child_in_need", "closure": "closed_without_assessment"})
    assert preview.status_code == 200
    assert "3 cases match" in preview.get_data(as_text=True)

    saved = _post(lead, "/thematic/new", {"title": "CIN closures", "intent": "save",
                                          "case_types": "child_in_need",
                                          "closure": "closed_without_assessment"},
                  token_from="/thematic/new")
    public_id = saved.headers["Location"].rsplit("/", 1)[1]
    page = lead.get(f"/thematic/{public_id}")
    assert "3 cases match." in page.text()

    too_many = _post(lead, f"/thematic/{public_id}/draw", {"sample_size": "0",
                                                          "strategy": "simple_random"},
                     token_from=f"/thematic/{public_id}", expected=422)
    _links_resolve(too_many.get_data(as_text=True))
    _post(lead, f"/thematic/{public_id}/draw", {"sample_size": "2", "strategy": "simple_random",
                                                "seed": "abc"},
          token_from=f"/thematic/{public_id}")
    drawn = lead.get(f"/thematic/{public_id}")
    assert "with seed abc" in drawn.text()

    no_rubrics = _post(lead, f"/thematic/{public_id}/auditors",
                       {f"auditor-{tc.id}": "sam" for tc in ThematicCase.select()},
                       token_from=f"/thematic/{public_id}", expected=422)
    assert "Choose the rubrics before assigning auditors" in no_rubrics.get_data(as_text=True)
    _post(lead, f"/thematic/{public_id}/rubrics", {"rubrics": ["voice_of_the_child"]},
          token_from=f"/thematic/{public_id}")
    cases = list(ThematicCase.select().order_by(ThematicCase.position))
    _post(lead, f"/thematic/{public_id}/auditors",
          {f"auditor-{cases[0].id}": "sam", f"auditor-{cases[1].id}": "lee"},
          token_from=f"/thematic/{public_id}")
    audit = Audit.get(Audit.thematic_case == cases[0].id)
    assert audit.kind == "thematic" and audit.auditor_id == w.supervisor.id

    # The supervisor finds it on their home page and completes it in the normal journey.
    sup = w.client(w.supervisor)
    home = sup.get("/my-audits")
    assert f"/audits/{audit.public_id}" in home.html
    form = sup.get(f"/audits/{audit.public_id}")
    with w.app.app_context():
        state = audit_service.load_state(audit, registries().criterion_types)
        data = complete_form(state)
    assert [p.rubric.id for p in state.pinned] == ["voice_of_the_child"]
    response = sup.client.post(f"/audits/{audit.public_id}", data={
        "csrf_token": form.csrf_token(), "intent": "submit", "version": "1", **data})
    assert response.status_code == 302
    assert Audit.get_by_id(audit.id).status == "submitted"
    # A supervisor of neither the auditor nor the case's team cannot open it; the service
    # manager the case's team manager reports to can.
    stranger = make_user(Role.SUPERVISOR, "stranger")
    w.client(stranger).get(f"/audits/{audit.public_id}", expected_status=403)
    w.client(w.manager).get(f"/audits/{audit.public_id}")
    # The quality lead sees the audit's state on the thematic page.
    assert "Submitted" in lead.get(f"/thematic/{public_id}").text()
    # Once started, an audit does not move to another auditor.
    moved = _post(lead, f"/thematic/{public_id}/auditors", {f"auditor-{cases[0].id}": "lee"},
                  token_from=f"/thematic/{public_id}", expected=422)
    assert "cannot move" in moved.get_data(as_text=True)


def test_only_quality_leads_run_thematic_audits(app, login_as):
    # Administrators run the service, not its audits (a thematic audit draws children's cases).
    for role in (Role.ADMIN, Role.SUPERVISOR, Role.PRACTITIONER, Role.HR, Role.SENIOR_LEADER):
        login_as(role).get("/thematic", expected_status=403)
    lead = login_as(Role.QUALITY_LEAD)
    assert lead.get("/thematic/new").h1() == "Define a thematic audit"
    lead.get("/thematic/no-such-audit", expected_status=404)

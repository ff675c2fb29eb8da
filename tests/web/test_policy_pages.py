"""The sampling policy editor: where each team's policy comes from, new versions, errors."""

from __future__ import annotations

from audit_service.domain.vocabulary import Role
from audit_service.services.sampling import policies as sampling_policies
from audit_service.storage.models import SamplingPolicy, Service, Team
from tests.web.test_rubric_editor import _links_resolve, _post

VALID = {"cases_per_supervisor": "3", "case_types": ["child_protection", "child_in_need"],
         "strategy": "simple_random", "strategy_options": "", "exclusion_months": "6",
         "independence": "own_team", "reaudit_grades": ["requires_improvement", "inadequate"],
         "reaudit_after_months": "3", "closed_cases": "1", "unallocated_cases": "0",
         "draw_mode": "automatic", "due_working_days": "10"}


def test_policies_show_their_source_and_edits_make_new_versions(app, login_as):
    council = Service.create(name="Children's services")
    team = Team.create(name="Family Support 1", service=council)
    lead = login_as(Role.QUALITY_LEAD)
    page = lead.get("/policies")
    assert "Not set: the built-in default applies" in page.text()
    assert "The built-in default" in page.text()

    _post(lead, "/policies/council", VALID, token_from="/policies/council")
    assert "The council, version 1" in lead.get("/policies").text()

    bad = _post(lead, f"/policies/teams/{team.id}",
                {**VALID, "cases_per_supervisor": "0", "case_types": [],
                 "strategy_options": "{not json"},
                token_from=f"/policies/teams/{team.id}", expected=422)
    html = bad.get_data(as_text=True)
    assert "Enter the strategy options as JSON" in html
    _links_resolve(html)
    bad = _post(lead, f"/policies/teams/{team.id}", {**VALID, "cases_per_supervisor": "0"},
                token_from=f"/policies/teams/{team.id}", expected=422)
    assert "0 is out of range; use 1 to 50" in bad.get_data(as_text=True)
    _links_resolve(bad.get_data(as_text=True))
    assert SamplingPolicy.select().where(SamplingPolicy.scope == f"team:{team.id}").count() == 0

    _post(lead, f"/policies/teams/{team.id}", {**VALID, "cases_per_supervisor": "4"},
          token_from=f"/policies/teams/{team.id}")
    _post(lead, f"/policies/teams/{team.id}", {**VALID, "cases_per_supervisor": "5"},
          token_from=f"/policies/teams/{team.id}")
    effective = sampling_policies.effective(sampling_policies.find_scope(team_id=team.id))
    assert (effective.scope, effective.version, effective.settings.cases_per_supervisor) \
        == (f"team:{team.id}", 2, 5)
    history = lead.get(f"/policies/teams/{team.id}")
    numeric = "govuk-table__cell govuk-table__cell--numeric"
    assert [row.text for row in history.select("td", **{"class": numeric})] == ["2", "1"]
    assert "Team Family Support 1, version 2" in lead.get("/policies").text()


def test_only_leads_and_admins_edit_policies(app, login_as):
    for role in (Role.SUPERVISOR, Role.PRACTITIONER, Role.HR, Role.SENIOR_LEADER):
        login_as(role).get("/policies", expected_status=403)
    admin = login_as(Role.ADMIN)
    assert admin.get("/policies/council").h1() == "Sampling policy for the council"
    for missing in ("/policies/teams/999", "/policies/services/999", "/policies/council/1",
                    "/policies/teams", "/policies/elsewhere"):
        admin.get(missing, expected_status=404)

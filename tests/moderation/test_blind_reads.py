"""Moderation stays blind everywhere a moderator, or someone who may yet become one, can read.

A quality lead who picks an audit may assign it to themselves, so no moderation view carries the
first grade until the moderator has submitted; and the month's practitioner figures leave out the
audit a reader moderates blind, or that practitioner's row would give its grade away.
"""

from __future__ import annotations

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.moderation import workflow as moderation_service
from audit_service.storage.models import Audit
from tests.audits.world import world_fixture  # noqa: F401
from tests.moderation.builders import answer_all, submitted_first_audit, types


def _token(user):
    return {"Authorization": f"Bearer {accounts.create_token(user, 't', actor_label='test')}"}


def test_no_moderation_view_shows_the_first_grade_before_the_moderator_has_submitted(
        world, make_user):
    lead = make_user(Role.QUALITY_LEAD, "quinn", display_name="Quinn Lead")
    with world.app.app_context():
        first = submitted_first_audit(world)
    api = world.app.test_client()
    picked = api.post("/api/v1/moderation", headers=_token(lead),
                      json={"audit": first.public_id})
    assert picked.status_code == 201, picked.get_json()
    body = picked.get_json()
    assert body["first_grade"] is None and body["first_grade_withheld"] is True
    # The lead assigns themselves: nothing they read on the way gave the grade away.
    assigned = api.post(f"/api/v1/moderation/{body['id']}/assign", headers=_token(lead),
                        json={"moderator": lead.username})
    assert assigned.status_code == 200, assigned.get_json()
    assert assigned.get_json()["first_grade"] is None
    page = world.client(lead).get(f"/moderation/{body['id']}")
    assert "Hidden until you submit your moderation" in page.text()
    with world.app.app_context():
        second = Audit.get(Audit.public_id == assigned.get_json()["moderation_audit"])
        audit_service.submit(lead, second, answer_all(second, 2, "MODERATOR-EVIDENCE"),
                             second.version, types())
    shown = api.get(f"/api/v1/moderation/{body['id']}", headers=_token(lead)).get_json()
    assert shown["first_grade"] == first.overall_grade and not shown["first_grade_withheld"]


def test_a_blind_moderator_s_summaries_leave_out_the_audit_they_moderate(world, make_user):
    lead = make_user(Role.QUALITY_LEAD, "quinn", display_name="Quinn Lead")
    moderator = make_user(Role.QUALITY_LEAD, "mo", display_name="Mo Derator")
    with world.app.app_context():
        first = submitted_first_audit(world)
        picked = moderation_service.pick(lead, first.public_id)
        moderation_service.assign(lead, picked.id, moderator.username)
        month = first.submitted_at.strftime("%Y-%m")
    api = world.app.test_client()

    def audits_counted(reader) -> int:
        response = api.get(f"/api/v1/summaries/groups?level=practitioner&period={month}",
                           headers=_token(reader))
        assert response.status_code == 200, response.get_json()
        return next(row["audits_submitted"] for row in response.get_json()
                    if row["group"] == "All")

    def downloaded(reader) -> str:
        return world.client(reader).client.get(
            f"/summaries/summary.csv?level=practitioner&period={month}").get_data(as_text=True)

    assert audits_counted(lead) == 1
    assert audits_counted(moderator) == 0
    # The page's download is built by the same report: the same audit is left out of it.
    lead_rows, moderator_rows = downloaded(lead).splitlines(), downloaded(moderator).splitlines()
    assert lead_rows[0] == moderator_rows[0] and lead_rows != moderator_rows
    submitted = lead_rows[0].split(",").index("audits_submitted")
    assert lead_rows[-1].split(",")[submitted] == "1"
    assert moderator_rows[-1].split(",")[submitted] == "0"

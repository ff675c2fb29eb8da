"""Administrators and senior leaders read no case files unless the council gives them the
"case reader" grant (issue 16's least privilege), and the grant is given and taken on the record.

Walked through the real pages and API: refused first, the grant asked for and given by an
administrator, the same pages then open (and are in the trail), withdrawn, refused again; a
change of role ends the grant; roles it means nothing for cannot be given it.
"""

from __future__ import annotations

import pytest

from audit_service.domain.accounts.case_reading import (
    GRANTABLE,
    holds_case_reader,
    reads_every_audit,
)
from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.storage.models import Event, User
from tests.audits.world import world_fixture  # noqa: F401
from tests.moderation.builders import submitted_first_audit


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("granted", [False, True])
def test_only_quality_leads_and_holders_of_the_grant_read_every_audit(role, granted) -> None:
    expected = role is Role.QUALITY_LEAD or (granted and role in GRANTABLE)
    assert reads_every_audit(role, granted) is expected
    # The grant is dormant on roles it cannot be given to: HR never reads a case file.
    assert holds_case_reader(role, granted) is (granted and role in {Role.ADMIN,
                                                                     Role.SENIOR_LEADER})


def _events(action: str) -> list[Event]:
    return list(Event.select().where(Event.action == action).order_by(Event.id))


def _grant(admin, user_id: int, step: str) -> None:
    ask = admin.get(f"/admin/users/{user_id}/{step}")
    admin.post(f"/admin/users/{user_id}/{step}", expected_status=302,
               data={"csrf_token": ask.csrf_token()})


def test_an_administrator_gives_a_senior_leader_case_reading_and_takes_it_back(
        world, make_user):
    admin_user = make_user(Role.ADMIN, "ada", display_name="Ada Admin")
    leader = make_user(Role.SENIOR_LEADER, "lee", display_name="Lee Leader")
    with world.app.app_context():
        audit = submitted_first_audit(world)
    admin = world.client(admin_user)
    reader = world.client(leader)
    audit_page = f"/audits/{audit.public_id}"
    round_page = f"/rounds/{world.round_a.public_id}"

    # By role alone neither reads the audit, the round's cases or the high-risk list.
    for client in (admin, reader):
        client.get(audit_page, expected_status=403)
        client.get(round_page, expected_status=403)
        client.get("/coverage/high-risk.csv", expected_status=403)
    rounds = reader.get("/rounds")
    assert "CHILD-A1" not in rounds.html and round_page not in rounds.html

    ask = admin.get(f"/admin/users/{leader.id}/grant-case-reader")
    assert "read every audit" in ask.text() and not User.get_by_id(leader.id).case_reader
    _grant(admin, leader.id, "grant-case-reader")
    assert User.get_by_id(leader.id).case_reader
    [granted] = _events("user.case_reader_granted")
    assert granted.actor_id == admin_user.id and granted.object_id == str(leader.id)
    assert "Yes, with the case reader grant" in admin.get(f"/admin/users/{leader.id}").text()

    # The same pages open, and showing children's case references is on the record.
    assert "CHILD-A1" in reader.get(round_page).text()
    reader.get(audit_page)
    assert round_page in reader.get("/rounds").html
    shown = [e for e in _events("cases.shown") if e.actor_id == leader.id]
    assert shown, "a case reader's look at children's case references is in the trail"
    # Reading is all it gives: no moderation, no auditing.
    reader.get("/moderation", expected_status=403)

    _grant(admin, leader.id, "withdraw-case-reader")
    assert not User.get_by_id(leader.id).case_reader and _events("user.case_reader_withdrawn")
    reader.get(audit_page, expected_status=403)


def test_the_api_gives_and_refuses_the_grant_and_a_change_of_role_ends_it(world, make_user):
    admin = make_user(Role.ADMIN, "ada")
    other = make_user(Role.ADMIN, "otto")
    hr = make_user(Role.HR, "harriet")
    with world.app.app_context():
        audit = submitted_first_audit(world)
    api = world.app.test_client()

    def headers(user):
        return {"Authorization": f"Bearer {accounts.create_token(user, 't', actor_label='test')}"}

    as_admin, as_other = headers(admin), headers(other)
    assert api.get(f"/api/v1/audits/{audit.public_id}", headers=as_other).status_code == 403
    listed = api.get(f"/api/v1/rounds?period={world.round_a.period}", headers=as_other)
    row = next(r for r in listed.get_json() if r["id"] == world.round_a.public_id)
    assert row["cases"] == [] and row["replaced_cases"] == [] and row["case_count"] == 2

    refused = api.patch(f"/api/v1/users/{hr.id}", headers=as_admin, json={"case_reader": True})
    assert refused.status_code == 422
    assert "Only administrators and senior leaders" in str(refused.get_json())
    assert not User.get_by_id(hr.id).case_reader

    changed = api.patch(f"/api/v1/users/{other.id}", headers=as_admin,
                        json={"case_reader": True})
    assert changed.status_code == 200 and changed.get_json()["case_reader"] is True
    assert api.get(f"/api/v1/audits/{audit.public_id}", headers=as_other).status_code == 200
    listed = api.get(f"/api/v1/rounds?period={world.round_a.period}", headers=as_other)
    row = next(r for r in listed.get_json() if r["id"] == world.round_a.public_id)
    assert {c["child_id"] for c in row["cases"]} >= {"CHILD-A1"}

    # Demoted to HR, the grant goes with the role, and does not come back with a later change.
    for role in ("hr", "admin"):
        moved = api.patch(f"/api/v1/users/{other.id}", headers=as_admin, json={"role": role})
        assert moved.status_code == 200 and moved.get_json()["case_reader"] is False
    assert api.get(f"/api/v1/audits/{audit.public_id}", headers=as_other).status_code == 403

"""Administrators find any staff record, with or without an account, and give it the Social
Work England number the workforce census finds people by."""

from __future__ import annotations

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import Event, Staff, Team


def test_an_administrator_finds_a_worker_and_gives_them_their_number(login_as, make_user):
    team = Team.create(name="Safeguarding North")
    ben = Staff.create(name="Ben Brown", name_key="ben brown", team=team)
    Staff.create(name="Bea Brown", name_key="bea brown", swe_number="SW100001")
    Staff.create(name="Cal Green", name_key="cal green")
    admin = login_as(Role.ADMIN)

    everyone = admin.get("/admin/staff")
    assert "3 staff records" in everyone.text()
    found = admin.get("/admin/staff?q=  BEN  brown")
    assert "1 staff record matching" in found.text() and "Safeguarding North" in found.text()
    assert "Bea Brown" in admin.get("/admin/staff?q=sw100001").text()
    assert "No staff record matches" in admin.get("/admin/staff?q=nobody").text()

    page = admin.get(f"/admin/staff/{ben.id}")
    assert page.h1() == "Ben Brown"
    refused = admin.post(f"/admin/staff/{ben.id}", expected_status=400, data={
        "swe_number": "SW100001", "csrf_token": page.csrf_token()})
    assert "SW100001 is already the number of Bea Brown's staff record" in refused.text()
    assert "like SW123456" in admin.post(f"/admin/staff/{ben.id}", expected_status=400, data={
        "swe_number": "Ben", "csrf_token": page.csrf_token()}).text()
    admin.post(f"/admin/staff/{ben.id}", expected_status=302, data={
        "swe_number": "sw 200 002", "csrf_token": page.csrf_token()})
    assert Staff.get_by_id(ben.id).swe_number == "SW200002"
    [event] = Event.select().where(Event.action == "staff.swe_number_changed")
    assert (event.object_id, event.after) == (str(ben.id), {"swe_number": "SW200002"})
    assert event.actor_id == admin.user.id

    # Nobody else reaches the staff records.
    for role in (Role.QUALITY_LEAD, Role.HR, Role.SENIOR_LEADER):
        login_as(role).get("/admin/staff", expected_status=403)
    admin.get("/admin/staff/999999", expected_status=404)


def test_the_api_lists_staff_and_sets_their_numbers(app, make_user):
    from audit_service.services.accounts import users as accounts

    ben = Staff.create(name="Ben Brown", name_key="ben brown")
    Staff.create(name="Bea Brown", name_key="bea brown", swe_number="SW100001")
    admin = make_user(Role.ADMIN, "ada")
    headers = {"Authorization": "Bearer " + accounts.create_token(admin, "t", actor_label="t")}
    api = app.test_client()
    listed = api.get("/api/v1/staff?q=brown&page_size=1", headers=headers)
    assert listed.status_code == 200 and len(listed.get_json()) == 1
    assert '"total": 2' in listed.headers["X-Pagination"]
    changed = api.patch(f"/api/v1/staff/{ben.id}", headers=headers, json={"swe_number": "sw5"})
    assert changed.status_code == 200 and changed.get_json()["swe_number"] == "SW5"
    taken = api.patch(f"/api/v1/staff/{ben.id}", headers=headers,
                      json={"swe_number": "SW100001"})
    assert taken.status_code == 422 and "already the number" in str(taken.get_json())
    removed = api.patch(f"/api/v1/staff/{ben.id}", headers=headers, json={"swe_number": None})
    assert removed.get_json()["swe_number"] is None
    assert api.patch("/api/v1/staff/999999", headers=headers,
                     json={"swe_number": "SW6"}).status_code == 404

"""Administrators manage accounts in the browser; everyone changes their own password.

Each step is walked through the real pages with CSRF on, and checked in the database and
the audit trail: create (first password shown once, changed at first sign-in), change role
and staff link, disable and enable (asked first), reset a password (asked first), and the
guards that keep the council able to run the service.
"""

from __future__ import annotations

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.storage.models import Event, Staff, User, UserSession
from tests.support.auth import PASSWORD, sign_in
from tests.support.pages import PageClient

NEW_PASSWORD = "marmalade harbour lantern"


def _events(action: str) -> list[Event]:
    return list(Event.select().where(Event.action == action).order_by(Event.id))


def _one_time_password(page) -> str:
    [code] = page.select("code", id="one-time-password")
    return code.text


def test_an_administrator_creates_an_account_and_the_person_chooses_their_password(
        app, login_as):
    admin = login_as(Role.ADMIN)
    staff = Staff.create(name="Priya Shah", name_key="priya shah", email="priya@council.example")
    form = admin.get("/admin/users/new")
    created = admin.post("/admin/users/new", data={
        "username": "Priya.Shah", "display_name": "Priya Shah", "email": "priya@council.example",
        "role": "practitioner", "staff": str(staff.id), "csrf_token": form.csrf_token()})
    assert "Account created" in created.text()
    first = _one_time_password(created)
    user = User.get(User.username == "priya.shah")
    assert user.staff_id == staff.id and user.must_change_password
    assert Role(user.role) is Role.PRACTITIONER
    assert _events("user.created")[-1].actor_id == admin.user.id
    # The list shows the account; its page shows it has not signed in.
    assert "Priya Shah" in admin.get("/admin/users").text()
    assert "Never" in admin.get(f"/admin/users/{user.id}").text()

    # Priya signs in with the first password and is held on "Change your password".
    priya = app.test_client()
    assert sign_in(priya, "priya.shah", first).status_code == 302
    held = priya.get("/my-case-audits")
    assert held.status_code == 302 and held.headers["Location"] == "/account/password"
    page = PageClient(priya).get("/account/password")
    assert "reset by an administrator" in page.text()
    weak = PageClient(priya).post("/account/password", expected_status=400, data={
        "current": first, "new": "password1234", "confirm": "password1234",
        "csrf_token": page.csrf_token()})
    assert "very common password" in weak.text()
    done = priya.post("/account/password", data={
        "current": first, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": page.csrf_token()})
    assert done.status_code == 302
    assert not User.get_by_id(user.id).must_change_password
    assert priya.get("/my-case-audits").status_code == 200
    assert _events("user.password_changed")[-1].actor_id == user.id
    assert sign_in(app.test_client(), "priya.shah", NEW_PASSWORD).status_code == 302


def test_a_password_change_asks_for_the_current_one_and_ends_other_sessions(app, make_user):
    user = make_user(Role.HR, "hana")
    elsewhere, here = app.test_client(), app.test_client()
    sign_in(elsewhere, "hana")
    sign_in(here, "hana")
    page = PageClient(here).get("/account/password")
    wrong = PageClient(here).post("/account/password", expected_status=400, data={
        "current": "not my password", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": page.csrf_token()})
    assert "Enter your current password" in wrong.text()
    mismatch = PageClient(here).post("/account/password", expected_status=400, data={
        "current": PASSWORD, "new": NEW_PASSWORD, "confirm": "something else entirely",
        "csrf_token": page.csrf_token()})
    assert "Enter the same new password twice" in mismatch.text()
    here.post("/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD,
                                         "confirm": NEW_PASSWORD,
                                         "csrf_token": page.csrf_token()})
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302  # signed out there
    assert UserSession.select().where((UserSession.user == user.id)
                                      & UserSession.ended_at.is_null()).count() == 1


def test_role_and_staff_changes_disable_enable_and_reset_are_asked_first_and_recorded(
        app, login_as, make_user):
    admin = login_as(Role.ADMIN)
    tom = make_user(Role.PRACTITIONER, "tom", display_name="Tom Brown")
    tom_browser = app.test_client()
    sign_in(tom_browser, "tom")
    page = admin.get(f"/admin/users/{tom.id}")
    admin.post(f"/admin/users/{tom.id}", expected_status=302, data={
        "role": "supervisor", "staff": "", "csrf_token": page.csrf_token()})
    assert Role(User.get_by_id(tom.id).role) is Role.SUPERVISOR
    change = _events("user.updated")[-1]
    assert change.before == {"role": "practitioner"} and change.after == {"role": "supervisor"}

    # Disabling shows what it will do; only the POST does it.
    ask = admin.get(f"/admin/users/{tom.id}/disable")
    assert "signed out at once" in ask.text() and User.get_by_id(tom.id).is_active
    admin.post(f"/admin/users/{tom.id}/disable", expected_status=302,
               data={"csrf_token": ask.csrf_token()})
    assert not User.get_by_id(tom.id).is_active and tom_browser.get("/").status_code == 302
    ask = admin.get(f"/admin/users/{tom.id}/enable")
    admin.post(f"/admin/users/{tom.id}/enable", expected_status=302,
               data={"csrf_token": ask.csrf_token()})
    assert User.get_by_id(tom.id).is_active and _events("user.enabled")

    ask = admin.get(f"/admin/users/{tom.id}/reset-password")
    assert "shown a new password once" in ask.text()
    reset = admin.post(f"/admin/users/{tom.id}/reset-password",
                       data={"csrf_token": ask.csrf_token()})
    temporary = _one_time_password(reset)
    assert sign_in(app.test_client(), "tom", PASSWORD).status_code == 400
    again = app.test_client()
    assert sign_in(again, "tom", temporary).status_code == 302
    assert again.get("/").headers["Location"] == "/account/password"
    assert _events("user.password_reset")[-1].actor_id == admin.user.id


def test_an_administrator_cannot_lock_the_council_out(login_as):
    admin = login_as(Role.ADMIN)
    me = admin.user
    ask = admin.get(f"/admin/users/{me.id}/disable")
    refused = admin.post(f"/admin/users/{me.id}/disable", expected_status=403,
                         data={"csrf_token": ask.csrf_token()})
    assert "cannot disable your own account" in refused.text()
    page = admin.get(f"/admin/users/{me.id}")
    demoted = admin.post(f"/admin/users/{me.id}", expected_status=400, data={
        "role": "hr", "staff": "", "csrf_token": page.csrf_token()})
    assert "only active administrator" in demoted.text()
    assert Role(User.get_by_id(me.id).role) is Role.ADMIN and User.get_by_id(me.id).is_active


def test_a_new_account_s_mistakes_are_shown_on_their_fields(login_as, make_user):
    admin = login_as(Role.ADMIN)
    make_user(Role.HR, "taken")
    form = admin.get("/admin/users/new")
    empty = admin.post("/admin/users/new", expected_status=400, data={
        "username": "", "display_name": "", "role": "", "staff": "",
        "csrf_token": form.csrf_token()})
    assert "Enter a username" in empty.text() and "Select a role" in empty.text()
    taken = admin.post("/admin/users/new", expected_status=400, data={
        "username": "Taken", "display_name": "", "role": "hr", "staff": "",
        "csrf_token": form.csrf_token()})
    assert "already exists" in taken.text()


def test_an_account_is_linked_to_staff_by_social_work_england_number(app, login_as):
    admin = login_as(Role.ADMIN)
    jo = Staff.create(name="Jo Smith", name_key="jo smith")
    other = Staff.create(name="Jo Smith", name_key="jo smith 2", swe_number="SW200002")
    api = app.test_client()
    headers = {"Authorization": "Bearer " + accounts.create_token(
        User.get_by_id(admin.user.id), "t", actor_label="test")}

    # Two people of one name are told apart by their numbers in the list of staff records.
    page = admin.get("/admin/users/new")
    assert "Jo Smith (SW200002)" in page.text()

    created = api.post("/api/v1/users", headers=headers, json={
        "username": "jo", "role": "practitioner", "staff": "sw 200002"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["account"]["staff"] == {
        "id": other.id, "name": "Jo Smith", "email": None, "swe_number": "SW200002"}

    # The administrator gives the other Jo's record its number on the account page.
    joan = api.post("/api/v1/users", headers=headers, json={
        "username": "joan", "role": "practitioner", "staff": str(jo.id)}).get_json()["account"]
    page = admin.get(f"/admin/users/{joan['id']}")
    refused = admin.post(f"/admin/users/{joan['id']}", expected_status=400, data={
        "role": "practitioner", "staff": str(jo.id), "swe_number": "SW200002",
        "csrf_token": page.csrf_token()})
    assert "SW200002 is already the number of Jo Smith's staff record" in refused.text()
    refused = admin.post(f"/admin/users/{joan['id']}", expected_status=400, data={
        "role": "practitioner", "staff": str(jo.id), "swe_number": "12345",
        "csrf_token": page.csrf_token()})
    assert "like SW123456" in refused.text()
    admin.post(f"/admin/users/{joan['id']}", expected_status=302, data={
        "role": "practitioner", "staff": str(jo.id), "swe_number": "sw100001",
        "csrf_token": page.csrf_token()})
    assert Staff.get_by_id(jo.id).swe_number == "SW100001"
    [event] = _events("staff.swe_number_changed")
    assert event.before == {"swe_number": None} and event.after == {"swe_number": "SW100001"}
    assert "SW100001" in admin.get(f"/admin/users/{joan['id']}").text()

    # The API changes and removes it the same way.
    removed = api.patch(f"/api/v1/users/{joan['id']}", headers=headers,
                        json={"staff_swe_number": None})
    assert removed.status_code == 200 and removed.get_json()["staff"]["swe_number"] is None
    unlinked = api.post("/api/v1/users", headers=headers, json={
        "username": "kit", "role": "hr"}).get_json()["account"]
    refused = api.patch(f"/api/v1/users/{unlinked['id']}", headers=headers,
                        json={"staff_swe_number": "SW300003"})
    assert refused.status_code == 422 and "Link the account to a staff record first" in str(
        refused.get_json())

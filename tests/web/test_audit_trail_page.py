"""The audit trail: what is recorded, the admin search page, the CSV export, append-only code."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

import audit_service
from audit_service.domain.vocabulary import Role
from audit_service.services.platform import audit_trail
from audit_service.services.platform.trail_search import TrailFilter, csv_lines, search
from audit_service.storage.models import Event
from tests.support.auth import sign_in


def _event(action: str, **kwargs) -> Event:
    return audit_trail.record(action, actor_label=kwargs.pop("actor_label", "system"), **kwargs)


def _at(moment: dt.datetime, action: str, **kwargs) -> Event:
    """An event that happened at ``moment`` (written directly: the trail is insert-only)."""
    return Event.create(occurred_at=moment, actor_label="system", action=action, **kwargs)


def test_sign_ins_sign_outs_and_refusals_say_who_what_when_and_where(app, make_user) -> None:
    make_user(Role.PRACTITIONER, "pat")
    browser = app.test_client()
    sign_in(browser, "pat", "not-the-password")
    sign_in(browser, "pat")
    assert browser.get("/admin/users").status_code == 403
    anonymous = app.test_client()
    assert anonymous.get("/admin/users").status_code == 302
    assert anonymous.get("/api/v1/me").status_code == 401
    home = browser.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    browser.post("/logout", data={"csrf_token": token})

    events = list(Event.select().where(Event.actor_label != "test").order_by(Event.id))
    summary = [(e.action, e.actor_label, e.object_id) for e in events]
    assert summary == [
        ("login.failed", "anonymous", "pat"),
        ("login.succeeded", "pat", "pat"),
        ("access.denied", "pat", "admin_users.index"),
        ("access.denied", "anonymous", "admin_users.index"),
        ("access.denied", "anonymous", "api_me.me"),
        ("logout", "pat", "pat"),
    ]
    for event in events:
        assert event.remote_addr == "127.0.0.1"
        assert abs(event.occurred_at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(
            minutes=1
        ), "times are stored in UTC"


def test_search_filters_by_user_action_object_and_dates(db) -> None:
    _at(dt.datetime(2026, 1, 10, 23, 59), "login.failed", object_type="login", object_id="pat")
    _event("login.succeeded", actor_label="pat", object_type="login", object_id="pat")
    _event("audit.viewed", actor_label="sam", object_type="audit", object_id="abc")
    _event("logout", actor_label="pat", object_type="login", object_id="pat")

    def actions(**kwargs) -> list[str]:
        return [e.action for e in search(TrailFilter(**kwargs))]

    assert actions(user="PAT") == ["logout", "login.succeeded"]
    assert sorted(actions(action="login.")) == ["login.failed", "login.succeeded"]
    assert actions(action="login") == []
    assert actions(object_type="audit", object_id="abc") == ["audit.viewed"]
    assert actions(until=dt.date(2026, 1, 10)) == ["login.failed"]
    assert actions(since=dt.date(2026, 1, 11), action="login.") == ["login.succeeded"]
    assert actions(since=dt.date(2026, 1, 10), until=dt.date(2026, 1, 10)) == ["login.failed"]
    assert len(actions()) == 4


def test_the_page_searches_paginates_and_records_the_search(app, login_as) -> None:
    for n in range(55):
        _event("case.imported", object_type="case", object_id=f"c{n:02d}")
    _event("audit.viewed", actor_label="sam", object_type="audit", object_id="a1")
    _event("login.failed", object_type="login", object_id="someone")
    admin = login_as(Role.ADMIN)

    first = admin.get("/admin/audit-trail?action=case.imported")
    assert first.h1() == "Audit trail"
    assert "55 events" in first.text()
    rows = first.select("tr", **{"class": "govuk-table__row"})
    assert len(rows) == 51  # 50 events and the header row
    assert "c54" in first.text() and "c04" not in first.text()
    assert first.select("a", href="/admin/audit-trail?page=2&action=case.imported")
    second = admin.get("/admin/audit-trail?action=case.imported&page=2")
    assert "c04" in second.text() and "c05" not in second.text()
    admin.get("/admin/audit-trail?action=case.imported&page=3", expected_status=404)

    options = [o.get("value") for o in first.select("option")]
    assert "case.imported" in options and "login." in options

    searched = Event.select().where(Event.action == "audit_trail.searched").order_by(Event.id)
    assert [e.after["page"] for e in searched] == [1, 2]
    assert searched[0].after == {"filters": {"action": "case.imported"}, "page": 1, "matches": 55}
    assert searched[0].actor_id == admin.user.id


def test_bad_filters_get_the_error_summary(login_as) -> None:
    admin = login_as(Role.ADMIN)
    page = admin.get(
        "/admin/audit-trail?since-day=2&since-month=3&since-year=2026"
        "&until-day=1&until-month=3&until-year=2026",
        expected_status=400,
    )
    assert "must be the same as or after" in page.text()
    page = admin.get("/admin/audit-trail?since-day=31&since-month=2&since-year=2026",
                     expected_status=400)
    assert "From must be a real date" in page.text()
    assert page.select("div", **{"class": "govuk-error-summary"})


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_admins_see_the_trail(login_as, role) -> None:
    user = login_as(role)
    assert user.client.get("/admin/audit-trail").status_code == 403
    assert user.client.get("/admin/audit-trail/export.csv").status_code == 403


def test_export_streams_csv_with_the_filters_and_defuses_formulas(app, login_as) -> None:
    _event("login.failed", object_type="login", object_id="=HYPERLINK(\"x\")")
    _event("audit.viewed", actor_label="sam", object_type="audit", object_id="a1",
           after={"note": "ok"})
    admin = login_as(Role.ADMIN)
    response = admin.client.get("/admin/audit-trail/export.csv?action=login.failed")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit-trail.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["login.failed"]
    assert rows[0]["object_id"] == "'=HYPERLINK(\"x\")"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows[0]["occurred_at_utc"])
    [exported] = Event.select().where(Event.action == "audit_trail.exported")
    assert exported.after == {"filters": {"action": "login.failed"}, "matches": 1}
    assert exported.remote_addr == "127.0.0.1"


def test_csv_lines_keep_json_details(db) -> None:
    event = _event("audit.viewed", actor_label="sam", after={"b": 1, "a": [1, 2]})
    lines = list(csv_lines([event]))
    assert len(lines) == 2
    row = next(csv.reader(io.StringIO(lines[1])))
    assert row[-1] == '{"a": [1, 2], "b": 1}'


FORBIDDEN = [
    re.compile(r"\bEvent\s*\.\s*(update|delete|delete_by_id|replace|replace_many|insert_many"
               r"|bulk_update)\b"),
    re.compile(r"\bevents?\s*\.\s*(delete_instance|save)\s*\(", re.IGNORECASE),
    re.compile(r"\b(DELETE\s+FROM|UPDATE|TRUNCATE)\s+\W?event\b", re.IGNORECASE),
]


def _forbidden(line: str) -> bool:
    return any(pattern.search(line) for pattern in FORBIDDEN)


def test_no_code_in_the_package_updates_or_deletes_the_trail() -> None:
    """The trail is append-only in code as well as in the PostgreSQL trigger."""
    package = Path(audit_service.__file__).parent
    roots = [package, package.parent / "plugins"]
    offenders = []
    for root in roots:
        for path in root.rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if _forbidden(line):
                    offenders.append(f"{path}:{number}: {line.strip()}")
    assert offenders == []


def test_the_grep_would_catch_an_update_or_delete() -> None:
    for line in ("Event.update(action='x').execute()", "Event.delete().where(True)",
                 "event.delete_instance()", 'db.execute_sql("DELETE FROM event")',
                 'execute_sql(\'UPDATE "event" SET action = 1\')', "event.save()"):
        assert _forbidden(line), line
    for line in ("UserSession.update(ended_at=now)", "row.delete_instance()",
                 "Event.create(action='x')", "Event.select()"):
        assert not _forbidden(line), line

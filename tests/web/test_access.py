"""Role checks on every browser endpoint, and navigation by role."""

from __future__ import annotations

import pytest

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import Event
from audit_service.web.access import require_roles, safe_next
from tests.support.pages import XHTML

# Endpoints owned outside the browser journeys, open by design.
OPEN_ENDPOINTS = {"static", "health.healthz", "api-docs.openapi_json"}


def test_every_endpoint_declares_who_may_use_it(app) -> None:
    undeclared = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "required_roles", None) or getattr(view, "is_public", False)
        if not declared and rule.endpoint not in OPEN_ENDPOINTS:
            undeclared.append(f"{rule.rule} -> {rule.endpoint}")
    assert undeclared == []


def test_require_roles_refuses_an_empty_rule() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require_roles()


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/admin/imports", "/admin/imports"),
        ("/a?b=c", "/a?b=c"),
        ("", None),
        (None, None),
        ("https://evil.example/", None),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("evil", None),
        ("javascript:alert(1)", None),
    ],
)
def test_safe_next_keeps_only_local_paths(target, expected) -> None:
    assert safe_next(target) == expected


def _nav(page) -> list[str]:
    nav = page.select("ul", id="navigation")
    if not nav:
        return []
    return ["".join(a.itertext()).strip() for a in nav[0].iter(f"{XHTML}a")]


# The menu each role sees: the specification of navigation by role.
NAVIGATION = {
    Role.ADMIN: ["Imports", "Users", "Staff records", "Audit trail", "Sampling rounds", "Rubrics",
                 "Sampling policies", "Inbox"],
    Role.QUALITY_LEAD: ["Sampling rounds", "Rubrics", "Sampling policies", "Thematic audits",
                        "Inbox", "Moderation", "Learning"],
    Role.SUPERVISOR: ["My audits", "Inbox", "Learning"],
    Role.PRACTITIONER: ["Audits of my cases", "Inbox", "Learning"],
    Role.HR: ["Inbox"],
    Role.SENIOR_LEADER: ["Sampling rounds", "Inbox", "Learning"],
}


@pytest.mark.parametrize("role", list(Role))
def test_home_names_the_user_and_their_role(login_as, role: Role) -> None:
    user = login_as(role)
    home = user.get("/")
    assert f"Signed in as Test {role.label} ({role.label})" in home.text()
    assert [item for item in _nav(home) if item in NAVIGATION[role]] == NAVIGATION[role]


def test_anonymous_access_is_redirected_and_recorded(client) -> None:
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users"
    [event] = Event.select().where(Event.action == "access.denied")
    assert event.actor_id is None
    assert event.actor_label == "anonymous"
    assert event.object_id == "admin_users.index"
    assert event.after == {"method": "GET", "path": "/admin/users", "reason": "not signed in",
                           "required_roles": ["admin"]}
    assert event.remote_addr == "127.0.0.1"


def test_admins_see_the_users_list(login_as, make_user) -> None:
    admin = login_as(Role.ADMIN)
    make_user(Role.SUPERVISOR, "sam", display_name="Sam Stone")
    page = admin.get("/admin/users")
    assert page.h1() == "Users"
    text = page.text()
    assert "Sam Stone sam Team manager Password Active Never" in text
    assert "Test Administrator test-admin Administrator Password Active" in text


def test_a_practitioner_is_refused_the_users_list(login_as) -> None:
    practitioner = login_as(Role.PRACTITIONER)
    practitioner.get("/admin/users", expected_status=403)
    [event] = Event.select().where(Event.action == "access.denied")
    assert event.actor_id == practitioner.user.id
    assert event.after["reason"] == "role not allowed"


def test_every_browser_post_refuses_a_missing_or_wrong_csrf_token(app, login_as) -> None:
    """Counts real token checks: each POST route is tried signed in, with no and a forged token."""
    admin = login_as(Role.ADMIN)
    admin.get("/")
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/") or rule.arguments:
            continue
        for data in ({}, {"csrf_token": "forged"}):
            response = admin.client.post(rule.rule, data=data)
            assert response.status_code == 400, (rule.rule, data, response.status_code)
            assert "Your form could not be sent" in response.get_data(as_text=True)
        checked.append(rule.rule)
    assert {"/admin/imports", "/audits/start", "/login", "/logout"} <= set(checked)
    assert admin.client.get("/").status_code == 200, "a refused sign out must not sign out"


@pytest.mark.parametrize(
    ("current", "last", "expected"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 10, [1, 2, None, 10]),
        (5, 10, [1, None, 4, 5, 6, None, 10]),
        (10, 10, [1, None, 9, 10]),
        (3, 10, [1, 2, 3, 4, None, 10]),
    ],
)
def test_page_numbers_collapse_long_runs(current, last, expected) -> None:
    from audit_service.web.admin_imports import page_numbers

    assert page_numbers(current, last) == expected

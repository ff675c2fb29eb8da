"""The app does exactly what docs/security/permission-matrix.csv says, for every role.

Every route and method must have a row, and every row a route. Then every cell
is tried for real: anonymous and one signed-in client per role, browser pages
through the login form's session (with a valid CSRF token, so the role check is
what answers), API routes with a bearer token. Made-up ids are enough because
the role check runs before any lookup. The summary line gives the figures
(visible with ``-s`` or ``-rP``; also recorded as junit properties).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.wrappers import Response

from audit_service.domain.vocabulary import Role, StaffRole
from audit_service.services.accounts import users as accounts
from audit_service.storage.models import Event, Staff, Team, User
from tests.audits.world import publish_rubrics
from tests.security.permission_matrix import (
    ALLOW,
    ANONYMOUS,
    CASE_READER,
    DENY,
    HEADER,
    LOGIN,
    PRINCIPALS,
    PUBLIC,
    REFUSALS,
    ROLES,
    UNAUTHORISED,
    UNSAFE_METHODS,
    MatrixError,
    MatrixRow,
    app_routes,
    canonical_rule,
    compare_with_routes,
    load_matrix,
    outcome_problem,
    parse_matrix,
    sample_path,
)
from tests.support.auth import sign_in
from tests.support.pages import PageClient

# Probed last by each client, because a successful request ends its session.
SESSION_ENDING = frozenset({"auth.logout"})


@dataclass
class Principal:
    """Anonymous or one role: a browser client with its CSRF token, and API credentials."""

    name: str
    user_id: int | None
    browser: FlaskClient
    csrf_token: str
    api: FlaskClient
    api_headers: dict[str, str]

    def request(self, row: MatrixRow, path: str):
        unsafe = row.method in UNSAFE_METHODS
        if row.is_api:
            return self.api.open(path, method=row.method, headers=self.api_headers,
                                 json={} if unsafe else None)
        data = {"csrf_token": self.csrf_token} if unsafe else None
        return self.browser.open(path, method=row.method, data=data)


def make_principals(app: Flask, make_user: Callable,
                    roles: Iterable[Role] = tuple(Role)) -> list[Principal]:
    """Anonymous, one user and one client per role, and an administrator with the case
    reader grant, made once, not per row.

    The supervisor manages a team and the practitioner works in it, as in a real
    council: a supervisor with no team is refused summaries after the role check
    (there is nothing of theirs to show), which is not what this test is about.
    Each user signs in through the login form and gets an API token as ``api_as``
    issues them, so the browser and the API are tried as the same person.
    """
    team = Team.create(name="Matrix team")
    manager = Staff.create(name="Matrix Manager", name_key="matrix manager", team=team,
                           staff_role=StaffRole.TEAM_MANAGER.value)
    worker = Staff.create(name="Matrix Worker", name_key="matrix worker", team=team,
                          line_manager=manager)
    staff = {Role.SUPERVISOR: manager, Role.PRACTITIONER: worker}
    publish_rubrics(app)  # ``serve`` publishes them at start-up

    anonymous = app.test_client()
    principals = [Principal(ANONYMOUS, None, anonymous,
                            PageClient(anonymous).get("/login").csrf_token(),
                            app.test_client(), {})]
    people = [(role.value, make_user(role, staff=staff.get(role))) for role in roles]
    reader = make_user(Role.ADMIN, username="matrix-case-reader")
    User.update(case_reader=True).where(User.id == reader.id).execute()
    people.append((CASE_READER, User.get_by_id(reader.id)))
    for name, user in people:
        browser = app.test_client()
        signed_in = sign_in(browser, user.username)
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:300]
        token = accounts.create_token(user, "permission matrix", actor_label="test")
        principals.append(Principal(name, user.id, browser,
                                    PageClient(browser).get("/").csrf_token(),
                                    app.test_client(), {"Authorization": f"Bearer {token}"}))
    return principals


def check_matrix(app: Flask, rows: Iterable[MatrixRow],
                 principals: list[Principal]) -> tuple[list[str], int]:
    """Make every request the matrix describes; returns (mismatches, cells checked).

    A cell matches when the response is in the expected class and the audit trail
    holds exactly one ``access.denied`` for it if it is a refusal (none if not):
    a 403 that did not come from the role check, or a refusal nobody recorded,
    is a mismatch too.
    """
    ordered = sorted(rows, key=lambda row: row.endpoint in SESSION_ENDING)
    paths = {row.key: sample_path(app.url_map, row.rule, row.method) for row in ordered}
    problems: dict[tuple[str, str, str], list[str]] = {}
    cells: dict[tuple[str, str, str], tuple[MatrixRow, str]] = {}
    for principal in principals:
        for row in ordered:
            path = paths[row.key]
            cell = (principal.name, row.method, path)
            cells[cell] = (row, principal.name)
            try:
                response = principal.request(row, path)
                problem = outcome_problem(row.expected(principal.name), response, path)
            except Exception as exc:  # a crash is a finding too; keep checking the rest
                problem = f"raised {type(exc).__name__}: {exc}"
            problems[cell] = [problem] if problem else []
    recorded = recorded_denials(principals)
    for cell, (row, name) in cells.items():
        wanted = 1 if row.expected(name) in REFUSALS else 0
        if recorded.get(cell, 0) != wanted:
            problems[cell].append(f"{recorded.get(cell, 0)} access.denied events recorded, "
                                  f"expected {wanted}")
    mismatches = [f"{row.label()} as {name} ({cell[2]}): {'; '.join(problems[cell])}"
                  for cell, (row, name) in cells.items() if problems[cell]]
    mismatches += [f"{method} {path} as {name}: access.denied recorded for a request the "
                   f"matrix did not make" for name, method, path in recorded
                   if (name, method, path) not in cells]
    return mismatches, len(cells)


def recorded_denials(principals: list[Principal]) -> Counter[tuple[str, str, str]]:
    """``access.denied`` events by (principal, method, path)."""
    names = {principal.user_id: principal.name for principal in principals}
    return Counter(
        (names.get(event.actor_id, f"user {event.actor_id}"), event.after["method"],
         event.after["path"])
        for event in Event.select().where(Event.action == "access.denied")
    )


def test_every_route_has_a_row_and_every_row_a_route(app) -> None:
    problems = compare_with_routes(load_matrix(), app_routes(app.url_map))
    assert problems == [], "update docs/security/permission-matrix.csv:\n" + "\n".join(problems)


def test_the_route_walk_names_missing_stale_and_misnamed_rows(app) -> None:
    rows = load_matrix()
    dropped, renamed = rows[0], rows[1]
    stale = dataclasses.replace(rows[2], rule="/no-such-page")
    edited = [dataclasses.replace(renamed, endpoint="elsewhere.view"), stale, *rows[3:]]
    assert compare_with_routes(edited, app_routes(app.url_map)) == [
        f"missing from the matrix: {dropped.label()} ({dropped.endpoint})",
        f"missing from the matrix: {rows[2].label()} ({rows[2].endpoint})",
        f"{renamed.label()} is served by {renamed.endpoint}, the matrix says elsewhere.view",
        f"stale matrix row, no such route: {stale.method} /no-such-page",
    ]


def test_every_principal_gets_what_the_matrix_says(app, make_user, backend,
                                                  record_property) -> None:
    rows = load_matrix()
    mismatches, cells = check_matrix(app, rows, make_principals(app, make_user))
    summary = (f"permission matrix [{backend}]: {len(rows)} rows x {len(PRINCIPALS)} principals,"
               f" {cells} cells checked, {len(mismatches)} mismatches")
    print(summary)
    record_property("matrix_rows", len(rows))
    record_property("matrix_cells_checked", cells)
    record_property("matrix_mismatches", len(mismatches))
    assert cells == len(rows) * len(PRINCIPALS)
    assert mismatches == [], summary + ":\n" + "\n".join(mismatches)


def _flip(row: MatrixRow, principal: str, value: str) -> MatrixRow:
    return dataclasses.replace(row, cells={**row.cells, principal: value})


def test_the_checker_reports_flipped_cells(app, make_user) -> None:
    """A deny edited to allow, an allow to deny and a sign-in page marked public are caught."""
    rows = load_matrix()
    page = next(r for r in rows if not r.is_api and r.method == "GET"
                and DENY in r.cells.values() and "<" not in r.rule)
    api = next(r for r in rows if r.is_api and ALLOW in r.cells.values())
    denied_role = next(role for role in ROLES if page.expected(role) == DENY)
    allowed_role = next(role for role in ROLES if api.expected(role) == ALLOW)
    assert page.expected(ANONYMOUS) == LOGIN
    edited = [_flip(_flip(page, denied_role, ALLOW), ANONYMOUS, PUBLIC),
              _flip(api, allowed_role, DENY)]

    principals = make_principals(app, make_user, {Role(denied_role), Role(allowed_role)})
    api_path = sample_path(app.url_map, api.rule, api.method)

    mismatches, cells = check_matrix(app, edited, principals)

    assert cells == 2 * len(principals)
    found = {m.split(": ", 1)[0]: m.split(": ", 1)[1] for m in mismatches}
    assert len(found) == len(mismatches)
    assert found.keys() == {
        f"{page.label()} as {ANONYMOUS} ({page.rule})",
        f"{page.label()} as {denied_role} ({page.rule})",
        f"{api.label()} as {allowed_role} ({api_path})",
    }
    refused_but_recorded = "1 access.denied events recorded, expected 0"
    assert found[f"{page.label()} as {denied_role} ({page.rule})"] == (
        f"expected allow, got 403; {refused_but_recorded}")
    assert found[f"{page.label()} as {ANONYMOUS} ({page.rule})"] == (
        f"expected public, got 302 -> /login?next={page.rule}; {refused_but_recorded}")
    assert re.fullmatch(r"expected deny \(403\), got [0-9]+; "
                        r"0 access.denied events recorded, expected 1",
                        found[f"{api.label()} as {allowed_role} ({api_path})"])


def test_rules_are_listed_by_name_and_probed_with_values_their_converters_take(app) -> None:
    assert canonical_rule("/a/<int(max=9):n>/<string:s>/<p>.<fmt>") == "/a/<n>/<s>/<p>.<fmt>"
    assert sample_path(app.url_map, "/policies/<kind>/<ident>", "POST") == "/policies/teams/999999"
    assert sample_path(app.url_map, "/summaries/<name>.<fmt>", "GET") == "/summaries/summary.csv"
    assert sample_path(app.url_map, "/api/v1/themes/<theme_id>/retire", "POST") == (
        "/api/v1/themes/999999/retire")
    with pytest.raises(ValueError, match="no made-up path reaches it"):
        sample_path(app.url_map, "/inbox/<item_id>/read", "GET")


def _response(status: int, **headers: str) -> Response:
    return Response("", status=status, headers=headers)


@pytest.mark.parametrize(
    ("expected", "response", "problem"),
    [
        (ALLOW, _response(200), None),
        (ALLOW, _response(404), None),
        (ALLOW, _response(422), None),
        (ALLOW, _response(302, Location="/rounds/x"), None),
        (ALLOW, _response(302, Location="/login"), "expected allow, got 302 -> /login"),
        (ALLOW, _response(403), "expected allow, got 403"),
        (ALLOW, _response(401), "expected allow, got 401"),
        (ALLOW, _response(500), "expected allow, got 500"),
        (DENY, _response(403), None),
        (DENY, _response(404), "expected deny (403), got 404"),
        (LOGIN, _response(302, Location="/login?next=/a/b"), None),
        (LOGIN, _response(302, Location="/login?next=/"),
         "expected login (302 to /login?next=/a/b), got 302 -> /login?next=/"),
        (LOGIN, _response(403), "expected login (302 to /login?next=/a/b), got 403"),
        (UNAUTHORISED, _response(401, **{"WWW-Authenticate": 'Bearer realm="x"'}), None),
        (UNAUTHORISED, _response(401),
         "expected 401 with a Bearer challenge, got 401 (WWW-Authenticate '')"),
        (PUBLIC, _response(200), None),
        (PUBLIC, _response(302, Location="/login"), None),  # where signing out lands
        (PUBLIC, _response(302, Location="/login?next=/a/b"),
         "expected public, got 302 -> /login?next=/a/b"),
        (PUBLIC, _response(403), "expected public, got 403"),
    ],
)
def test_each_outcome_class_accepts_only_its_responses(expected, response, problem) -> None:
    assert outcome_problem(expected, response, "/a/b") == problem


def _csv(*lines: str) -> list[str]:
    return [",".join(HEADER), *lines]


ADMIN_ONLY = "login,allow,deny,deny,deny,deny,deny,allow"


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (_csv(f"GET,/a,a.index,{ADMIN_ONLY}", f"GET,/a,a.index,{ADMIN_ONLY}"),
         "line 3: GET /a repeats line 2"),
        (_csv("GET,/a,a.index,login,allow,deny,deny,deny,deny,maybe,allow"),
         "line 2 (GET /a): senior_leader is 'maybe'"),
        (_csv("GET,/a,a.index,deny,allow,deny,deny,deny,deny,deny,allow"),
         "line 2 (GET /a): anonymous is 'deny'"),
        (_csv(f"FETCH,/a,a.index,{ADMIN_ONLY}"), "line 2 (FETCH /a): unknown method 'FETCH'"),
        (_csv("GET,/a,a.index,public,public,public,deny,public,public,public,public"),
         "public must be public for everyone"),
        (_csv(f"GET,/api/v1/a,a.index,{ADMIN_ONLY}"), "answers 401, not a sign-in redirect"),
        (_csv("GET,/a,a.index,401,allow,deny,deny,deny,deny,deny,allow"),
         "sends anonymous visitors to sign in"),
        (_csv("GET,/a,a.index,login,allow"), "line 2: 5 cells, expected 11"),
        (["method,rule,endpoint,anonymous,admin", "GET,/a,a.index,login,allow"],
         "the header must be"),
    ],
)
def test_a_malformed_matrix_is_refused(lines: list[str], problem: str) -> None:
    with pytest.raises(MatrixError) as refused:
        parse_matrix(lines)
    assert any(problem in p for p in refused.value.problems), refused.value.problems


def test_the_matrix_file_is_valid_and_names_every_role() -> None:
    rows = load_matrix()
    assert {p for row in rows for p in row.cells} == set(PRINCIPALS)
    assert {role.value for role in Role} == set(ROLES)
    assert len(parse_matrix(_csv(f"GET,/a,a.index,{ADMIN_ONLY}"))) == 1

"""CSRF on every browser route that changes something, with the real ids of the security world.

Each browser route with an unsafe method (found by walking the URL map, ids
included) is sent, signed in as a role the route admits: no token, a forged
token (the session's own token with its signature altered) and a valid token
from another signed-in session. Each must get 400 "Your form could not be
sent" and change nothing. ``flask_wtf.csrf.validate_csrf`` is wrapped to count
the validations that really ran and how many refused, so a route the check
skipped (an exemption, a method left out of ``WTF_CSRF_METHODS``) shows up as
a missing count. Finally each route gets its session's valid token, which must
pass the same check, so the refusals are the token's doing and CSRF is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import flask_wtf.csrf
import pytest
from wtforms import ValidationError

from audit_service.domain.vocabulary import Role
from tests.security.world import (  # noqa: F401
    ONE_PER_ROLE,
    SecurityWorld,
    changed_tables,
    security_world_fixture,
    snapshot,
    world_fixture,
)

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REFUSED_TEXT = "Your form could not be sent"
# Signed in as the first of these the route admits (public routes: an administrator).
PREFERRED = (Role.ADMIN, Role.QUALITY_LEAD, Role.SUPERVISOR, Role.PRACTITIONER,
             Role.SENIOR_LEADER, Role.HR)
# Sent last: a valid sign-out ends the session whose token the other requests use.
SESSION_ENDING = "auth.logout"


@dataclass
class Counter:
    """Every run of ``validate_csrf`` (the check itself) and every refusal it made."""

    paths: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter:
    counter = Counter()
    real = flask_wtf.csrf.validate_csrf

    def validate(*args, **kwargs):
        from flask import request

        counter.paths.append(request.path)
        try:
            return real(*args, **kwargs)
        except ValidationError:
            counter.refused.append(request.path)
            raise

    monkeypatch.setattr(flask_wtf.csrf, "validate_csrf", validate)
    return counter


def unsafe_browser_routes(app) -> list[tuple[object, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/"):
            continue
        found += [(rule, method) for method in sorted(rule.methods & UNSAFE)]
    return sorted(found, key=lambda rm: (rm[0].endpoint == SESSION_ENDING, rm[0].rule, rm[1]))


def _acting_user(app, endpoint: str) -> str:
    roles = getattr(app.view_functions[endpoint], "required_roles", None) or {Role.ADMIN}
    return ONE_PER_ROLE[next(role for role in PREFERRED if role in roles)]


def _forged(token: str) -> str:
    """The session's real token with its signature changed: right shape, wrong proof.

    The signature's first character is changed (its last may only carry padding bits,
    which decode to the same signature).
    """
    signed, _, signature = token.rpartition(".")
    return f"{signed}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


def test_every_unsafe_browser_route_refuses_a_missing_forged_or_foreign_token(
        security_world: SecurityWorld, counted: Counter) -> None:
    w = security_world
    app = w.app
    assert app.config["WTF_CSRF_ENABLED"] and app.config["WTF_CSRF_CHECK_DEFAULT"]
    w.sign_in_all()
    counted.paths.clear()  # the sign-ins' own checks
    counted.refused.clear()
    routes = unsafe_browser_routes(app)
    problems: list[str] = []
    sent = []
    state = snapshot()
    with app.app_context():  # NoFixture here: give the world such an object
        urls = [next(w.urls(rule)) for rule, _ in routes]
    for (rule, method), url in zip(routes, urls, strict=True):
        name = _acting_user(app, rule.endpoint)
        signed = w.browser(name)
        other = w.browser("hal" if name != "hal" else "lee")
        assert other.token != signed.token
        for label, data in (("no token", {}), ("a forged token", {"csrf_token": _forged(
                signed.token)}), ("another session's token", {"csrf_token": other.token})):
            response = signed.client.open(url, method=method, data=data)
            sent.append(url)
            if response.status_code != 400 or REFUSED_TEXT not in response.get_data(as_text=True):
                problems.append(f"{method} {url} as {name} with {label}: "
                                f"{response.status_code}, expected the 400 refusal page")
        after = snapshot()
        if after != state:
            problems.append(f"{method} {url}: a refused request changed "
                            f"{changed_tables(state, after)}")
        state = after
    refusals = len(counted.refused)
    # The same routes with the session's own token get past the check (whatever the view
    # then says about an empty form), so it is the token that was refused above.
    for (rule, method), url in zip(routes, urls, strict=True):
        signed = w.browser(_acting_user(app, rule.endpoint))
        response = signed.client.open(url, method=method, data={"csrf_token": signed.token})
        sent.append(url)
        if REFUSED_TEXT in response.get_data(as_text=True):
            problems.append(f"{method} {url}: refused with a valid token")
    assert problems == [], "\n".join(problems)
    assert counted.paths == sent, "a request was not checked (or checked twice)"
    assert refusals == len(counted.refused) == 3 * len(routes)
    assert {"/login", "/logout", "/admin/imports"} <= {r.rule for r, _ in routes}
    print(f"\nCSRF: {len(routes)} unsafe browser route-methods "
          f"({sum(1 for r, _ in routes if r.arguments)} with ids), {len(sent)} requests, "
          f"{len(counted.paths)} validations counted, {refusals} refusals")

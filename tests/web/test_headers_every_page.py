"""Exact security headers on every page the app can serve, found by walking its routes.

Nothing here lists pages by hand: every GET route (except static files and the
JSON API, which has its own tests) is requested as each role allowed to see it,
with real ids from the security world (``tests/security/world.py``: audits in
every state, moderations, a thematic audit, a rubric draft, learning themes and
exemplars, an import, inbox items). The quality lead is the one moderating blind,
so the blind page is rendered too. A route that no role can open with any of
those ids fails, unless ``NO_FIXTURE`` says why. Every page template must be
rendered by the walk (or by the error pages it triggers), unless
``NOT_FROM_A_GET`` says why.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import template_rendered
from werkzeug.routing import Rule

from audit_service import __file__ as package_file
from audit_service.api.docs import _docs_policy
from audit_service.domain.vocabulary import Role
from tests.security.world import (  # noqa: F401
    ONE_PER_ROLE,
    NoFixture,
    SecurityWorld,
    security_world_fixture,
    world_fixture,
)
from tests.support.auth import PASSWORD
from tests.support.pages import XHTML, check_page_health

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}
PAGE_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Pages that set their own policy, with the exact policy they must send.
OWN_POLICY = {
    # Swagger UI served from our own static files: no other origin is allowed.
    "api_docs_ui.swagger_ui": lambda nonce: _docs_policy(nonce, "/static/vendor/swagger-ui/"),
}
# GET routes the walk cannot open, each with the reason (shown in the failure message).
# Empty: give the security world an object for a new route rather than listing it here.
NO_FIXTURE: dict[str, str] = {
    "auth.code": "the second step of a sign-in opens only after a right password for an "
    "account with an authenticator app (tests/web/test_second_factor.py walks it)",
}
# Page templates no GET renders, each with the reason.
NOT_FROM_A_GET: dict[str, str] = {
    "audits/conflict.html": "shown only in answer to a POST from a stale audit form",
    "errors/refused.html": "a service's refusal of a POST; its headers and status are "
    "checked in tests/web/test_refusals.py",
    "errors/429.html": "no route answers 429 with it yet: sign-in throttling shows the sign-in "
    "page itself with status 429 (checked by the walk's error pages)",
    "admin/user_password.html": "shown once, in answer to the POST that creates an account or "
    "resets a password (tests/web/test_account_management.py)",
    "account/token_created.html": "shown once, in answer to the POST that creates a token "
    "(tests/web/test_token_lifecycle.py)",
    "account/recovery_codes.html": "shown once, in answer to the POST that turns two-step "
    "sign-in on (tests/web/test_second_factor.py)",
    "auth/code.html": "the second step of a sign-in, shown only after a right password "
    "(tests/web/test_second_factor.py)",
    "auth/refused.html": "shown on the way back from the council's OpenID provider, which this "
    "walk does not run (tests/web/test_sign_on.py and the browser test sign in through one)",
}
# One user per role; the quality lead is moderating an audit blind (see the docstring).
LOGINS = {**ONE_PER_ROLE, Role.QUALITY_LEAD: "mona"}
TEMPLATES = Path(package_file).parent / "templates"
EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}
MAX_TRIES_PER_ROLE = 60


@dataclass
class Walk:
    covered: dict[str, list[str]] = field(default_factory=dict)
    unopened: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    responses: int = 0


def _page_rules(app) -> list[Rule]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods
            and rule.endpoint != "static"
            and not rule.rule.startswith("/api/v1/")
        ),
        key=lambda r: r.rule,
    )


def _roles(view) -> list[Role | None]:
    required = getattr(view, "required_roles", None)
    if not required:
        return [None]  # public (or a probe such as /healthz): anonymous
    return [role for role in Role if role in required]


def check_headers(response, endpoint: str | None) -> list[str]:
    """Everything wrong with one response's security headers (and, for a page, its HTML)."""
    problems = []
    headers = response.headers
    for name, value in EXPECTED.items():
        if headers.get(name) != value:
            problems.append(f"{name} is {headers.get(name)!r}, expected {value!r}")
    csp = headers.get("Content-Security-Policy", "")
    script_src = next((p for p in csp.split("; ") if p.startswith("script-src")), "")
    if "frame-ancestors 'none'" not in csp or "unsafe-inline" in script_src:
        problems.append(f"weak Content-Security-Policy {csp!r}")
    if response.status_code != 200 or response.mimetype != "text/html":
        return problems
    doc = check_page_health(response.get_data(as_text=True))
    # Data blocks (type="application/json") never run, so only scripts that run need the nonce.
    inline = [s for s in doc.iter(f"{XHTML}script")
              if not s.get("src") and s.get("type", "text/javascript") in EXECUTABLE_TYPES]
    nonces = {s.get("nonce") for s in inline}
    if len(nonces) != 1 or None in nonces:
        problems.append(f"inline scripts without the one response nonce: {nonces}")
        return problems
    (nonce,) = nonces
    own = OWN_POLICY.get(endpoint)
    expected = own(nonce) if own else PAGE_CSP.format(nonce=nonce)
    if csp != expected:
        problems.append(f"Content-Security-Policy {csp!r}, expected {expected!r}")
    if endpoint not in OWN_POLICY:
        for el in doc.iter():
            attrs = [a for a in el.attrib if a == "style" or a.startswith("on")]
            if attrs or el.tag == f"{XHTML}style":
                problems.append(f"inline style or handler the policy would block: <{el.tag}> "
                                f"{attrs}")
                break
    return problems


def _walk(app, clients: dict, world: SecurityWorld) -> Walk:
    walk = Walk()
    for rule in _page_rules(app):
        view = app.view_functions[rule.endpoint]
        try:
            with app.app_context():
                urls = list(world.urls(rule))
        except NoFixture:
            urls = []  # unopened: fails below unless NO_FIXTURE says why
        # A route known to lack fixture ids is still requested (its refusal's headers count).
        roles, tries = ((_roles(view)[:1], 3) if rule.endpoint in NO_FIXTURE
                        else (_roles(view), MAX_TRIES_PER_ROLE))
        for role in roles:
            client = clients[role]
            for url in itertools.islice(urls, tries):
                response = client.get(url)
                walk.responses += 1
                for problem in check_headers(response, rule.endpoint):
                    walk.problems.append(f"{url} as {role}: {problem}")
                if response.status_code == 200:
                    walk.covered.setdefault(rule.endpoint, []).append(str(role or "anonymous"))
                    break
        if rule.endpoint not in walk.covered:
            walk.unopened[rule.endpoint] = rule.rule
    return walk


def _error_pages(app, clients: dict, monkeypatch) -> list[str]:
    """Trigger every error page, checking each response's headers."""
    problems: list[str] = []
    anonymous, admin = clients[None], clients[Role.ADMIN]

    def check(response, status: int, label: str) -> None:
        if response.status_code != status:
            problems.append(f"{label}: status {response.status_code}, expected {status}")
        problems.extend(f"{label}: {p}" for p in check_headers(response, None))
        if response.status_code == status and response.mimetype == "text/html":
            doc = check_page_health(response.get_data(as_text=True))
            if not list(doc.iter(f"{XHTML}h1")):
                problems.append(f"{label}: no h1")

    check(anonymous.post("/login", data={"username": "x"}), 400, "400 (no CSRF token)")
    check(clients[Role.PRACTITIONER].get("/admin/users"), 403, "403")
    check(admin.get("/no-such-page"), 404, "404")
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      anonymous.get("/login").get_data(as_text=True)).group(1)
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 1)
    anonymous.post("/login", data={"username": LOGINS[Role.HR], "password": "not the password",
                                   "csrf_token": token})
    check(anonymous.post("/login", data={"username": LOGINS[Role.HR], "password": PASSWORD,
                                         "csrf_token": token}), 429, "429")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)
    check(admin.post("/admin/imports", data={"x": "y" * 200}), 413, "413")
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "accessibility.statement", boom)
    check(anonymous.get("/accessibility"), 500, "500")
    return problems


def _page_templates() -> set[str]:
    """Templates that are whole pages: they extend the layout (directly or through a page).
    A base that pages extend (the layout, the narrow page) is never rendered alone."""
    pages, bases = set(), set()
    for path in TEMPLATES.rglob("*.html"):
        extended = re.findall(r'{%-?\s*extends\s+"([^"]+)"', path.read_text())
        if extended:
            pages.add(path.relative_to(TEMPLATES).as_posix())
        bases.update(extended)
    return pages - bases


def test_every_page_sends_the_exact_security_headers(security_world, monkeypatch) -> None:
    app = security_world.app
    clients = {None: app.test_client()}
    for role, username in LOGINS.items():
        clients[role] = security_world.browser(username).client
    rendered: set[str] = set()

    def remember(sender, template, context, **extra) -> None:
        rendered.add(template.name)

    with template_rendered.connected_to(remember, app):
        walk = _walk(app, clients, security_world)
        walk.problems += _error_pages(app, clients, monkeypatch)

    assert walk.problems == []
    unexplained = {e: r for e, r in walk.unopened.items() if e not in NO_FIXTURE}
    assert unexplained == {}, "no role could open these routes with the fixture's ids"
    missing = _page_templates() - rendered - set(NOT_FROM_A_GET)
    assert not missing, f"page templates the walk never rendered: {sorted(missing)}"
    # The walk is not vacuous: it opened the pages every kind of user starts from.
    assert {"home.index", "auth.login", "accessibility.statement",
            "admin_audit_trail.index", "audits.show"} <= set(walk.covered)
    assert len(walk.covered) + len(NO_FIXTURE) == len({r.endpoint for r in _page_rules(app)})
    print(f"\nheader walk: {len(walk.covered)} GET routes opened ({walk.responses} responses), "
          f"{len(NO_FIXTURE)} without fixture ids, {len(rendered & _page_templates())} page "
          f"templates rendered, {len(NOT_FROM_A_GET)} templates exempt with a reason")


def test_the_exemption_lists_name_real_routes_and_templates(app) -> None:
    endpoints = {rule.endpoint for rule in _page_rules(app)}
    assert set(NO_FIXTURE) <= endpoints
    assert set(NOT_FROM_A_GET) <= _page_templates()


def test_the_header_check_finds_weak_headers(app, client) -> None:
    """The check itself can fail: a page without no-store and with inline script is caught."""
    response = client.get("/login")
    response.headers["Cache-Control"] = "max-age=600"
    response.headers["Content-Security-Policy"] = "script-src 'self' 'unsafe-inline'"
    problems = check_headers(response, "auth.login")
    assert any("Cache-Control" in p for p in problems)
    assert any("weak Content-Security-Policy" in p for p in problems)

"""No GET (or HEAD) changes anything, on any route, with the real ids of the security world.

Every GET route, browser and API, is requested as one user of each role the
route admits (anonymous for public routes), with the world's ids: every URL
until someone opens it (owners are tried first), and each user until they open
one. The first URL of each route that opens is requested again with HEAD, which
must answer like GET. After each route every table must hold exactly what it
held before (row counts and a hash of every row), except the append-only audit
trail's records of reading (views of audits and summaries, searches of the
trail, refusals: recorded by design) and the last-seen times of browser
sessions and API tokens.

The same responses are checked for URLs carrying a case system's child id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import Audit, Event, UserSession
from tests.security.world import (  # noqa: F401
    ONE_PER_ROLE,
    NoFixture,
    SecurityWorld,
    case_refs_in_urls,
    changed_tables,
    security_world_fixture,
    snapshot,
    world_fixture,
)

# What reading may add to the audit trail: records of the reading itself.
READ_EVENTS = frozenset({
    "access.denied", "audit.viewed", "summary.viewed", "summary.exported",
    "audit_trail.searched", "audit_trail.exported", "cases.shown",
})
# GET routes the walk cannot open, each with the reason.
NOT_OPENED = {
    "auth.code": "the second step of a sign-in opens only after a right password for an "
    "account with an authenticator app; without one it sends the browser to /login "
    "(tests/web/test_second_factor.py)",
}
# A response that shows children's case references leaves one of these in the trail.
SHOWN_EVENTS = ("cases.shown", "audit.viewed")


def _get_rules(app) -> list:
    return sorted((r for r in app.url_map.iter_rules()
                   if "GET" in r.methods and r.endpoint != "static"), key=lambda r: r.rule)


# Those with objects of their own first, so each object is opened by its owner if it can be.
ROLE_ORDER = (Role.SUPERVISOR, Role.PRACTITIONER, Role.QUALITY_LEAD, Role.SENIOR_LEADER,
              Role.HR, Role.ADMIN)


def _principals(app, endpoint: str) -> list[str | None]:
    """A user of each role the route admits, or anonymous (None) for a public route."""
    roles = getattr(app.view_functions[endpoint], "required_roles", None)
    if not roles:
        return [None]
    return [ONE_PER_ROLE[role] for role in ROLE_ORDER if role in roles]


def _get(w: SecurityWorld, name: str | None, url: str, method: str = "GET"):
    if url.startswith("/api/"):
        headers = w.bearer(name) if name else {}
        return w.app.test_client().open(url, method=method, headers=headers)
    client = w.browser(name).client if name else w.app.test_client()
    return client.open(url, method=method)


def test_no_get_or_head_changes_the_database(security_world: SecurityWorld) -> None:
    w = security_world
    app = w.app
    w.sign_in_all()
    child_ids = w.child_ids()
    problems: list[str] = []
    opened: set[tuple[str, str | None]] = set()  # (endpoint, principal) that got a 200
    requests = Counter()
    first_event = Event.select().order_by(Event.id.desc()).first().id
    state = snapshot(READ_EVENTS)
    rules = _get_rules(app)
    for rule in rules:
        try:
            with app.app_context():
                urls = list(w.urls(rule))
        except NoFixture as exc:
            problems.append(str(exc))
            continue
        # Every URL until someone opens it; every principal until it opens one (then HEAD).
        opened_urls: set[str] = set()
        for url in urls:
            for name in _principals(app, rule.endpoint):
                if url in opened_urls and (rule.endpoint, name) in opened:
                    continue
                before = Event.select().order_by(Event.id.desc()).first().id
                response = _get(w, name, url)
                requests["GET"] += 1
                body = response.get_data().decode("utf-8", "replace")
                shows = [c for c in child_ids if c in body]
                if response.status_code == 200 and shows and not Event.select().where(
                        (Event.id > before) & Event.action.in_(SHOWN_EVENTS)).exists():
                    problems.append(f"{url} as {name} shows {shows[:2]} with no trail entry")
                refs = case_refs_in_urls(response, child_ids)
                if refs:
                    problems.append(f"{url} as {name} hands out URLs with a child id: {refs[:3]}")
                if response.status_code != 200:
                    continue
                opened_urls.add(url)
                if not any(endpoint == rule.endpoint for endpoint, _ in opened):
                    requests["HEAD"] += 1
                    head = _get(w, name, url, "HEAD")
                    if head.status_code != 200:
                        problems.append(f"HEAD {url} as {name}: {head.status_code}")
                opened.add((rule.endpoint, name))
        after = snapshot(READ_EVENTS)
        if after != state:
            problems.append(f"GET {rule.rule} changed {changed_tables(state, after)}")
        state = after
    recorded = Counter(e.action for e in Event.select().where(Event.id > first_event))
    # The comparison can fail: a changed answer shows, a session's last-seen time does not.
    UserSession.update(last_seen_at=dt.datetime(2031, 1, 1)).execute()
    assert snapshot(READ_EVENTS) == state
    Audit.update(response="changed").where(Audit.id == w.audits["b_submitted"].id).execute()
    assert [t.split()[0] for t in changed_tables(state, snapshot(READ_EVENTS))] == ["audit"]
    assert problems == [], "\n".join(problems)
    assert set(recorded) <= READ_EVENTS
    assert recorded["audit.viewed"] > 0, "the walk opened no audit: it proves little"
    assert recorded["cases.shown"] > 0, "the walk listed no cases: it proves little"
    unopened = sorted({r.endpoint for r in rules} - {endpoint for endpoint, _ in opened}
                      - set(NOT_OPENED))
    assert unopened == [], f"GET routes no one could open with the world's ids: {unopened}"
    print(f"\nsafe methods: {len(rules)} GET routes, {requests['GET']} GET and "
          f"{requests['HEAD']} HEAD requests, read events {dict(recorded)}")

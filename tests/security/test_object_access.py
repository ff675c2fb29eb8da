"""Object-level access: a user the route lets in by role must still not reach another's object.

Every route (browser and API, every method) whose URL names an object is
probed with the real ids of the security world, as users whose role the route
accepts but who must not reach that object: another team's supervisor, a
supervisor with no team, a second supervisor of the same team who is not the
auditor, another practitioner, a quality lead who is not the moderator, a
moderator still working blind. Each probe must be refused (403 or 404) and
leave the database as it was (every table, except the ``access.denied`` events
that record refusals). Unsafe methods carry a valid CSRF token and a body that
would succeed for the owner, so the object check is what answers. Then the
owner sends the same request and must get in, so every probe can fail.

The URL map is walked: an id route with no probe fails the test unless
``EXEMPT`` says why every user the route admits may reach every object.

Two walks follow: a moderator working blind requests every GET route with every
id and must never receive the first audit's evidence, response or exemplar; and
no URL the app hands out (links, form actions, redirects, API paths) carries a
case system's child id.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from werkzeug.routing import Rule
from werkzeug.wrappers import Response

from audit_service.extension import registries
from audit_service.services.audits import lifecycle as audit_service
from audit_service.storage.models import Audit, AuditAction
from tests.audits.world import complete_form
from tests.security.world import (  # noqa: F401
    ROLE_OF,
    SECRET_EVIDENCE,
    SECRET_EXEMPLAR,
    SECRET_RESPONSE,
    NoFixture,
    SecurityWorld,
    case_refs_in_urls,
    changed_tables,
    security_world_fixture,
    snapshot,
    world_fixture,
)

# URL arguments that choose a view of something, not an object someone owns.
NOT_IDS = frozenset({"fmt", "name", "kind", "filename"})
REFUSED = (403, 404)
# Refusals are recorded by design; nothing else may change when a probe is refused.
REFUSAL_EVENTS = ("access.denied",)

_RUBRICS = "rubrics are the council's, not anyone's: every quality lead and administrator "
_QA = "only quality leads and administrators reach it, and they manage every "
EXEMPT: dict[str, str] = {
    **dict.fromkeys(["admin_users.show", "admin_users.confirm", "api_accounts.get_account",
                     "api_accounts.change_account", "api_accounts.reset_password"],
                    "administrators only; managing every account is their job"),
    **dict.fromkeys(["admin_staff.show", "api_staff.change_staff"],
                    "administrators only; every staff record's registration number is theirs "
                    "to keep"),
    **dict.fromkeys(["admin_imports.report", "admin_imports.progress"],
                    "administrators only; every import is theirs to read"),
    "admin_imports.confirm": "administrators only; every held import is theirs to check",
    "admin_imports.confirmed": "administrators only; every held import is theirs to decide",
    "api_imports.get_import": "administrators only; every import is theirs to read",
    "policies.edit": _QA + "team's and service's sampling policy",
    "rounds.population": _QA + "round (they oversee all sampling)",
    "api_rounds.population": _QA + "round (they oversee all sampling)",
    "learning.withdraw": _QA + "shared exemplar",
    "api_learning.withdraw_exemplar": _QA + "shared exemplar",
    "learning.retire_theme": _QA + "practice theme (one list for the council)",
    "api_learning.retire_theme": _QA + "practice theme (one list for the council)",
    **dict.fromkeys(
        ["moderation.show", "moderation.assign", "moderation.adjudicate",
         "api_moderation.get_moderation", "api_moderation.assign", "api_moderation.adjudicate"],
        _QA + "moderation; a quality lead moderating blind sees no first grade there "
        "(the blind walk below checks the page and API hold nothing of the first audit)"),
    **dict.fromkeys(
        ["thematic.show", "thematic.draw", "thematic.rubrics", "thematic.auditors",
         "api_thematic.get_thematic", "api_thematic.draw", "api_thematic.choose_rubrics",
         "api_thematic.assign"],
        _QA + "thematic audit (the audits it opens are probed as audits)"),
    **dict.fromkeys(
        ["rubric_drafts.bands", "rubric_drafts.criteria", "rubric_drafts.criterion",
         "rubric_drafts.delete", "rubric_drafts.details", "rubric_drafts.move_criterion",
         "rubric_drafts.new_criterion", "rubric_drafts.new_rule", "rubric_drafts.preview",
         "rubric_drafts.publish", "rubric_drafts.remove_criterion", "rubric_drafts.remove_rule",
         "rubric_drafts.rule", "rubric_drafts.rules", "rubric_drafts.scale",
         "rubric_drafts.show", "api_rubric_drafts.get_draft", "api_rubric_drafts.save_draft",
         "api_rubric_drafts.delete_draft", "api_rubric_drafts.publish_draft",
         "api_rubric_drafts.validate_draft"],
        _RUBRICS + "edits every draft (drafts are shared work, not private)"),
    **dict.fromkeys(
        ["rubric_editor.rubric", "rubric_editor.diff", "rubric_editor.retire",
         "rubric_editor.draft_from_version", "rubric_editor.export",
         "rubric_editor.remove_assignment", "api_rubric_assignments.unassign",
         "api_rubric_changes.diff", "api_rubric_changes.retire", "api_rubric_changes.export"],
        _RUBRICS + "manages every one"),
    "api_rubrics.get_version": "published rubric versions are read by everyone who audits "
    "or is audited; no version belongs to a team",
}


@dataclass(frozen=True)
class Probe:
    """One request: ``endpoint`` with ``kwargs``, sent by each intruder, then by the owner."""

    endpoint: str
    method: str
    kwargs: dict
    intruders: tuple[str, ...]
    owner: str | None
    body: Callable[[SecurityWorld], dict] | None = None
    query: dict | None = None


# --- bodies that would succeed for the owner --------------------------------------------


def _state(w: SecurityWorld, key: str):
    return audit_service.load_state(w.fresh(w.audits[key]), registries().criterion_types)


def _form_answers(w: SecurityWorld, key: str, **extra) -> dict:
    return {**complete_form(_state(w, key), 1), "version": w.fresh(w.audits[key]).version,
            **extra}


def _api_answers(w: SecurityWorld, key: str) -> dict:
    state = _state(w, key)
    form = complete_form(state, 1)
    answers = [{"rubric": k.rubric_id, "criterion": k.criterion_id,
                "rating": form[f"rating-{k.rubric_id}-{k.criterion_id}"],
                "evidence": form[f"evidence-{k.rubric_id}-{k.criterion_id}"]}
               for k in state.keys]
    return {"version": w.fresh(w.audits[key]).version, "answers": answers}


def _version(w: SecurityWorld, key: str) -> int:
    return w.fresh(w.audits[key]).version


def _due() -> dt.date:
    return dt.date.today() + dt.timedelta(days=21)


def _action_form(w: SecurityWorld, key: str) -> dict:
    owner = w.users["pat" if key.startswith("a_") else "bo"]
    due = _due()
    return {"description": "Visit the child at school", "owner": str(owner.id),
            "due-day": str(due.day), "due-month": str(due.month), "due-year": str(due.year),
            "status": "open"}


def _action_json(w: SecurityWorld, key: str) -> dict:
    owner = w.users["pat" if key.startswith("a_") else "bo"]
    return {"description": "Visit the child at school", "owner": owner.username,
            "due_on": _due().isoformat(), "status": "open"}


def _action_version(w: SecurityWorld, key: str) -> int:
    return AuditAction.get_by_id(w.actions[key].id).version


# --- the probes --------------------------------------------------------------------------


def probes(w: SecurityWorld) -> list[Probe]:
    """Every object-level rule of the app, as (route, object, who must not, who may)."""
    aid = {key: audit.public_id for key, audit in w.audits.items()}
    out: list[Probe] = []

    def add(endpoints, method, key, kwargs, intruders, owner, body=None, query=None):
        for endpoint in endpoints:
            out.append(Probe(endpoint, method, kwargs, tuple(intruders), owner,
                             body(endpoint, key) if body else None, query))

    # Reading an audit: its team's supervisors and its auditor; its practitioner once submitted.
    readers = {
        # hana line-manages both teams' managers, so she reads both teams' audits (a safety
        # alert or an escalation sent to her must open); she is no intruder here.
        "a_submitted": (("bea", "bo", "cal", "mona"), "pat"),
        "a_draft": (("bea", "pat", "cal", "bo"), "sam"),
        "b_submitted": (("sam", "sid", "pat", "cal"), "bo"),
        "moderation_a": (("bea", "pat", "bo"), "mona"),
        "moderation_b": (("sid", "pat", "bo"), "sam"),
        "thematic": (("sam", "sid", "pat", "cal", "bo"), "hana"),
    }
    for key, (intruders, owner) in readers.items():
        kwargs = {"public_id": aid[key]}
        add(["audits.show", "api_audits.get_audit"], "GET", key, kwargs, intruders, owner)
        if w.audits[key].status == "submitted":  # a draft has no result, for anyone
            add(["api_audits.get_result"], "GET", key, kwargs, intruders, owner)

    # Changing a draft: its auditor only (not their team's other supervisor, not a quality lead).
    writers = {
        "a_draft": (("bea", "hana", "sid", "quinn", "mona"), "sam"),
        "moderation_a": (("quinn", "sam", "bea"), "mona"),
        "moderation_b": (("bea", "quinn", "sid"), "sam"),
        "thematic": (("bea", "sam", "quinn"), "hana"),
    }

    def draft_body(endpoint, key):
        if endpoint.startswith("api_"):
            return lambda w: _api_answers(w, key)
        extra = {"save": {"intent": "submit"}, "resolve": {"keep": "yours"}}.get(
            endpoint.partition(".")[2], {})
        return lambda w: _form_answers(w, key, **extra)

    for key, (intruders, owner) in writers.items():
        add(["audits.save", "audits.autosave", "audits.resolve"], "POST", key,
            {"public_id": aid[key]}, intruders, owner, draft_body)
        add(["api_audits.save_draft"], "PUT", key, {"public_id": aid[key]}, intruders, owner,
            draft_body)
        add(["api_audits.submit_audit"], "POST", key, {"public_id": aid[key]}, intruders, owner,
            draft_body)

    # Responding and acknowledging: the audited case's practitioner only.
    def response_body(endpoint, key):
        if endpoint.endswith("respond"):
            return lambda w: {"response": "I have read it and agree.",
                              "version": _version(w, key)}
        return lambda w: {"version": _version(w, key)}

    for key, intruders, owner in (("a_submitted", ("cal", "bo"), "pat"),
                                  ("b_submitted", ("pat", "cal"), "bo")):
        kwargs = {"public_id": aid[key]}
        add(["audits.respond", "audits.acknowledge", "api_audits.acknowledge"], "POST", key,
            kwargs, intruders, owner, response_body)
        add(["api_audits.respond"], "PUT", key, kwargs, intruders, owner, response_body)

    # Recording actions: the auditor or a supervisor of the audited team.
    def create_body(endpoint, key):
        if endpoint.startswith("api_"):
            return lambda w: _action_json(w, key)
        return lambda w: _action_form(w, key)

    for key, intruders, owner in (("a_submitted", ("bea", "hana"), "sam"),
                                  ("b_submitted", ("sam", "sid", "hana"), "bea")):
        add(["audits.create_action", "api_audits.create_action"], "POST", key,
            {"public_id": aid[key]}, intruders, owner, create_body)

    # Moving an action along: its owner or a supervisor of the audited team.
    def status_body(endpoint, key):
        return lambda w: {"status": "in_progress", "version": _action_version(w, key)}

    for key, intruders, owner in (("a", ("cal", "bo", "bea", "hana"), "pat"),
                                  ("b", ("pat", "cal", "sam", "sid", "hana"), "bo")):
        kwargs = {"public_id": w.actions[key].public_id}
        add(["audits.update_action"], "POST", key, kwargs, intruders, owner, status_body)
        add(["api_audits.update_action"], "PATCH", key, kwargs, intruders, owner, status_body)

    # Inbox items: their user's only, whatever the role (an administrator included).
    for owner, intruders in (("pat", ("bo", "cal", "sam", "ada", "quinn")),
                             ("sam", ("pat", "bea", "hana", "lee", "hal"))):
        add(["inbox.mark_read", "api_inbox.mark_read"], "POST", owner,
            {"item_id": w.inbox[owner].id}, intruders, owner)

    # Learning pages show an audit's evidence: not to a quality lead moderating it blind.
    def learning_body(endpoint, key):
        if endpoint == "learning.tag":
            return lambda w: {"theme": str(w.theme.id), "free_theme": "Neglect"}
        if endpoint == "learning.share":
            return lambda w: {"title": "Probe exemplar", "criterion": "",
                              "excerpt": "The plan was reviewed with the family."}
        return lambda w: {"themes": [w.theme.id], "free_themes": ["Neglect"]}

    kwargs = {"public_id": aid["a_submitted"]}
    add(["learning.audit_page"], "GET", "a_submitted", kwargs, ("mona",), "quinn")
    add(["learning.tag", "learning.share"], "POST", "a_submitted", kwargs, ("mona",), "quinn",
        learning_body)
    add(["api_learning.set_audit_themes"], "PUT", "a_submitted", kwargs, ("mona",), "quinn",
        learning_body)

    # Rounds: a supervisor's own; overseers see all.
    for key, intruders, owner in (("a", ("bea", "sid", "hana"), "sam"),
                                  ("b", ("sam", "sid", "hana"), "bea")):
        kwargs = {"public_id": w.rounds[key].public_id}
        add(["rounds.show", "api_rounds.get_round"], "GET", key, kwargs, intruders, owner)
    kwargs = {"public_id": w.rounds["a"].public_id}
    intruders = ("bea", "sid", "hana")
    add(["rounds.draw", "api_rounds.draw"], "POST", "a", kwargs, intruders, "sam")

    def replace_body(endpoint, key):
        return lambda w: {"reason": "Conflict of interest: the worker is my relative"}

    add(["rounds.replace", "api_rounds.replace"], "POST", "a", {**kwargs, "position": 1},
        intruders, "sam", replace_body)

    # API tokens: their owner's (an administrator may revoke any, so is no intruder).
    kwargs = {"token_id": w.spare_token.id}
    intruders = ("sam", "quinn", "hal", "lee", "bo")
    add(["account.revoke"], "GET", "token", kwargs, intruders, "pat")
    add(["account.revoke"], "POST", "token", kwargs, intruders, "pat")
    add(["api_accounts.revoke_token"], "DELETE", "token", kwargs, intruders, "pat")
    return out


def body_id_probes(w: SecurityWorld) -> list[Probe]:
    """Objects named in a form, a JSON body or the query string rather than the path."""
    start = {"round": w.rounds["a"].public_id, "case": w.base.cases_a[1].public_id}
    share = {"audit": w.audits["a_submitted"].public_id, "title": "Probe exemplar",
             "excerpt": "The plan was reviewed with the family."}
    outsiders = ("bea", "sid", "hana")
    return [
        Probe("audits.start", "POST", {}, outsiders, "sam", lambda w: dict(start)),
        Probe("api_audits.start_audit", "POST", {}, outsiders, "sam", lambda w: dict(start)),
        Probe("api_audits.round_audits", "GET", {}, outsiders, "sam",
              query={"round": w.rounds["a"].public_id}),
        Probe("api_learning.share_exemplar", "POST", {}, ("mona",), "quinn",
              lambda w: dict(share)),
    ]


# --- sending ------------------------------------------------------------------------------


def _rule(app, endpoint: str, method: str) -> Rule:
    return next(r for r in app.url_map.iter_rules(endpoint) if method in r.methods)


def send(w: SecurityWorld, probe: Probe, name: str):
    """The probe's request as ``name``: a browser form with the session's CSRF token, or JSON
    with their bearer token."""
    app = w.app
    rule = _rule(app, probe.endpoint, probe.method)
    path = rule.build(probe.kwargs)[1]
    with app.app_context():
        body = probe.body(w) if probe.body else {}
    if rule.rule.startswith("/api/"):
        kwargs = {"headers": w.bearer(name), "query_string": probe.query}
        if probe.method != "GET":
            kwargs["json"] = body
        return app.test_client().open(path, method=probe.method, **kwargs)
    signed = w.browser(name)
    if probe.method == "GET":
        return signed.client.get(path, query_string=probe.query)
    return signed.client.open(path, method=probe.method,
                              data={**body, "csrf_token": signed.token})


def allowed_roles(app, endpoint: str) -> frozenset:
    return getattr(app.view_functions[endpoint], "required_roles", frozenset())


def id_routes(app) -> set[tuple[str, str]]:
    """(endpoint, method) of every route whose path names an object."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not set(rule.arguments) - NOT_IDS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((rule.endpoint, method))
    return found


@dataclass
class Tally:
    probes: int = 0
    controls: int = 0
    mismatches: list[str] = field(default_factory=list)


def run_intruders(w: SecurityWorld, all_probes: list[Probe], tally: Tally) -> None:
    state = snapshot(REFUSAL_EVENTS)
    for probe in all_probes:
        roles = allowed_roles(w.app, probe.endpoint)
        intruders = [n for n in probe.intruders if ROLE_OF[n] in roles]
        if not intruders:
            tally.mismatches.append(f"{probe.endpoint}: no intruder the route admits by role")
        label = f"{probe.method} {probe.endpoint} {probe.kwargs or probe.query or ''}"
        for name in intruders:
            response = send(w, probe, name)
            tally.probes += 1
            if response.status_code not in REFUSED:
                tally.mismatches.append(f"{label} as {name}: {response.status_code}, "
                                        "expected 403 or 404")
        after = snapshot(REFUSAL_EVENTS)
        if after != state:
            tally.mismatches.append(f"{label} as one of {intruders} changed "
                                    f"{changed_tables(state, after)}")
        state = after


def run_owners(w: SecurityWorld, all_probes: list[Probe], tally: Tally) -> None:
    """The same requests from the owner get in (GET: 200; others: anything but a refusal)."""
    for probe in all_probes:
        if probe.owner is None:
            continue
        response = send(w, probe, probe.owner)
        tally.controls += 1
        status = response.status_code
        wrong = status != 200 if probe.method == "GET" else (
            status in (*REFUSED, 401, 405, 422) or status >= 500
            or "Your form could not be sent" in response.get_data(as_text=True))
        if wrong:
            tally.mismatches.append(f"owner {probe.owner}: {probe.method} {probe.endpoint} "
                                    f"{probe.kwargs or probe.query or ''}: {status} "
                                    f"{response.get_data(as_text=True)[:200]!r}")


# --- walks ---------------------------------------------------------------------------------


def blind_and_case_ref_walk(w: SecurityWorld, name: str, secrets: tuple[str, ...]) -> tuple[
        int, list[str]]:
    """Every GET route with every id, as ``name``: no secret in any response, no child id in
    any URL handed out. Returns (requests, problems)."""
    app, problems, requests = w.app, [], 0
    child_ids = w.child_ids()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        roles = allowed_roles(app, rule.endpoint)
        if roles and ROLE_OF[name] not in roles:
            continue
        try:
            with app.app_context():
                urls = list(w.urls(rule))
        except NoFixture as exc:
            problems.append(str(exc))
            continue
        for url in urls:
            if url.startswith("/api/"):
                response = app.test_client().get(url, headers=w.bearer(name))
            else:
                response = w.browser(name).client.get(url)
            requests += 1
            body = response.get_data()
            leaked = [s for s in secrets if s.encode() in body]
            if leaked:
                problems.append(f"{url} as {name} ({response.status_code}) shows {leaked}")
            refs = case_refs_in_urls(response, child_ids)
            if refs:
                problems.append(f"{url} as {name} hands out URLs with a child id: {refs[:3]}")
    return requests, problems


# --- the test -------------------------------------------------------------------------------


def test_no_one_reaches_an_object_their_role_allows_but_the_object_does_not(
        security_world: SecurityWorld) -> None:
    w = security_world
    app = w.app
    url_probes, extra = probes(w), body_id_probes(w)
    routes = id_routes(app)
    probed = {(p.endpoint, p.method) for p in url_probes}
    assert probed <= routes, f"probes of routes that name no object: {probed - routes}"
    unprobed = sorted(f"{m} {e}" for e, m in routes - probed if e not in EXEMPT)
    assert unprobed == [], "id routes with no object-level probe (probe them, or say in " \
        "EXEMPT why everyone the route admits may reach every object)"
    assert set(EXEMPT) <= {e for e, _ in routes}, "EXEMPT names routes that do not exist"
    assert not set(EXEMPT) & {e for e, _ in probed}, "a route is both probed and exempt"

    w.sign_in_all()
    tally = Tally()
    run_intruders(w, url_probes + extra, tally)
    # Before any owner acts (mona's own submit would end her blind moderation):
    walk_requests, problems = blind_and_case_ref_walk(
        w, "mona", (SECRET_EVIDENCE, SECRET_RESPONSE, SECRET_EXEMPLAR))
    tally.mismatches += problems
    run_owners(w, url_probes + extra, tally)

    assert Audit.get_by_id(w.audits["a_draft"].id).status == "submitted", \
        "the owner's submit went through, so the refused ones could have"
    print(f"\nobject access: {len({e for e, _ in routes})} id endpoints "
          f"({len(routes)} route-methods, {len(routes) - len(probed)} exempt with a reason); "
          f"{tally.probes} intruder probes over {len(probed)} route-methods and "
          f"{len(extra)} body/query ids; {tally.controls} owner controls; "
          f"{walk_requests} walk requests; {len(tally.mismatches)} mismatches")
    assert tally.mismatches == [], "\n".join(tally.mismatches)


def test_the_url_check_finds_a_child_id_in_links_json_and_redirects() -> None:
    """The case-reference check can fail: ids in a link, a JSON path or a redirect are found."""
    page = Response('<a href="/cases/CHILD-A1">x</a><form action="/ok"></form>',
                    mimetype="text/html")
    api = Response(json.dumps({"items": [{"link": "/audits?child=child-a1"}]}),
                   mimetype="application/json")
    moved = Response("", status=302, headers={"Location": "/rounds/x?case=CHILD%2DA1"})
    clean = Response('<a href="/audits/6a6cbb71">CHILD-A1</a>', mimetype="text/html")
    assert case_refs_in_urls(page, ["CHILD-A1"]) == ["/cases/CHILD-A1"]
    assert case_refs_in_urls(api, ["CHILD-A1"]) == ["/audits?child=child-a1"]
    assert case_refs_in_urls(moved, ["CHILD-A1"]) == ["/rounds/x?case=CHILD%2DA1"]
    assert case_refs_in_urls(clean, ["CHILD-A1"]) == [], "text on the page is not a URL"

"""Schemathesis against the real API, in process, on SQLite and PostgreSQL.

Every operation in ``/api/openapi.json`` gets a fixed number of derandomized
cases (valid and invalid requests, random and real object ids), each sent with
a real bearer token of a role the operation allows. Every response must be
no server error, carry a status code the operation documents explicitly (the
catch-all ``default`` response does not count: a client cannot plan for a
code it was never told about), the documented content type, and a body that
matches the documented schema.

Failures are collected across all operations, then reported together with a
curl command to reproduce each one, so one run shows everything to fix. The
summary line ("schemathesis [sqlite]: N operations, M cases, ...") is printed;
under xdist add ``-rP`` to see it. ``AUDIT_API_FUZZ_EXAMPLES`` raises the number
of cases per operation for a deeper run (still derandomized).
"""

from __future__ import annotations

import io
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from tests.audits.world import world_fixture  # noqa: F401

EXAMPLES_PER_OPERATION = int(os.environ.get("AUDIT_API_FUZZ_EXAMPLES", "15"))
SPEC_PATH = "/api/openapi.json"
RULE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def documented_status_code(ctx, response, case) -> None:
    """Stricter than schemathesis's own check, which accepts anything once ``default`` exists."""
    explicit = {code for code in case.operation.responses.status_codes if code != "default"}
    if str(response.status_code) not in explicit:
        raise AssertionError(
            f"{case.operation.label}: {response.status_code} is not documented "
            f"(documented: {', '.join(sorted(explicit))})"
        )


CHECKS = [not_a_server_error, documented_status_code, content_type_conformance,
          response_schema_conformance]


@dataclass
class Tally:
    operations: int = 0
    cases: int = 0
    server_errors: int = 0
    mismatches: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)

    def fail(self, case, role: Role, status: int | str, problem: str, detail: str) -> None:
        """Keep the first case of each (operation, problem, status), with a way to replay it."""
        key = f"{case.operation.label} -> {status}: {problem}"
        if key not in self.failures:
            curl = case.as_curl_command(headers={"Authorization": "Bearer <" + role.value + ">"})
            self.failures[key] = f"{detail.strip()[:600]}\n    {curl}"

    def report(self) -> str:
        return "\n".join(f"- {key}\n    {text}" for key, text in sorted(self.failures.items()))


def _roles_by_operation(app) -> dict[tuple[str, str], frozenset[Role]]:
    """``(METHOD, /openapi/{path})`` -> the roles its view allows."""
    roles = {}
    for rule in app.url_map.iter_rules():
        required = getattr(app.view_functions[rule.endpoint], "required_roles", None)
        if required is None or not rule.rule.startswith("/api/"):
            continue
        path = RULE_PARAMETER.sub(r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            roles[(method, path)] = required
    return roles


def _seed(world, make_user) -> tuple[dict[Role, str], dict[str, list[dict[str, str]]]]:
    """Tokens for every role and real ids, so cases also reach past the 404s."""
    users = {
        Role.ADMIN: make_user(Role.ADMIN),
        Role.QUALITY_LEAD: make_user(Role.QUALITY_LEAD),
        Role.HR: make_user(Role.HR),
        Role.SENIOR_LEADER: make_user(Role.SENIOR_LEADER),
        Role.SUPERVISOR: world.supervisor,
        Role.PRACTITIONER: world.practitioner,
    }
    tokens = {role: accounts.create_token(user, "fuzz", actor_label="test")
              for role, user in users.items()}
    client = world.app.test_client()

    def post(role: Role, url: str, body: dict) -> dict:
        response = client.post(url, json=body,
                               headers={"Authorization": f"Bearer {tokens[role]}"})
        assert response.status_code in (200, 201), (url, response.get_json())
        return response.get_json()

    draft_audit = post(Role.SUPERVISOR, "/api/v1/audits",
                       {"round": world.round_a.public_id, "case": world.cases_a[0].public_id})
    submitted = _submitted_audit(world, post)
    action = post(Role.SUPERVISOR, f"/api/v1/audits/{submitted['id']}/actions",
                  {"description": "Visit alone", "owner": world.practitioner.username,
                   "due_on": "2031-01-31"})
    rubric_id = draft_audit["rubrics"][0]["rubric"]
    draft = post(Role.QUALITY_LEAD, "/api/v1/rubric-drafts",
                 {"from_rubric": rubric_id, "from_version": 1})
    theme = post(Role.QUALITY_LEAD, "/api/v1/themes", {"name": "Drift"})
    thematic = post(Role.QUALITY_LEAD, "/api/v1/thematic-audits", {"title": "Under-5s"})
    known = {
        "/api/v1/rounds/": [{"public_id": world.round_a.public_id, "position": "1"}],
        "/api/v1/audits/": [{"public_id": draft_audit["id"]}, {"public_id": submitted["id"]}],
        "/api/v1/actions/": [{"public_id": action["id"]}],
        "/api/v1/rubrics/": [{"rubric_id": rubric_id, "number": "1"}],
        "/api/v1/rubric-drafts/": [{"public_id": draft["id"]}],
        "/api/v1/themes/": [{"theme_id": str(theme["id"])}],
        "/api/v1/thematic-audits/": [{"public_id": thematic["id"]}],
    }
    return tokens, known


def _known_paths(path: str, known: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    names = re.findall(r"{([^}]+)}", path)
    for prefix, choices in known.items():
        if path.startswith(prefix) and names:
            return [{n: values[n] for n in names}
                    for values in choices if all(n in values for n in names)]
    return []


def _submitted_audit(world, post) -> dict:
    started = post(Role.SUPERVISOR, "/api/v1/audits",
                   {"round": world.round_a.public_id, "case": world.cases_a[1].public_id})
    answers = [
        {"rubric": rubric["rubric"], "criterion": criterion["id"],
         "rating": criterion["options"][-1]["value"], "evidence": "Seen in the file"}
        for rubric in started["rubrics"] for criterion in rubric["criteria"]
    ]
    return post(Role.SUPERVISOR, f"/api/v1/audits/{started['id']}/submit",
                {"version": started["version"], "answers": answers})


def _nul(value):
    """Every text in ``value`` with a NUL inside: PostgreSQL refuses NUL in text."""
    if isinstance(value, str):
        return value[:1] + "\x00" + value[1:]
    if isinstance(value, dict):
        return {k: _nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nul(v) for v in value]
    return value


def _with_nul(case):
    for name in ("path_parameters", "query"):
        if getattr(case, name):
            setattr(case, name, _nul(getattr(case, name)))
    if isinstance(case.body, dict | list):
        case.body = _nul(case.body)
    return case


def _strategy(operation, known):
    """Valid and invalid requests, with random and real ids, and valid ones with NULs."""
    positive = [operation.as_strategy(GenerationMode.POSITIVE)]
    negative = [operation.as_strategy(GenerationMode.NEGATIVE)]
    for real in _known_paths(operation.path, known):
        positive.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real))
        negative.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=real))
    with_nul = [strategy.map(_with_nul) for strategy in positive]
    return st.one_of(positive + negative + with_nul)


def _run_operation(operation, roles, tokens, known, tally: Tally) -> None:
    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None,
              database=None, suppress_health_check=list(HealthCheck))
    @given(role=st.sampled_from(sorted(roles)), case=_strategy(operation, known))
    def fuzz(role, case) -> None:
        tally.cases += 1
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # TESTING propagates unhandled errors instead of a 500
            tally.server_errors += 1
            tally.fail(case, role, "exception", type(exc).__name__, str(exc))
            return
        tally.statuses[response.status_code] += 1
        if response.status_code >= 500:
            tally.server_errors += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            if response.status_code < 500:
                tally.mismatches += 1
            for failure in group.exceptions:
                tally.fail(case, role, response.status_code, failure.title, failure.message)

    fuzz()


def test_every_operation_survives_hostile_requests(world, make_user, backend) -> None:
    tokens, known = _seed(world, make_user)
    schema = schemathesis.openapi.from_wsgi(SPEC_PATH, world.app)
    roles = _roles_by_operation(world.app)
    tally = Tally()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        allowed = roles[(operation.method.upper(), operation.path)]
        tally.operations += 1
        _run_operation(operation, allowed, tokens, known, tally)
    elapsed = time.monotonic() - started
    print(f"\nschemathesis [{backend}]: {tally.operations} operations, {tally.cases} cases, "
          f"{tally.server_errors} server errors, {tally.mismatches} schema mismatches "
          f"in {elapsed:.0f} s; statuses {dict(sorted(tally.statuses.items()))}")
    assert tally.operations == len(roles)
    assert tally.cases >= tally.operations * EXAMPLES_PER_OPERATION // 2
    if tally.failures:
        print(tally.report())
    assert tally.failures == {}, tally.report()


def test_input_the_database_cannot_hold_is_refused(world, make_user) -> None:
    """The fixes the fuzzing led to, pinned with the inputs that found them."""
    tokens, known = _seed(world, make_user)
    client = world.app.test_client()
    audit = known["/api/v1/audits/"][0]["public_id"]

    def call(method: str, url: str, role: Role = Role.QUALITY_LEAD, **kwargs) -> int:
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        return client.open(url, method=method, headers=headers, **kwargs).status_code

    huge = "9" * 30
    assert call("GET", f"/api/v1/rubrics/x/versions/{huge}") == 404  # past integer range
    assert call("POST", f"/api/v1/inbox/{2**31}/read") == 404
    # Not 405: the same path answers GET too, and the method was never the problem.
    assert call("PATCH", f"/api/v1/users/{2**40}", Role.ADMIN, json={"role": "hr"}) == 404
    assert call("GET", "/api/v1/audits/a%00b") == 404  # NUL in a path id
    assert call("GET", "/api/v1/audits?round=a%00b") == 422
    draft = {"version": 1, "answers": [{"rubric": "r", "criterion": "c", "evidence": "a\x00"}]}
    assert call("PUT", f"/api/v1/audits/{audit}/draft", Role.SUPERVISOR, json=draft) == 422
    assert call("PUT", f"/api/v1/audits/{audit}/draft", Role.SUPERVISOR,
                json={"version": 10**20}) == 422
    assert call("PUT", f"/api/v1/audits/{audit}/draft", Role.SUPERVISOR,
                data=b"{not json", content_type="application/json") == 400
    assert call("GET", "/api/v1/themes/counts?from=0001-01&to=9999-12") == 422
    assert call("GET", "/api/v1/themes/counts?from=2016-02&to=2026-01") == 200
    # A month outside 1900 to 2100 is not one a period can name.
    assert call("POST", "/api/v1/moderation/draw", json={"period": "0000-01"}) == 422
    upload = {"file": (io.BytesIO(b"Child Unique ID\nC1\n"), "annex\x00a.csv")}
    # 409: a one-child file would close nearly every case, so it waits for confirmation.
    assert call("POST", "/api/v1/imports", Role.ADMIN, data=upload) in (201, 409, 422)

"""The permission matrix as data: loading, validating and judging responses against it.

``docs/security/permission-matrix.csv`` is the artefact a security reviewer
reads: one row per (HTTP method, URL rule), one column for anonymous visitors
and one per role, each cell the outcome that principal must get. Keeping the
rules here (not in the test) lets the test and its self-test share one meaning
of ``allow``, ``deny``, ``login``, ``401`` and ``public``.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from werkzeug.exceptions import HTTPException

from audit_service.domain.vocabulary import Role

MATRIX_PATH = Path(__file__).resolve().parents[2] / "docs" / "security" / "permission-matrix.csv"

ALLOW = "allow"  # reaches the view: anything but 401/403, a 5xx or a redirect to sign in
DENY = "deny"  # 403
LOGIN = "login"  # anonymous browser request: 302 to /login?next=<path>
UNAUTHORISED = "401"  # anonymous API request: 401 with a Bearer challenge
PUBLIC = "public"  # open to everyone, signed in or not

REFUSALS = frozenset({DENY, LOGIN, UNAUTHORISED})  # each recorded as access.denied

ANONYMOUS = "anonymous"
ROLES: tuple[str, ...] = tuple(role.value for role in Role)
#: An administrator given the "case reader" grant: a principal of its own, because the grant
#: opens routes (audits, round case lists) that the role alone does not.
CASE_READER = "admin_case_reader"
SIGNED_IN: tuple[str, ...] = (*ROLES, CASE_READER)
PRINCIPALS: tuple[str, ...] = (ANONYMOUS, *SIGNED_IN)
HEADER: tuple[str, ...] = ("method", "rule", "endpoint", *PRINCIPALS)
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ANONYMOUS_VALUES = frozenset({LOGIN, UNAUTHORISED, PUBLIC})
ROLE_VALUES = frozenset({ALLOW, DENY, PUBLIC})
API_PREFIX = "/api/"

# Routes that are not the application's to guard (Flask's static files) and
# methods Flask answers itself without running the view.
UNLISTED_ENDPOINTS = frozenset({"static"})
UNLISTED_METHODS = frozenset({"HEAD", "OPTIONS"})

# Made-up URL arguments: role checks run before any lookup, so an object that
# does not exist still shows whether the role got in (a 404 after the check).
# Some arguments must still be valid for the URL to reach the intended view.
MISSING_STRING = "nonexistent"
MISSING_INT = "999999"
SAMPLE_VALUES: Mapping[str, str] = {"fmt": "csv", "name": "summary", "kind": "council",
                                    "step": "enable"}
RULE_SAMPLE_VALUES: Mapping[str, Mapping[str, str]] = {
    # ``council`` takes no id; a team or service scope does.
    "/policies/<kind>/<ident>": {"kind": "teams"},
}
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


class MatrixError(ValueError):
    """The CSV is not a valid matrix; ``problems`` lists every fault with its line."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid permission matrix:\n" + "\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class MatrixRow:
    method: str
    rule: str
    endpoint: str
    cells: Mapping[str, str] = field(hash=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.rule)

    @property
    def is_api(self) -> bool:
        return self.rule.startswith(API_PREFIX)

    def expected(self, principal: str) -> str:
        return self.cells[principal]

    def label(self) -> str:
        return f"{self.method} {self.rule}"


def load_matrix(path: Path = MATRIX_PATH) -> list[MatrixRow]:
    """Read and validate the matrix; raise ``MatrixError`` naming every fault at once."""
    with path.open(newline="", encoding="utf-8") as handle:
        return parse_matrix(handle)


def parse_matrix(lines: Iterable[str]) -> list[MatrixRow]:
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None or tuple(header) != HEADER:
        raise MatrixError([f"line 1: the header must be {','.join(HEADER)}, not {header}"])
    problems: list[str] = []
    rows: list[MatrixRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, values in enumerate(reader, start=2):
        if len(values) != len(HEADER):
            problems.append(f"line {line}: {len(values)} cells, expected {len(HEADER)}")
            continue
        row = MatrixRow(values[0], values[1], values[2],
                        dict(zip(PRINCIPALS, values[3:], strict=True)))
        problems += [f"line {line} ({row.label()}): {p}" for p in _row_problems(row)]
        if row.key in seen:
            problems.append(f"line {line}: {row.label()} repeats line {seen[row.key]}")
        seen.setdefault(row.key, line)
        rows.append(row)
    if problems:
        raise MatrixError(problems)
    return rows


def _row_problems(row: MatrixRow) -> list[str]:
    problems = []
    if row.method not in METHODS:
        problems.append(f"unknown method {row.method!r}")
    if not row.rule.startswith("/"):
        problems.append(f"rule {row.rule!r} is not a path")
    if not row.endpoint:
        problems.append("no endpoint")
    anonymous = row.cells[ANONYMOUS]
    if anonymous not in ANONYMOUS_VALUES:
        problems.append(f"anonymous is {anonymous!r}, not one of {sorted(ANONYMOUS_VALUES)}")
    problems += [
        f"{role} is {row.cells[role]!r}, not one of {sorted(ROLE_VALUES)}"
        for role in SIGNED_IN
        if row.cells[role] not in ROLE_VALUES
    ]
    public = {p for p in PRINCIPALS if row.cells[p] == PUBLIC}
    if public and public != set(PRINCIPALS):
        problems.append("public must be public for everyone or for no one")
    if anonymous == LOGIN and row.is_api:
        problems.append("an API route answers 401, not a sign-in redirect")
    if anonymous == UNAUTHORISED and not row.is_api:
        problems.append("a browser page sends anonymous visitors to sign in, not 401")
    return problems


def canonical_rule(rule: str) -> str:
    """``rule`` as the matrix lists it: arguments by name only (``<int:n>`` is ``<n>``).

    Converters say what a value looks like, not who may use the route; listing
    them would make the matrix harder to read and stale whenever one changes.
    """
    return _ARGUMENT.sub(lambda match: f"<{match['name']}>", rule)


def app_routes(url_map) -> dict[tuple[str, str], str]:
    """Every (method, canonical rule) the app answers with one of its views, and its endpoint."""
    routes: dict[tuple[str, str], str] = {}
    for rule in url_map.iter_rules():
        if rule.endpoint in UNLISTED_ENDPOINTS:
            continue
        for method in sorted(rule.methods - UNLISTED_METHODS):
            key = (method, canonical_rule(rule.rule))
            if key in routes:
                raise ValueError(f"{method} {rule.rule} and another rule differ only in their "
                                 "converters; the matrix cannot tell them apart")
            routes[key] = rule.endpoint
    return routes


def compare_with_routes(
    rows: list[MatrixRow], routes: Mapping[tuple[str, str], str]
) -> list[str]:
    """Routes missing from the matrix, rows with no route, and rows naming the wrong view."""
    by_key = {row.key: row for row in rows}
    problems = [
        f"missing from the matrix: {method} {rule} ({endpoint})"
        for (method, rule), endpoint in sorted(routes.items(), key=lambda kv: kv[0][::-1])
        if (method, rule) not in by_key
    ]
    for row in rows:
        endpoint = routes.get(row.key)
        if endpoint is None:
            problems.append(f"stale matrix row, no such route: {row.label()}")
        elif endpoint != row.endpoint:
            problems.append(f"{row.label()} is served by {endpoint}, the matrix says "
                            f"{row.endpoint}")
    return problems


def sample_path(url_map, rule: str, method: str) -> str:
    """``rule`` with made-up argument values that the app routes back to ``rule``.

    A named value in ``SAMPLE_VALUES`` (a real format, a real kind) is used as
    is; any other argument gets a made-up string or a made-up number, whichever
    its converter accepts, so a converter change never needs an edit here.
    """
    overrides = {**SAMPLE_VALUES, **RULE_SAMPLE_VALUES.get(rule, {})}
    names = [match["name"] for match in _ARGUMENT.finditer(rule)]
    choices = [[overrides[n]] if n in overrides else [MISSING_STRING, MISSING_INT]
               for n in names]
    tried = []
    for values in itertools.product(*choices):
        path = _fill(rule, values)
        problem = check_path_reaches(url_map, rule, method, path)
        if problem is None:
            return path
        tried.append(problem)
    raise ValueError(f"{method} {rule}: no made-up path reaches it ({'; '.join(tried)}); "
                     f"add a value to SAMPLE_VALUES in {__name__}")


def _fill(rule: str, values: Iterable[str]) -> str:
    given = iter(values)
    return _ARGUMENT.sub(lambda _match: next(given), rule)


def check_path_reaches(url_map, rule: str, method: str, path: str) -> str | None:
    """None when ``path`` is routed to ``rule`` (canonical) for ``method``, else why not."""
    try:
        matched, _args = url_map.bind("localhost").match(path, method=method, return_rule=True)
    except HTTPException as exc:
        return f"{method} {path} does not reach {rule}: {exc.code}"
    if canonical_rule(matched.rule) != rule:
        return f"{method} {path} reaches {matched.rule}, not {rule}"
    return None


def login_next(response) -> str | None:
    """The ``next`` of a redirect to the sign-in page ('' if it has none); None if not one."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return None
    location = urlsplit(response.headers.get("Location", ""))
    if location.path != "/login":
        return None
    return parse_qs(location.query).get("next", [""])[0]


def describe(response) -> str:
    location = response.headers.get("Location")
    return f"{response.status_code} -> {location}" if location else str(response.status_code)


def outcome_problem(expected: str, response, path: str) -> str | None:
    """None when ``response`` belongs to the ``expected`` class, else what was wrong."""
    status = response.status_code
    next_path = login_next(response)
    got = describe(response)
    if expected == ALLOW:
        if status in (401, 403) or status >= 500 or next_path is not None:
            return f"expected allow, got {got}"
    elif expected == PUBLIC:
        if status in (401, 403) or status >= 500 or next_path == path:
            return f"expected public, got {got}"
    elif expected == DENY:
        if status != 403:
            return f"expected deny (403), got {got}"
    elif expected == LOGIN:
        if status != 302 or next_path != path:
            return f"expected login (302 to /login?next={path}), got {got}"
    elif expected == UNAUTHORISED:
        challenge = response.headers.get("WWW-Authenticate", "")
        if status != 401 or not challenge.startswith("Bearer"):
            return (f"expected 401 with a Bearer challenge, got {got} "
                    f"(WWW-Authenticate {challenge!r})")
    else:
        raise ValueError(f"unknown outcome class {expected!r}")
    return None

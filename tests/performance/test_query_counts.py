"""No key page runs more queries when the council has more data (issue 9).

Each page is requested in a small council and in one three times bigger in every
list the page shows (``worlds.SMALL`` and ``worlds.LARGE``), counting the SQL
statements with peewee's own ``playhouse.test_utils.count_queries``. The count
must be the same in both, and equal to the figure in ``EXPECTED``: a page that
starts to run a query per row fails the first check, and any change in a page's
queries fails the second, so the table is updated on purpose.

Both councils are built once per database, in one test (building them per page
would take minutes), and share one app so templates compile once. Every page is
requested twice and the second request counted, so one-off work (a session
touch, a parse cache filling) is never counted. The counts are the same on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg2
import pytest
from playhouse.test_utils import count_queries

from audit_service.clock import local_today
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.audits.lifecycle import load_state
from audit_service.storage.database import bind, database
from audit_service.storage.models import (
    ALL_MODELS,
    Audit,
    AuditAction,
    AuditTheme,
    Case,
    Event,
    Exemplar,
    ImportBatch,
    InboxItem,
    Moderation,
    PracticeTheme,
    RejectedRow,
    RoundCase,
    RubricDraft,
    RubricVersion,
    SamplingRound,
    Staff,
    Team,
    User,
)
from tests.audits.world import complete_form
from tests.performance import worlds
from tests.support.auth import sign_in


@dataclass(frozen=True)
class Page:
    """One request to count: who asks, for what, and the status a healthy answer has."""

    name: str
    role: Role
    url: Callable[[worlds.World], str]
    method: str = "GET"
    status: int = 200
    form: Callable[[worlds.World, object, int], dict] | None = None


def _draft_form(world: worlds.World, client, attempt: int) -> dict:
    """A save that changes every answer (alternating ratings), so each post really writes."""
    page = client.get(f"/audits/{world.draft_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    version = re.search(r'name="version"[^>]* value="(\d+)"', page)
    assert token and version, "the audit form has no csrf_token or version field"
    state = load_state(Audit.get(Audit.public_id == world.draft_id),
                       registries().criterion_types)
    return {**complete_form(state, rating_index=1 + attempt % 2), "intent": "save",
            "version": version.group(1), "csrf_token": token.group(1)}


def _summary(level: str) -> Callable[[worlds.World], str]:
    return lambda w: (f"/summaries?level={level}&granularity=year"
                      f"&period={w.last_month.year}&scope=")


PAGES: list[Page] = [
    *(Page(f"home ({role.value})", role, lambda w: "/") for role in Role),
    Page("audit form", Role.SUPERVISOR, lambda w: f"/audits/{w.draft_id}"),
    Page("draft save", Role.SUPERVISOR, lambda w: f"/audits/{w.draft_id}", method="POST",
         status=302, form=_draft_form),
    Page("supervisor dashboard", Role.SUPERVISOR, lambda w: "/my-audits"),
    Page("team summary (supervisor)", Role.SUPERVISOR, _summary("practitioner")),
    Page("practitioner's audits", Role.PRACTITIONER, lambda w: "/my-case-audits"),
    Page("audit result (practitioner)", Role.PRACTITIONER, lambda w: f"/audits/{w.result_id}"),
    Page("audit result (supervisor)", Role.SUPERVISOR, lambda w: f"/audits/{w.result_id}"),
    Page("round", Role.SUPERVISOR, lambda w: f"/rounds/{w.round_id}"),
    Page("rounds this month", Role.QUALITY_LEAD, lambda w: "/rounds"),
    Page("round population", Role.QUALITY_LEAD, lambda w: f"/rounds/{w.round_id}/population"),
    Page("moderation queue", Role.QUALITY_LEAD, lambda w: "/moderation"),
    Page("moderation (supervisor)", Role.SUPERVISOR, lambda w: "/moderation"),
    Page("moderation assignment", Role.QUALITY_LEAD,
         lambda w: f"/moderation/{w.moderation_id}"),
    Page("moderation statistics", Role.QUALITY_LEAD, lambda w: "/moderation/statistics"),
    Page("HR summary by service", Role.HR, _summary("service")),
    Page("HR summary by team", Role.HR, _summary("team")),
    Page("HR summary by practitioner", Role.HR, _summary("practitioner")),
    Page("trends", Role.HR,
         lambda w: "/summaries/trends?level=team&metric=good_or_better_pct&months=12&scope="),
    Page("coverage (HR)", Role.HR, lambda w: "/coverage"),
    Page("coverage (quality lead)", Role.QUALITY_LEAD, lambda w: "/coverage"),
    Page("inbox", Role.SUPERVISOR, lambda w: "/inbox"),
    Page("admin users", Role.ADMIN, lambda w: "/admin/users"),
    Page("admin imports", Role.ADMIN, lambda w: "/admin/imports"),
    Page("admin import report", Role.ADMIN, lambda w: f"/admin/imports/{w.batch_id}"),
    Page("audit trail search", Role.ADMIN, lambda w: "/admin/audit-trail?action=audit."),
    Page("rubrics", Role.QUALITY_LEAD, lambda w: "/rubrics"),
    Page("rubric", Role.QUALITY_LEAD, lambda w: f"/rubrics/{w.rubric_id}"),
    Page("learning (quality lead)", Role.QUALITY_LEAD, lambda w: "/learning"),
    Page("learning (practitioner)", Role.PRACTITIONER, lambda w: "/learning"),
    Page("learning audit", Role.QUALITY_LEAD, lambda w: f"/learning/audits/{w.result_id}"),
]

# Queries per request in the small council; the large council must need exactly as many.
# Each includes the lookup of the signed-in session (the home pages' only query), and a page
# that shows children's case references one more: its ``cases.shown`` trail entry.
EXPECTED: dict[str, int] = {
    "home (admin)": 1,
    "home (quality_lead)": 1,
    "home (supervisor)": 1,
    "home (practitioner)": 1,
    "home (hr)": 1,
    "home (senior_leader)": 1,
    "audit form": 9,
    "draft save": 10,
    "supervisor dashboard": 10,
    "team summary (supervisor)": 20,  # a grouped query per breakdown: four dimensions
    "practitioner's audits": 4,
    "audit result (practitioner)": 10,
    "audit result (supervisor)": 12,
    "round": 4,
    "rounds this month": 3,
    "round population": 12,
    "moderation queue": 9,
    "moderation (supervisor)": 4,
    "moderation assignment": 8,
    "moderation statistics": 2,
    "HR summary by service": 20,
    "HR summary by team": 20,
    "HR summary by practitioner": 20,
    "trends": 6,
    "coverage (HR)": 3,
    "coverage (quality lead)": 5,
    "inbox": 2,
    "admin users": 2,
    "admin imports": 2,
    "admin import report": 4,
    "audit trail search": 5,
    "rubrics": 3,
    "rubric": 3,
    "learning (quality lead)": 7,
    "learning (practitioner)": 3,
    "learning audit": 7,
}

# Tables the large council must hold clearly more rows of (1.5 times at least; most hold 3 to
# 9 times as many, the demo logins and built-in rubrics being fixed): what the pages list.
GROWING = (Team, Staff, Case, User, SamplingRound, RoundCase, Audit, AuditAction, Moderation,
           PracticeTheme, AuditTheme, Exemplar, InboxItem, ImportBatch, RejectedRow,
           RubricVersion, RubricDraft, Event)


@dataclass
class Count:
    """The statements one request ran (their SQL, parameters left out)."""

    council: str
    queries: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.queries)

    def extra_over(self, other: Count) -> list[str]:
        """Statements this request ran more often than ``other`` did, most repeated first."""
        mine, theirs = Counter(self.queries), Counter(other.queries)
        return [f"  {n - theirs[sql]} more in the {self.council} council: {sql[:300]}"
                for sql, n in mine.most_common() if n > theirs[sql]]


def _statement(record: logging.LogRecord) -> str:
    sql, _params = record.msg
    return sql


def _measure(app, world: worlds.World, council: str) -> dict[str, Count]:
    """Sign each role in once, then request every page twice and count the second request."""
    clients = {}
    for role, username in worlds.USERNAMES.items():
        client = app.test_client()
        assert sign_in(client, username).status_code == 302, f"{username} cannot sign in"
        clients[role] = client
    counts = {}
    for page in PAGES:
        client = clients[page.role]
        url = page.url(world)
        for attempt in range(2):
            data = None
            if page.form is not None:
                with app.app_context():
                    data = page.form(world, client, attempt)
            with count_queries() as counted:
                response = client.open(url, method=page.method, data=data)
            assert response.status_code == page.status, (
                f"{page.name}: {page.method} {url} answered {response.status_code}, "
                f"not {page.status}: {response.get_data(as_text=True)[:300]}")
        counts[page.name] = Count(council, [_statement(r) for r in counted.get_queries()])
    return counts


def _fresh_database(request: pytest.FixtureRequest, backend: str) -> str:
    """An empty migrated database for the second council: a new SQLite file, or the
    worker's PostgreSQL database emptied again (the first council is measured by then)."""
    if backend == "sqlite":
        path = request.getfixturevalue("tmp_path") / "large.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_template")
    tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    conn.close()
    return url


def _council(app, url: str, scale: worlds.Scale) -> tuple[dict[str, Count], dict[str, int]]:
    """Build a council of this scale at ``url``; every page's count and each table's size.

    Both councils share one app (its templates compile once); only the database changes.
    """
    bind(url)
    with app.app_context():
        database.connect(reuse_if_open=True)
        try:
            world = worlds.build(scale, local_today())
        finally:
            database.close()
    counts = _measure(app, world, scale.name)
    with app.app_context():
        database.connect(reuse_if_open=True)
        sizes = {model.__name__: model.select().count() for model in GROWING}
        database.close()
    return counts, sizes


def test_no_key_page_runs_more_queries_with_more_data(
    app, db_url: str, backend: str, request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch, cheap_passwords: None,
) -> None:
    # Counting turns peewee's debug log on; keep the statements out of pytest's log capture.
    monkeypatch.setattr(logging.getLogger("peewee"), "propagate", False)
    small, small_sizes = _council(app, db_url, worlds.SMALL)
    large, large_sizes = _council(app, _fresh_database(request, backend), worlds.LARGE)

    empty = [name for name, n in small_sizes.items() if n == 0]
    assert not empty, f"the small council has no rows of {empty}: those lists go untested"
    thin = {name: (small_sizes[name], n) for name, n in large_sizes.items()
            if n < 1.5 * small_sizes[name]}
    assert not thin, f"the large council is not much larger in (small, large) rows: {thin}"
    differ = [f"{name}: {count.total} queries in the small council, {large[name].total} in "
              "the large one\n" + "\n".join(large[name].extra_over(count)
                                             + count.extra_over(large[name]))
              for name, count in small.items() if large[name].total != count.total]
    assert not differ, "pages whose query count depends on the data:\n" + "\n".join(differ)
    changed = {name: (EXPECTED.get(name), count.total) for name, count in small.items()
               if count.total != EXPECTED.get(name)}
    assert not changed, (
        f"pages whose query count changed, (expected, now): {changed}; update EXPECTED if "
        "that is intended")


def test_every_key_page_has_an_expected_count() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in PAGES)

"""A council with an object of every kind a URL can name, for the security walks.

Built on the audit tests' ``world`` (two teams, their supervisors, practitioners
and rounds) and grown through the real services: audits in every state (draft,
submitted with a practitioner response and actions, moderation drafts, a
thematic audit), moderations, a thematic audit, a rubric draft, a rubric
assignment, sampling policies, a practice theme, exemplars, an import with a
rejected row, delivered inbox items and an API token for every user.

Who is who (usernames):

- team A: ``sam`` supervisor and ``sid`` a second supervisor, ``pat`` and ``cal``
  practitioners; team B: ``bea`` supervisor, ``bo`` practitioner; ``hana``
  supervises no team (she line-manages both supervisors, so she reads both teams'
  audits) and carries out the thematic audit;
- ``ada`` administrator, ``quinn`` quality lead, ``mona`` a quality lead who is
  moderating team A's submitted audit blind, ``lee`` senior leader, ``hal`` HR.

``secret`` strings sit only in the evidence, response and one exemplar of team
A's submitted audit, so a page that leaks that audit to someone who may not read
it (``mona`` before she submits) can be found by searching responses.

Import into a test module with
``from tests.security.world import security_world_fixture, world_fixture``
(with ``# noqa: F401``).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import product
from urllib.parse import unquote

import pytest
from werkzeug.routing import Rule

from audit_service.domain.audits import answers_from_form
from audit_service.domain.sampling.thematic import CohortFilters
from audit_service.domain.vocabulary import Role, StaffRole
from audit_service.extension import registries
from audit_service.services.accounts import users as accounts
from audit_service.services.audits import actions as action_service
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.imports.case_import import ConfirmationNeeded, ImportFailed, import_file
from audit_service.services.moderation import learning
from audit_service.services.moderation import workflow as moderation_service
from audit_service.services.platform import outbox
from audit_service.services.rubrics import assignments as rubric_assignments
from audit_service.services.rubrics import drafts as rubric_drafts
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.services.sampling import policies as sampling_policies
from audit_service.services.sampling import thematic as thematic_audits
from audit_service.storage.database import database, is_sqlite
from audit_service.storage.models import (
    ALL_MODELS,
    ApiToken,
    Audit,
    AuditAction,
    Case,
    Event,
    Exemplar,
    ImportBatch,
    InboxItem,
    Moderation,
    PracticeTheme,
    RoundCase,
    RubricAssignment,
    RubricDraft,
    SamplingRound,
    Service,
    Staff,
    ThematicAudit,
    User,
)
from tests.audits.world import World, _case, _staff, complete_form, world_fixture  # noqa: F401
from tests.support.auth import sign_in

# Only in team A's submitted audit: its evidence, its practitioner's response, one exemplar.
SECRET_EVIDENCE = "kestrel lantern evidence"
SECRET_RESPONSE = "heron meadow response"
SECRET_EXEMPLAR = "osprey harbour excerpt"
ROLE_OF = {
    "ada": Role.ADMIN, "quinn": Role.QUALITY_LEAD, "mona": Role.QUALITY_LEAD,
    "lee": Role.SENIOR_LEADER, "hal": Role.HR, "sam": Role.SUPERVISOR, "sid": Role.SUPERVISOR,
    "hana": Role.SUPERVISOR, "bea": Role.SUPERVISOR, "pat": Role.PRACTITIONER,
    "cal": Role.PRACTITIONER, "bo": Role.PRACTITIONER,
}
# One user per role for walks that go "as each role": ones with objects of their own.
ONE_PER_ROLE = {Role.ADMIN: "ada", Role.QUALITY_LEAD: "quinn", Role.SENIOR_LEADER: "lee",
                Role.HR: "hal", Role.SUPERVISOR: "sam", Role.PRACTITIONER: "pat"}
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')

# Which kind of object a ``public_id`` names, by endpoint, then by blueprint.
PUBLIC_ID_BY_ENDPOINT = {
    "audits.update_action": "action", "api_audits.update_action": "action",
    "learning.withdraw": "exemplar", "api_learning.withdraw_exemplar": "exemplar",
}
PUBLIC_ID_BY_BLUEPRINT = {
    "audits": "audit", "api_audits": "audit", "learning": "audit", "api_learning": "audit",
    "rounds": "round", "api_rounds": "round", "moderation": "moderation",
    "api_moderation": "moderation", "thematic": "thematic", "api_thematic": "thematic",
    "rubric_drafts": "draft", "api_rubric_drafts": "draft", "admin_imports": "import",
    "api_imports": "import",
}


class NoFixture(LookupError):
    """The world has no value for this URL argument: add the object, then map it here."""


@dataclass
class Signed:
    """A signed-in browser (the raw Flask test client) and its session's CSRF token."""

    client: object
    user: User
    token: str


@dataclass
class SecurityWorld:
    app: object
    base: World
    users: dict[str, User]
    tokens: dict[str, str]
    audits: dict[str, Audit]
    actions: dict[str, AuditAction]
    rounds: dict[str, SamplingRound]
    moderations: dict[str, Moderation]
    thematic: ThematicAudit
    draft: RubricDraft
    theme: PracticeTheme
    exemplars: dict[str, Exemplar]
    inbox: dict[str, InboxItem]
    batch: ImportBatch
    held_import: ImportBatch
    assignment: RubricAssignment
    council: Service
    spare: User
    spare_token: ApiToken
    _browsers: dict[str, Signed] = field(default_factory=dict)

    # --- clients -----------------------------------------------------------------------

    def browser(self, name: str) -> Signed:
        """``name`` signed in through the login form (one browser per user, made once)."""
        if name not in self._browsers:
            client = self.app.test_client()
            response = sign_in(client, name)
            assert response.status_code == 302, f"{name} could not sign in"
            self._browsers[name] = Signed(client, self.users[name], csrf_token(client))
        return self._browsers[name]

    def sign_in_all(self) -> None:
        """Sign everyone in now, so that later snapshots do not see sessions being opened."""
        for name in self.users:
            self.browser(name)

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def fresh(self, model_object):
        """The row as the database has it now."""
        return type(model_object).get_by_id(model_object.id)

    def child_ids(self) -> list[str]:
        return [c.child_id for c in Case.select(Case.child_id)]

    # --- URL values --------------------------------------------------------------------

    def values(self, endpoint: str, arg: str) -> list[object]:
        """Real values for one URL argument of ``endpoint``; NoFixture when there are none."""
        if arg == "public_id":
            kind = PUBLIC_ID_BY_ENDPOINT.get(endpoint) or PUBLIC_ID_BY_BLUEPRINT.get(
                endpoint.partition(".")[0])
            objects = {
                "audit": list(self.audits.values()), "action": list(self.actions.values()),
                "exemplar": list(self.exemplars.values()), "round": list(self.rounds.values()),
                "moderation": list(self.moderations.values()), "thematic": [self.thematic],
                "draft": [self.draft], "import": [self.batch, self.held_import],
            }.get(kind)
            if objects is None:
                raise NoFixture(f"{endpoint}: no kind of object is mapped to its public_id")
            return [o.public_id for o in objects]
        fixed = {
            "item_id": [item.id for item in self.inbox.values()],
            "theme_id": [self.theme.id],
            "assignment_id": [self.assignment.id],
            "index": [0, 1],
            "position": [1, 2],
            "number": [1],
            "rubric_id": [self.draft.rubric_id],
            # An account nobody signs in as: an administrator's probe may disable it.
            "user_id": [self.spare.id],
            "token_id": [self.spare_token.id],
            "staff_id": [s.id for s in Staff.select(Staff.id).order_by(Staff.id).limit(2)],
            "step": ["enable", "reset-password", "disable"],
        }
        if arg in fixed:
            return fixed[arg]
        if arg == "fmt":
            return list(registries().exporters.ids())
        if arg == "name":
            from audit_service.web import summaries

            return list(getattr(summaries, "TABLE_NAMES", ()))
        raise NoFixture(f"{endpoint}: the world has no values for <{arg}>")

    def url_args(self, rule: Rule) -> list[dict[str, object]]:
        """Every combination of real values for the rule's arguments (with the app context)."""
        args = sorted(set(rule.arguments) - set(rule.defaults or ()))
        if rule.endpoint == "policies.edit":
            if "ident" not in args:
                return [{"kind": "council"}]
            return [{"kind": "teams", "ident": self.base.team_a.id},
                    {"kind": "services", "ident": self.council.id}]
        choices = [self.values(rule.endpoint, arg) for arg in args]
        return [dict(zip(args, values, strict=True)) for values in product(*choices)]

    def urls(self, rule: Rule) -> Iterator[str]:
        """The rule's URLs with real ids (and the query string an API read requires)."""
        query = self.query(rule.endpoint)
        for kwargs in self.url_args(rule):
            yield rule.build({**kwargs, **query})[1]

    def query(self, endpoint: str) -> dict[str, object]:
        """Query-string arguments the endpoint requires, with real values."""
        month = f"{dt.date.today():%Y-%m}"
        return {
            "api_audits.round_audits": {"round": self.base.round_a.public_id},
            "api_learning.theme_counts": {"from": month, "to": month},
            "api_moderation.statistics": {"from": month, "to": month},
            "api_rubric_changes.diff": {"from": 1, "to": 1},
        }.get(endpoint, {})


# Written by reading, by design: the last-seen time of a browser session or an API token.
TOUCHED_BY_READING = {"user_session": {"last_seen_at"}, "api_token": {"last_used_at"}}


def snapshot(ignore_events: Collection[str] = ()) -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of its rows in id order, in one round trip.

    Events whose action is in ``ignore_events`` are left out (the trail is
    append-only, and some reads are recorded by design), and so are the
    columns in ``TOUCHED_BY_READING``. Compare snapshots from one backend only.
    """
    sql = _snapshot_sql(tuple(sorted(ignore_events)), is_sqlite())
    return {table: (count, digest) for table, count, digest in database.execute_sql(sql)}


@functools.cache
def _snapshot_sql(ignore_events: tuple[str, ...], sqlite: bool) -> str:
    parts = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        skip = TOUCHED_BY_READING.get(table, set())
        columns = [f'"{f.column_name}"' for f in model._meta.sorted_fields
                   if f.column_name not in skip]
        where = ""
        if model is Event and ignore_events:
            actions = ", ".join("'" + a.replace("'", "''") + "'" for a in ignore_events)
            where = f" WHERE action NOT IN ({actions})"
        if sqlite:  # no hash function: the rows themselves, quoted, stand in for the digest
            row = " || ',' || ".join(f"quote({c})" for c in columns)
            digest = f"group_concat({row}, char(10))"
            source = f'(SELECT * FROM "{table}"{where} ORDER BY id)'
        else:
            digest = f"md5(string_agg(ROW({', '.join(columns)})::text, E'\\n' ORDER BY id))"
            source = f'"{table}"{where}'
        parts.append(f"SELECT '{table}', COUNT(*), {digest} FROM {source}")
    return " UNION ALL ".join(parts)


def changed_tables(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]
                   ) -> list[str]:
    """``table (rows before -> after)`` for every table whose rows differ."""
    return [f"{t} ({before[t][0]} -> {after[t][0]} rows)" for t in before
            if before[t] != after[t]]


_URL_ATTRIBUTES = re.compile(r'\b(?:href|action|src|formaction)="([^"]*)"')


def rendered_urls(response) -> list[str]:
    """The URLs a response hands out: links, form actions, sources, JSON paths, redirects."""
    urls = [response.headers["Location"]] if "Location" in response.headers else []
    if response.mimetype == "text/html":
        urls += _URL_ATTRIBUTES.findall(response.get_data(as_text=True))
    elif response.is_json:
        urls += [v for v in _strings(response.get_json(silent=True)) if v.startswith("/")]
    return urls


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def case_refs_in_urls(response, child_ids: Iterable[str]) -> list[str]:
    """Rendered URLs that carry a case system's child id (they must never: URLs get logged)."""
    lowered = [c.lower() for c in child_ids]
    return [url for url in rendered_urls(response)
            if any(child in unquote(url).lower() for child in lowered)]


def csrf_token(client) -> str:
    """The session's token, read from the sign-out form every page carries."""
    html = client.get("/accessibility").get_data(as_text=True)
    found = _CSRF.search(html)
    assert found, "no csrf_token on the accessibility page"
    return found.group(1)


def _answers(audit: Audit, evidence: str):
    state = audit_service.load_state(audit, registries().criterion_types)
    form = complete_form(state, 1)
    for key in [k for k in form if k.startswith("evidence-")]:
        form[key] = f"{evidence} for {key}"
    return answers_from_form(form, state.keys)


def _submitted(auditor: User, round_: SamplingRound, case, evidence: str) -> Audit:
    types = registries().criterion_types
    audit, _ = audit_service.start_audit(auditor, round_.public_id, case.public_id, types)
    audit_service.submit(auditor, audit, _answers(audit, evidence), audit.version, types)
    return Audit.get_by_id(audit.id)


def _draft(auditor: User, round_: SamplingRound, case) -> Audit:
    types = registries().criterion_types
    audit, _ = audit_service.start_audit(auditor, round_.public_id, case.public_id, types)
    audit_service.save_draft(auditor, audit, _answers(audit, "Draft evidence"), audit.version,
                             types)
    return Audit.get_by_id(audit.id)


def _responded(practitioner: User, audit: Audit, text: str) -> Audit:
    audit_service.respond(practitioner, audit, text, audit.version)
    return Audit.get_by_id(audit.id)


def _action(supervisor: User, audit: Audit, owner: User, today: dt.date) -> AuditAction:
    data = action_service.ActionInput("Update the child's plan", owner,
                                      today + dt.timedelta(days=14))
    return action_service.create_action(supervisor, audit, data, today)


def _failed_import(admin: User) -> ImportBatch:
    """An upload the importer could not use: a batch with one rejected row, no cases."""
    rows = ("List,Child Unique ID,Date of Birth,Allocated Team,Allocated Worker\r\n"
            "List 6,,01/05/2015,Safeguarding North,Pat Practice\r\n")
    try:
        import_file(io.BytesIO(rows.encode()), "caseload.csv", uploaded_by=admin,
                    as_of=dt.date.today(), importers=registries().importers,
                    closure_limit=None)
    except ImportFailed as failed:
        return ImportBatch.get_by_id(failed.batch.id)
    raise AssertionError("the importer accepted a file without a child id")


def _held_import(admin: User) -> ImportBatch:
    """A one-child caseload file that would close nearly every open case: it waits for an
    administrator to confirm it."""
    rows = ("Child Unique ID,Date of Birth,Case Status,Allocated Team,Allocated Worker\r\n"
            "HELD-1,01/05/2015,c) CIN plan,Safeguarding North,Pat Practice\r\n")
    try:
        import_file(io.BytesIO(rows.encode()), "one_child.csv", uploaded_by=admin,
                    as_of=dt.date.today(), importers=registries().importers, closure_limit=0.1)
    except ConfirmationNeeded as held:
        return ImportBatch.get_by_id(held.batch.id)
    raise AssertionError("an import closing nearly every case went ahead unconfirmed")


def build(app, world: World, make_user) -> SecurityWorld:
    """Everything above, through the services (the base world made rounds and cases)."""
    w = world
    today = dt.date.today()
    users = {u.username: u for u in (w.supervisor, w.practitioner, w.colleague, w.manager,
                                      w.other_supervisor, w.other_practitioner)}
    second = _staff("Sid Second", w.team_a, StaffRole.TEAM_MANAGER, w.manager.staff)
    users["sid"] = make_user(Role.SUPERVISOR, "sid", staff=second, display_name="Sid Second")
    for name, label in (("ada", "Ada Admin"), ("quinn", "Quinn Lead"), ("mona", "Mona Moderator"),
                        ("lee", "Lee Leader"), ("hal", "Hal Workforce")):
        users[name] = make_user(ROLE_OF[name], name, display_name=label)
    assert set(users) == set(ROLE_OF)
    sam, pat, bea, bo = users["sam"], users["pat"], users["bea"], users["bo"]
    quinn = users["quinn"]
    staff_b = bo.staff
    case_b2 = _case("CHILD-B2", "child_in_need", w.team_b, staff_b)
    RoundCase.create(round=w.round_b, case=case_b2, position=2, reason="simple random")
    _case("CHILD-B3", "looked_after", w.team_b, staff_b)
    with app.app_context():
        audit_service.ensure_published(registries().rubrics)
        a_submitted = _responded(pat, _submitted(sam, w.round_a, w.cases_a[0], SECRET_EVIDENCE),
                                 f"I agree; {SECRET_RESPONSE}.")
        a_draft = _draft(sam, w.round_a, w.cases_a[1])
        b_submitted = _responded(bo, _submitted(bea, w.round_b, w.case_b, "Team B evidence"),
                                 "Thank you for the audit.")
        b_draft = _draft(bea, w.round_b, case_b2)
        actions = {"a": _action(sam, a_submitted, pat, today),
                   "b": _action(bea, b_submitted, bo, today)}
        moderations = {}
        for key, first, moderator in (("a", a_submitted, "mona"), ("b", b_submitted, "sam")):
            picked = moderation_service.pick(quinn, first.public_id)
            moderation_service.assign(quinn, picked.id, moderator)
            moderations[key] = Moderation.get(Moderation.public_id == picked.id)
        thematic = thematic_audits.define(
            "Looked-after children in team B",
            CohortFilters(case_types=["looked_after"], team_ids=[w.team_b.id]), actor=quinn)
        [drawn] = thematic_audits.draw(thematic.public_id, 1, "simple_random", actor=quinn,
                                       registry=registries().sampling_strategies, today=today,
                                       seed="security-world").cases
        thematic = ThematicAudit.get(ThematicAudit.public_id == thematic.public_id)
        thematic_audits.choose_rubrics(thematic.public_id, ["voice_of_the_child"], actor=quinn)
        thematic_audits.assign(thematic.public_id, {drawn.id: "hana"}, actor=quinn)
        theme = learning.add_theme(quinn, "Drift", "Plans that stop moving")
        learning.set_themes(quinn, b_submitted, [theme.id], [])
        exemplars = {
            "a": learning.share_exemplar(quinn, a_submitted, "The child's words", "",
                                         f"Recorded in the child's words: {SECRET_EXEMPLAR}."),
            "b": learning.share_exemplar(quinn, b_submitted, "A clear plan", "",
                                         "The plan was reviewed with the family every month."),
        }
        draft = rubric_drafts.draft_from_version(
            "voice_of_the_child", rubric_versions.latest_version("voice_of_the_child").number,
            author=quinn)
        council = Service.get_by_id(w.team_a.service_id)
        for scope in ({"team": w.team_a}, {"service": council}):
            sampling_policies.set_policy(sampling_policies.base_settings(**scope), actor=quinn,
                                         registry=registries().sampling_strategies, **scope)
        # After every audit has started: assignments decide the rubrics of new audits only.
        assignment = rubric_assignments.assign("voice_of_the_child", ["care_leaver"],
                                               service_id=council.id, actor=quinn)
        batch = _failed_import(users["ada"])
        held_import = _held_import(users["ada"])
        for name, user in users.items():  # everyone has an inbox item, notified or not
            outbox.enqueue(f"welcome:{name}", user, "Welcome", "Your account is ready.", None,
                           "/")
        outbox.deliver_due(dt.datetime.now(dt.UTC), registries().notifiers)
    tokens = {name: accounts.create_token(user, "security", actor_label="test")
              for name, user in users.items()}
    inbox = {name: InboxItem.select().where(InboxItem.user == user.id)
             .order_by(InboxItem.id).get() for name, user in users.items()}
    # In this order, walks that stop at the first page that opens meet a draft their
    # auditor edits (the form) before the submitted audits.
    fresh = {key: Audit.get_by_id(a.id) for key, a in (
        ("a_draft", a_draft), ("a_submitted", a_submitted), ("b_draft", b_draft),
        ("b_submitted", b_submitted),
        ("moderation_a", Audit.get_by_id(moderations["a"].moderation_audit_id)),
        ("moderation_b", Audit.get_by_id(moderations["b"].moderation_audit_id)),
        ("thematic", Audit.get(Audit.thematic_case == drawn.id)))}
    return SecurityWorld(
        app=app, base=w, users=users, tokens=tokens, audits=fresh, actions=actions,
        rounds={"a": w.round_a, "b": w.round_b}, moderations=moderations,
        thematic=ThematicAudit.get_by_id(thematic.id), draft=draft, theme=theme,
        exemplars=exemplars, inbox=inbox, batch=batch, held_import=held_import,
        assignment=assignment, council=council,
        spare=make_user(Role.HR, "spare", display_name="Spare Account"),
        spare_token=_spare_token(users["pat"]))


def _spare_token(owner: User) -> ApiToken:
    """A token of pat's that a probe may revoke: the world's own tokens keep working."""
    accounts.create_token(owner, "spare", actor_label="test")
    return ApiToken.get((ApiToken.user == owner.id) & (ApiToken.name == "spare"))


@pytest.fixture(name="security_world")
def security_world_fixture(cheap_passwords, app, world, make_user) -> SecurityWorld:
    """Named first, ``cheap_passwords`` is in place before the base world makes its users."""
    return build(app, world, make_user)

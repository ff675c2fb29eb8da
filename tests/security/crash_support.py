"""Kill the real server with SIGKILL mid-write, restart it, and say what the database holds.

The crash tests drive ``audit-service serve`` (a subprocess, as in production)
over HTTP, so nothing in-process can tidy up after the kill. This module holds
what they share: the server harness, a probe that tells whether a write
transaction is open at the moment of the kill (so a run can show its kills
landed inside transactions, not only between them), the worlds the tests
build through the services, and the checkers that define "complete":

- an audit is either the draft it was seeded as (same version, same draft
  ratings, no result anywhere) or submitted in full (one version later, the
  ratings that were sent, each domain's explanation, the overall grade and
  explanation the domain code computes for those answers, one
  ``audit.submitted`` event, the practitioner's notice, and the escalation
  when it is inadequate); a round is completed exactly when all its cases are
  submitted;
- an import is either applied in full (cases, closures, new teams and staff,
  rejected rows, the completed batch with counts that match, one
  ``cases.imported`` event) or not at all (every case row, team and staff
  exactly as before, and no batch row left behind).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import psycopg2

from audit_service.domain.audits import Answer, CriterionKey, explain, score_audit
from audit_service.domain.imports.case_reconcile import facts_hash, reconcile, status_of
from audit_service.domain.names import name_key
from audit_service.domain.vocabulary import AuditStatus, CaseStatus, Role, StaffRole
from audit_service.extension import registries
from audit_service.plugins.installed import importer_for
from audit_service.services.accounts import users as accounts
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.imports.case_import import MISSING_REASON
from audit_service.services.platform import outbox
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.storage.database import database
from audit_service.storage.models import (
    Audit,
    AuditRating,
    AuditRubric,
    Case,
    Event,
    ImportBatch,
    OutboxMessage,
    RejectedRow,
    RoundCase,
    SamplingPolicy,
    SamplingRound,
    Service,
    Staff,
    Team,
)
from tests.support.installed import installed

ROOT = Path(__file__).resolve().parents[2]
SERVER_THREADS = 8

# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortTaken(RuntimeError):
    pass


class Server:
    """``audit-service serve`` in its own process, started, killed with SIGKILL and restarted."""

    def __init__(self, db_url: str, workdir: Path):
        self.db_url = db_url
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0
        self.start_seconds: list[float] = []

    @property
    def log_path(self) -> Path:
        return self.workdir / f"server-{self.starts}.log"

    def start(self, timeout: float = 120.0) -> None:
        """Start on a free port and wait for ``/healthz``; a port taken meanwhile is retried."""
        for attempt in range(3):
            try:
                return self._start(timeout)
            except PortTaken:
                if attempt == 2:
                    raise

    def _start(self, timeout: float) -> None:
        self.starts += 1
        self.port = free_port()
        env = {
            **os.environ,
            "AUDIT_DATABASE_URL": self.db_url,
            "AUDIT_INSECURE_COOKIES": "1",
            "AUDIT_SECRET_KEY": "crash-safety-secret",
            "AUDIT_INSTANCE_DIR": str(self.workdir),
        }
        started = time.perf_counter()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "audit_service.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port), "--threads", str(SERVER_THREADS)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                tail = self.log_tail()
                if "address already in use" in tail.lower():
                    raise PortTaken(tail)
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{tail}")
            try:
                status, _ = http_call(self.port, "GET", "/healthz", timeout=2)
            except OSError:
                status = None
            if status == 200:
                self.start_seconds.append(time.perf_counter() - started)
                return
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the server was not ready within {timeout:.0f}s:\n" + self.log_tail())

    def kill(self) -> None:
        """SIGKILL: no handler runs, no transaction is finished, no connection is closed."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def http_call(port: int, method: str, path: str, *, token: str | None = None,
              body: bytes | None = None, content_type: str = "application/json",
              timeout: float = 120.0) -> tuple[int, object]:
    """One request on a fresh connection; the decoded JSON body (or text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        return _send(conn, method, path, token=token, body=body, content_type=content_type)
    finally:
        conn.close()


def _send(conn: http.client.HTTPConnection, method: str, path: str, *, token: str | None,
          body: bytes | None, content_type: str = "application/json") -> tuple[int, object]:
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    try:
        return response.status, json.loads(data)
    except ValueError:
        return response.status, data.decode(errors="replace")


def multipart(field_name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field_name}\"; "
        f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# --- is a write transaction open right now? ----------------------------------------------------

# SQLite's unix VFS keeps WAL locks as POSIX byte locks in the -shm file; byte 120 is
# WAL_WRITE_LOCK, held exclusively from a write transaction's first write to its end.
_SQLITE_WAL_WRITE_LOCK = 120
_FLOCK = "hhqqi4x"


class WriterProbe:
    """Reports, without taking any lock, whether another process has a write transaction open."""

    def __init__(self, db_url: str):
        self.sqlite_path = db_url.removeprefix("sqlite:///") if db_url.startswith("sqlite") \
            else None
        self._pg = None if self.sqlite_path else psycopg2.connect(db_url)
        if self._pg is not None:
            self._pg.autocommit = True

    def open(self) -> bool:
        if self.sqlite_path is not None:
            return self._sqlite_writer()
        with self._pg.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
            return cur.fetchone()[0] > 0

    def _sqlite_writer(self) -> bool:
        try:
            fd = os.open(f"{self.sqlite_path}-shm", os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            query = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, _SQLITE_WAL_WRITE_LOCK, 1, 0)
            answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
            return struct.unpack(_FLOCK, answer)[0] != fcntl.F_UNLCK
        finally:
            os.close(fd)

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()


def sqlite_integrity(db_url: str) -> str:
    """``PRAGMA integrity_check`` from a fresh connection ("ok" when the file is sound)."""
    import sqlite3

    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


# --- the audit world ---------------------------------------------------------------------------

RatingRow = tuple[int, str, str | None, str | None, str]


@dataclass(frozen=True)
class PlannedSubmit:
    """A seeded draft and everything a complete submission of it must leave behind."""

    audit_id: int
    public_id: str
    round_id: int
    thread: int
    iteration: int
    token: str
    version: int
    draft_ratings: frozenset[RatingRow]
    final_ratings: frozenset[RatingRow]
    body: bytes
    result: dict
    notifies_practitioner: bool
    escalates: bool

    @property
    def grade(self) -> str | None:
        grade = self.result["overall"]["grade"]
        return grade["id"] if grade else None


def _staff(name: str, team: Team | None, role: StaffRole, manager: Staff | None = None) -> Staff:
    return Staff.create(name=name, name_key=name_key(name), staff_role=role.value, team=team,
                        line_manager=manager)


def _rows(state: audit_service.AuditState, answers: dict[CriterionKey, Answer], *,
          final: bool) -> frozenset[RatingRow]:
    """The rating rows ``_write_ratings`` stores for ``answers``, derived here independently."""
    rows = set()
    for key in state.keys:
        answer = answers.get(key, Answer())
        if answer.is_empty:
            continue
        rows.add((
            state.version_of(key.rubric_id).id, key.criterion_id,
            None if final and answer.not_applicable else answer.rating,
            answer.na_reason if answer.not_applicable else None, answer.evidence,
        ))
    return frozenset(rows)


def _answers_for(state: audit_service.AuditState, seed: int, *, draft: bool
                 ) -> dict[CriterionKey, Answer]:
    """Draft: the first half of the criteria. Submit: every criterion, with one N/A if allowed.

    Ratings vary with ``seed`` so the grades run from outstanding to inadequate.
    """
    types = registries().criterion_types
    answers: dict[CriterionKey, Answer] = {}
    used_na = False
    for index, key in enumerate(state.keys):
        if draft and index >= len(state.keys) // 2:
            break
        rubric = state.rubrics[key.rubric_id]
        criterion = next(c for c in rubric.criteria if c.id == key.criterion_id)
        options = types[criterion.type].options(rubric.scale)
        if not draft and criterion.na_allowed and not used_na and seed % 3 == 0:
            used_na = True
            answers[key] = Answer(not_applicable=True, na_reason="Not relevant to this child",
                                  evidence=f"Checked {key.criterion_id}")
            continue
        pick = (seed + index * (seed % 5)) % len(options) if not draft else index % len(options)
        if not draft and seed % 4 == 3:
            pick = len(options) - 1  # a quarter of the audits end inadequate
        answers[key] = Answer(rating=options[pick].value,
                              evidence=f"{'Draft' if draft else 'Final'} note {key.criterion_id}")
    return answers


def _body(version: int, answers: dict[CriterionKey, Answer]) -> bytes:
    return json.dumps({"version": version, "answers": [
        {"rubric": k.rubric_id, "criterion": k.criterion_id, "rating": a.rating,
         "not_applicable": a.not_applicable, "na_reason": a.na_reason, "evidence": a.evidence}
        for k, a in answers.items()
    ]}).encode()


def build_submit_world(*, threads: int, iterations: int, per_round: int
                       ) -> list[PlannedSubmit]:
    """Draft audits through the services: per thread one supervisor with a bearer token and one
    round per iteration of ``per_round`` cases, each opened and saved half-done as a draft.

    Half the cases belong to a practitioner who has an account (they are told of the
    submission); every supervisor's line manager has one (told of an inadequate grade).
    One transaction: the services' own transactions nest as savepoints, and PostgreSQL
    then flushes its log once instead of once per statement.
    """
    with database.atomic():
        return _build_submit_world(threads, iterations, per_round)


def _build_submit_world(threads: int, iterations: int, per_round: int) -> list[PlannedSubmit]:
    types = registries().criterion_types
    rubric_versions.sync_installed(registries().rubrics)
    council = Service.create(name="Crash-test council")
    head = _staff("Hilda Head", None, StaffRole.SERVICE_MANAGER)
    accounts.create_user("hilda", role=Role.SUPERVISOR, password=None,
                         display_name="Hilda Head", staff=head, actor_label="test")
    policy = SamplingPolicy.create(scope="council", version=1, case_types=["child_protection"],
                                   created_by="test")
    plans: list[PlannedSubmit] = []
    for t in range(threads):
        team = Team.create(name=f"Crash team {t}", service=council)
        lead = _staff(f"Sup {t}", team, StaffRole.TEAM_MANAGER, head)
        known = _staff(f"Known worker {t}", team, StaffRole.SOCIAL_WORKER, lead)
        unknown = _staff(f"Unknown worker {t}", team, StaffRole.SOCIAL_WORKER, lead)
        supervisor = accounts.create_user(f"sup{t}", role=Role.SUPERVISOR, password=None,
                                          display_name=f"Sup {t}", staff=lead,
                                          actor_label="test")
        accounts.create_user(f"worker{t}", role=Role.PRACTITIONER, password=None,
                             display_name=f"Known worker {t}", staff=known, actor_label="test")
        token = accounts.create_token(supervisor, "crash test", actor_label="test")
        for it in range(iterations):
            round_ = SamplingRound.create(
                supervisor=lead, team=team, period=f"{2000 + it}-01", policy=policy,
                seed=f"crash-{t}-{it}", due_on=dt.date(2000 + it, 2, 1))
            for position in range(per_round):
                n = len(plans)
                case = Case.create(
                    child_id=f"CRASH-{t}-{it}-{position}",
                    case_type="child_protection" if n % 2 else "child_in_need",
                    team=team, worker=known if n % 2 else unknown, facts_hash=f"crash-{n}")
                RoundCase.create(round=round_, case=case, position=position, reason="crash test")
                audit, _ = audit_service.start_audit(supervisor, round_.public_id,
                                                     case.public_id, types)
                state = audit_service.load_state(audit, types)
                draft = _answers_for(state, n, draft=True) if n % 7 else {}  # some untouched
                if draft:
                    audit_service.save_draft(supervisor, audit, draft, audit.version, types)
                final = _answers_for(state, n, draft=False)
                result = explain(score_audit(state.rubrics, final, types,
                                             case_type=audit_service.case_type_of(audit)))
                grade = result["overall"]["grade"]
                plans.append(PlannedSubmit(
                    audit_id=audit.id, public_id=audit.public_id, round_id=round_.id,
                    thread=t, iteration=it, token=token, version=audit.version,
                    draft_ratings=_rows(state, draft, final=False),
                    final_ratings=_rows(state, final, final=True),
                    body=_body(audit.version, final), result=result,
                    notifies_practitioner=bool(n % 2),
                    escalates=bool(grade and grade["id"] == audit_service.INADEQUATE),
                ))
    return plans


# --- what a complete audit is --------------------------------------------------------------------


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def audit_problems(plans: Sequence[PlannedSubmit]) -> tuple[list[str], dict[str, str]]:
    """Every way the stored audits differ from "seeded draft" or "complete submission".

    Returns the problems and each audit's status. Reads everything in six queries.
    """
    ids = [p.audit_id for p in plans]
    public_ids = [p.public_id for p in plans]
    audits = {a.id: a for a in Audit.select().where(Audit.id.in_(ids))}
    ratings: dict[int, set[RatingRow]] = defaultdict(set)
    for r in AuditRating.select().where(AuditRating.audit.in_(ids)):
        ratings[r.audit_id].add((r.rubric_version_id, r.criterion_id, r.rating, r.na_reason,
                                 r.evidence))
    domains: dict[int, list[AuditRubric]] = defaultdict(list)
    for row in (AuditRubric.select().where(AuditRubric.audit.in_(ids))
                .order_by(AuditRubric.position, AuditRubric.id)):
        domains[row.audit_id].append(row)
    events = Counter(
        (e.action, e.object_id) for e in Event.select(Event.action, Event.object_id).where(
            (Event.object_type == "audit") & Event.object_id.in_(public_ids)
            & Event.action.in_(["audit.submitted", "audit.escalated"]))
    )
    notices = _notices()
    problems: list[str] = []
    statuses: dict[str, str] = {}
    for plan in plans:
        audit = audits.get(plan.audit_id)
        if audit is None:
            problems.append(f"{plan.public_id}: the audit row is gone")
            continue
        statuses[plan.public_id] = audit.status
        found = _draft_problems if audit.status == AuditStatus.DRAFT else _submitted_problems
        problems.extend(f"{plan.public_id} ({audit.status}): {p}" for p in found(
            plan, audit, ratings[plan.audit_id], domains[plan.audit_id], events, notices))
    return problems, statuses


class _Notices:
    """Queued notices by ``<kind>:<audit>``, each with the channels it went to (``:inbox``...).

    ``outbox.enqueue`` queues a notice once per default channel in one statement, so a
    notice is present on every channel or absent from all; anything else is half-written.
    """

    def __init__(self, keys: Iterable[str]):
        self.by_notice: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            notice, _, channel = key.rpartition(":")
            self.by_notice[notice].add(channel)

    def state(self, notice: str) -> str:
        channels = self.by_notice.get(notice, set())
        if not channels:
            return "absent"
        return "present" if channels == set(outbox.DEFAULT_NOTIFIERS) \
            else f"partial {sorted(channels)}"


def _notices() -> _Notices:
    return _Notices(key for (key,) in OutboxMessage.select(OutboxMessage.key).tuples()
                    if key.startswith(("audit-submitted:", "audit-inadequate:")))


def _draft_problems(plan: PlannedSubmit, audit: Audit, ratings: set[RatingRow],
                    domains: list[AuditRubric], events: Counter, notices: _Notices
                    ) -> list[str]:
    problems = []
    if audit.version != plan.version:
        problems.append(f"draft at version {audit.version}, seeded at {plan.version}")
    if ratings != plan.draft_ratings:
        problems.append(f"draft ratings changed: {len(ratings)} stored, "
                        f"{len(plan.draft_ratings)} seeded")
    leftovers = {name: getattr(audit, name) for name in
                 ("submitted_at", "overall_grade", "overall_score", "result")
                 if getattr(audit, name) is not None}
    if leftovers:
        problems.append(f"a draft holds results: {sorted(leftovers)}")
    if any(d.score is not None or d.grade is not None or d.explanation is not None
           for d in domains):
        problems.append("a draft holds a domain result")
    for action in ("audit.submitted", "audit.escalated"):
        if events[(action, plan.public_id)]:
            problems.append(f"a draft has an {action} event")
    for notice in (f"audit-submitted:{plan.public_id}", f"audit-inadequate:{plan.public_id}"):
        if notices.state(notice) != "absent":
            problems.append(f"a draft has queued the notice {notice}")
    return problems


def _submitted_problems(plan: PlannedSubmit, audit: Audit, ratings: set[RatingRow],
                        domains: list[AuditRubric], events: Counter, notices: _Notices
                        ) -> list[str]:
    problems = []
    expected = plan.result
    if audit.status != AuditStatus.SUBMITTED:
        problems.append(f"unknown status {audit.status!r}")
    if audit.version != plan.version + 1:
        problems.append(f"submitted at version {audit.version}, expected {plan.version + 1}")
    if audit.submitted_at is None:
        problems.append("no submitted_at")
    if ratings != plan.final_ratings:
        problems.append(f"ratings are not those submitted: {len(ratings)} stored, "
                        f"{len(plan.final_ratings)} sent, "
                        f"{len(ratings ^ plan.final_ratings)} differ")
    if audit.result != expected:
        problems.append("the stored explanation is not the score of the submitted answers")
    if audit.overall_grade != plan.grade:
        problems.append(f"overall grade {audit.overall_grade!r}, expected {plan.grade!r}")
    if audit.overall_score != _decimal(expected["overall"]["score"]):
        problems.append(f"overall score {audit.overall_score}, "
                        f"expected {expected['overall']['score']}")
    if len(domains) != len(expected["domains"]):
        problems.append(f"{len(domains)} domains, expected {len(expected['domains'])}")
    for row, domain in zip(domains, expected["domains"], strict=False):
        grade = domain["grade"]["id"] if domain["grade"] else None
        if (row.explanation != domain or row.grade != grade
                or row.score != _decimal(domain["score"])):
            problems.append(f"domain {domain['rubric_id']} result missing or wrong")
    if events[("audit.submitted", plan.public_id)] != 1:
        problems.append(f"{events[('audit.submitted', plan.public_id)]} audit.submitted events")
    if events[("audit.escalated", plan.public_id)] != int(plan.escalates):
        problems.append(f"{events[('audit.escalated', plan.public_id)]} audit.escalated events, "
                        f"expected {int(plan.escalates)}")
    for notice, wanted in ((f"audit-submitted:{plan.public_id}", plan.notifies_practitioner),
                           (f"audit-inadequate:{plan.public_id}", plan.escalates)):
        state = notices.state(notice)
        if state != ("present" if wanted else "absent"):
            problems.append(f"notice {notice.partition(':')[0]} is {state}")
    return problems


def round_problems(round_ids: Iterable[int]) -> list[str]:
    """A round is completed, with one round.completed event, exactly when all its cases are."""
    problems = []
    for round_ in SamplingRound.select().where(SamplingRound.id.in_(list(round_ids))):
        cases = RoundCase.select().where((RoundCase.round == round_.id)
                                         & RoundCase.replaced_at.is_null())
        submitted = (Audit.select().join(RoundCase, on=(Audit.round_case == RoundCase.id))
                     .where((RoundCase.round == round_.id)
                            & (Audit.status == AuditStatus.SUBMITTED)).count())
        done = submitted == cases.count()
        events = Event.select().where((Event.action == "round.completed")
                                      & (Event.object_id == round_.public_id)).count()
        if (round_.status == "completed") != done or events != int(done) \
                or (round_.completed_at is not None) != done:
            problems.append(f"round {round_.period} of {round_.supervisor_id}: {submitted} of "
                            f"{cases.count()} submitted, status {round_.status}, "
                            f"{events} round.completed events")
    return problems


# --- submits under load --------------------------------------------------------------------------


@dataclass
class SubmitOutcome:
    plan: PlannedSubmit
    status: int | None = None
    body: object = None
    error: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class SubmitLoad:
    """Threads submitting their audits one after another until the server stops answering."""

    port: int
    queues: list[list[PlannedSubmit]]
    outcomes: list[SubmitOutcome] = field(default_factory=list)
    acks: int = 0
    answered: int = 0
    _lock: threading.Condition = field(default_factory=threading.Condition)

    def run(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._worker, args=(q,), daemon=True)
                   for q in self.queues]
        for thread in threads:
            thread.start()
        return threads

    def wait_for_answers(self, count: int, timeout: float = 120.0) -> None:
        with self._lock:
            self._lock.wait_for(lambda: self.answered >= count, timeout=timeout)

    def _worker(self, queue: list[PlannedSubmit]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            for plan in queue:
                outcome = SubmitOutcome(plan)
                try:
                    outcome.status, outcome.body = _send(
                        conn, "POST", f"/api/v1/audits/{plan.public_id}/submit",
                        token=plan.token, body=plan.body)
                except (OSError, http.client.HTTPException) as exc:
                    outcome.error = type(exc).__name__
                with self._lock:
                    self.outcomes.append(outcome)
                    if outcome.error is None:
                        self.answered += 1
                        self.acks += int(outcome.acknowledged)
                    self._lock.notify_all()
                if outcome.error is not None:
                    return
        finally:
            conn.close()


# --- the import world ----------------------------------------------------------------------------

IMPORT_AS_OF = dt.date(2025, 1, 15)


def write_import_workbooks(directory: Path, rows: int, seed: int) -> tuple[Path, Path]:
    """Two Annex A workbooks of the same council: A, then B where most facts changed.

    B drops every tenth child (a full import closes them), moves others to new workers
    and a new team, and changes the last visit of two thirds; each file has a few
    impossible dates, so both write rejected rows. Importing A after B reopens and
    changes them back, so every import in the loop writes thousands of rows.
    """
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from annex_a_workbook import council_for_rows, write_workbook

    council = council_for_rows(rows, seed, IMPORT_AS_OF)
    first, second = [], []
    for index, case in enumerate(council.cases):
        record = case.record
        if index % 101 == 13:
            record = dataclasses.replace(record, last_seen_on="31/02/2024")
        first.append(dataclasses.replace(case, record=record))
        if index % 10 == 3:
            continue
        record = case.record
        changes: dict[str, object] = {}
        if index % 3 and record.last_seen_on is not None:
            changes["last_seen_on"] = record.last_seen_on - dt.timedelta(days=1 + index % 5)
        if index % 17 == 5:
            changes["worker_name"] = f"Agency Worker {index % 4}"
        if index % 29 == 7:
            changes["team_name"] = "Interim Assessment Team"
        if index % 97 == 11:
            changes["last_seen_on"] = "30/02/2024"
        second.append(dataclasses.replace(case, record=dataclasses.replace(record, **changes)))
    paths = (directory / "annex_a_first.xlsx", directory / "annex_a_second.xlsx")
    write_workbook(dataclasses.replace(council, cases=tuple(first)), paths[0])
    write_workbook(dataclasses.replace(council, cases=tuple(second)), paths[1])
    return paths


@dataclass(frozen=True)
class ReadFile:
    """What the importer reads from a workbook, read here in-process to predict an import."""

    path: Path
    facts: dict[str, tuple[str, str]]
    rows_read: int
    rejected: int
    team_keys: frozenset[str]
    worker_keys: frozenset[str]
    #: The case types of the lists read in full: only open cases of these close.
    covered: frozenset[str]


def read_workbook(path: Path) -> ReadFile:
    registry = installed().importers
    importer = importer_for(registry, path.name)()
    with path.open("rb") as stream:
        result = reconcile(importer.read(stream, as_of=IMPORT_AS_OF))
    return ReadFile(
        path=path,
        facts={c.child_id: (facts_hash(c), status_of(c).value) for c in result.cases},
        rows_read=result.rows_read,
        rejected=len(result.errors),
        team_keys=frozenset(name_key(c.team_name) for c in result.cases if c.team_name),
        worker_keys=frozenset(name_key(c.worker_name) for c in result.cases if c.worker_name),
        covered=frozenset(read.case_type.value for read in result.lists_read),
    )


CaseRow = tuple  # every column of a case row, in model order


@dataclass(frozen=True)
class ImportSnapshot:
    """Everything an import may write, as it stands."""

    cases: dict[str, CaseRow]
    team_keys: frozenset[str]
    staff_keys: frozenset[str]
    batch_ids: frozenset[int]
    rejected_rows: int
    import_events: int


_CASE_COLUMNS = list(Case._meta.sorted_fields)
_COL = {f.name: i for i, f in enumerate(_CASE_COLUMNS)}


def import_snapshot() -> ImportSnapshot:
    return ImportSnapshot(
        cases={row[_COL["child_id"]]: row for row in Case.select(*_CASE_COLUMNS).tuples()},
        team_keys=frozenset(name_key(n) for (n,) in Team.select(Team.name).tuples()),
        staff_keys=frozenset(k for (k,) in Staff.select(Staff.name_key).tuples()),
        batch_ids=frozenset(i for (i,) in ImportBatch.select(ImportBatch.id).tuples()),
        rejected_rows=RejectedRow.select().count(),
        import_events=Event.select().where(Event.action == "cases.imported").count(),
    )


def import_problems(before: ImportSnapshot, file: ReadFile) -> tuple[list[str], bool]:
    """After an import of ``file`` was interrupted: is it applied in full, or not at all?

    Returns the problems and whether the import was applied.
    """
    after = import_snapshot()
    problems = [f"batch {b.public_id} ({b.source_name}) was left {b.status!r}"
                for b in ImportBatch.select().where(ImportBatch.status == "running")]
    new = [b for b in ImportBatch.select() if b.id not in before.batch_ids]
    completed = [b for b in new if b.status == "completed"]
    problems += [f"unexpected {b.status} batch {b.public_id}: {b.error}"
                 for b in new if b.status not in ("completed", "running")]
    if len(completed) > 1:
        problems.append(f"{len(completed)} completed batches for one upload")
    if not completed:
        return problems + _untouched_problems(before, after), False
    return problems + _applied_problems(before, after, file, completed[0]), True


def _untouched_problems(before: ImportSnapshot, after: ImportSnapshot) -> list[str]:
    problems = []
    changed = [c for c, row in after.cases.items() if before.cases.get(c) != row]
    gone = set(before.cases) - set(after.cases)
    if changed or gone:
        problems.append(f"no completed batch, yet {len(changed)} cases were written and "
                        f"{len(gone)} vanished")
    if after.team_keys != before.team_keys or after.staff_keys != before.staff_keys:
        problems.append("no completed batch, yet teams or staff were added")
    if after.rejected_rows != before.rejected_rows or after.import_events != before.import_events:
        problems.append("no completed batch, yet rejected rows or an import event were written")
    return problems


def _applied_problems(before: ImportSnapshot, after: ImportSnapshot, file: ReadFile,
                      batch: ImportBatch) -> list[str]:
    problems = []
    counts = Counter()
    expected_children = set(before.cases) | set(file.facts)
    if set(after.cases) != expected_children:
        problems.append(f"{len(after.cases)} cases stored, expected {len(expected_children)}")
    for child, row in after.cases.items():
        old = before.cases.get(child)
        if child in file.facts:
            want = file.facts[child]
            kind = ("created" if old is None else "unchanged"
                    if (old[_COL["facts_hash"]], old[_COL["status"]]) == want else "updated")
            counts[kind] += 1
            got = (row[_COL["facts_hash"]], row[_COL["status"]])
            stamped = row[_COL["last_batch"]] == (old[_COL["last_batch"]] if kind == "unchanged"
                                                  else batch.id)
            if got != want or not stamped:
                counts["wrong"] += 1
        elif (old is not None and old[_COL["status"]] == CaseStatus.OPEN.value
              and old[_COL["case_type"]] in file.covered):
            counts["closed"] += 1
            if (row[_COL["status"]] != CaseStatus.CLOSED.value
                    or row[_COL["closure_reason"]] != MISSING_REASON
                    or row[_COL["last_batch"]] != batch.id
                    or row[_COL["facts_hash"]] != old[_COL["facts_hash"]]):
                counts["wrong"] += 1
        elif old != row:
            counts["wrong"] += 1
    if counts["wrong"]:
        problems.append(f"{counts['wrong']} cases do not hold what the file says")
    reported = (batch.created_count, batch.updated_count, batch.unchanged_count,
                batch.closed_count, batch.rows_read, batch.rejected_count)
    wanted = (counts["created"], counts["updated"], counts["unchanged"], counts["closed"],
              file.rows_read, file.rejected)
    if reported != wanted:
        problems.append(f"batch counts {reported}, expected {wanted}")
    if batch.finished_at is None:
        problems.append("the completed batch has no finish time")
    if RejectedRow.select().where(RejectedRow.batch == batch.id).count() != file.rejected:
        problems.append("the batch's rejected rows are not all there")
    events = Event.select().where((Event.action == "cases.imported")
                                  & (Event.object_id == batch.public_id)).count()
    if events != 1:
        problems.append(f"{events} cases.imported events for the batch")
    if after.team_keys != before.team_keys | file.team_keys:
        problems.append("the file's new teams are not exactly added")
    if after.staff_keys != before.staff_keys | file.worker_keys:
        problems.append("the file's new workers are not exactly added")
    return problems

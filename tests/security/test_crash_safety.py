"""SIGKILL the real server mid-submit and mid-import; after each restart nothing is half-written.

Each loop iteration starts ``audit-service serve`` as a subprocess, drives it
over HTTP from threads, kills it with SIGKILL at a seeded random moment while
requests are in flight, restarts it, and checks the database against the
definitions in ``crash_support``: every audit is its seeded draft or a complete
submission, every submit answered 2xx is submitted, every import is applied in
full or not at all. A write-lock probe records whether a write transaction was
open at each kill, so the figures show the kills landed inside transactions.

``AUDIT_CRASH_ITERATIONS`` sets the loop ("8" = 8 submit and 5 import kills per
database, "12,6" = 12 and 6); ``AUDIT_CRASH_SEED`` the seed. Run with ``-rP`` to
see the summary each test prints.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from audit_service.domain.vocabulary import Role
from audit_service.services.accounts import users as accounts
from audit_service.services.imports.case_import import import_file
from audit_service.storage.database import database
from audit_service.storage.models import (
    Audit,
    AuditRating,
    AuditRubric,
    Case,
    ImportBatch,
    OutboxMessage,
    SamplingRound,
)
from tests.security.crash_support import (
    IMPORT_AS_OF,
    SERVER_THREADS,
    ReadFile,
    Server,
    SubmitLoad,
    WriterProbe,
    audit_problems,
    build_submit_world,
    http_call,
    import_problems,
    import_snapshot,
    multipart,
    read_workbook,
    round_problems,
    sqlite_integrity,
    write_import_workbooks,
)
from tests.support.installed import installed

SEED = int(os.environ.get("AUDIT_CRASH_SEED", "20250508"))
PER_ROUND = 3  # each thread submits one round of this many audits per iteration
IMPORT_ROWS = 1200  # about a second of reading and a fifth of one of writing
EXTRA_IMPORT_TRIES = 4  # further kills if none has yet landed inside an import's transaction


def _iterations() -> tuple[int, int]:
    raw = os.environ.get("AUDIT_CRASH_ITERATIONS", "8").replace(" ", "")
    submits, _, imports = raw.partition(",")
    n = int(submits)
    return n, int(imports) if imports else max(1, math.ceil(n * 5 / 8))


def _report(record_property, title: str, figures: dict[str, object]) -> None:
    width = max(len(k) for k in figures)
    text = "\n".join([title, *(f"  {k:<{width}}  {v}" for k, v in figures.items())])
    print(text)
    record_property("crash_summary", text)


def _backend(db_url: str) -> str:
    return "sqlite" if db_url.startswith("sqlite") else "postgresql"


# --- the checkers find what a crash could leave -------------------------------------------------


def test_audit_checker_finds_half_written_audits(app) -> None:
    """The invariants are not vacuous: each kind of half-written audit is reported."""
    with app.app_context():
        plans = build_submit_world(threads=1, iterations=1, per_round=4)
        client = app.test_client()
        done = plans[1]  # its practitioner has an account, so they are told
        response = client.post(f"/api/v1/audits/{done.public_id}/submit", data=done.body,
                               headers={"Authorization": f"Bearer {done.token}",
                                        "Content-Type": "application/json"})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json()["result"] == done.result
        assert audit_problems(plans)[0] == []
        assert round_problems({done.round_id}) == []

        emptied, bumped = plans[2], plans[3]
        # A crash between deleting a draft's ratings and writing them again.
        AuditRating.delete().where(AuditRating.audit == emptied.audit_id).execute()
        # The status change committed alone: no ratings, result, event or notice with it.
        Audit.update(status="submitted", version=bumped.version + 1).where(
            Audit.id == bumped.audit_id).execute()
        # A submission whose last domain result, and one channel of its notice, were lost.
        last = (AuditRubric.select().where(AuditRubric.audit == done.audit_id)
                .order_by(AuditRubric.position.desc()).first())
        AuditRubric.update(explanation=None, grade=None, score=None).where(
            AuditRubric.id == last.id).execute()
        OutboxMessage.delete().where(
            OutboxMessage.key == f"audit-submitted:{done.public_id}:inbox").execute()
        problems, statuses = audit_problems(plans)

    text = "\n".join(problems)
    assert f"{emptied.public_id} (draft): draft ratings changed" in text
    assert f"{bumped.public_id} (submitted): ratings are not those submitted" in text
    assert f"{bumped.public_id} (submitted): 0 audit.submitted events" in text
    assert f"{bumped.public_id} (submitted): the stored explanation is not" in text
    assert f"{done.public_id} (submitted): domain" in text
    assert f"{done.public_id} (submitted): notice audit-submitted is partial ['email']" in text
    assert plans[0].public_id not in text
    assert statuses[bumped.public_id] == "submitted"
    # Two of the round's four audits count as submitted now: a completed round is a lie.
    SamplingRound.update(status="completed").where(SamplingRound.id == done.round_id).execute()
    assert round_problems({done.round_id}) != []


def test_import_checker_finds_half_imported_batches(app, tmp_path: Path) -> None:
    """Applied-in-full passes; a batch left running, or cases changed without one, do not."""
    first_path, second_path = write_import_workbooks(tmp_path, rows=120, seed=3)
    first, second = read_workbook(first_path), read_workbook(second_path)
    registry = installed().importers

    def run(file: ReadFile) -> ImportBatch:
        with file.path.open("rb") as stream:
            return import_file(stream, file.path.name, importers=registry, as_of=IMPORT_AS_OF,
                                 closure_limit=None)

    with app.app_context():
        before = import_snapshot()
        run(first)
        assert import_problems(before, first) == ([], True)
        before = import_snapshot()
        batch = run(second)
        assert import_problems(before, second) == ([], True)
        assert batch.updated_count and batch.closed_count and batch.rejected_count

        # Half the update, as a crash without one transaction would leave it.
        before = import_snapshot()
        stale = ImportBatch.create(source_name="x.xlsx", importer="annex_a", sha256="0")
        half = list(before.cases)[: len(before.cases) // 2]
        Case.update(facts_hash="half-written", last_batch=stale.id).where(
            Case.child_id.in_(half)).execute()
        problems, applied = import_problems(before, first)
    assert not applied
    assert any("was left 'running'" in p for p in problems)
    assert any(f"{len(half)} cases were written" in p for p in problems)


def test_an_import_that_fails_while_writing_leaves_only_its_failed_batch(
        app, tmp_path: Path, monkeypatch) -> None:
    """The batch row belongs to the import's transaction: an error mid-write rolls it back
    with the cases, and the failure is then recorded on its own; nothing stays "running"."""
    from audit_service.services.imports import case_import

    path, _ = write_import_workbooks(tmp_path, rows=120, seed=4)
    registry = installed().importers

    def broken_trail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(case_import.audit_trail, "record", broken_trail)
    with app.app_context(), path.open("rb") as stream, pytest.raises(RuntimeError):
        import_file(stream, path.name, importers=registry, as_of=IMPORT_AS_OF,
                                 closure_limit=None)
    batches = list(ImportBatch.select())
    assert [(b.status, b.error) for b in batches] == [
        ("failed", "the import stopped and nothing was changed: disk full")]
    assert Case.select().count() == 0
    assert batches[0].started_at <= batches[0].finished_at


# --- SIGKILL during submits ------------------------------------------------------------------


def test_sigkill_during_submits_leaves_no_partial_audit(app, db_url, tmp_path: Path,
                                                        record_property) -> None:
    iterations, _ = _iterations()
    rng = random.Random(SEED)
    began = time.perf_counter()
    with app.app_context():
        plans = build_submit_world(threads=SERVER_THREADS, iterations=iterations,
                                   per_round=PER_ROUND)
        assert audit_problems(plans)[0] == []
    database.close()
    built = time.perf_counter() - began
    queues = {(p.iteration, p.thread): [] for p in plans}
    for plan in plans:
        queues[(plan.iteration, plan.thread)].append(plan)
    server, probe = Server(db_url, tmp_path), WriterProbe(db_url)
    figures: Counter = Counter()
    problems: list[str] = []
    partial: set[str] = set()
    try:
        server.start()
        for it in range(iterations):
            load = SubmitLoad(server.port, [queues[(it, t)] for t in range(SERVER_THREADS)])
            kill_after = rng.randint(1, SERVER_THREADS * PER_ROUND * 2 // 3)
            threads = load.run()
            load.wait_for_answers(kill_after)
            time.sleep(rng.uniform(0, 0.03))
            figures["kills with a write transaction open"] += probe.open()
            server.kill()
            for thread in threads:
                thread.join(timeout=60)
            server.start()
            problems += _check_submits(it, load, plans, db_url, server, figures, partial)
    finally:
        server.kill()
        probe.close()
    elapsed = time.perf_counter() - began
    _report(record_property, f"crash safety, submits, {_backend(db_url)} (seed {SEED})", {
        "iterations (SIGKILLs)": iterations,
        "submits attempted": figures["attempted"],
        "2xx acknowledged": figures["acknowledged"],
        "in flight at the kill": figures["in flight"],
        "  of which committed": figures["in flight, committed"],
        "acknowledged but missing": figures["acknowledged but missing"],
        "partial audits": len(partial),
        "kills with a write transaction open": figures["kills with a write transaction open"],
        "audits checked after each restart": len(plans),
        "server start (mean s)": f"{sum(server.start_seconds) / len(server.start_seconds):.2f}",
        "runtime (s)": f"{elapsed:.1f} (world {built:.1f})",
    })
    assert problems == [], "\n".join(problems[:40])
    assert figures["acknowledged"] > 0 and figures["in flight"] > 0
    assert figures["kills with a write transaction open"] > 0, "no kill landed mid-transaction"


def _check_submits(iteration: int, load: SubmitLoad, plans, db_url: str, server: Server,
                   figures: Counter, partial: set[str]) -> list[str]:
    """After a restart: no partial audit, every 2xx submitted, the server serves its result."""
    database.connect(reuse_if_open=True)
    try:
        problems, statuses = audit_problems(plans)
        partial.update(p.split(" ")[0] for p in problems)
        problems += round_problems({p.round_id for p in plans})
    finally:
        database.close()
    if _backend(db_url) == "sqlite" and (check := sqlite_integrity(db_url)) != "ok":
        problems.append(f"integrity_check: {check}")
    sent = {o.plan.public_id for o in load.outcomes}
    problems += [f"{p.public_id} was never sent but is {statuses[p.public_id]}" for p in plans
                 if p.iteration == iteration and p.public_id not in sent
                 and statuses[p.public_id] != "draft"]
    for outcome in load.outcomes:
        figures["attempted"] += 1
        plan, status = outcome.plan, statuses.get(outcome.plan.public_id)
        if outcome.error is not None:
            figures["in flight"] += 1
            figures["in flight, committed"] += status == "submitted"
            continue
        if not outcome.acknowledged:
            problems.append(f"{plan.public_id}: answered {outcome.status} {outcome.body}")
            continue
        figures["acknowledged"] += 1
        if status != "submitted":
            figures["acknowledged but missing"] += 1
            problems.append(f"{plan.public_id}: answered {outcome.status} but is {status}")
        if outcome.body.get("result") != plan.result:
            problems.append(f"{plan.public_id}: the 2xx body is not the scored result")
        code, body = http_call(server.port, "GET", f"/api/v1/audits/{plan.public_id}/result",
                               token=plan.token)
        if code != 200 or body.get("result") != plan.result:
            problems.append(f"{plan.public_id}: after restart GET result gave {code}")
    return [f"iteration {iteration}: {p}" for p in problems]


# --- SIGKILL during imports --------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReadFile, ReadFile]:
    """Two large Annex A files, and what the importer reads from each (read here, in-process)."""
    paths = write_import_workbooks(tmp_path_factory.mktemp("crash-imports"), IMPORT_ROWS, SEED)
    return read_workbook(paths[0]), read_workbook(paths[1])


def _post_import(port: int, token: str, file: ReadFile, outcome: dict) -> None:
    body, content_type = multipart("file", file.path.name, file.path.read_bytes())
    try:
        outcome["status"], outcome["body"] = http_call(
            port, "POST", f"/api/v1/imports?as_of={IMPORT_AS_OF.isoformat()}", token=token,
            body=body, content_type=content_type)
    except (OSError, http.client.HTTPException) as exc:
        outcome["error"] = type(exc).__name__


def _phase_seconds(batch_id: int) -> tuple[float, float]:
    """How long the uninterrupted import read its file, and how long it wrote."""
    batch = ImportBatch.get_by_id(batch_id)
    wrote = Case.select(Case.updated_at).where(Case.last_batch == batch_id).first().updated_at
    return ((wrote - batch.started_at).total_seconds(),
            (batch.finished_at - wrote).total_seconds())


def test_sigkill_during_imports_leaves_no_half_imported_batch(app, db_url, tmp_path: Path,
                                                              workbooks, record_property
                                                              ) -> None:
    _, iterations = _iterations()
    rng = random.Random(SEED + 1)
    began = time.perf_counter()
    with app.app_context():
        admin = accounts.create_user("crash-admin", role=Role.ADMIN, password=None,
                                     actor_label="test")
        token = accounts.create_token(admin, "crash test", actor_label="test")
    database.close()
    server, probe = Server(db_url, tmp_path), WriterProbe(db_url)
    figures: Counter = Counter()
    problems: list[str] = []
    modes = ["write"] * iterations
    if iterations >= 3:
        modes[rng.randrange(iterations)] = "read"
    try:
        server.start()
        # Two uninterrupted imports: the first fills the database, the second times the phases.
        for file in workbooks:
            outcome = _import_once(server, token, file, problems, figures)
            assert outcome.get("status") == 201, (outcome, server.log_tail())
        database.connect(reuse_if_open=True)
        read_s, write_s = _phase_seconds(
            ImportBatch.get(ImportBatch.public_id == outcome["body"]["id"]).id)
        database.close()
        applied = 1
        done = 0
        while done < iterations or (
                not figures["interrupted inside the write transaction"]
                and done < iterations + EXTRA_IMPORT_TRIES):
            mode = modes[done] if done < iterations else "write"
            file = workbooks[1 - applied]
            delay = (rng.uniform(0.1, 0.8) * read_s if mode == "read"
                     else rng.uniform(0, 0.9) * write_s)
            was_applied = _killed_import(server, probe, token, file, mode, read_s, delay,
                                         problems, figures)
            applied = 1 - applied if was_applied else applied
            done += 1
    finally:
        server.kill()
        probe.close()
    elapsed = time.perf_counter() - began
    _report(record_property, f"crash safety, imports, {_backend(db_url)} (seed {SEED})", {
        "iterations (SIGKILLs)": done,
        "rows per file": f"{workbooks[0].rows_read} / {workbooks[1].rows_read}",
        "uninterrupted (read s / write s)": f"{read_s:.2f} / {write_s:.2f}",
        "imports interrupted": figures["interrupted"],
        "  inside the write transaction": figures["interrupted inside the write transaction"],
        "  with no write transaction open": figures["interrupted, no write open"],
        "committed before the kill": figures["committed before the kill"],
        "  of which acknowledged 201": figures["acknowledged"],
        "half-imported batches": figures["half-imported"],
        "batches left running": figures["left running"],
        "server start (mean s)": f"{sum(server.start_seconds) / len(server.start_seconds):.2f}",
        "runtime (s)": f"{elapsed:.1f}",
    })
    assert problems == [], "\n".join(problems[:40])
    assert figures["interrupted inside the write transaction"] > 0, \
        "no kill landed inside an import's write transaction"


def _import_once(server: Server, token: str, file: ReadFile, problems: list[str],
                 figures: Counter) -> dict:
    database.connect(reuse_if_open=True)
    before = import_snapshot()
    database.close()
    outcome: dict = {}
    _post_import(server.port, token, file, outcome)
    database.connect(reuse_if_open=True)
    try:
        found, applied = import_problems(before, file)
    finally:
        database.close()
    problems += [f"uninterrupted import of {file.path.name}: {p}" for p in found]
    assert applied, found
    return outcome


def _killed_import(server: Server, probe: WriterProbe, token: str, file: ReadFile, mode: str,
                   read_s: float, delay: float, problems: list[str], figures: Counter) -> bool:
    """Upload ``file``, SIGKILL the server mid-import, restart, check. True if it applied."""
    database.connect(reuse_if_open=True)
    before = import_snapshot()
    database.close()
    outcome: dict = {}
    sender = threading.Thread(target=_post_import, args=(server.port, token, file, outcome),
                              daemon=True)
    started = time.perf_counter()
    sender.start()
    if mode == "write":
        # The token check writes at the start of the request: only look once reading is well on.
        while time.perf_counter() - started < 0.5 * read_s:
            time.sleep(0.005)
        while sender.is_alive() and not probe.open() and time.perf_counter() - started < 120:
            time.sleep(0.002)
    time.sleep(delay)
    open_at_kill = probe.open()
    server.kill()
    sender.join(timeout=60)
    server.start()
    database.connect(reuse_if_open=True)
    try:
        found, applied = import_problems(before, file)
        running = ImportBatch.select().where(ImportBatch.status == "running").count()
        stored = {(b.public_id, b.status) for b in ImportBatch.select()}
    finally:
        database.close()
    figures["left running"] = running
    if any("was left 'running'" not in p for p in found):
        figures["half-imported"] += 1
    if applied:
        figures["committed before the kill"] += 1
        figures["acknowledged"] += outcome.get("status") == 201
    else:
        figures["interrupted"] += 1
        figures["interrupted inside the write transaction" if open_at_kill
                else "interrupted, no write open"] += 1
        if "status" in outcome:
            found.append(f"answered {outcome['status']} {json.dumps(outcome['body'])[:200]} "
                         "but nothing was imported")
    if _backend(server.db_url) == "sqlite" and (check := sqlite_integrity(server.db_url)) != "ok":
        found.append(f"integrity_check: {check}")
    code, listed = http_call(server.port, "GET", "/api/v1/imports?page_size=100", token=token)
    if code != 200 or {(b["id"], b["status"]) for b in listed} != stored:
        found.append(f"after restart GET /api/v1/imports gave {code}, not the stored batches")
    problems += [f"{mode} kill of {file.path.name}: {p}" for p in found]
    return applied

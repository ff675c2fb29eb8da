"""Import a caseload file: read it with an importer, reconcile, and write the changes at once.

Reading and reconciling happen before any case is touched, so a file that
cannot be read changes nothing. The writes then happen in one transaction
with the database work batched (one query for all existing cases, inserts and
updates in chunks), because a large council's file holds 20,000 open cases.
The batch row is written in that same transaction (or with its failure), so a
process killed mid-import leaves neither cases nor a batch forever "running".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import BinaryIO

from peewee import JOIN

from audit_service.domain.imports.case_reconcile import Reconciled, facts_hash, reconcile, status_of
from audit_service.domain.imports.case_records import (
    CaseEnrichment,
    CaseRecord,
    ListRead,
    RowError,
)
from audit_service.domain.names import clean_text, name_key
from audit_service.domain.vocabulary import CaseStatus, CaseType, ImportStatus
from audit_service.importers.base import CaseImporter
from audit_service.plugins.installed import importer_for
from audit_service.plugins.registries import UnknownPlugin
from audit_service.services.audits import reaudits
from audit_service.services.errors import Conflict, Invalid, NotFound
from audit_service.services.imports.bulk_writes import chunks, insert_rows, update_by_id
from audit_service.services.imports.case_enrichment import plan_enrichment, write_enrichment
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import (
    Case,
    ImportBatch,
    RejectedRow,
    Staff,
    Team,
    User,
    new_public_id,
    utcnow,
)

#: Rows per INSERT/UPDATE: well under SQLite's and PostgreSQL's parameter limits.
#: More records and problems than the largest council's return holds (about 60,000 rows
#: across the lists): a file past it is refused rather than read into memory.
MAX_ITEMS = 1_000_000
#: Problems stored for the report; beyond this the count is kept and the report says so.
MAX_PROBLEMS_LISTED = 10_000
MISSING_REASON = "not in the full caseload import"
#: Enough of a file's start to tell formats sharing an extension apart.
HEAD_BYTES = 4096


Item = CaseRecord | CaseEnrichment | RowError | ListRead


class ImportFailed(Invalid):
    """The file as a whole could not be imported; no case was written.

    ``batch`` is the failed ``ImportBatch`` (status "failed", with the error and
    any rejected rows already found), or None if none was recorded.
    """

    def __init__(self, message: str, batch: ImportBatch | None = None):
        super().__init__(message)
        self.batch = batch


@dataclass
class _Counts:
    """What the writes did to the cases, counted as they go.

    The batch keeps the totals; ``closed_ids`` go on to the re-audit alerts.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    #: Cases this import closed, whether missing from a full file or closed in it.
    closed_ids: list[int] = field(default_factory=list)


def import_file(
    stream: BinaryIO,
    filename: str,
    *,
    importer_id: str | None = None,
    uploaded_by: User | None = None,
    as_of: dt.date,
    importers: Mapping[str, type[CaseImporter]],
    actor_label: str | None = None,
    closure_limit: float | None,
) -> ImportBatch:
    """Import one file and return its completed batch.

    Counts on the batch: ``rows_read`` rows the importer reported on;
    ``created``/``updated``/``unchanged`` cases (a child on several lists is one
    case); ``closed`` open cases the import closed (closed in the file, or missing from
    a full caseload file: closed, never deleted); ``rejected`` problems reported, one
    ``RejectedRow`` each. Raises ``ImportFailed`` when the file cannot be read at all.

    ``closure_limit`` is the share of open cases (0.1 for 10%) an import may close
    without a person confirming; above it nothing is written, the file waits in a batch
    "awaiting confirmation" and ``ConfirmationNeeded`` says what it would do. None: the
    caller has confirmed.
    """
    data = stream.read()
    source_name = PurePath(filename).name or filename
    # Not saved yet: it is written with the cases, or with the reason it failed.
    batch = ImportBatch(
        source_name=source_name,
        importer=importer_id or "",
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=uploaded_by,
        started_at=utcnow(),
    )
    return _import(batch, data, as_of=as_of, importers=importers, actor=uploaded_by,
                   actor_label=actor_label, closure_limit=closure_limit)


def confirm_pending(public_id: str, *, actor: User | None,
                    importers: Mapping[str, type[CaseImporter]],
                    actor_label: str | None = None) -> ImportBatch:
    """Go ahead with an import that was waiting for a person to confirm its closures: the
    file is read again against the caseload as it is now."""
    batch = _pending(public_id)
    as_of = dt.date.fromisoformat(batch.preview["as_of"])
    return _import(batch, bytes(batch.pending_file), as_of=as_of, importers=importers,
                   actor=actor, actor_label=actor_label, closure_limit=None)


def cancel_pending(public_id: str, *, actor: User | None) -> ImportBatch:
    """Drop an import that was waiting for confirmation: nothing was or will be changed."""
    batch = _pending(public_id)
    with database.atomic():
        claimed = (ImportBatch.update(status=ImportStatus.CANCELLED, pending_file=None,
                                      finished_at=utcnow())
                   .where((ImportBatch.id == batch.id)
                          & (ImportBatch.status == ImportStatus.AWAITING_CONFIRMATION))
                   .execute())
        if not claimed:
            raise NotPending()
        audit_trail.record("cases.import_cancelled", actor=actor, object_type="import_batch",
                           object_id=batch.public_id, after={"would_close": batch.closed_count})
    return ImportBatch.get_by_id(batch.id)


def _pending(public_id: str) -> ImportBatch:
    batch = ImportBatch.get_or_none(ImportBatch.public_id == public_id)
    if batch is None:
        raise NotFound("There is no import with that id.")
    if batch.status != ImportStatus.AWAITING_CONFIRMATION:
        raise NotPending()
    return batch


def run_claimed(batch: ImportBatch, *, importers: Mapping[str, type[CaseImporter]],
                actor: User | None, progress: Callable[[int], None] | None = None
                ) -> ImportBatch:
    """Import a queued file that a background runner has claimed (its status "running").

    ``progress`` is told the count of rows and problems read so far, after each one."""
    held = batch.preview or {}
    return _import(batch, bytes(batch.pending_file), as_of=dt.date.fromisoformat(held["as_of"]),
                   importers=importers, actor=actor, actor_label=None,
                   closure_limit=held.get("closure_limit"), claimed_from=ImportStatus.RUNNING,
                   progress=progress)


def fail(batch: ImportBatch, message: str) -> ImportFailed:
    """Record that ``batch`` failed with ``message`` (its file dropped); nothing else changes."""
    return _failed(batch, message)


def _import(batch: ImportBatch, data: bytes, *, as_of: dt.date,
            importers: Mapping[str, type[CaseImporter]], actor: User | None,
            actor_label: str | None, closure_limit: float | None,
            claimed_from: ImportStatus = ImportStatus.AWAITING_CONFIRMATION,
            progress: Callable[[int], None] | None = None) -> ImportBatch:
    source_name = batch.source_name
    try:
        importer = importer_for(importers, source_name, batch.importer or None,
                                head=data[:HEAD_BYTES])()
    except UnknownPlugin as exc:
        raise _failed(batch, str(exc)) from None
    batch.importer = importer.id
    batch.full_import = importer.full_caseload
    buffer = io.BytesIO(data)
    buffer.name = source_name
    if importer.enriches:
        return _enrich(batch, importer, buffer, as_of=as_of, actor=actor,
                       actor_label=actor_label, progress=progress)
    try:
        result = reconcile(_bounded(importer.read(buffer, as_of=as_of), source_name, progress))
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise _failed(batch, f"could not read {source_name}: {exc}") from exc
    if not result.cases:
        raise _failed(
            batch,
            f"no case could be read from {source_name}, so nothing was changed"
            + _problems_listed(len(result.errors)),
            result.errors,
        )
    plan = _plan(result.cases, _closable(importer, result))
    if closure_limit is not None and plan.closures > closure_limit * plan.open_now:
        raise _hold(batch, data, plan, result, as_of=as_of, limit=closure_limit, actor=actor,
                    actor_label=actor_label)
    pending = batch.id is not None
    try:
        with database.atomic():
            if pending and not (
                ImportBatch.update(status=ImportStatus.RUNNING)
                .where((ImportBatch.id == batch.id) & (ImportBatch.status == claimed_from))
                .execute()
            ):
                raise NotPending()
            batch.status = ImportStatus.RUNNING
            batch.save()
            if pending:  # rejected rows were kept for the preview; the import writes its own
                RejectedRow.delete().where(RejectedRow.batch == batch.id).execute()
            counts = _write_cases(batch, plan, result.cases, as_of)
            reaudits.alert_closed_awaiting(counts.closed_ids, today=as_of,
                                           batch_public_id=batch.public_id)
            _save_rejected(batch, result.errors)
            _finish(batch, result, counts)
            audit_trail.record("cases.imported", actor=actor, actor_label=actor_label,
                               object_type="import_batch", object_id=batch.public_id,
                               after={**_summary(batch),
                                      "confirmed": pending and closure_limit is None})
    except Conflict:
        raise
    except Exception as exc:
        if not pending:
            batch.id = None  # rolled back with the cases: the failure is recorded afresh
            _failed(batch, f"the import stopped and nothing was changed: {exc}")
        raise
    return batch


def _enrich(batch: ImportBatch, importer: CaseImporter, buffer: BinaryIO, *, as_of: dt.date,
            actor: User | None, actor_label: str | None,
            progress: Callable[[int], None] | None) -> ImportBatch:
    """A return's facts onto the cases it names: nothing created, nothing closed, no preview."""
    source_name = batch.source_name
    pending = batch.id is not None
    try:
        plan = plan_enrichment(_bounded(importer.read(buffer, as_of=as_of), source_name,
                                        progress))
    except (ValueError, OSError) as exc:
        raise _failed(batch, f"could not read {source_name}: {exc}") from exc
    try:
        with database.atomic():
            write_enrichment(plan)
            batch.status = ImportStatus.RUNNING
            batch.save()
            _save_rejected(batch, plan.read.errors)
            _finish(batch, plan.read, _Counts(updated=plan.updated, unchanged=plan.unchanged))
            audit_trail.record("cases.imported", actor=actor, actor_label=actor_label,
                               object_type="import_batch", object_id=batch.public_id,
                               after={**_summary(batch), "confirmed": False})
    except Exception as exc:
        if pending:
            raise  # a queued import: its runner records the failure on the batch
        batch.id = None  # rolled back with the facts: the failure is recorded afresh
        _failed(batch, f"the import stopped and nothing was changed: {exc}")
        raise
    return batch


class NotPending(Conflict):
    """The import was confirmed or cancelled already (another tab, a double click)."""

    def __init__(self) -> None:
        super().__init__("This import is not waiting for confirmation: it has already been "
                         "confirmed or cancelled.")


class ConfirmationNeeded(Conflict):
    """A full import would close more open cases than the council allows without a person
    confirming. Nothing was changed; the file waits in ``batch``."""

    def __init__(self, batch: ImportBatch, preview: dict):
        share = round(100 * preview["closures"] / preview["open_now"])
        super().__init__(
            f"This import would close {preview['closures']:,} of the {preview['open_now']:,} "
            f"open cases ({share}%), more than the {preview['limit_percent']}% that may close "
            "without a person confirming. Nothing has been changed: check what it would do "
            "and confirm it, or cancel it."
        )
        self.batch = batch
        self.preview = preview

    def details(self) -> dict[str, object]:
        return {"import": self.batch.public_id, "would_close": self.preview["closures"],
                "open_cases": self.preview["open_now"]}


def _hold(batch: ImportBatch, data: bytes, plan: _Plan, result: Reconciled, *,
          as_of: dt.date, limit: float, actor: User | None,
          actor_label: str | None) -> ConfirmationNeeded:
    """Keep the file and what it would do, change nothing else, and say so."""
    preview = {
        "as_of": as_of.isoformat(),
        "open_now": plan.open_now,
        "closures": plan.closures,
        "limit_percent": round(limit * 100),
        "rows": _preview_rows(plan),
    }
    with database.atomic():
        batch.status = ImportStatus.AWAITING_CONFIRMATION
        batch.pending_file = data
        batch.preview = preview
        _count(batch, result, plan.counts())
        batch.save()
        _save_rejected(batch, result.errors)
        audit_trail.record("cases.import_held", actor=actor, actor_label=actor_label,
                           object_type="import_batch", object_id=batch.public_id,
                           after={**_summary(batch), "open_cases": plan.open_now})
    return ConfirmationNeeded(batch, preview)


def _preview_rows(plan: _Plan) -> list[list[object]]:
    """[team, case type, created, updated, closed] by team and case type, by name."""
    table: dict[tuple[str, str], list[int]] = {}

    def add(team: str | None, case_type: str, column: int) -> None:
        table.setdefault((team or "No team", case_type), [0, 0, 0])[column] += 1

    for record in plan.new:
        add(clean_text(record.team_name) if record.team_name else None, record.case_type.value, 0)
    for record, _ in plan.changed:
        add(clean_text(record.team_name) if record.team_name else None, record.case_type.value, 1)
    closing = plan.closing + plan.missing
    for chunk in chunks(closing):
        query = (Case.select(Team.name, Case.case_type)
                 .join(Team, JOIN.LEFT_OUTER, on=(Case.team == Team.id))
                 .where(Case.id.in_(list(chunk))))
        for team, case_type in query.tuples():
            add(team, case_type, 2)
    return [[team, case_type, *counts] for (team, case_type), counts in sorted(table.items())]


def _lists(result: Reconciled) -> list[dict[str, str]]:
    return [{"sheet": read.sheet, "case_type": read.case_type.value} for read in result.lists_read]


def _closable(importer: CaseImporter, result: Reconciled) -> frozenset[CaseType]:
    """The case types whose open cases this import may close when the file no longer holds
    them: none for a partial file; for a full one, the types of the lists it read in full
    (a list absent, unrecognised or unreadable closes nothing), or every type when the
    importer does not say which lists it read."""
    if not importer.full_caseload:
        return frozenset()
    if importer.reports_lists:
        return result.covered
    return frozenset(CaseType)


def _bounded(items: Iterable[Item], source_name: str,
             progress: Callable[[int], None] | None = None) -> Iterator[Item]:
    for count, item in enumerate(items, start=1):
        if count > MAX_ITEMS:
            raise ValueError(f"{source_name} holds more than {MAX_ITEMS:,} rows and problems, "
                             "more than any council's caseload; it was not imported")
        if progress is not None:
            progress(count)
        yield item


def _problems_listed(count: int) -> str:
    if count == 0:
        return ""
    return "; 1 problem is listed" if count == 1 else f"; {count} problems are listed"


def _failed(
    batch: ImportBatch, message: str, errors: Sequence[RowError] = ()
) -> ImportFailed:
    with database.atomic():
        batch.status = ImportStatus.FAILED
        batch.pending_file = None
        batch.error = message
        batch.rejected_count = len(errors)
        batch.finished_at = utcnow()
        batch.save()
        _save_rejected(batch, errors)
    return ImportFailed(message, batch)


def _count(batch: ImportBatch, result: Reconciled, counts: _Counts) -> None:
    """What the import did (or, held, would do) to rows and cases, on the batch."""
    batch.rows_read = result.rows_read
    batch.created_count = counts.created
    batch.updated_count = counts.updated
    batch.unchanged_count = counts.unchanged
    batch.closed_count = counts.closed
    batch.rejected_count = len(result.errors)
    batch.rows_refused = result.rows_refused
    batch.warning_count = result.warnings
    # A return (not a full caseload) reads no lists: it closes nothing whatever it holds.
    batch.lists_read = _lists(result) if batch.full_import else None
    batch.progress_rows = result.rows_read


def _finish(batch: ImportBatch, result: Reconciled, counts: _Counts) -> None:
    _count(batch, result, counts)
    batch.pending_file = None
    batch.status = ImportStatus.COMPLETED
    batch.finished_at = utcnow()
    batch.save()


def _summary(batch: ImportBatch) -> dict[str, object]:
    return {
        "source_name": batch.source_name,
        "importer": batch.importer,
        "sha256": batch.sha256,
        "rows_read": batch.rows_read,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "closed": batch.closed_count,
        "rejected": batch.rejected_count,
        "rows_refused": batch.rows_refused,
        "warnings": batch.warning_count,
        "lists_read": [read["sheet"] for read in batch.lists_read or ()],
    }


def _save_rejected(batch: ImportBatch, errors: Iterable[RowError]) -> None:
    """The first ``MAX_PROBLEMS_LISTED`` problems; the batch counts them all."""
    rows = [
        {"batch": batch.id, "sheet": e.sheet, "row": e.row, "column": e.column,
         "value": e.value, "reason": e.reason}
        for e in itertools.islice(errors, MAX_PROBLEMS_LISTED)
    ]
    for chunk in chunks(rows):
        RejectedRow.insert_many(chunk).execute()


def _teams(cases: Sequence[CaseRecord]) -> dict[str, int]:
    """Team ids by ``name_key``, creating the teams the file names for the first time."""
    known = {name_key(name): team_id for team_id, name in Team.select(Team.id, Team.name).tuples()}
    new: dict[str, str] = {}
    for case in cases:
        if case.team_name and name_key(case.team_name) not in known:
            new.setdefault(name_key(case.team_name), clean_text(case.team_name))
    for chunk in chunks(list(new.values())):
        Team.insert_many([{"name": name} for name in chunk]).execute()
        query = Team.select(Team.id, Team.name).where(Team.name.in_(list(chunk)))
        known.update((name_key(name), team_id) for team_id, name in query.tuples())
    return known


def _staff(cases: Sequence[CaseRecord], teams: dict[str, int]) -> dict[str, int]:
    """Staff ids by ``name_key``; a new worker joins the team of the first case naming them."""
    known = dict(Staff.select(Staff.name_key, Staff.id).tuples())
    new: dict[str, dict[str, object]] = {}
    for case in cases:
        if not case.worker_name:
            continue
        key = name_key(case.worker_name)
        if key in known or key in new:
            continue
        new[key] = {
            "name": clean_text(case.worker_name),
            "name_key": key,
            "team": teams.get(name_key(case.team_name)) if case.team_name else None,
        }
    for chunk in chunks(list(new.values())):
        Staff.insert_many(chunk).execute()
        keys = [row["name_key"] for row in chunk]
        query = Staff.select(Staff.name_key, Staff.id).where(Staff.name_key.in_(keys))
        known.update(query.tuples())
    return known


_FACT_FIELDS = (
    "case_type", "status", "team", "worker", "opened_on", "closed_on", "closure_reason",
    "age_band", "last_seen_on", "seen_alone", "referrals_12m", "previous_cp_plans",
    "placements_12m", "facts_hash", "last_batch", "updated_at",
)
_NEW_FIELDS = ("child_id", "public_id", "created_at", *_FACT_FIELDS)


def _facts(
    case: CaseRecord, digest: str, teams: dict[str, int], staff: dict[str, int],
    batch: ImportBatch, now: dt.datetime,
) -> tuple[object, ...]:
    """Values for ``_FACT_FIELDS``, in order."""
    return (
        case.case_type.value,
        status_of(case).value,
        teams.get(name_key(case.team_name)) if case.team_name else None,
        staff.get(name_key(case.worker_name)) if case.worker_name else None,
        case.opened_on,
        case.closed_on,
        case.closure_reason,
        case.age_band.value if case.age_band else None,
        case.last_seen_on,
        case.seen_alone,
        case.referrals_12m,
        case.previous_cp_plans,
        case.placements_12m,
        digest,
        batch.id,
        now,
    )


@dataclass
class _Plan:
    """What an import will do, worked out before anything is written."""

    new: list[CaseRecord]
    #: Records whose facts or status changed, with the id of the stored case.
    changed: list[tuple[CaseRecord, int]]
    unchanged: int
    #: Open cases the file itself closes (an ended plan, a child no longer looked after).
    closing: list[int]
    #: Open cases of the kinds of case the file speaks for that it no longer holds.
    missing: list[int]
    #: Open cases before the import.
    open_now: int
    #: Each new or changed record's facts hash, by child id, worked out once.
    hashes: dict[str, str] = field(default_factory=dict)

    @property
    def closures(self) -> int:
        return len(self.closing) + len(self.missing)

    def counts(self) -> _Counts:
        """Cases closed for being missing count as closed; those the file closes, as
        updated (their facts changed too)."""
        return _Counts(created=len(self.new), updated=len(self.changed),
                       unchanged=self.unchanged, closed=len(self.missing),
                       closed_ids=self.closing + self.missing)


def _plan(cases: Sequence[CaseRecord], closable: frozenset[CaseType]) -> _Plan:
    existing = {
        child_id: (case_id, stored_hash, status, case_type)
        for case_id, child_id, stored_hash, status, case_type in Case.select(
            Case.id, Case.child_id, Case.facts_hash, Case.status, Case.case_type
        ).tuples()
    }
    plan = _Plan([], [], 0, [], [], sum(
        1 for _, _, status, _ in existing.values() if status == CaseStatus.OPEN.value))
    for case in cases:
        stored = existing.get(case.child_id)
        if stored is None:
            plan.new.append(case)
            plan.hashes[case.child_id] = facts_hash(case)
            continue
        status = status_of(case).value
        digest = facts_hash(case)
        if stored[1] == digest and stored[2] == status:
            plan.unchanged += 1
            continue
        plan.hashes[case.child_id] = digest
        plan.changed.append((case, stored[0]))
        if stored[2] == CaseStatus.OPEN.value and status == CaseStatus.CLOSED.value:
            plan.closing.append(stored[0])
    if closable:
        in_file = {case.child_id for case in cases}
        types = {case_type.value for case_type in closable}
        plan.missing = [
            case_id for child_id, (case_id, _, status, case_type) in existing.items()
            if status == CaseStatus.OPEN.value and case_type in types and child_id not in in_file
        ]
    return plan


def _write_cases(batch: ImportBatch, plan: _Plan, cases: Sequence[CaseRecord],
                 as_of: dt.date) -> _Counts:
    teams = _teams(cases)
    staff = _staff(cases, teams)
    now = utcnow()
    hashes = plan.hashes
    insert_rows(Case, _NEW_FIELDS, [(case.child_id, new_public_id(), now,
                                 *_facts(case, hashes[case.child_id], teams, staff, batch, now))
                                for case in plan.new])
    update_by_id(Case, _FACT_FIELDS, [
        (*_facts(case, hashes[case.child_id], teams, staff, batch, now), case_id)
        for case, case_id in plan.changed])
    for chunk in chunks(plan.missing):
        Case.update(
            status=CaseStatus.CLOSED.value,
            closed_on=as_of,
            closure_reason=MISSING_REASON,
            last_batch=batch.id,
            updated_at=now,
        ).where(Case.id.in_(list(chunk))).execute()
    return plan.counts()

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
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import BinaryIO

from peewee import Model
from psycopg2.extras import execute_batch

from audit_service.domain.case_reconcile import Reconciled, facts_hash, reconcile, status_of
from audit_service.domain.case_records import CaseRecord, RowError
from audit_service.domain.names import clean_text, name_key
from audit_service.domain.vocabulary import CaseStatus, ImportStatus
from audit_service.importers.base import CaseImporter, importer_for
from audit_service.plugins.registries import UnknownPlugin
from audit_service.services.audits import reaudits
from audit_service.services.errors import Invalid
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database, is_sqlite
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
CHUNK = 400
MISSING_REASON = "not in the full caseload import"


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
) -> ImportBatch:
    """Import one file and return its completed batch.

    Counts on the batch: ``rows_read`` rows the importer reported on;
    ``created``/``updated``/``unchanged`` cases (a child on several lists is one
    case); ``closed`` open cases missing from a full caseload file, which are
    closed, never deleted; ``rejected`` problems reported, one ``RejectedRow``
    each. Raises ``ImportFailed`` when the file cannot be read at all.
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
    try:
        importer = importer_for(importers, source_name, importer_id)()
    except UnknownPlugin as exc:
        raise _failed(batch, str(exc)) from None
    batch.importer = importer.id
    batch.full_import = importer.full_caseload
    buffer = io.BytesIO(data)
    buffer.name = source_name
    try:
        result = reconcile(importer.read(buffer, as_of=as_of))
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise _failed(batch, f"could not read {source_name}: {exc}") from exc
    if not result.cases:
        raise _failed(
            batch,
            f"no case could be read from {source_name}, so nothing was changed"
            + _problems_listed(len(result.errors)),
            result.errors,
        )
    try:
        with database.atomic():
            batch.save()
            counts = _write_cases(batch, result.cases, as_of, full=importer.full_caseload)
            reaudits.alert_closed_awaiting(counts.closed_ids, today=as_of,
                                           batch_public_id=batch.public_id)
            _save_rejected(batch, result.errors)
            _finish(batch, result, counts)
            audit_trail.record(
                "cases.imported",
                actor=uploaded_by,
                actor_label=actor_label,
                object_type="import_batch",
                object_id=batch.public_id,
                after=_summary(batch),
            )
    except Exception as exc:
        batch.id = None  # rolled back with the cases: the failure is recorded afresh
        _failed(batch, f"the import stopped and nothing was changed: {exc}")
        raise
    return batch


def _problems_listed(count: int) -> str:
    if count == 0:
        return ""
    return "; 1 problem is listed" if count == 1 else f"; {count} problems are listed"


def _failed(
    batch: ImportBatch, message: str, errors: Sequence[RowError] = ()
) -> ImportFailed:
    with database.atomic():
        batch.status = ImportStatus.FAILED
        batch.error = message
        batch.rejected_count = len(errors)
        batch.finished_at = utcnow()
        batch.save()
        _save_rejected(batch, errors)
    return ImportFailed(message, batch)


def _finish(batch: ImportBatch, result: Reconciled, counts: _Counts) -> None:
    batch.rows_read = result.rows_read
    batch.created_count = counts.created
    batch.updated_count = counts.updated
    batch.unchanged_count = counts.unchanged
    batch.closed_count = counts.closed
    batch.rejected_count = len(result.errors)
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
    }


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _save_rejected(batch: ImportBatch, errors: Iterable[RowError]) -> None:
    rows = [
        {"batch": batch.id, "sheet": e.sheet, "row": e.row, "column": e.column,
         "value": e.value, "reason": e.reason}
        for e in errors
    ]
    for chunk in _chunks(rows):
        RejectedRow.insert_many(chunk).execute()


def _teams(cases: Sequence[CaseRecord]) -> dict[str, int]:
    """Team ids by ``name_key``, creating the teams the file names for the first time."""
    known = {name_key(name): team_id for team_id, name in Team.select(Team.id, Team.name).tuples()}
    new: dict[str, str] = {}
    for case in cases:
        if case.team_name and name_key(case.team_name) not in known:
            new.setdefault(name_key(case.team_name), clean_text(case.team_name))
    for chunk in _chunks(list(new.values())):
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
    for chunk in _chunks(list(new.values())):
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
    case: CaseRecord, teams: dict[str, int], staff: dict[str, int], batch: ImportBatch,
    now: dt.datetime,
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
        facts_hash(case),
        batch.id,
        now,
    )


_HASH = _FACT_FIELDS.index("facts_hash")
_STATUS = _FACT_FIELDS.index("status")


def _write_cases(
    batch: ImportBatch, cases: Sequence[CaseRecord], as_of: dt.date, *, full: bool
) -> _Counts:
    counts = _Counts()
    teams = _teams(cases)
    staff = _staff(cases, teams)
    existing = {
        child_id: (case_id, stored_hash, status)
        for case_id, child_id, stored_hash, status in Case.select(
            Case.id, Case.child_id, Case.facts_hash, Case.status
        ).tuples()
    }
    now = utcnow()
    inserts: list[tuple[object, ...]] = []
    updates: list[tuple[object, ...]] = []
    for case in cases:
        facts = _facts(case, teams, staff, batch, now)
        stored = existing.get(case.child_id)
        if stored is None:
            inserts.append((case.child_id, new_public_id(), now, *facts))
        elif stored[1] == facts[_HASH] and stored[2] == facts[_STATUS]:
            counts.unchanged += 1
        else:
            updates.append((*facts, stored[0]))
            if stored[2] == CaseStatus.OPEN.value and facts[_STATUS] == CaseStatus.CLOSED.value:
                counts.closed_ids.append(stored[0])
    _insert(Case, _NEW_FIELDS, inserts)
    counts.created = len(inserts)
    _update_by_id(Case, _FACT_FIELDS, updates)
    counts.updated = len(updates)
    if full:
        in_file = {case.child_id for case in cases}
        missing = [
            case_id for child_id, (case_id, _, status) in existing.items()
            if status == CaseStatus.OPEN.value and child_id not in in_file
        ]
        for chunk in _chunks(missing):
            Case.update(
                status=CaseStatus.CLOSED.value,
                closed_on=as_of,
                closure_reason=MISSING_REASON,
                last_batch=batch.id,
                updated_at=now,
            ).where(Case.id.in_(list(chunk))).execute()
        counts.closed = len(missing)
        counts.closed_ids += missing
    return counts


# peewee builds a query tree per value, which costs seconds for 20,000 cases;
# these write the same SQL and the same driver values (``db_value``) directly.


def _quoted(name: str) -> str:
    quote = database.obj.quote[0]
    return f"{quote}{name}{quote}"


def _insert(model: type[Model], names: Sequence[str], rows: Sequence[tuple]) -> None:
    fields = [model._meta.fields[name] for name in names]
    columns = ", ".join(_quoted(f.column_name) for f in fields)
    one = "(" + ", ".join([database.obj.param] * len(fields)) + ")"
    table = _quoted(model._meta.table_name)
    for chunk in _chunks(rows):
        sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * len(chunk))  # noqa: S608 - names come from the model, values are bound  # nosec B608
        params = [f.db_value(value) for row in chunk for f, value in zip(fields, row, strict=True)]
        database.execute_sql(sql, params)


def _update_by_id(model: type[Model], names: Sequence[str], rows: Sequence[tuple]) -> None:
    """``rows`` hold the values of ``names`` followed by the row's id."""
    if not rows:
        return
    fields = [model._meta.fields[name] for name in names]
    param = database.obj.param
    assignments = ", ".join(f"{_quoted(f.column_name)} = {param}" for f in fields)
    table = _quoted(model._meta.table_name)
    sql = f"UPDATE {table} SET {assignments} WHERE {_quoted('id')} = {param}"  # noqa: S608 - names come from the model, values are bound  # nosec B608
    params = [
        [*(f.db_value(v) for f, v in zip(fields, row[:-1], strict=True)), row[-1]] for row in rows
    ]
    cursor = database.cursor()
    if is_sqlite():
        cursor.executemany(sql, params)
    else:
        execute_batch(cursor, sql, params, page_size=CHUNK)

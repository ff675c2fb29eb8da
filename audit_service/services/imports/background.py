"""Imports that run in the scheduler process, so a large file never holds a web worker.

A browser or API upload larger than ``AUDIT_IMPORT_BACKGROUND_BYTES`` is kept in a batch
"queued" with its file; the scheduler claims queued batches one at a time (a conditional
update, so two schedulers never run the same file) and imports each exactly as an upload
would, recording how many rows it has read as it goes. The upload's page and
``GET /api/v1/imports/<id>`` show that progress until the batch completes, fails or waits for
a person to confirm its closures. A scheduler killed mid-import leaves its batch "running";
after ``STALE_AFTER`` another scheduler takes it up again (nothing was written: the cases are
written in one transaction at the end).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping

from peewee import fn

from audit_service.domain.imports.estimates import estimate_rows
from audit_service.domain.vocabulary import ImportStatus
from audit_service.importers.base import CaseImporter
from audit_service.services.errors import Conflict, Invalid, NotFound
from audit_service.services.imports import case_import
from audit_service.services.imports.views import ImportProgress
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import ImportBatch, User, utcnow

log = logging.getLogger(__name__)

#: A running import not finished after this long was abandoned by a stopped scheduler.
STALE_AFTER = dt.timedelta(minutes=30)
#: Imports one scheduler tick runs at most, so other jobs are not kept waiting.
PER_TICK = 3
#: Rows between two progress writes.
PROGRESS_EVERY = 1_000


def queue_import(data: bytes, filename: str, *, importer_id: str | None,
                 uploaded_by: User | None, as_of: dt.date,
                 closure_limit: float | None) -> ImportBatch:
    """Keep the file for the scheduler; nothing else changes until it runs."""
    with database.atomic():
        batch = ImportBatch.create(
            source_name=filename, importer=importer_id or "",
            sha256=hashlib.sha256(data).hexdigest(), uploaded_by=uploaded_by,
            status=ImportStatus.QUEUED, pending_file=data,
            preview={"as_of": as_of.isoformat(), "closure_limit": closure_limit},
            progress_total=estimate_rows(data, filename),
        )
        audit_trail.record("cases.import_queued", actor=uploaded_by,
                           object_type="import_batch", object_id=batch.public_id,
                           after={"source_name": filename, "bytes": len(data)})
    return batch


def queue_confirmed(public_id: str, *, actor: User | None) -> ImportBatch:
    """A person confirmed an import's closures: it runs again in the background, unlimited."""
    batch = ImportBatch.get_or_none(ImportBatch.public_id == public_id)
    if batch is None:
        raise NotFound("There is no import with that id.")
    preview = {**(batch.preview or {}), "closure_limit": None}
    with database.atomic():
        claimed = (ImportBatch.update(status=ImportStatus.QUEUED, preview=preview,
                                      progress_rows=0, claimed_at=None)
                   .where((ImportBatch.id == batch.id)
                          & (ImportBatch.status == ImportStatus.AWAITING_CONFIRMATION))
                   .execute())
        if not claimed:
            raise case_import.NotPending()
        audit_trail.record("cases.import_confirmed", actor=actor, object_type="import_batch",
                           object_id=batch.public_id, after={"would_close": batch.closed_count})
    return ImportBatch.get_by_id(batch.id)


def pending_size(public_id: str) -> int:
    """Bytes of the file an import keeps while it waits (0 when it keeps none)."""
    found = (ImportBatch.select(fn.LENGTH(ImportBatch.pending_file))
             .where(ImportBatch.public_id == public_id).scalar())
    return int(found or 0)


def run_queued(importers: Mapping[str, type[CaseImporter]], now: dt.datetime | None = None,
               limit: int = PER_TICK) -> list[ImportBatch]:
    """Run up to ``limit`` queued imports, oldest first; each is claimed once."""
    done = []
    for _ in range(limit):
        batch = _claim_next(now or utcnow())
        if batch is None:
            break
        done.append(_run(batch, importers))
    return done


def _claim_next(now: dt.datetime) -> ImportBatch | None:
    stale = now - STALE_AFTER
    waiting = ((ImportBatch.status == ImportStatus.QUEUED)
               | ((ImportBatch.status == ImportStatus.RUNNING)
                  & ImportBatch.pending_file.is_null(False) & (ImportBatch.claimed_at < stale)))
    for candidate in (ImportBatch.select(ImportBatch.id, ImportBatch.status,
                                         ImportBatch.claimed_at)
                      .where(waiting).order_by(ImportBatch.started_at, ImportBatch.id)
                      .limit(5)):
        claimed = (ImportBatch.update(status=ImportStatus.RUNNING, claimed_at=now,
                                      progress_rows=0)
                   .where((ImportBatch.id == candidate.id)
                          & (ImportBatch.status == candidate.status)
                          & (ImportBatch.claimed_at.is_null() if candidate.claimed_at is None
                             else ImportBatch.claimed_at == candidate.claimed_at))
                   .execute())
        if claimed:
            return ImportBatch.get_by_id(candidate.id)
    return None


def _run(batch: ImportBatch, importers: Mapping[str, type[CaseImporter]]) -> ImportBatch:
    def progress(rows: int) -> None:
        if rows % PROGRESS_EVERY == 0:
            ImportBatch.update(progress_rows=rows).where(ImportBatch.id == batch.id).execute()

    user = batch.uploaded_by if batch.uploaded_by_id else None
    try:
        case_import.run_claimed(batch, importers=importers, actor=user, progress=progress)
    except (Invalid, Conflict):
        pass  # recorded on the batch: failed, or awaiting a person's confirmation
    except Exception as exc:  # a bug or a lost database: the batch says so, the tick goes on
        log.exception("background import %s failed", batch.public_id)
        case_import.fail(batch, f"the import stopped and nothing was changed: {exc}")
    return ImportBatch.get_by_id(batch.id)


def progress_of(public_id: str) -> ImportProgress:
    """Where an import stands, for the page's progress bar."""
    query = (ImportBatch.select(ImportBatch.status, ImportBatch.progress_rows,
                                ImportBatch.progress_total)
             .where(ImportBatch.public_id == public_id))
    found = query.tuples().first()
    if found is None:
        raise NotFound("no import with that id")
    status, rows, total = found
    return ImportProgress(str(status), rows or 0, total)

"""Read past imports and their reports, for the admin pages and the API."""

from __future__ import annotations

from peewee import JOIN, ModelSelect

from audit_service.domain.vocabulary import ImportStatus
from audit_service.services.errors import NotFound
from audit_service.services.imports.case_import import NotPending
from audit_service.services.imports.views import (
    ImportPreview,
    ImportProgress,
    ImportReport,
    ImportView,
    PreviewRow,
    RejectedRowView,
    Uploader,
)
from audit_service.services.platform.paging import Page, page_of
from audit_service.storage.models import ImportBatch, RejectedRow, User

NO_SUCH_IMPORT = "no import with that id"


def _with_uploader() -> ModelSelect:
    return ImportBatch.select(ImportBatch, User).join(
        User, on=(ImportBatch.uploaded_by == User.id), join_type=JOIN.LEFT_OUTER
    )


def _newest_first() -> ModelSelect:
    return _with_uploader().order_by(ImportBatch.started_at.desc(), ImportBatch.id.desc())


def view_of(batch: ImportBatch) -> ImportView:
    user = batch.uploaded_by if batch.uploaded_by_id else None
    return ImportView(
        batch.public_id, batch.source_name, batch.importer, str(batch.status),
        bool(batch.full_import), batch.started_at, batch.finished_at,
        Uploader(user.id, user.username, user.display_name) if user else None,
        batch.rows_read, batch.created_count, batch.updated_count, batch.unchanged_count,
        batch.closed_count, batch.rejected_count, batch.error,
        batch.rows_refused, batch.warning_count,
        None if batch.lists_read is None
        else tuple((read["sheet"], read["case_type"]) for read in batch.lists_read),
        ImportProgress(str(batch.status), batch.progress_rows or 0, batch.progress_total),
    )


def _row_view(row: RejectedRow) -> RejectedRowView:
    return RejectedRowView(row.sheet, row.row, row.column, row.value, row.reason)


def latest(limit: int) -> list[ImportView]:
    """The ``limit`` most recent imports, newest first."""
    return [view_of(batch) for batch in _newest_first().limit(limit)]


def imports_page(number: int, size: int) -> Page[ImportView]:
    """Every import, newest first, a page at a time (past the end: an empty page)."""
    return page_of(_newest_first(), number, size, view_of, empty_past_the_end=True)


def _batch(public_id: str) -> ImportBatch:
    batch = _with_uploader().where(ImportBatch.public_id == public_id).first()
    if batch is None:
        raise NotFound(NO_SUCH_IMPORT)
    return batch


def _rejected(batch: ImportBatch) -> ModelSelect:
    return (RejectedRow.select().where(RejectedRow.batch == batch)
            .order_by(RejectedRow.sheet, RejectedRow.row, RejectedRow.id))


def report(public_id: str) -> ImportReport:
    """One import with every value it could not read."""
    batch = _batch(public_id)
    rows = tuple(_row_view(row) for row in _rejected(batch))
    return ImportReport(**vars(view_of(batch)), rejected_list=rows)


def report_page(public_id: str, number: int, size: int
                ) -> tuple[ImportView, Page[RejectedRowView]]:
    """One import, and page ``number`` of the values it could not read."""
    batch = _batch(public_id)
    return view_of(batch), page_of(_rejected(batch), number, size, _row_view)


def preview(public_id: str) -> ImportPreview:
    """What an import awaiting confirmation would do, for the page that asks."""
    batch = _batch(public_id)
    if batch.status != ImportStatus.AWAITING_CONFIRMATION:
        raise NotPending()
    held = batch.preview
    return ImportPreview(view_of(batch), held["open_now"], held["closures"],
                         held["limit_percent"], tuple(PreviewRow(*row) for row in held["rows"]))

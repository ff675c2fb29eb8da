"""Imports as the admin pages and the API show them: the batch, who uploaded it, its rows.

The attribute names are the API schema's (``api/schemas.py``: ``uploaded_by_id``,
``rejected_list``) and the templates', so both dump the same objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audit_service.domain.imports.annex_a import CASELOAD_LISTS, LISTS
from audit_service.domain.vocabulary import CaseType


@dataclass(frozen=True)
class Uploader:
    """Who uploaded a file in the browser or with a token; the command line has none.

    Pages show the name; the API gives the username.
    """

    id: int
    username: str
    display_name: str


@dataclass(frozen=True)
class ImportProgress:
    """How far an import running in the background has got."""

    status: str
    rows_read: int
    #: About how many rows the file holds; None when that cannot be told cheaply.
    rows_estimated: int | None

    @property
    def in_progress(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def words(self) -> str:
        if self.status == "queued":
            return "Waiting to start: large files are imported in the background, one at a time"
        if self.rows_estimated:
            return f"{self.rows_read:,} of about {self.rows_estimated:,} rows read"
        return f"{self.rows_read:,} rows read"


@dataclass(frozen=True)
class ImportView:
    """One import's counts and outcome."""

    public_id: str
    source_name: str
    importer: str
    status: str
    full_import: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None
    uploaded_by: Uploader | None
    rows_read: int
    created_count: int
    updated_count: int
    unchanged_count: int
    closed_count: int
    rejected_count: int
    error: str | None
    rows_refused: int = 0
    warning_count: int = 0
    #: The lists read in full, as (sheet, case type); None when the importer did not say,
    #: so a full import spoke for every case type.
    lists_read: tuple[tuple[str, str], ...] | None = None
    progress: ImportProgress | None = None

    @property
    def uploaded_by_id(self) -> int | None:
        return self.uploaded_by.id if self.uploaded_by else None

    @property
    def rows_imported(self) -> int:
        return self.rows_read - self.rows_refused

    @property
    def status_label(self) -> str:
        return self.status.replace("_", " ").capitalize()

    @property
    def list_names(self) -> list[str] | None:
        return None if self.lists_read is None else [sheet for sheet, _ in self.lists_read]

    @property
    def lists_not_read(self) -> list[str]:
        """The caseload lists (6 to 9) a file reporting its lists did not hold in a form it
        could read: their cases were left as they were."""
        if self.lists_read is None:
            return []
        read = {case_type for _, case_type in self.lists_read}
        return [f"{LISTS[n].sheet_name} ({LISTS[n].title.lower()})" for n in CASELOAD_LISTS
                if LISTS[n].case_type.value not in read]

    @property
    def closure_scope(self) -> str:
        """What a full import could close, in words: only the kinds of case it read."""
        if not self.full_import:
            return ("No: a statutory return adds facts to the cases already held; it creates "
                    "and closes none")
        if self.lists_read is None:
            return "Yes: open cases missing from the file were closed"
        read = sorted({CaseType(t).label.lower() for _, t in self.lists_read})
        if not read:
            return "No list could be read in full, so no case was closed"
        return ("Open cases of the kinds it read that are missing from the file were closed ("
                + ", ".join(read) + "); other kinds of case were left as they were")


@dataclass(frozen=True)
class RejectedRowView:
    """A value the importer could not read, and what became of its row."""

    sheet: str
    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class ImportReport(ImportView):
    """An import with every value it could not read, in report order."""

    rejected_list: tuple[RejectedRowView, ...] = ()


@dataclass(frozen=True)
class PreviewRow:
    """What an import awaiting confirmation would do to one team's cases of one kind."""

    team: str
    case_type: str
    created: int
    updated: int
    closed: int

    @property
    def case_type_label(self) -> str:
        return CaseType(self.case_type).label if self.case_type in set(CaseType) \
            else self.case_type


@dataclass(frozen=True)
class ImportPreview:
    """An import waiting for a person to confirm the cases it would close."""

    batch: ImportView
    open_now: int
    closures: int
    limit_percent: int
    rows: tuple[PreviewRow, ...]

    @property
    def share_percent(self) -> int:
        return round(100 * self.closures / self.open_now) if self.open_now else 0

"""What an importer yields: one clean case record per readable row, a row error, or word
that a list was read.

These are plain values so that reading a file (importers), reconciling
records (this module's users) and writing them (services) stay separate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from audit_service.domain.vocabulary import AgeBand, CaseType


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a value came from, for error messages a data officer can act on."""

    sheet: str
    row: int


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """One child's case as one source row describes it. No names, no date of birth."""

    child_id: str
    case_type: CaseType
    source: SourceRef
    team_name: str | None = None
    worker_name: str | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    closure_reason: str | None = None
    age_band: AgeBand | None = None
    last_seen_on: dt.date | None = None
    seen_alone: bool | None = None
    referrals_12m: int | None = None
    previous_cp_plans: int | None = None
    placements_12m: int | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """A row (or one cell of it) that could not be read, and why, in plain words.

    ``imported`` tells a warning (the row was imported, without this value) from a refusal
    (the row, or the sheet, was not imported): the report counts them apart.
    """

    sheet: str
    row: int
    column: str
    value: str
    reason: str
    #: Compared apart: equal problems are the same place, value and reason.
    imported: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        return (
            f"{self.sheet}, row {self.row}, column {self.column!r}: "
            f"{self.reason} (value {self.value!r})"
        )


@dataclass(frozen=True, slots=True)
class ListRead:
    """A list whose header was found and whose rows were all read.

    A full caseload import closes an open case missing from the file only when the file
    held a list of that case's type: a list that is absent, unrecognised or unreadable
    must never close the cases it would have carried.
    """

    sheet: str
    case_type: CaseType

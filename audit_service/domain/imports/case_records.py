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


#: The facts a statutory return may add to a case, each a ``Case`` column of the same name.
#: The CIN census and SSDA903 carry a child's name-free history: the latest referral,
#: assessment, section 47 enquiry and child protection plan; the placements, legal status,
#: reviews, missing episodes and changes of social worker of a child in care.
ENRICHED_FACTS = (
    "referral_on",
    "assessment_started_on",
    "assessment_authorised_on",
    "assessment_factors",
    "s47_started_on",
    "cp_plan_started_on",
    "cp_category",
    "cin_previous_cp_plans",
    "lac_placements_12m",
    "legal_status",
    "last_review_on",
    "missing_12m",
    "sw_changes_12m",
)


@dataclass(frozen=True, slots=True)
class CaseEnrichment:
    """What one return says about one child: facts for a case the caseload already holds.

    A return never creates or closes a case: it has no team or worker, and a child in it
    may have no open case here. ``facts`` are (column, value) pairs among ``ENRICHED_FACTS``;
    only those columns are written, so one table of a return (SSDA903 reviews) never wipes
    what another (its episodes) gave. ``rows`` counts the source rows read for the child.
    """

    child_id: str
    source: SourceRef
    facts: tuple[tuple[str, object], ...]
    rows: int = 1

    def __post_init__(self) -> None:
        unknown = [name for name, _ in self.facts if name not in ENRICHED_FACTS]
        if unknown:
            raise ValueError(f"not a fact a return may add: {', '.join(unknown)}")

"""The fixed vocabularies of the service: roles, case types, age bands, staff roles, and the
states of audits, rounds, actions, imports and thematic audits.

Kept as ``StrEnum`` so the stored value, the API value and the Python value are
the same string, and a typo is an ``AttributeError`` rather than a silent miss.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class Role(StrEnum):
    """What a user account may do in the service (PRODUCT.md section 2)."""

    ADMIN = "admin"
    QUALITY_LEAD = "quality_lead"
    SUPERVISOR = "supervisor"
    PRACTITIONER = "practitioner"
    HR = "hr"
    SENIOR_LEADER = "senior_leader"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.QUALITY_LEAD: "Quality lead",
    Role.SUPERVISOR: "Team manager",
    Role.PRACTITIONER: "Practitioner",
    Role.HR: "HR analyst",
    Role.SENIOR_LEADER: "Senior leader",
}


class CaseType(StrEnum):
    CHILD_IN_NEED = "child_in_need"
    CHILD_PROTECTION = "child_protection"
    LOOKED_AFTER = "looked_after"
    CARE_LEAVER = "care_leaver"
    OPEN_ASSESSMENT = "open_assessment"

    @property
    def label(self) -> str:
        return _CASE_TYPE_LABELS[self]


_CASE_TYPE_LABELS = {
    CaseType.CHILD_IN_NEED: "Child in need",
    CaseType.CHILD_PROTECTION: "Child protection plan",
    CaseType.LOOKED_AFTER: "Looked after",
    CaseType.CARE_LEAVER: "Care leaver",
    CaseType.OPEN_ASSESSMENT: "Open assessment",
}

# When one child appears on several Annex A lists, the case is filed under the
# most intensive involvement: a child on a CP plan is also on the CIN list.
CASE_TYPE_PRECEDENCE: tuple[CaseType, ...] = (
    CaseType.LOOKED_AFTER,
    CaseType.CHILD_PROTECTION,
    CaseType.CARE_LEAVER,
    CaseType.CHILD_IN_NEED,
    CaseType.OPEN_ASSESSMENT,
)


class AuditKind(StrEnum):
    """Why an audit exists. A moderation is a check on another audit, not a view of practice:
    it never counts in summaries, coverage or sampling history."""

    MONTHLY = "monthly"
    REAUDIT = "reaudit"
    THEMATIC = "thematic"
    MODERATION = "moderation"


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class AuditStatus(StrEnum):
    """A draft is the auditor's to change; a submitted audit is scored and read-only."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class RoundStatus(StrEnum):
    """A team manager's monthly sample: awaiting their draw (when the policy says they draw),
    open until every case is audited, then completed."""

    AWAITING_DRAW = "awaiting_draw"
    OPEN = "open"
    COMPLETED = "completed"


class ActionStatus(StrEnum):
    """An action agreed after an audit."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return _ACTION_STATUS_LABELS[self]


_ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: "Open",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.DONE: "Done",
}


class ImportStatus(StrEnum):
    """A caseload import is written whole or not at all: running only inside its transaction,
    or while a background runner reads a queued file."""

    #: A large upload waiting for the scheduler to import it.
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    #: Would close more open cases than the council allows without a person confirming.
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    #: A person chose not to go ahead with an import awaiting confirmation.
    CANCELLED = "cancelled"


class ThematicStatus(StrEnum):
    """A thematic audit is defined (its cohort), then its sample is drawn once."""

    DEFINED = "defined"
    DRAWN = "drawn"


class Pool(StrEnum):
    """Where a drawn case came from: the open caseload, a re-audit, last month's closures, or
    the unallocated cases a service manager audits."""

    OPEN = "open"
    REAUDIT = "reaudit"
    CLOSED = "closed"
    UNALLOCATED = "unallocated"

    @property
    def label(self) -> str:
        return _POOL_LABELS[self]


_POOL_LABELS = {
    Pool.OPEN: "Open caseload",
    Pool.REAUDIT: "Re-audit",
    Pool.CLOSED: "Closed last month",
    Pool.UNALLOCATED: "Unallocated",
}


class EmploymentType(StrEnum):
    PERMANENT = "permanent"
    AGENCY = "agency"


class StaffRole(StrEnum):
    """A person's job in the service, as opposed to their login role."""

    SOCIAL_WORKER = "social_worker"
    SENIOR_PRACTITIONER = "senior_practitioner"
    TEAM_MANAGER = "team_manager"
    SERVICE_MANAGER = "service_manager"
    PERSONAL_ADVISER = "personal_adviser"
    QUALITY_ASSURANCE = "quality_assurance"
    OTHER = "other"


class AgeBand(StrEnum):
    """DfE statistical age bands; we keep the band, never the date of birth."""

    UNDER_1 = "under_1"
    AGE_1_4 = "1_4"
    AGE_5_9 = "5_9"
    AGE_10_15 = "10_15"
    AGE_16_17 = "16_17"
    AGE_18_PLUS = "18_plus"

    @property
    def label(self) -> str:
        return {
            "under_1": "Under 1",
            "1_4": "1 to 4",
            "5_9": "5 to 9",
            "10_15": "10 to 15",
            "16_17": "16 to 17",
            "18_plus": "18 and over",
        }[self.value]


def age_in_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(born: dt.date, on: dt.date) -> AgeBand:
    """Band a date of birth at a reference date (the import date)."""
    years = age_in_years(born, on)
    if years < 1:
        return AgeBand.UNDER_1
    if years < 5:
        return AgeBand.AGE_1_4
    if years < 10:
        return AgeBand.AGE_5_9
    if years < 16:
        return AgeBand.AGE_10_15
    if years < 18:
        return AgeBand.AGE_16_17
    return AgeBand.AGE_18_PLUS

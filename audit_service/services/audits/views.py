"""What the audit pages and the audits API show: one read model, built by the services.

A page renders these attributes and the API's schemas dump the same attributes, so an
audit reads the same in HTML and in JSON. What the reader may do with it (change it,
respond, record or move actions, open the audit a re-audit follows up) is decided when
the view is built and carried on it. None of them holds a database row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from audit_service.domain.audits import (
    JUDGEMENT,
    JUDGEMENT_REASON,
    Answer,
    AuditScore,
    CriterionKey,
    FieldDifference,
    FieldError,
    JudgementAnswer,
    first_message_per_field,
)
from audit_service.domain.audits.evidence import CaseFacts, EvidencePrompt
from audit_service.domain.months import Month
from audit_service.domain.rubrics import DEFAULT_SCALE, Criterion, Rubric
from audit_service.domain.vocabulary import ActionStatus, CaseType

CHANGES = {1: "improved", 0: "unchanged", -1: "worse"}
_CASE_TYPES = frozenset(CaseType)
#: Each action status with its label, in the order the status control offers them.
STATUSES: dict[str, str] = {status: status.label for status in ActionStatus}


# --- people, cases and actions ---------------------------------------------------------------


@dataclass(frozen=True)
class PersonView:
    """Someone named on an audit: pages show the name, the API the username."""

    id: int
    username: str
    display_name: str


@dataclass(frozen=True)
class OwnerChoice(PersonView):
    """Someone an action may be given to; the audited practitioner is marked as such."""

    practitioner: bool = False


@dataclass(frozen=True)
class CaseView:
    """The audited case as it is now (the audit keeps its own team and case type)."""

    public_id: str
    child_id: str
    case_type: str
    status: str
    closed_on: dt.date | None
    closure_reason: str | None
    team: str | None
    #: What evidence prompts read; only the audit form asks for it.
    facts: CaseFacts | None = field(default=None, compare=False, repr=False)

    @property
    def case_type_label(self) -> str:
        return CaseType(self.case_type).label if self.case_type in _CASE_TYPES else self.case_type


@dataclass(frozen=True)
class ActionView:
    """An action agreed after an audit; ``may_update`` says whether the reader may move it."""

    public_id: str
    audit_public_id: str
    description: str
    owner: PersonView
    due_on: dt.date
    status: str
    version: int
    created_at: dt.datetime
    completed_at: dt.datetime | None
    may_update: bool = False

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class PreviousAuditView:
    """The audit a re-audit follows up, with the actions agreed after it."""

    public_id: str
    submitted_at: dt.datetime | None
    grade: str | None
    actions: tuple[ActionView, ...]
    #: The reader may open it (a re-audit's reader need not be able to read the last one).
    readable: bool


@dataclass(frozen=True)
class ReauditView:
    """What a re-audit shows beside its own grade: the audit it follows up and the change."""

    previous: PreviousAuditView
    grade: str | None

    @property
    def change(self) -> str | None:
        """"improved", "unchanged" or "worse" once both grades are known."""
        before, now = self.previous.grade, self.grade
        if not before or not now:
            return None
        step = DEFAULT_SCALE.level(now).score - DEFAULT_SCALE.level(before).score
        return CHANGES[(step > 0) - (step < 0)]


# --- the rubrics an audit is answered against ------------------------------------------------


@dataclass(frozen=True)
class CriterionItem:
    """One criterion as the form, the read-only view, the conflict page and the API show it.

    An object rather than a dict: templates read a dozen attributes of each of the
    form's criteria, and Jinja finds an attribute at once but a dict key only after an
    ``AttributeError``.
    """

    key: CriterionKey
    number: int
    label: str
    criterion: Criterion
    options: tuple
    option_labels: dict
    descriptors: tuple
    ids: dict
    #: False for a judgement only limiting rules read ("Is the child safe now?").
    scored: bool = True
    prompts: tuple[EvidencePrompt, ...] = ()
    #: The heading and guidance, rendered once per version by the page; None renders it
    #: where it is shown.
    head: str | None = None


@dataclass(frozen=True)
class Section:
    """One pinned rubric (a domain) of an audit, its criteria in form order."""

    rubric: Rubric
    #: The version number, or "draft" for a rubric draft being previewed.
    version: int | str
    criteria: tuple[CriterionItem, ...]
    #: Identifies the published version and installed criterion types the items were built
    #: from, so what is rendered from them can be kept too; None for a draft.
    cache_key: tuple | None = None


@dataclass(frozen=True)
class AnswerRow:
    """A saved answer, named as the API names it."""

    rubric: str
    criterion: str
    rating: str | None
    not_applicable: bool
    na_reason: str
    evidence: str


# --- audits ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditSummary:
    """An audit in a list. A moderator working blind sees no grades here."""

    public_id: str
    status: str
    kind: str
    version: int
    case: CaseView
    auditor: PersonView
    #: The agreed grade once a moderation is adjudicated, else the auditor's.
    effective_grade: str | None
    #: The grade the auditor's submission gave.
    auditor_grade: str | None
    moderated: bool
    submitted_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    responded: bool


@dataclass(frozen=True)
class AuditResultView:
    """A submitted audit's grades and the scoring explanation."""

    public_id: str
    effective_grade: str | None
    effective_score: Decimal | None
    auditor_grade: str | None
    calculated_grade: str | None
    result: dict | None


@dataclass(frozen=True)
class AuditView(AuditSummary):
    """One audit, everything about it the reader may see, and what they may do with it."""

    team: str | None
    practitioner: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    effective_score: Decimal | None
    calculated_grade: str | None
    judgement: JudgementAnswer
    result: dict | None
    response: str | None
    responded_at: dt.datetime | None
    #: The case type the rules judge it by: the case's when the audit started.
    audited_case_type: str | None
    round_due_on: dt.date | None
    drawn_because: str | None
    reaudit: ReauditView | None
    sections: tuple[Section, ...]
    answers: Mapping[CriterionKey, Answer]
    actions: tuple[ActionView, ...]
    #: Who an action may be given to, when the reader may record actions.
    owners: tuple[OwnerChoice, ...]
    #: The reader is its auditor and it is still a draft: they see the form.
    editable: bool
    #: The reader is the audited practitioner and may still respond and acknowledge.
    may_respond: bool
    may_manage_actions: bool
    #: The answer to each rubric made only of unscored judgements, in words, by rubric id.
    unscored: Mapping[str, str]

    @property
    def keys(self) -> list[CriterionKey]:
        return [item.key for section in self.sections for item in section.criteria]

    @property
    def overall_judgement(self) -> dict | None:
        return None if self.judgement.is_empty else self.judgement.as_dict()

    @property
    def answer_rows(self) -> list[AnswerRow]:
        return [AnswerRow(key.rubric_id, key.criterion_id, **answer.as_dict())
                for key in self.keys if (answer := self.answers.get(key)) is not None]


@dataclass(frozen=True)
class AuditForm:
    """The audit form: the audit, its criteria with the case record's prompts, the answers
    to show (saved, or as posted when the form comes back with errors) and the grade they
    would get."""

    judgement_ids: ClassVar[dict[str, str]] = {"grade": JUDGEMENT, "reason": JUDGEMENT_REASON}

    audit: AuditView
    sections: tuple[Section, ...]
    answers: Mapping[CriterionKey, Answer]
    judgement: JudgementAnswer
    judgement_grades: tuple[tuple[str, str], ...]
    preview: AuditScore | None
    version: int
    errors: tuple[FieldError, ...] = ()

    @property
    def error_for(self) -> dict[str, str]:
        return first_message_per_field(self.errors)


@dataclass(frozen=True)
class ConflictView:
    """A save from an out-of-date page: what was sent, what is saved, part by part."""

    audit: AuditView
    diffs: tuple[FieldDifference, ...]
    yours: Mapping[CriterionKey, Answer]
    your_version: int

    @property
    def current_version(self) -> int:
        return self.audit.version

    @property
    def sections(self) -> dict[str, Section]:
        return {section.rubric.id: section for section in self.audit.sections}


# --- what a quality lead oversees ----------------------------------------------------------


@dataclass(frozen=True)
class AwaitingReaudit:
    """A case whose last grade brings it back for a re-audit."""

    case: CaseView
    team: str
    last_grade: str | None
    graded_on: dt.date | None
    due: bool
    closed: bool

    @property
    def closed_on(self) -> dt.date | None:
        """Set when the case closed before its re-audit."""
        return self.case.closed_on if self.closed else None


@dataclass(frozen=True)
class JudgementRow:
    """A submitted audit whose auditor graded it differently from the rules, and why."""

    audit_public_id: str
    case: CaseView
    team: str
    auditor: PersonView
    submitted_at: dt.datetime
    calculated_grade: str | None
    judged_grade: str | None
    reason: str

    @property
    def direction(self) -> str:
        """"above" or "below" the calculated grade."""
        order = ("inadequate", "requires_improvement", "good", "outstanding")
        judged, calculated = self.judged_grade, self.calculated_grade
        if judged in order and calculated in order:
            return "above" if order.index(judged) > order.index(calculated) else "below"
        return "different"


# --- a round's cases and the home pages ------------------------------------------------------


@dataclass(frozen=True)
class RoundView:
    public_id: str
    period: str
    due_on: dt.date
    status: str
    completed_at: dt.datetime | None

    @property
    def label(self) -> str:
        """"March 2026"."""
        return Month.parse(self.period).label


@dataclass(frozen=True)
class RoundCaseView:
    """A case drawn for a round, why, and its audit once started."""

    case: CaseView
    position: int
    reason: str
    pool: str
    audit: AuditSummary | None

    @property
    def state(self) -> str:
        """"not_started", "draft" or "submitted"."""
        return "not_started" if self.audit is None else self.audit.status


@dataclass(frozen=True)
class PastRoundView:
    round: RoundView
    cases: int
    submitted: int


@dataclass(frozen=True)
class SupervisorOverview:
    """A team manager's month at a glance."""

    #: Their login is linked to a member of staff, so rounds can be drawn for them.
    has_staff: bool
    this_month: str
    current: RoundView | None
    rows: tuple[RoundCaseView, ...] = ()
    past: tuple[PastRoundView, ...] = ()
    overdue_rounds: tuple[RoundView, ...] = ()
    overdue_actions: tuple[ActionView, ...] = ()
    team_actions: tuple[ActionView, ...] = ()
    #: Thematic audits this team manager carries out (issue 6), unfinished first.
    thematic: tuple[AuditSummary, ...] = ()


@dataclass(frozen=True)
class PractitionerOverview:
    """The submitted audits of a practitioner's cases, and the actions they own."""

    audits: tuple[AuditSummary, ...]
    actions: tuple[ActionView, ...]

"""What moderation and learning show: one read model for the pages and the API.

The services build these from the database; a page renders their attributes and
the API's schemas dump the same attributes, so a moderation, a statistics table
or an exemplar reads the same in HTML and in JSON. None of them holds a row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from audit_service.domain.audits import CriterionKey, FieldError
from audit_service.domain.moderation.agreement import AgreementSummary, AuditorFlag, Estimate
from audit_service.domain.rubrics import Rubric

# Where a moderation has got to, in order; the list filter uses the same names.
STATES = {
    "not_picked": "Not picked",
    "awaiting_moderator": "Waiting for a moderator",
    "in_moderation": "Being moderated",
    "ready": "Ready to adjudicate",
    "adjudicated": "Adjudicated",
}


# --- people and teams a form offers ----------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Someone a form offers: a moderator to assign, an auditor to filter the list by."""

    id: int
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class TeamChoice:
    """A team the list of submitted audits can be narrowed to (by id, shown by name)."""

    id: int
    name: str


# --- the moderation list and one moderation ----------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """A submitted first audit and how far its moderation has got (``moderation`` is None
    until it is picked); ``grade`` is None while the reader moderates it blind."""

    audit: str
    child_id: str
    case_type: str
    team: str | None
    auditor: str
    submitted_at: dt.datetime
    grade: str | None
    blinded: bool
    state: str
    moderation: str | None


@dataclass(frozen=True)
class MyModeration:
    """A moderation the reader was asked to carry out; ``audit`` is their own second audit."""

    audit: str
    child_id: str
    case_type: str
    submitted: bool


@dataclass(frozen=True)
class ShareSetting:
    """The share of each month's audits drawn at random; 0 and no seed when none was set."""

    share_percent: int = 0
    seed: str | None = None
    created_at: dt.datetime | None = None
    created_by: str | None = None

    @property
    def is_set(self) -> bool:
        return self.seed is not None


@dataclass(frozen=True)
class SampleReport:
    period: str
    share_percent: int
    eligible: int
    target: int
    picked: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.picked)} picked for moderation from {self.eligible} audits "
                f"submitted in {self.period} (share {self.share_percent}%, target "
                f"{self.target})")


@dataclass(frozen=True)
class ModerationIndex:
    """The moderation page: the reader's own moderations, and for those who manage
    moderation the submitted audits to pick from, the filters' choices and the share.
    ``ignored`` are filters that could not be read, and so were not applied."""

    manages: bool
    mine: list[MyModeration]
    setting: ShareSetting
    rows: list[QueueRow] = field(default_factory=list)
    teams: list[TeamChoice] = field(default_factory=list)
    auditors: list[Person] = field(default_factory=list)
    ignored: list[FieldError] = field(default_factory=list)


@dataclass(frozen=True)
class CriterionComparison:
    key: CriterionKey
    rubric_title: str
    number: int
    prompt: str
    first: str | None
    second: str | None
    first_label: str
    second_label: str
    first_evidence: str
    second_evidence: str

    @property
    def differs(self) -> bool:
        return self.first != self.second


@dataclass(frozen=True)
class Comparison:
    """Both audits criterion by criterion and domain by domain, once the moderator has
    submitted; ``grades`` are the scale's (id, label), best first."""

    rubrics: list[Rubric]
    criteria: list[CriterionComparison]
    grades: list[tuple[str, str]]
    first_domains: dict[str, str | None]
    second_domains: dict[str, str | None]

    @property
    def differences(self) -> int:
        return sum(1 for c in self.criteria if c.differs)


@dataclass(frozen=True)
class ModerationView:
    """One moderation. ``audit`` and ``moderation_audit`` are the two audits' ids;
    ``first_grade`` is withheld (None, ``first_grade_withheld``) from everyone until the
    moderator has submitted, and ``blinded`` says the reader is that moderator; ``moderating``
    says the reader is the moderator with their audit still to submit."""

    id: str
    audit: str
    period: str
    source: str
    reason: str
    state: str
    first_grade: str | None
    blinded: bool
    first_grade_withheld: bool
    child_id: str
    case_type: str
    first_auditor: str
    moderator: str | None
    moderator_name: str | None
    moderation_audit: str | None
    moderation_grade: str | None
    moderating: bool
    agreed_grade: str | None
    agreed_domains: dict[str, str] | None
    note: str | None
    adjudicated_at: dt.datetime | None
    comparison: Comparison | None = None

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def criteria(self) -> list[CriterionComparison] | None:
        return self.comparison.criteria if self.comparison else None


@dataclass(frozen=True)
class ModerationPage:
    """A moderation with the people who may still be asked to moderate it (none once a
    moderator is assigned)."""

    moderation: ModerationView
    moderators: list[Person]


# --- agreement statistics -------------------------------------------------------------------

NO_ESTIMATE = Estimate(None)


class Figures:
    """A row's agreement figures by the names the tables and the API give them; a row with
    no comparable pairs has no figures (each estimate is empty)."""

    summary: AgreementSummary | None

    def _figure(self, name: str) -> Estimate:
        return getattr(self.summary, name) if self.summary else NO_ESTIMATE

    @property
    def pairs(self) -> int:
        return self.summary.n if self.summary else 0

    @property
    def percent_agreement(self) -> Estimate:
        return self._figure("percent")

    @property
    def kappa_linear(self) -> Estimate:
        return self._figure("kappa_linear")

    @property
    def kappa_quadratic(self) -> Estimate:
        return self._figure("kappa_quadratic")

    @property
    def ac1(self) -> Estimate:
        return self._figure("ac1")

    @property
    def ac2_linear(self) -> Estimate:
        return self._figure("ac2_linear")


@dataclass(frozen=True)
class StatRow(Figures):
    label: str
    summary: AgreementSummary | None
    left_out: int = 0


@dataclass(frozen=True)
class AuditorRow(Figures):
    label: str
    username: str
    summary: AgreementSummary | None
    flag: AuditorFlag
    left_out: int = 0


@dataclass(frozen=True)
class Statistics:
    period_from: str
    period_to: str
    moderations: int = 0
    criteria: list[StatRow] = field(default_factory=list)
    auditors: list[AuditorRow] = field(default_factory=list)
    teams: list[StatRow] = field(default_factory=list)

    @property
    def flagged(self) -> list[AuditorRow]:
        return [row for row in self.auditors if row.flag.flagged]


# --- learning ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeView:
    id: int
    name: str
    description: str
    controlled: bool
    retired: bool


@dataclass(frozen=True)
class ThemeCount:
    """One theme's tagged audits per month (``counts`` in month order) and in all."""

    theme: str
    counts: dict[str, int]
    total: int

    @property
    def per_month(self) -> list[int]:
        return list(self.counts.values())


@dataclass(frozen=True)
class ThemeCounts:
    months: list[str]
    rows: list[ThemeCount]


@dataclass(frozen=True)
class ExemplarView:
    """A shared excerpt: nothing in it leads back to the audit or the case."""

    id: str
    title: str
    criterion: str
    excerpt: str
    shared_at: dt.datetime


@dataclass(frozen=True)
class AuditToTag:
    audit: str
    child_id: str
    case_type: str
    submitted_at: dt.datetime
    themes: int


@dataclass(frozen=True)
class LearningPage:
    """The learning page: exemplars for everyone; the theme list and the audits to tag
    for those who manage them."""

    manages: bool
    exemplars: list[ExemplarView]
    themes: list[ThemeView]
    to_tag: list[AuditToTag]


@dataclass(frozen=True)
class TaggingPage:
    """A submitted audit to tag and quote from: its themes and its evidence, labelled by
    criterion (the labels are what an exemplar's ``criterion`` may say)."""

    audit: str
    case_type: str
    submitted_at: dt.datetime
    themes: list[ThemeView]
    current: list[ThemeView]
    evidence: list[tuple[str, str]]

    @property
    def chosen(self) -> set[int]:
        return {theme.id for theme in self.current}


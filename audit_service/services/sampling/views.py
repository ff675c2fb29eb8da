"""What sampling shows people: rounds and their cases, policies, thematic audits.

The sampling services build these from the database; pages render them and the API
dumps them, so a page and an endpoint always read the same thing and neither needs
the ORM. Attribute names are the ones templates and JSON use. Views that depend on
who asks (``RoundView.owner``) are built for that user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from audit_service.domain.sampling import SamplingPolicySettings
from audit_service.domain.vocabulary import Pool, RoundStatus

ROUND_STATUS_LABELS = {RoundStatus.AWAITING_DRAW: "Waiting for the team manager to draw",
                       RoundStatus.OPEN: "Open"}


@dataclass(frozen=True)
class CaseRef:
    """A case as sampling shows it: how to find it and what kind it is, no more."""

    public_id: str
    child_id: str
    case_type: str
    age_band: str | None

    @classmethod
    def of(cls, case: Any) -> CaseRef:
        return cls(case.public_id, case.child_id, case.case_type, case.age_band)


# --- rounds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundCaseView:
    """A case drawn into a round, why, and (once replaced) when and why it was replaced."""

    position: int
    case: CaseRef
    reason: str
    pool: str
    replaced_at: dt.datetime | None
    replacement_reason: str | None


@dataclass(frozen=True)
class PolicyRef:
    """The policy version that drew a round; ``source`` says whose policy it is in words."""

    scope: str
    version: int
    strategy: str
    source: str


@dataclass(frozen=True)
class RoundView:
    """A round as the person asking may see it: ``owner`` when it is their own sample to draw
    and replace from, ``may_see_population`` when they oversee sampling. ``cases`` and
    ``replaced`` are empty for those who may not read children's case references (senior
    leaders and administrators without the case reader grant): they read ``case_count``."""

    public_id: str
    period: str
    period_label: str
    supervisor: str
    team: str | None
    status: str
    due_on: dt.date
    opened_at: dt.datetime
    drawn_at: dt.datetime | None
    seed: str
    eligible_count: int
    policy: PolicyRef
    cases: tuple[RoundCaseView, ...]
    replaced: tuple[RoundCaseView, ...]
    owner: bool
    may_see_population: bool
    case_count: int
    shows_cases: bool

    @property
    def status_label(self) -> str:
        return ROUND_STATUS_LABELS.get(self.status, self.status.capitalize())


@dataclass(frozen=True)
class RoundsOfMonth:
    """A month's rounds, named even when there are none."""

    period: str
    label: str
    rounds: tuple[RoundView, ...]


@dataclass(frozen=True)
class PopulationRow:
    """An eligible case, with the pool it is (or would be) drawn from."""

    case: CaseRef
    pool: str
    in_round: bool

    @property
    def reaudit(self) -> bool:
        return self.pool == Pool.REAUDIT

    @property
    def pool_label(self) -> str:
        return Pool(self.pool).label


@dataclass(frozen=True)
class PopulationView:
    """What a round's policy makes eligible today, beside what was eligible at the draw."""

    round: RoundView
    rows: tuple[PopulationRow, ...]

    @property
    def eligible_now(self) -> int:
        return sum(1 for row in self.rows if not row.in_round)


# --- policies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyScope:
    """Whose policy: the council's, a service's or a team's. A team knows its service, where
    its policy comes from while it has none of its own."""

    key: str
    label: str
    name: str = ""
    team_id: int | None = None
    service_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class PolicyVersion(SamplingPolicySettings):
    """A saved version: its settings, whose it is and who saved it. ``saved_options`` are the
    strategy options as saved, None when the strategy's defaults were left to apply."""

    scope: str
    applies_to: str
    version: int
    created_at: dt.datetime
    created_by: str
    saved_options: dict[str, Any] | None


@dataclass(frozen=True)
class EffectivePolicy:
    """The policy a scope works under now, and whose it is; ``version`` is None for the
    built-in default before it was ever stored."""

    settings: SamplingPolicySettings
    scope: str
    source: str
    version: int | None


@dataclass(frozen=True)
class PolicyOverview:
    """Every scope at once: the council's own policy, each service's own, and the policy each
    team works under (its own or inherited)."""

    council: PolicyVersion | None
    services: tuple[tuple[PolicyScope, PolicyVersion | None], ...]
    teams: tuple[tuple[PolicyScope, EffectivePolicy], ...]


# --- thematic audits ------------------------------------------------------------------------


@dataclass(frozen=True)
class RubricRef:
    """A rubric version a thematic audit pins, or could."""

    rubric_id: str
    title: str
    number: int

    @property
    def ref(self) -> str:
        return f"{self.rubric_id}/{self.number}"


@dataclass(frozen=True)
class ThematicCaseView:
    """A case drawn for a thematic audit; ``id`` names its auditor field in the form."""

    id: int
    position: int
    reason: str
    case: CaseRef
    auditor: str | None
    audit_id: str | None
    audit_status: str | None


@dataclass(frozen=True)
class ThematicView:
    """A thematic audit: its cohort (as stored and in words), the draw, the pinned rubrics and
    its cases; ``started`` once an auditor has saved an audit, when rubrics stop changing."""

    public_id: str
    title: str
    status: str
    filters: dict[str, Any]
    filters_text: tuple[str, ...]
    cohort_size: int | None
    sample_size: int | None
    strategy: str | None
    seed: str | None
    created_at: dt.datetime
    drawn_at: dt.datetime | None
    rubrics: tuple[RubricRef, ...]
    cases: tuple[ThematicCaseView, ...]
    started: bool

    @property
    def rubric_refs(self) -> list[str]:
        return [rubric.ref for rubric in self.rubrics]


@dataclass(frozen=True)
class AuditorChoice:
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class ThematicWorkspace:
    """A thematic audit with what its page offers: the cohort's size (today's until the
    draw, then the draw's), the rubrics to pin and the people who may audit."""

    thematic: ThematicView
    size: int
    rubric_choices: tuple[RubricRef, ...]
    auditors: tuple[AuditorChoice, ...]


@dataclass(frozen=True)
class Organisation:
    """Teams and services as (id, name), by name: to choose them in a cohort's filters."""

    teams: tuple[tuple[int, str], ...]
    services: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class CohortPreview:
    size: int
    filters_text: tuple[str, ...]


@dataclass(frozen=True)
class AssignedAudit:
    """A thematic audit's case given to the person asking."""

    public_id: str
    child_id: str
    status: str

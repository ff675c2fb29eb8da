"""Evidence prompts: hints computed from a case's facts, shown beside rubric criteria.

A supervisor auditing "the child is seen within timescales" should not have to
dig for the last visit date: a provider turns the Annex A facts into
"Last statutory visit 34 days ago". Providers are plugins
(hook ``register_evidence_prompts``); they are pure and see no child identifiers.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

from audit_service.domain.vocabulary import AgeBand, CaseType


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """The facts about a case that rubrics and sampling may use. No names, no child id."""

    case_type: CaseType
    age_band: AgeBand | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    closure_reason: str | None = None
    last_seen_on: dt.date | None = None
    seen_alone: bool | None = None
    referrals_12m: int | None = None
    previous_cp_plans: int | None = None
    placements_12m: int | None = None
    # From the statutory returns (CIN census, SSDA903), when imported.
    referral_on: dt.date | None = None
    assessment_started_on: dt.date | None = None
    assessment_authorised_on: dt.date | None = None
    #: Factor codes identified at assessment, comma-separated ("2B,4A").
    assessment_factors: str | None = None
    s47_started_on: dt.date | None = None
    cp_plan_started_on: dt.date | None = None
    cp_category: str | None = None
    legal_status: str | None = None
    last_review_on: dt.date | None = None
    missing_12m: int | None = None
    sw_changes_12m: int | None = None


@dataclass(frozen=True, slots=True)
class EvidencePrompt:
    """One hint, and the criterion ids (across rubrics) it belongs beside."""

    text: str
    criteria: tuple[str, ...]
    #: "warning" when the fact itself suggests a weakness the auditor should test.
    tone: str = "info"


class EvidencePromptProvider(ABC):
    """Base class for evidence prompt plugins."""

    #: Unique, stable identifier.
    id: str = ""
    #: Human-readable name for ``audit-service plugins``.
    label: str = ""

    @abstractmethod
    def prompts(self, facts: CaseFacts, today: dt.date) -> list[EvidencePrompt]:
        """The prompts these facts support on ``today``; an empty list when none apply."""


def prompts_for(
    providers: Iterable[EvidencePromptProvider], facts: CaseFacts, today: dt.date
) -> dict[str, list[EvidencePrompt]]:
    """Every provider's prompts, grouped by the criterion id they sit beside."""
    grouped: dict[str, list[EvidencePrompt]] = {}
    for provider in providers:
        for prompt in provider.prompts(facts, today):
            for criterion_id in prompt.criteria:
                grouped.setdefault(criterion_id, []).append(prompt)
    return grouped

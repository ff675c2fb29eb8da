"""First-party plugin: evidence prompts computed from a case's Annex A facts.

Shown beside the matching criteria in the audit form, so the auditor starts
from what the case system already says ("last statutory visit 34 days ago")
and tests it against the file.
"""

from __future__ import annotations

import datetime as dt

from audit_service.domain.audits.evidence import CaseFacts, EvidencePrompt, EvidencePromptProvider
from audit_service.domain.sampling.flags import VISIT_DAYS
from audit_service.domain.vocabulary import CaseType
from audit_service.plugins import hookimpl

__version__ = "1.1.0"

STATUTORY_VISITS = {CaseType.CHILD_PROTECTION, CaseType.LOOKED_AFTER}

# The criteria each fact sits beside, across the shipped rubrics (a care leaver's contact is
# with their personal adviser).
SEEN = ("seen_within_timescales", "pa_contact")
SEEN_ALONE = ("seen_alone",)
PLACEMENTS = ("plans_revisited", "cumulative_harm", "placement_stability")
REFERRALS = ("history_integrated", "cumulative_harm")
PREVIOUS_PLANS = ("decisions_retested", "history_integrated")


def plural(count: int, word: str) -> str:
    """"3 placements", "1 referral": a count with its noun."""
    return f"{count} {word}{'' if count == 1 else 's'}"


class AnnexAEvidencePrompts(EvidencePromptProvider):
    id = "annex-a-facts"
    label = "Evidence prompts from Annex A case facts"

    def prompts(self, facts: CaseFacts, today: dt.date) -> list[EvidencePrompt]:
        found = [self._last_seen(facts, today), self._seen_alone(facts)]
        if facts.placements_12m:
            found.append(EvidencePrompt(
                f"{plural(facts.placements_12m, 'placement')} in the last 12 months",
                PLACEMENTS,
                "warning" if facts.placements_12m >= 3 else "info",
            ))
        if facts.referrals_12m:
            found.append(EvidencePrompt(
                f"{plural(facts.referrals_12m, 'referral')} in the last 12 months",
                REFERRALS,
                "warning" if facts.referrals_12m >= 2 else "info",
            ))
        if facts.previous_cp_plans:
            found.append(EvidencePrompt(
                f"{plural(facts.previous_cp_plans, 'previous child protection plan')}",
                PREVIOUS_PLANS,
                "warning",
            ))
        return [prompt for prompt in found if prompt is not None]

    def _last_seen(self, facts: CaseFacts, today: dt.date) -> EvidencePrompt | None:
        what = "statutory visit" if facts.case_type in STATUTORY_VISITS else "seen"
        if facts.last_seen_on is None:
            missing = ("No date of the last statutory visit" if what == "statutory visit"
                       else "No date last seen")
            return EvidencePrompt(f"{missing} recorded in the case system", SEEN, "warning")
        days = (today - facts.last_seen_on).days
        if days < 0:
            return EvidencePrompt(
                f"Date last seen is in the future ({facts.last_seen_on:%d/%m/%Y}): "
                "check the record",
                SEEN, "warning",
            )
        when = "today" if days == 0 else f"{plural(days, 'day')} ago"
        text = (f"Last statutory visit {when}" if what == "statutory visit"
                else f"Child last seen {when}")
        limit = VISIT_DAYS[facts.case_type]
        if days > limit:
            return EvidencePrompt(f"{text} (longer than the usual {limit} days)", SEEN, "warning")
        return EvidencePrompt(text, SEEN)

    def _seen_alone(self, facts: CaseFacts) -> EvidencePrompt | None:
        if facts.seen_alone is False:
            return EvidencePrompt("Not recorded as seen alone", SEEN_ALONE, "warning")
        if facts.seen_alone is True:
            return EvidencePrompt("Recorded as seen alone at the last visit", SEEN_ALONE)
        if facts.case_type == CaseType.CHILD_PROTECTION:
            return EvidencePrompt("Whether the child was seen alone is not recorded",
                                  SEEN_ALONE, "warning")
        return None


@hookimpl
def register_evidence_prompts():
    from audit_service.default_plugins.evidence_prompts.returns import ReturnsEvidencePrompts

    return [AnnexAEvidencePrompts(), ReturnsEvidencePrompts()]

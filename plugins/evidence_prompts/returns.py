"""Evidence prompts from the statutory returns: the CIN census and the SSDA903.

What the council already told the DfE about a child, put beside the criteria it bears on, so
an auditor tests the file against it: an assessment past 45 working days beside timeliness, a
third social worker this year beside allocation, missing episodes beside exploitation.
"""

from __future__ import annotations

import datetime as dt

from audit_service.default_plugins.evidence_prompts import plural

from audit_service.domain.audits.evidence import CaseFacts, EvidencePrompt, EvidencePromptProvider
from audit_service.domain.imports.cin_census import CATEGORIES_OF_ABUSE
from audit_service.domain.imports.ssda903 import LEGAL_STATUSES
from audit_service.domain.sampling.flags import WORKER_CHANGES, assessment_overdue

ASSESSMENT = ("assessment_timely",)
FACTORS = ("assessment_analysis", "cumulative_harm")
ENQUIRY = ("strategy_and_multi_agency",)
CATEGORY = ("safe_now", "cumulative_harm")
LEGAL_STATUS = ("permanence_planned",)
REVIEW = ("iro_oversight",)
MISSING = ("missing_and_exploitation",)
WORKERS = ("allocation_clear",)

#: Looked-after reviews fall due at least every six months after the second.
REVIEW_INTERVAL_DAYS = 183

#: Factor codes whose meaning is fixed across the census years: the family of concern, and
#: whom it is about (A the child, B a parent or carer, C another person in the household).
FACTOR_FAMILIES = {
    "1": "alcohol misuse", "2": "drug misuse", "3": "domestic abuse", "4": "mental health",
    "5": "learning disability", "6": "physical disability or illness",
}
FACTOR_SUBJECTS = {"A": "the child", "B": "a parent or carer", "C": "another person"}
FACTOR_CODES = {"7A": "young carer", "8B": "privately fostered",
                "9A": "unaccompanied asylum-seeking child", "10A": "going missing",
                "11A": "child sexual exploitation"}


def factor_label(code: str) -> str:
    """A factor code in words where its meaning is settled, else the code itself."""
    if code in FACTOR_CODES:
        return FACTOR_CODES[code]
    family, subject = code[:-1], code[-1:]
    if family in FACTOR_FAMILIES and subject in FACTOR_SUBJECTS:
        return f"{FACTOR_FAMILIES[family]} ({FACTOR_SUBJECTS[subject]})"
    return f"factor {code}"


class ReturnsEvidencePrompts(EvidencePromptProvider):
    id = "statutory-returns"
    label = "Evidence prompts from the CIN census and the SSDA903 return"

    def prompts(self, facts: CaseFacts, today: dt.date) -> list[EvidencePrompt]:
        found = [
            self._assessment(facts, today),
            self._factors(facts),
            self._enquiry(facts, today),
            self._category(facts),
            self._legal_status(facts),
            self._review(facts, today),
            self._missing(facts),
            self._workers(facts),
        ]
        return [prompt for prompt in found if prompt is not None]

    def _assessment(self, facts: CaseFacts, today: dt.date) -> EvidencePrompt | None:
        late = assessment_overdue(facts, today)
        if late:
            return EvidencePrompt(f"CIN census: {late}", ASSESSMENT, "warning")
        if facts.assessment_started_on and facts.assessment_authorised_on:
            return EvidencePrompt(
                f"CIN census: assessment started {facts.assessment_started_on:%d/%m/%Y}, "
                f"authorised {facts.assessment_authorised_on:%d/%m/%Y}", ASSESSMENT)
        return None

    def _factors(self, facts: CaseFacts) -> EvidencePrompt | None:
        if not facts.assessment_factors:
            return None
        labels = [factor_label(code) for code in facts.assessment_factors.split(",")]
        return EvidencePrompt("CIN census: factors identified at assessment: "
                              + "; ".join(labels), FACTORS)

    def _enquiry(self, facts: CaseFacts, today: dt.date) -> EvidencePrompt | None:
        started = facts.s47_started_on
        if started is None or (today - started).days > 365:
            return None
        return EvidencePrompt(f"CIN census: section 47 enquiry started {started:%d/%m/%Y}",
                              ENQUIRY)

    def _category(self, facts: CaseFacts) -> EvidencePrompt | None:
        if not facts.cp_category:
            return None
        label = CATEGORIES_OF_ABUSE.get(facts.cp_category, facts.cp_category)
        since = (f" since {facts.cp_plan_started_on:%d/%m/%Y}"
                 if facts.cp_plan_started_on else "")
        return EvidencePrompt(f"CIN census: child protection plan{since} under the category "
                              f"of {label}", CATEGORY)

    def _legal_status(self, facts: CaseFacts) -> EvidencePrompt | None:
        if not facts.legal_status:
            return None
        label = LEGAL_STATUSES.get(facts.legal_status, "")
        return EvidencePrompt(f"SSDA903: legal status {facts.legal_status}"
                              + (f" ({label})" if label else ""), LEGAL_STATUS)

    def _review(self, facts: CaseFacts, today: dt.date) -> EvidencePrompt | None:
        if facts.last_review_on is None:
            return None
        days = (today - facts.last_review_on).days
        text = (f"SSDA903: last looked-after review {facts.last_review_on:%d/%m/%Y}, "
                f"{plural(days, 'day')} ago")
        if days > REVIEW_INTERVAL_DAYS:
            return EvidencePrompt(f"{text} (reviews fall due at least every 6 months)",
                                  REVIEW, "warning")
        return EvidencePrompt(text, REVIEW)

    def _missing(self, facts: CaseFacts) -> EvidencePrompt | None:
        if not facts.missing_12m:
            return None
        return EvidencePrompt(
            f"SSDA903: missing or away from placement {plural(facts.missing_12m, 'time')} "
            "in the last 12 months", MISSING, "warning")

    def _workers(self, facts: CaseFacts) -> EvidencePrompt | None:
        if not facts.sw_changes_12m:
            return None
        return EvidencePrompt(
            f"SSDA903: {plural(facts.sw_changes_12m, 'change')} of social worker in the last "
            "12 months", WORKERS,
            "warning" if facts.sw_changes_12m >= WORKER_CHANGES else "info")

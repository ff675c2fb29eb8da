"""Facts about a case that make it riskier, named the way a supervisor would say them.

Risk-weighted sampling weighs these, must-include rules select on them, and the
reason shown beside each drawn case lists them ("CP plan, 3 placements in 12 months").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from audit_service.domain.evidence import CaseFacts
from audit_service.domain.vocabulary import AgeBand, CaseType

UNDER_FIVE = frozenset({AgeBand.UNDER_1, AgeBand.AGE_1_4})
NOT_SEEN_DAYS = 42
PLACEMENT_MOVES = 3
REPEAT_REFERRALS = 2

# CIN census closure reasons RC8 and RC9: "case closed after assessment" with no further
# action or a referral to early help, the closures Birmingham made "based on a lack of
# social worker capacity". Free text saying so without a code counts too.
CLOSED_AFTER_ASSESSMENT_CODES = frozenset({"RC8", "RC9"})
_CODE = re.compile(r"^\s*(RC\s*\d+)\b", re.IGNORECASE)
_WORDS = re.compile(r"(closed|closure)\b.*\b(after|without|no)\s+(an\s+)?assessment", re.IGNORECASE)

FLAG_IDS = (
    "under_5",
    "cp_plan",
    "placement_moves",
    "repeat_referrals",
    "not_seen_42_days",
    "closed_without_assessment",
)


@dataclass(frozen=True, slots=True)
class CaseFlag:
    """One risk fact: a stable ``id`` for rules and weights, ``text`` for people."""

    id: str
    text: str


def closed_without_assessment(closure_reason: str | None) -> bool:
    """True for a closure after assessment with no service (RC8, RC9) or words to that effect."""
    if not closure_reason:
        return False
    match = _CODE.match(closure_reason)
    if match:
        return re.sub(r"\s+", "", match.group(1)).upper() in CLOSED_AFTER_ASSESSMENT_CODES
    return bool(_WORDS.search(closure_reason))


def case_flags(facts: CaseFacts, today: dt.date) -> list[CaseFlag]:
    """The risk flags these facts raise on ``today``, in a fixed order."""
    flags: list[CaseFlag] = []
    if facts.age_band in UNDER_FIVE:
        flags.append(CaseFlag("under_5", "under 5"))
    if facts.case_type == CaseType.CHILD_PROTECTION:
        flags.append(CaseFlag("cp_plan", "CP plan"))
    if (facts.placements_12m or 0) >= PLACEMENT_MOVES:
        flags.append(CaseFlag("placement_moves", f"{facts.placements_12m} placements in 12 months"))
    if (facts.referrals_12m or 0) >= REPEAT_REFERRALS:
        flags.append(CaseFlag("repeat_referrals", f"{facts.referrals_12m} referrals in 12 months"))
    if facts.last_seen_on is None:
        flags.append(CaseFlag("not_seen_42_days", "no date last seen"))
    elif (today - facts.last_seen_on).days > NOT_SEEN_DAYS:
        days = (today - facts.last_seen_on).days
        flags.append(CaseFlag("not_seen_42_days", f"not seen for {days} days"))
    if closed_without_assessment(facts.closure_reason):
        flags.append(CaseFlag("closed_without_assessment", "closed after assessment"))
    return flags

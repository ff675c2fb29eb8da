"""Facts about a case that make it riskier, named the way a supervisor would say them.

Risk-weighted sampling weighs these, must-include rules select on them, and the
reason shown beside each drawn case lists them ("CP plan, 3 placements in 12 months").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from audit_service.domain.audits.evidence import CaseFacts
from audit_service.domain.calendar import WorkingCalendar, england_and_wales_calendar
from audit_service.domain.vocabulary import AgeBand, CaseType

UNDER_FIVE = frozenset({AgeBand.UNDER_1, AgeBand.AGE_1_4})
PLACEMENT_MOVES = 3
REPEAT_REFERRALS = 2
LONG_CP_PLAN_YEARS = 2
#: Working Together: an assessment concludes within 45 working days.
ASSESSMENT_WORKING_DAYS = 45
#: Changes of social worker in 12 months that break a child's relationships (the DfE's
#: workforce and the 903's stability measures count them; three is where councils worry).
WORKER_CHANGES = 3

# How often a child must be seen, in days, by case type. Statutory where the law sets it
# (a child in care: at least every 6 weeks in a placement's first year; a care leaver's
# personal adviser: at least every 8 weeks) and the common council standard otherwise
# (a child protection plan: every 10 working days, two weeks; a child in need plan:
# every 4 weeks; an open assessment: within two weeks). A council's own tighter
# standard belongs in its rubric guidance; the flag only points sampling at the gap.
VISIT_DAYS: dict[str, int] = {
    CaseType.CHILD_PROTECTION: 14,
    CaseType.LOOKED_AFTER: 42,
    CaseType.CHILD_IN_NEED: 28,
    CaseType.OPEN_ASSESSMENT: 14,
    CaseType.CARE_LEAVER: 56,
}
VISIT_STANDARD: dict[str, str] = {
    CaseType.CHILD_PROTECTION: "every 10 working days on a CP plan",
    CaseType.LOOKED_AFTER: "every 6 weeks in care",
    CaseType.CHILD_IN_NEED: "every 4 weeks on a CIN plan",
    CaseType.OPEN_ASSESSMENT: "within 2 weeks during an assessment",
    CaseType.CARE_LEAVER: "every 8 weeks by a personal adviser",
}

# CIN census closure reasons RC8 and RC9: "case closed after assessment" with no further
# action or a referral to early help, the closures Birmingham made "based on a lack of
# social worker capacity". Free text saying so without a code counts too.
CLOSED_AFTER_ASSESSMENT_CODES = frozenset({"RC8", "RC9"})
_CODE = re.compile(r"^\s*(RC\s*\d+)\b", re.IGNORECASE)
_WORDS = re.compile(r"(closed|closure)\b.*\b(after|without|no)\s+(an\s+)?assessment", re.IGNORECASE)

FLAG_LABELS: dict[str, str] = {
    "under_5": "Under 5",
    "cp_plan": "On a child protection plan",
    "repeat_cp_plan": "A second or later child protection plan",
    "long_cp_plan": "On a child protection plan for 2 years or more",
    "placement_moves": "3 or more placements in 12 months",
    "repeat_referrals": "2 or more referrals in 12 months",
    "visit_overdue": "Not seen within the visiting timescale for the case type",
    "closed_without_assessment": "Closed after assessment",
    "assessment_overdue": "An assessment beyond 45 working days",
    "social_worker_changes": "3 or more changes of social worker in 12 months",
}
"""Each risk flag in words, for rule builders, filters and reasons alike."""

FLAG_IDS = tuple(FLAG_LABELS)


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
    on_plan = facts.case_type == CaseType.CHILD_PROTECTION
    if facts.age_band in UNDER_FIVE:
        flags.append(CaseFlag("under_5", "under 5"))
    if on_plan:
        flags.append(CaseFlag("cp_plan", "CP plan"))
        if (facts.previous_cp_plans or 0) >= 1:
            flags.append(CaseFlag("repeat_cp_plan",
                                  f"CP plan after {facts.previous_cp_plans} previous "
                                  f"plan{'' if facts.previous_cp_plans == 1 else 's'}"))
        if facts.opened_on is not None and _years_between(facts.opened_on, today) >= \
                LONG_CP_PLAN_YEARS:
            flags.append(CaseFlag("long_cp_plan",
                                  f"CP plan since {facts.opened_on:%d/%m/%Y}"))
    if (facts.placements_12m or 0) >= PLACEMENT_MOVES:
        flags.append(CaseFlag("placement_moves", f"{facts.placements_12m} placements in 12 months"))
    if (facts.referrals_12m or 0) >= REPEAT_REFERRALS:
        flags.append(CaseFlag("repeat_referrals", f"{facts.referrals_12m} referrals in 12 months"))
    overdue = visit_overdue(facts, today)
    if overdue:
        flags.append(CaseFlag("visit_overdue", overdue))
    if closed_without_assessment(facts.closure_reason):
        flags.append(CaseFlag("closed_without_assessment", "closed after assessment"))
    late = assessment_overdue(facts, today)
    if late:
        flags.append(CaseFlag("assessment_overdue", late))
    if (facts.sw_changes_12m or 0) >= WORKER_CHANGES:
        flags.append(CaseFlag("social_worker_changes",
                              f"{facts.sw_changes_12m} changes of social worker in 12 months"))
    return flags


def assessment_overdue(facts: CaseFacts, today: dt.date) -> str | None:
    """Why the latest assessment is beyond 45 working days, or None when it is not.

    Open: counted from its start to ``today``. Authorised in the last 12 months: from its
    start to its authorisation. An older, finished assessment no longer raises the flag.
    """
    started = facts.assessment_started_on
    if started is None or started > today:
        return None
    authorised = facts.assessment_authorised_on
    if authorised is not None and authorised < today - dt.timedelta(days=365):
        return None
    until = authorised or today
    days = _calendar(started.year, until.year).working_days_between(started, until)
    if days <= ASSESSMENT_WORKING_DAYS:
        return None
    if authorised is None:
        return f"assessment open {days} working days (timescale {ASSESSMENT_WORKING_DAYS})"
    return f"assessment took {days} working days (timescale {ASSESSMENT_WORKING_DAYS})"


@lru_cache(maxsize=64)
def _calendar(first_year: int, last_year: int) -> WorkingCalendar:
    return england_and_wales_calendar(range(first_year, last_year + 1))


def visit_overdue(facts: CaseFacts, today: dt.date) -> str | None:
    """Why the child is overdue a visit for their case type, or None when they are not."""
    limit = VISIT_DAYS.get(facts.case_type)
    if limit is None:
        return None
    standard = VISIT_STANDARD[facts.case_type]
    if facts.last_seen_on is None:
        return f"no date last seen (to be seen {standard})"
    days = (today - facts.last_seen_on).days
    if days > limit:
        return f"not seen for {days} days (to be seen {standard})"
    return None


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))

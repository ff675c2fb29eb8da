"""The facts of a case that evidence prompts and coverage read, as the domain's ``CaseFacts``."""

from __future__ import annotations

from audit_service.domain.audits.evidence import CaseFacts
from audit_service.domain.vocabulary import AgeBand, CaseType
from audit_service.storage.models import Case


def case_facts(case: Case) -> CaseFacts:
    return CaseFacts(
        case_type=CaseType(case.case_type),
        age_band=AgeBand(case.age_band) if case.age_band else None,
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        closure_reason=case.closure_reason,
        last_seen_on=case.last_seen_on,
        seen_alone=case.seen_alone,
        referrals_12m=case.referrals_12m,
        previous_cp_plans=case.previous_cp_plans,
        placements_12m=case.placements_12m,
    )


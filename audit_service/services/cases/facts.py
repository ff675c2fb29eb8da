"""The facts of a case that evidence prompts, coverage and sampling read, as the domain's
``CaseFacts``: one mapping from the stored case, so every reader sees the same facts."""

from __future__ import annotations

from collections.abc import Mapping

from audit_service.domain.audits.evidence import CaseFacts
from audit_service.domain.imports.case_records import ENRICHED_FACTS
from audit_service.domain.vocabulary import AgeBand, CaseType
from audit_service.storage.models import Case

#: The case columns ``facts_of`` reads, for queries that select only what they need.
FACT_COLUMNS = (
    Case.case_type, Case.age_band, Case.opened_on, Case.closed_on, Case.closure_reason,
    Case.last_seen_on, Case.seen_alone, Case.referrals_12m, Case.previous_cp_plans,
    Case.placements_12m, *(getattr(Case, name) for name in ENRICHED_FACTS),
)
_RETURN_ONLY = ("cin_previous_cp_plans", "lac_placements_12m")


def facts_of(row: Mapping[str, object]) -> CaseFacts:
    """Facts from a case's stored values by column name.

    The caseload's own counts of previous plans and placements come first; a return's fill
    them where the caseload gave none.
    """
    previous = row["previous_cp_plans"]
    placements = row["placements_12m"]
    return CaseFacts(
        case_type=CaseType(row["case_type"]),
        age_band=AgeBand(row["age_band"]) if row["age_band"] else None,
        opened_on=row["opened_on"],
        closed_on=row["closed_on"],
        closure_reason=row["closure_reason"],
        last_seen_on=row["last_seen_on"],
        seen_alone=row["seen_alone"],
        referrals_12m=row["referrals_12m"],
        previous_cp_plans=previous if previous is not None else row["cin_previous_cp_plans"],
        placements_12m=placements if placements is not None else row["lac_placements_12m"],
        **{name: row[name] for name in ENRICHED_FACTS if name not in _RETURN_ONLY},
    )


def case_facts(case: Case) -> CaseFacts:
    return facts_of(case.__data__)

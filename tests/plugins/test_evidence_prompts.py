"""The Annex A evidence prompts say exactly what the facts say, beside the right criteria."""

from __future__ import annotations

import datetime as dt

from audit_service.default_plugins.evidence_prompts import AnnexAEvidencePrompts
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.audits.evidence import CaseFacts, prompts_for
from audit_service.domain.rubrics import load_rubrics
from audit_service.domain.vocabulary import CaseType
from audit_service.resources import rubrics_dir

TODAY = dt.date(2026, 11, 22)
provider = AnnexAEvidencePrompts()


def texts(facts: CaseFacts) -> list[str]:
    return [p.text for p in provider.prompts(facts, TODAY)]


def test_the_examples_in_the_issue():
    facts = CaseFacts(
        case_type=CaseType.CHILD_PROTECTION,
        last_seen_on=TODAY - dt.timedelta(days=34),
        seen_alone=False,
        placements_12m=3,
        referrals_12m=4,
    )
    assert texts(facts) == [
        "Last statutory visit 34 days ago (longer than the usual 14 days)",
        "Not recorded as seen alone",
        "3 placements in the last 12 months",
        "4 referrals in the last 12 months",
    ]


def test_child_in_need_within_timescale_is_information_not_a_warning():
    facts = CaseFacts(case_type=CaseType.CHILD_IN_NEED, last_seen_on=TODAY - dt.timedelta(days=1),
                      seen_alone=True, previous_cp_plans=1)
    prompts = provider.prompts(facts, TODAY)
    assert [(p.text, p.tone) for p in prompts] == [
        ("Child last seen 1 day ago", "info"),
        ("Recorded as seen alone at the last visit", "info"),
        ("1 previous child protection plan", "warning"),
    ]


def test_missing_and_future_dates_are_flagged():
    assert texts(CaseFacts(case_type=CaseType.LOOKED_AFTER)) == [
        "No date of the last statutory visit recorded in the case system"
    ]
    future = CaseFacts(case_type=CaseType.CARE_LEAVER, last_seen_on=dt.date(2027, 1, 5))
    assert texts(future) == ["Date last seen is in the future (05/01/2027): check the record"]


def test_prompts_sit_beside_criteria_that_exist_in_the_builtin_rubrics():
    criteria = {c.id for rubric in load_rubrics([rubrics_dir()]) for c in rubric.criteria}
    facts = CaseFacts(case_type=CaseType.CHILD_PROTECTION, last_seen_on=TODAY, seen_alone=False,
                      placements_12m=1, referrals_12m=1, previous_cp_plans=2)
    grouped = prompts_for([provider], facts, TODAY)
    assert set(grouped) <= criteria
    assert set(grouped) == {"seen_within_timescales", "pa_contact", "seen_alone",
                            "plans_revisited", "cumulative_harm", "placement_stability",
                            "history_integrated", "decisions_retested"}


@given(
    case_type=st.sampled_from(list(CaseType)),
    days=st.one_of(st.none(), st.integers(-400, 4000)),
    seen_alone=st.one_of(st.none(), st.booleans()),
    counts=st.tuples(*[st.one_of(st.none(), st.integers(0, 40))] * 3),
)
def test_any_facts_give_prompts_without_error(case_type, days, seen_alone, counts):
    last_seen = None if days is None else TODAY - dt.timedelta(days=days)
    facts = CaseFacts(case_type=case_type, last_seen_on=last_seen, seen_alone=seen_alone,
                      placements_12m=counts[0], referrals_12m=counts[1],
                      previous_cp_plans=counts[2])
    prompts = provider.prompts(facts, TODAY)
    assert all(p.text and p.criteria and p.tone in {"info", "warning"} for p in prompts)
    # exactly one prompt about when the child was last seen
    assert sum("seen_within_timescales" in p.criteria for p in prompts) == 1

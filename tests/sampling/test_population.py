"""Who is eligible for a supervisor's sample, and the draw that puts re-audits first."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_service.domain.evidence import CaseFacts
from audit_service.domain.sampling import (
    DrawContext,
    Drawn,
    PopulationCase,
    SamplingPolicySettings,
    SamplingStrategy,
    StrategyError,
    Supervisor,
    case_flags,
    draw_sample,
    eligible_population,
    months_before,
    seed_for,
)
from audit_service.domain.sampling.flags import closed_without_assessment

TODAY = dt.date(2026, 5, 31)
ME = Supervisor(id=7, team_id=1, service_id=10)


def case(key, team=1, service=10, case_type="child_in_need", **kwargs) -> PopulationCase:
    return PopulationCase(key=key, team_id=team, service_id=service,
                          facts=CaseFacts(case_type=case_type), **kwargs)


def keys(cases) -> list[str]:
    return [c.key for c in cases]


def test_own_team_other_team_and_council_wide_scopes():
    population = [case("mine"), case("sister", team=2), case("elsewhere", team=3, service=11),
                  case("unallocated", team=None)]
    own = SamplingPolicySettings(independence="own_team")
    other = SamplingPolicySettings(independence="other_team")
    assert keys(eligible_population(population, own, ME, TODAY).others) == ["mine"]
    assert keys(eligible_population(population, other, ME, TODAY).others) == ["sister"]
    no_service = Supervisor(id=7, team_id=1, service_id=None)
    assert keys(eligible_population(population, other, no_service, TODAY).others) == [
        "elsewhere", "sister"]


def test_type_open_and_drawn_elsewhere_filters():
    population = [case("a"), case("b", case_type="looked_after"), case("c", is_open=False),
                  case("d")]
    only_cin = SamplingPolicySettings(case_types=("child_in_need",))
    eligible = eligible_population(population, only_cin, ME, TODAY, drawn_elsewhere={"d"})
    assert (keys(eligible.others), eligible.count) == (["a"], 1)


def test_exclusion_window_and_reaudit_of_inadequate_cases():
    population = [
        case("old", last_audited_on=dt.date(2025, 5, 31)),
        case("recent", last_audited_on=dt.date(2025, 6, 1)),
        case("inadequate", last_audited_on=dt.date(2026, 4, 1), inadequate_on=dt.date(2026, 4, 9)),
        case("pending", last_audited_on=dt.date(2026, 5, 1), inadequate_on=dt.date(2026, 4, 9)),
    ]
    policy = SamplingPolicySettings(exclusion_months=12)
    eligible = eligible_population(population, policy, ME, TODAY)
    assert (keys(eligible.reaudits), keys(eligible.others)) == (["inadequate"], ["old"])
    no_reaudit = SamplingPolicySettings(exclusion_months=12, reaudit_inadequate=False)
    assert keys(eligible_population(population, no_reaudit, ME, TODAY).all()) == ["old"]
    no_window = SamplingPolicySettings(exclusion_months=0, reaudit_inadequate=False)
    assert len(eligible_population(population, no_window, ME, TODAY).all()) == 4


def test_months_before_clamps_to_the_month_end():
    assert months_before(dt.date(2026, 5, 31), 3) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 1) == dt.date(2025, 12, 15)
    assert months_before(dt.date(2024, 3, 31), 12) == dt.date(2023, 3, 31)


class FirstN(SamplingStrategy):
    id = "first"
    label = "First"

    def draw(self, population, n, rng_seed, context):
        return [Drawn(c.key, "first") for c in self.ordered(population)[:n]]


class Broken(FirstN):
    def draw(self, population, n, rng_seed, context):
        return [Drawn("not-a-case", "oops")]


def test_reaudits_come_first_oldest_grade_first_and_count_towards_n():
    reaudits = [case("r2", inadequate_on=dt.date(2026, 3, 2)),
                case("r1", inadequate_on=dt.date(2026, 1, 20))]
    others = [case("a"), case("b")]
    drawn = draw_sample(FirstN(), reaudits, others, 3, "seed", DrawContext(today=TODAY))
    assert drawn == [Drawn("r1", "re-audit: graded Inadequate on 20/01/2026"),
                     Drawn("r2", "re-audit: graded Inadequate on 02/03/2026"),
                     Drawn("a", "first")]
    assert len(draw_sample(FirstN(), reaudits, others, 1, "s", DrawContext(today=TODAY))) == 1


def test_a_faulty_strategy_is_refused_by_name():
    with pytest.raises(StrategyError, match="sampling strategy 'first' drew a case that is not"):
        draw_sample(Broken(), [], [case("a")], 1, "s", DrawContext(today=TODAY))


@settings(max_examples=80, deadline=None)
@given(
    teams=st.lists(st.tuples(st.integers(1, 4), st.booleans(),
                             st.none() | st.dates(dt.date(2024, 1, 1), TODAY)), max_size=30),
    independence=st.sampled_from(["own_team", "other_team"]),
    months=st.integers(0, 24),
)
def test_the_eligible_population_is_a_subset_that_obeys_the_policy(teams, independence, months):
    population = [case(str(i), team=team, is_open=is_open, last_audited_on=audited)
                  for i, (team, is_open, audited) in enumerate(teams)]
    policy = SamplingPolicySettings(independence=independence, exclusion_months=months)
    eligible = eligible_population(population, policy, ME, TODAY).all()
    assert set(keys(eligible)) <= set(keys(population))
    for c in eligible:
        assert c.is_open
        assert (c.team_id == 1) == (independence == "own_team")
        assert c.last_audited_on is None or c.last_audited_on <= months_before(TODAY, months)


def test_seed_names_the_period_supervisor_and_policy_version():
    assert seed_for("team:4", 3, 17, "2026-05") == "2026-05/supervisor-17/policy-team:4-v3"


@pytest.mark.parametrize(("reason", "expected"), [
    ("RC8 - Case closed after assessment, no further action", True),
    ("RC9 - Case closed after assessment, referred to early help", True),
    ("rc 8", True),
    ("RC7 - Services ceased for any other reason", False),
    ("Closed without an assessment", True),
    ("E13: Left care", False),
    (None, False),
])
def test_closed_without_assessment_codes(reason, expected):
    assert closed_without_assessment(reason) is expected


def test_case_flags_in_words():
    facts = CaseFacts(case_type="child_protection", age_band="under_1", placements_12m=4,
                      referrals_12m=2, last_seen_on=dt.date(2026, 4, 1),
                      closure_reason="RC8 - Case closed after assessment")
    assert [(f.id, f.text) for f in case_flags(facts, TODAY)] == [
        ("under_5", "under 5"),
        ("cp_plan", "CP plan"),
        ("placement_moves", "4 placements in 12 months"),
        ("repeat_referrals", "2 referrals in 12 months"),
        ("not_seen_42_days", "not seen for 60 days"),
        ("closed_without_assessment", "closed after assessment"),
    ]
    assert [f.text for f in case_flags(CaseFacts(case_type="looked_after"), TODAY)] == [
        "no date last seen"]

"""Who is eligible for a supervisor's sample, and the draw that puts re-audits first."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_service.domain.audits.evidence import CaseFacts
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
    draw_unallocated,
    eligible_population,
    months_before,
    seed_for,
    unallocated_population,
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


def graded(key, grade, on, audited=None, **kwargs) -> PopulationCase:
    """A case whose latest audit (submitted ``on``) gave it ``grade``."""
    return case(key, last_grade=grade, last_graded_on=on, last_audit_key=f"audit-{key}",
                last_audited_on=audited or on - dt.timedelta(days=8), **kwargs)


def test_exclusion_window_and_reaudit_after_the_wait():
    population = [
        case("old", last_audited_on=dt.date(2025, 5, 31)),
        case("recent", last_audited_on=dt.date(2025, 6, 1)),
        graded("inadequate", "inadequate", dt.date(2026, 1, 9)),
        graded("ri", "requires_improvement", dt.date(2026, 2, 27)),
        graded("good", "good", dt.date(2026, 1, 9)),
        # Drawn again since its grade: the re-audit is under way, not due twice.
        graded("pending", "inadequate", dt.date(2026, 1, 9), audited=dt.date(2026, 5, 1)),
        # Graded this month: its re-audit waits three months, and it is not drawn meanwhile.
        graded("waiting", "inadequate", dt.date(2026, 4, 9)),
    ]
    policy = SamplingPolicySettings(exclusion_months=12)
    eligible = eligible_population(population, policy, ME, TODAY)
    assert (keys(eligible.reaudits), keys(eligible.others)) == (["inadequate", "ri"], ["old"])
    only_inadequate = SamplingPolicySettings(reaudit_grades=("inadequate",))
    assert keys(eligible_population(population, only_inadequate, ME, TODAY).reaudits) == [
        "inadequate"]
    after_four = SamplingPolicySettings(reaudit_after_months=4)  # due by 31/01/2026
    assert keys(eligible_population(population, after_four, ME, TODAY).reaudits) == [
        "inadequate"]
    after_six = SamplingPolicySettings(reaudit_after_months=6)
    assert eligible_population(population, after_six, ME, TODAY).reaudits == []
    no_reaudit = SamplingPolicySettings(exclusion_months=12, reaudit_grades=())
    assert keys(eligible_population(population, no_reaudit, ME, TODAY).all()) == ["old"]
    no_window = SamplingPolicySettings(exclusion_months=0, reaudit_grades=())
    assert len(eligible_population(population, no_window, ME, TODAY).all()) == 7


def test_a_dip_sample_of_cases_closed_last_month():
    def closed(key, on, reason="RC8", **kwargs):
        return PopulationCase(key=key, team_id=kwargs.pop("team", 1), service_id=10,
                              is_open=False, facts=CaseFacts(
                                  case_type="child_in_need", closed_on=on,
                                  closure_reason=reason), **kwargs)

    population = [case("open"),
                  closed("april", dt.date(2026, 4, 30)),
                  closed("april_audited", dt.date(2026, 4, 2),
                         last_audited_on=dt.date(2026, 4, 20)),
                  closed("march", dt.date(2026, 3, 31)),
                  closed("may", dt.date(2026, 5, 2)),
                  closed("other_team", dt.date(2026, 4, 10), team=2)]
    off = eligible_population(population, SamplingPolicySettings(), ME, TODAY, period="2026-05")
    assert off.closed == []
    policy = SamplingPolicySettings(closed_cases=1)
    eligible = eligible_population(population, policy, ME, TODAY, period="2026-05")
    assert (keys(eligible.others), keys(eligible.closed)) == (["open"], ["april"])
    drawn = draw_sample(FirstN(), [], eligible.others, 2, "seed", DrawContext(today=TODAY),
                        closed=eligible.closed, closed_n=policy.closed_cases)
    assert drawn == [Drawn("open", "first"),
                     Drawn("april", "closed on 30/04/2026 (RC8): first", "closed")]


def test_a_service_managers_pool_of_unallocated_cases():
    population = [case("allocated"), case("unallocated", allocated=False),
                  case("no_team", team=None, allocated=False),
                  case("elsewhere", team=3, allocated=False),
                  case("recent", allocated=False, last_audited_on=dt.date(2026, 5, 1)),
                  case("closed", allocated=False, is_open=False)]
    pool = unallocated_population(population, SamplingPolicySettings(), {1, 2}, TODAY)
    assert keys(pool) == ["no_team", "unallocated"]
    # With the pool on, the team manager's own draw leaves them to the service manager.
    mine = eligible_population(population, SamplingPolicySettings(unallocated_cases=1), ME,
                               TODAY)
    assert keys(mine.others) == ["allocated"]
    assert "unallocated" in keys(eligible_population(population, SamplingPolicySettings(),
                                                     ME, TODAY).others)
    drawn = draw_unallocated(FirstN(), pool, 1, "seed", DrawContext(today=TODAY))
    assert drawn == [Drawn("no_team", "unallocated: first", "unallocated")]


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
    reaudits = [graded("r2", "requires_improvement", dt.date(2026, 3, 2)),
                graded("r1", "inadequate", dt.date(2026, 1, 20))]
    others = [case("a"), case("b")]
    drawn = draw_sample(FirstN(), reaudits, others, 3, "seed", DrawContext(today=TODAY))
    assert drawn == [
        Drawn("r1", "re-audit: graded Inadequate on 20/01/2026; checks whether practice has "
              "changed since", "reaudit", "audit-r1"),
        Drawn("r2", "re-audit: graded Requires improvement on 02/03/2026; checks whether "
              "practice has changed since", "reaudit", "audit-r2"),
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
                      previous_cp_plans=1, opened_on=dt.date(2024, 5, 31),
                      closure_reason="RC8 - Case closed after assessment")
    assert [(f.id, f.text) for f in case_flags(facts, TODAY)] == [
        ("under_5", "under 5"),
        ("cp_plan", "CP plan"),
        ("repeat_cp_plan", "CP plan after 1 previous plan"),
        ("long_cp_plan", "CP plan since 31/05/2024"),
        ("placement_moves", "4 placements in 12 months"),
        ("repeat_referrals", "2 referrals in 12 months"),
        ("visit_overdue", "not seen for 60 days (to be seen every 10 working days on a CP plan)"),
        ("closed_without_assessment", "closed after assessment"),
    ]
    assert [f.text for f in case_flags(CaseFacts(case_type="looked_after"), TODAY)] == [
        "no date last seen (to be seen every 6 weeks in care)"]


@pytest.mark.parametrize(("case_type", "days", "overdue"), [
    ("child_protection", 14, False), ("child_protection", 15, True),
    ("child_in_need", 28, False), ("child_in_need", 29, True),
    ("looked_after", 42, False), ("looked_after", 43, True),
    ("care_leaver", 56, False), ("care_leaver", 57, True),
    ("open_assessment", 15, True),
])
def test_visits_are_overdue_by_the_timescale_of_the_case_type(case_type, days, overdue):
    facts = CaseFacts(case_type=case_type, last_seen_on=TODAY - dt.timedelta(days=days))
    assert any(f.id == "visit_overdue" for f in case_flags(facts, TODAY)) is overdue


def test_a_first_cp_plan_under_two_years_raises_no_repeat_or_long_plan_flag():
    facts = CaseFacts(case_type="child_protection", previous_cp_plans=0,
                      opened_on=dt.date(2024, 6, 1), last_seen_on=TODAY)
    assert [f.id for f in case_flags(facts, TODAY)] == ["cp_plan"]

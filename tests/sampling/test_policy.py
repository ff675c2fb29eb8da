"""Sampling policy settings: valid by construction, with every problem in plain words."""

from __future__ import annotations

import pytest

from audit_service.domain.sampling import BUILTIN_DEFAULT, PolicyError, SamplingPolicySettings


def test_the_builtin_default_is_valid_and_round_trips():
    assert BUILTIN_DEFAULT.cases_per_supervisor == 2
    assert SamplingPolicySettings.from_mapping(BUILTIN_DEFAULT.as_dict()) == BUILTIN_DEFAULT


def test_every_problem_is_reported_at_once():
    with pytest.raises(PolicyError) as caught:
        SamplingPolicySettings(cases_per_supervisor=0, case_types=("child_in_need", "adults"),
                               exclusion_months="12", independence="anyone",
                               draw_mode="manual", due_working_days=99, strategy=" ")
    assert caught.value.errors == [
        "cases per supervisor: 0 is out of range; use 1 to 50",
        "exclusion months: '12' is not a whole number",
        "due working days: 99 is out of range; use 1 to 60",
        "case types: 'adults' is not known; choose from child_in_need, child_protection, "
        "looked_after, care_leaver, open_assessment",
        "strategy: name a sampling strategy",
        "independence: 'anyone' is not known; choose own_team or other_team",
        "draw mode: 'manual' is not known; choose automatic or supervisor",
    ]


def test_empty_or_repeated_case_types_and_unknown_settings_are_refused():
    with pytest.raises(PolicyError, match="choose at least one case type"):
        SamplingPolicySettings(case_types=())
    with pytest.raises(PolicyError, match="a case type is listed twice"):
        SamplingPolicySettings(case_types=("looked_after", "looked_after"))
    with pytest.raises(PolicyError, match="cases: not a sampling policy setting"):
        SamplingPolicySettings.from_mapping({"cases": 3})


def test_unknown_strategy_is_named_with_the_installed_ones():
    settings = SamplingPolicySettings(strategy="lottery")
    assert settings.problems(known_strategies=["simple_random", "stratified"]) == [
        "strategy: 'lottery' is not an installed sampling strategy; "
        "choose from simple_random, stratified"
    ]

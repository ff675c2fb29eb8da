"""The built-in sampling strategies: seeded, explained, and honest about what they draw."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from audit_service.default_plugins.sampling_strategies import (
    STRATEGIES,
    MustInclude,
    RiskWeighted,
    SimpleRandom,
    Stratified,
    allocate,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_service.domain.audits.evidence import CaseFacts
from audit_service.domain.sampling import (
    DrawContext,
    PopulationCase,
    SamplingStrategy,
    case_flags,
)
from audit_service.domain.vocabulary import AgeBand, CaseType
from audit_service.plugins.installed import build_registries
from audit_service.plugins.manager import PluginError
from audit_service.plugins.registries import UnknownPlugin

TODAY = dt.date(2026, 5, 1)
REGISTRY = {cls.id: cls() for cls in STRATEGIES}
MUST = {"rules": [{"case_type": "child_protection", "min": 2}, {"flag": "visit_overdue"}],
        "fallback": "risk_weighted"}
OPTIONS = {"simple_random": {}, "stratified": {}, "risk_weighted": {}, "must_include": MUST}


def context(strategy_id: str) -> DrawContext:
    return DrawContext(today=TODAY, period="2026-05", options=OPTIONS[strategy_id],
                       strategies=REGISTRY)


facts = st.builds(
    CaseFacts,
    case_type=st.sampled_from([t.value for t in CaseType]),
    age_band=st.none() | st.sampled_from([b.value for b in AgeBand]),
    last_seen_on=st.none() | st.dates(dt.date(2025, 1, 1), TODAY),
    referrals_12m=st.none() | st.integers(0, 6),
    placements_12m=st.none() | st.integers(0, 6),
    closure_reason=st.none() | st.sampled_from(["RC8 - Case closed after assessment", "RC7"]),
)


@st.composite
def populations(draw) -> list[PopulationCase]:
    keys = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=40))
    return [PopulationCase(key=str(k), team_id=1, service_id=None, facts=draw(facts))
            for k in keys]


@settings(max_examples=60, deadline=None)
@given(population=populations(), n=st.integers(0, 12), seed=st.text(max_size=20),
       strategy_id=st.sampled_from(sorted(REGISTRY)), shuffle_seed=st.integers())
def test_every_strategy_draws_a_valid_reproducible_sample(population, n, seed, strategy_id,
                                                          shuffle_seed):
    strategy = REGISTRY[strategy_id]
    drawn = strategy.draw(population, n, seed, context(strategy_id))
    keys = [d.case_key for d in drawn]
    assert len(keys) == len(set(keys)), "no duplicates"
    assert set(keys) <= {c.key for c in population}, "sample within the eligible population"
    assert len(keys) == min(n, len(population))
    assert all(d.reason for d in drawn)
    # Same inputs, same sample, whatever order the cases arrive in.
    shuffled = list(population)
    random.Random(shuffle_seed).shuffle(shuffled)
    assert strategy.draw(shuffled, n, seed, context(strategy_id)) == drawn


@settings(max_examples=60, deadline=None)
@given(population=populations(), n=st.integers(0, 12), seed=st.text(max_size=20))
def test_must_include_rules_are_honoured_when_possible(population, n, seed):
    drawn = MustInclude().draw(population, n, seed, context("must_include"))
    by_key = {c.key: c for c in population}
    cp = [d for d in drawn if by_key[d.case_key].facts.case_type == "child_protection"]
    available_cp = sum(c.facts.case_type == "child_protection" for c in population)
    assert len(cp) >= min(2, available_cp, n)
    if n > min(2, available_cp):
        by_cp_rule = {d.case_key for d in drawn if d.reason.startswith("must include: child ")}
        unseen = [c for c in population if c.key not in by_cp_rule
                  and any(f.id == "visit_overdue" for f in case_flags(c.facts, TODAY))]
        picked_unseen = [d for d in drawn if d.reason.startswith("must include: not seen")]
        assert len(picked_unseen) == min(1, len(unseen))


def case(key: str, **kwargs) -> PopulationCase:
    kwargs.setdefault("case_type", "child_in_need")
    kwargs.setdefault("last_seen_on", TODAY)
    return PopulationCase(key=key, team_id=1, service_id=None, facts=CaseFacts(**kwargs))


def test_risk_weighted_reasons_list_the_factors():
    population = [case("a", case_type="child_protection", placements_12m=3, age_band="1_4"),
                  case("b")]
    drawn = RiskWeighted().draw(population, 2, "seed", context("risk_weighted"))
    reasons = {d.case_key: d.reason for d in drawn}
    assert reasons == {
        "a": "risk-weighted: under 5, CP plan, 3 placements in 12 months",
        "b": "risk-weighted: no risk factors, base weight",
    }


def test_risk_weighting_favours_risky_cases():
    population = [case(f"r{i}", case_type="child_protection", referrals_12m=3) for i in range(50)]
    population += [case(f"q{i}") for i in range(50)]
    risky = sum(
        d.case_key.startswith("r")
        for seed in range(200)
        for d in RiskWeighted().draw(population, 1, str(seed), context("risk_weighted"))
    )
    assert risky > 140  # weight 4.5 against 1: about 82% of draws


def test_stratified_shares_the_sample_across_case_types():
    population = [case(f"n{i}") for i in range(6)] + [
        case(f"p{i}", case_type="child_protection") for i in range(3)]
    drawn = Stratified().draw(population, 3, "seed", context("stratified"))
    assert sorted(d.case_key[0] for d in drawn) == ["n", "n", "p"]
    assert ("stratified by case type: Child protection plan, 1 of 3 drawn from "
            "3 eligible cases") in {d.reason for d in drawn}
    assert allocate([6, 3], 3) == [2, 1]
    assert allocate([1, 1, 1], 2) == [1, 1, 0]
    assert allocate([], 2) == []


def test_simple_random_reason():
    (drawn,) = SimpleRandom().draw([case("a"), case("b")], 1, "s", context("simple_random"))
    assert drawn.reason == "simple random: drawn from 2 eligible cases"


def test_options_are_checked_in_plain_words():
    ids = sorted(REGISTRY)
    assert SimpleRandom().check_options({"x": 1}) == [
        "strategy options: simple_random takes no options, but x was given"]
    assert RiskWeighted().check_options({"weights": {"cp_plan": -1, "tall": 2}}) == [
        "strategy options: weights: cp_plan must be a number, 0 or more",
        "strategy options: weights: 'tall' is not a risk factor; choose from under_5, cp_plan, "
        "repeat_cp_plan, long_cp_plan, "
        "placement_moves, repeat_referrals, visit_overdue, closed_without_assessment, "
        "assessment_overdue, social_worker_changes",
    ]
    assert MustInclude().check_options({"rules": [{"case_type": "x", "min": 0}],
                                        "fallback": "nope"}, ids) == [
        "strategy options: rule 1: case type 'x' is not known; choose from child_in_need, "
        "child_protection, looked_after, care_leaver, open_assessment",
        "strategy options: rule 1: min must be a whole number, 1 or more",
        "strategy options: fallback 'nope' is not an installed sampling strategy; choose from "
        "must_include, risk_weighted, simple_random, stratified",
    ]
    assert MustInclude().check_options(MUST, ids) == []
    assert MustInclude().check_options({}, ids) == [
        "strategy options: rules must be a list of at least one rule"]


def test_hook_register_sampling_strategies(monkeypatch):
    registry = build_registries().sampling_strategies
    assert registry.ids() == ["must_include", "risk_weighted", "simple_random", "stratified"]
    assert registry.plugin_of("risk_weighted") == (
        "audit_service.default_plugins.sampling_strategies")
    assert isinstance(registry.lookup("stratified"), SamplingStrategy)
    with pytest.raises(UnknownPlugin, match="'nope' is not installed; installed: must_include"):
        registry.lookup("nope")


def test_a_duplicate_or_invalid_strategy_is_refused_naming_the_plugin(monkeypatch):
    import sys
    import types

    from audit_service.plugins import hookimpl

    class Copy(SimpleRandom):
        pass

    class NotAStrategy:
        id = "odd"
        label = "Odd"

    for name, items in (("copy_strategies", [Copy]), ("odd_strategies", [NotAStrategy])):
        module = types.ModuleType(name)
        module.register_sampling_strategies = hookimpl(lambda items=items: items)
        monkeypatch.setitem(sys.modules, name, module)
    with pytest.raises(PluginError, match=re.escape(
            "plugin 'copy_strategies' registers sampling strategy id 'simple_random', already "
            "registered by plugin 'audit_service.default_plugins.sampling_strategies'")):
        build_registries(["copy_strategies"])
    with pytest.raises(PluginError, match=r"plugin 'odd_strategies' registers .* as a sampling "
                                          r"strategy, but it is not a subclass"):
        build_registries(["odd_strategies"])

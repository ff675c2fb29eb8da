"""First-party plugin: the sampling strategies a council chooses between in its policy.

- ``simple_random``: every eligible case equally likely.
- ``stratified``: cases shared out across case types in proportion to the caseload.
- ``risk_weighted``: cases with risk facts (under 5, CP plan, a repeat or long CP plan,
  placement moves, repeat referrals, a visit overdue for the case type, closed after
  assessment) are likelier to be drawn.
- ``must_include``: rules ("at least one child protection case") first, then a fallback.

Each is pure and seeded, and says why it drew each case.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from audit_service.domain.sampling import (
    FLAG_IDS,
    FLAG_LABELS,
    DrawContext,
    Drawn,
    PopulationCase,
    SamplingStrategy,
    StrategyError,
    case_flags,
)
from audit_service.domain.vocabulary import CaseType
from audit_service.plugins import hookimpl

__version__ = "1.1.0"


def _cases(count: int) -> str:
    return f"{count} eligible case{'' if count == 1 else 's'}"


class SimpleRandom(SamplingStrategy):
    id = "simple_random"
    label = "Simple random"

    def draw(self, population: Sequence[PopulationCase], n: int, rng_seed: str,
             context: DrawContext) -> list[Drawn]:
        cases = self.ordered(population)
        picked = self.rng(rng_seed).sample(cases, min(n, len(cases)))
        reason = f"simple random: drawn from {_cases(len(cases))}"
        return [Drawn(case.key, reason) for case in picked]


def allocate(sizes: Sequence[int], n: int) -> list[int]:
    """Share ``n`` across strata in proportion to ``sizes`` (largest remainder, ties first)."""
    total = sum(sizes)
    n = min(n, total)
    if total == 0:
        return [0] * len(sizes)
    exact = [n * size / total for size in sizes]
    parts = [int(x) for x in exact]
    order = sorted(range(len(sizes)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: n - sum(parts)]:
        parts[i] += 1
    return parts


class Stratified(SamplingStrategy):
    id = "stratified"
    label = "Stratified by case type"

    def draw(self, population: Sequence[PopulationCase], n: int, rng_seed: str,
             context: DrawContext) -> list[Drawn]:
        rng = self.rng(rng_seed)
        strata: dict[str, list[PopulationCase]] = defaultdict(list)
        for case in self.ordered(population):
            strata[case.facts.case_type].append(case)
        types = sorted(strata, key=_type_order)
        shares = allocate([len(strata[t]) for t in types], n)
        drawn: list[Drawn] = []
        for case_type, share in zip(types, shares, strict=True):
            members = strata[case_type]
            reason = (f"stratified by case type: {_type_label(case_type)}, "
                      f"{share} of {n} drawn from {_cases(len(members))}")
            drawn += [Drawn(case.key, reason) for case in rng.sample(members, share)]
        return drawn


def _type_order(case_type: str) -> tuple[int, str]:
    known = [t.value for t in CaseType]
    return (known.index(case_type) if case_type in known else len(known), case_type)


def _type_label(case_type: str) -> str:
    try:
        return CaseType(case_type).label
    except ValueError:
        return case_type


DEFAULT_WEIGHTS: dict[str, float] = {
    "under_5": 2.0,
    "cp_plan": 2.0,
    "repeat_cp_plan": 2.0,
    "long_cp_plan": 2.0,
    "placement_moves": 2.0,
    "repeat_referrals": 1.5,
    "visit_overdue": 2.0,
    "closed_without_assessment": 2.0,
    "assessment_overdue": 1.5,
    "social_worker_changes": 2.0,
}


class RiskWeighted(SamplingStrategy):
    """Weighted sampling without replacement (Efraimidis and Spirakis): weight 1 plus each
    risk factor's weight. ``strategy_options`` may set ``{"weights": {"cp_plan": 3}}``."""

    id = "risk_weighted"
    label = "Risk-weighted"

    def check_options(self, options: Mapping[str, Any],
                      known_strategies: Collection[str] = ()) -> list[str]:
        errors = [f"strategy options: {key!r} is not an option of risk_weighted; use weights"
                  for key in sorted(set(options) - {"weights"})]
        weights = options.get("weights", {})
        if not isinstance(weights, Mapping):
            return [*errors, "strategy options: weights must map risk factors to numbers"]
        for flag, weight in weights.items():
            if flag not in FLAG_IDS:
                errors.append(f"strategy options: weights: {flag!r} is not a risk factor; "
                              f"choose from {', '.join(FLAG_IDS)}")
            elif isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
                errors.append(f"strategy options: weights: {flag} must be a number, 0 or more")
        return errors

    def draw(self, population: Sequence[PopulationCase], n: int, rng_seed: str,
             context: DrawContext) -> list[Drawn]:
        weights = {**DEFAULT_WEIGHTS, **dict(context.options.get("weights", {}))}
        rng = self.rng(rng_seed)
        keyed = []
        for case in self.ordered(population):
            flags = case_flags(case.facts, context.today)
            weight = 1.0 + sum(weights[f.id] for f in flags)
            keyed.append((rng.random() ** (1.0 / weight), case.key, flags))
        keyed.sort(key=lambda item: (-item[0], item[1]))
        drawn = []
        for _, key, flags in keyed[: min(n, len(keyed))]:
            factors = ", ".join(f.text for f in flags) or "no risk factors, base weight"
            drawn.append(Drawn(key, f"risk-weighted: {factors}"))
        return drawn


class MustInclude(SamplingStrategy):
    """Rules satisfied first, in order, then the rest by a fallback strategy.

    ``strategy_options``: ``{"rules": [{"case_type": "child_protection", "min": 1},
    {"flag": "visit_overdue"}], "fallback": "risk_weighted", "fallback_options": {}}``.
    A rule that cannot be met (too few matching cases) takes what there is.
    """

    id = "must_include"
    label = "Must-include rules, then a fallback strategy"

    def check_options(self, options: Mapping[str, Any],
                      known_strategies: Collection[str] = ()) -> list[str]:
        errors = [f"strategy options: {key!r} is not an option of must_include; "
                  "use rules, fallback and fallback_options"
                  for key in sorted(set(options) - {"rules", "fallback", "fallback_options"})]
        rules = options.get("rules")
        if not isinstance(rules, list) or not rules:
            errors.append("strategy options: rules must be a list of at least one rule")
            rules = []
        for number, rule in enumerate(rules, 1):
            errors += [f"strategy options: rule {number}: {p}" for p in _rule_problems(rule)]
        fallback = options.get("fallback", SimpleRandom.id)
        if fallback == self.id:
            errors.append("strategy options: fallback cannot be must_include itself")
        elif known_strategies and fallback not in known_strategies:
            errors.append(f"strategy options: fallback {fallback!r} is not an installed "
                          f"sampling strategy; choose from {', '.join(sorted(known_strategies))}")
        if not isinstance(options.get("fallback_options", {}), Mapping):
            errors.append("strategy options: fallback_options must be an object")
        return errors

    def draw(self, population: Sequence[PopulationCase], n: int, rng_seed: str,
             context: DrawContext) -> list[Drawn]:
        rng = self.rng(rng_seed)
        cases = self.ordered(population)
        taken: set[str] = set()
        drawn: list[Drawn] = []
        for rule in context.options.get("rules", []):
            matching = [c for c in cases if c.key not in taken and _matches(rule, c, context)]
            share = min(int(rule.get("min", 1)), len(matching), n - len(drawn))
            reason = f"must include: {_rule_text(rule)}"
            for case in rng.sample(matching, max(share, 0)):
                taken.add(case.key)
                drawn.append(Drawn(case.key, reason))
        rest = [c for c in cases if c.key not in taken]
        wanted = min(n - len(drawn), len(rest))
        if wanted > 0:
            fallback = self._fallback(context)
            sub = dataclasses.replace(context, options=context.options.get("fallback_options", {}))
            drawn += fallback.draw(rest, wanted, f"{rng_seed}|fallback", sub)
        return drawn

    def _fallback(self, context: DrawContext) -> SamplingStrategy:
        fallback_id = context.options.get("fallback", SimpleRandom.id)
        available = dict(context.strategies) or {cls.id: cls() for cls in STRATEGIES}
        if fallback_id == self.id or fallback_id not in available:
            raise StrategyError(
                f"sampling strategy 'must_include': fallback {fallback_id!r} is not installed"
            )
        return available[fallback_id]


def _rule_problems(rule: object) -> list[str]:
    if not isinstance(rule, Mapping):
        return ["a rule is an object such as {\"case_type\": \"child_protection\", \"min\": 1}"]
    errors = []
    selectors = [key for key in ("case_type", "flag") if key in rule]
    if len(selectors) != 1:
        errors.append("give exactly one of case_type or flag")
    unknown = sorted(set(rule) - {"case_type", "flag", "min"})
    if unknown:
        errors.append(f"{', '.join(map(repr, unknown))} is not part of a rule")
    if "case_type" in rule and rule["case_type"] not in [t.value for t in CaseType]:
        errors.append(f"case type {rule['case_type']!r} is not known; "
                      f"choose from {', '.join(t.value for t in CaseType)}")
    if "flag" in rule and rule["flag"] not in FLAG_IDS:
        errors.append(f"flag {rule['flag']!r} is not known; choose from {', '.join(FLAG_IDS)}")
    minimum = rule.get("min", 1)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        errors.append("min must be a whole number, 1 or more")
    return errors


def _matches(rule: Mapping[str, Any], case: PopulationCase, context: DrawContext) -> bool:
    if "case_type" in rule:
        return case.facts.case_type == rule["case_type"]
    return any(f.id == rule["flag"] for f in case_flags(case.facts, context.today))


def _rule_text(rule: Mapping[str, Any]) -> str:
    minimum = int(rule.get("min", 1))
    what = (_type_label(rule["case_type"]).lower() if "case_type" in rule
            else FLAG_LABELS.get(rule["flag"], rule["flag"]).lower())
    return f"{what} (at least {minimum})"


STRATEGIES: tuple[type[SamplingStrategy], ...] = (SimpleRandom, Stratified, RiskWeighted,
                                                  MustInclude)


@hookimpl
def register_sampling_strategies() -> list[type[SamplingStrategy]]:
    return list(STRATEGIES)

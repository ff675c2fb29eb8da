"""The sampling strategy plugin contract, and the draw that puts re-audits first.

A strategy is pure and seeded: given the same eligible cases, sample size,
seed and context it returns the same cases, with the same reasons, on every
machine. That is what makes a round reproducible and explainable.
"""

from __future__ import annotations

import datetime as dt
import random
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from audit_service.domain.audits.evidence import CaseFacts
from audit_service.domain.vocabulary import Pool


@dataclass(frozen=True, slots=True)
class PopulationCase:
    """A case as sampling sees it: an opaque key, where it sits, its facts and audit history.

    ``last_audited_on`` is the latest date the case was drawn into a round or had an
    audit started. ``last_grade`` is the effective grade of its latest submitted audit
    of practice (the agreed grade once moderated), submitted on ``last_graded_on``;
    ``last_audit_key`` names that audit. ``allocated`` is False when no worker holds it.
    """

    key: str
    team_id: int | None
    service_id: int | None
    facts: CaseFacts
    is_open: bool = True
    last_audited_on: dt.date | None = None
    last_grade: str | None = None
    last_graded_on: dt.date | None = None
    last_audit_key: str | None = None
    allocated: bool = True


@dataclass(frozen=True, slots=True)
class Drawn:
    """A case drawn into a sample and the reason, in words a team manager can check.

    ``pool`` says which part of the policy drew it; a re-audit names the audit it
    follows up (``reaudit_of``). Strategies return plain ``Drawn(key, reason)``.
    """

    case_key: str
    reason: str
    pool: str = Pool.OPEN
    reaudit_of: str | None = None


@dataclass(frozen=True)
class DrawContext:
    """What a strategy may use besides the cases: the date, its options, other strategies."""

    today: dt.date
    period: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    #: Every installed strategy by id, so one strategy (must-include) can fall back on another.
    strategies: Mapping[str, SamplingStrategy] = field(default_factory=dict)


class StrategyError(RuntimeError):
    """A strategy returned something that is not a valid sample; names the strategy."""


class SamplingStrategy(ABC):
    """Base class for sampling strategy plugins (hook ``register_sampling_strategies``)."""

    #: Unique, stable identifier stored in policies ("risk_weighted").
    id: str = ""
    #: Human-readable name.
    label: str = ""

    @abstractmethod
    def draw(
        self, population: Sequence[PopulationCase], n: int, rng_seed: str, context: DrawContext
    ) -> list[Drawn]:
        """Draw ``min(n, len(population))`` distinct cases from ``population``.

        Use only ``random.Random(rng_seed)`` (see ``rng``) and iterate the cases in
        ``ordered(population)`` so that the input's order does not matter.
        """

    def check_options(
        self, options: Mapping[str, Any], known_strategies: Collection[str] = ()
    ) -> list[str]:
        """Problems with a policy's ``strategy_options``; by default a strategy takes none.

        ``known_strategies`` lists the installed strategy ids (for options naming another).
        """
        if options:
            return [f"strategy options: {self.id} takes no options, "
                    f"but {', '.join(sorted(options))} {'was' if len(options) == 1 else 'were'} "
                    "given"]
        return []

    @staticmethod
    def rng(rng_seed: str) -> random.Random:
        """A private generator: str seeds hash with SHA-512, so every process agrees."""
        return random.Random(rng_seed)

    @staticmethod
    def ordered(population: Sequence[PopulationCase]) -> list[PopulationCase]:
        return sorted(population, key=lambda case: case.key)


GRADE_WORDS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}


def reaudit_reason(case: PopulationCase) -> str:
    grade = GRADE_WORDS.get(case.last_grade or "", case.last_grade)
    return (f"re-audit: graded {grade} on {case.last_graded_on:%d/%m/%Y}; "
            "checks whether practice has changed since")


def closed_reason(case: PopulationCase, reason: str) -> str:
    closed = f"{case.facts.closed_on:%d/%m/%Y}" if case.facts.closed_on else "last month"
    why = case.facts.closure_reason or "no closure reason recorded"
    return f"closed on {closed} ({why}): {reason}"


def draw_from(
    strategy: SamplingStrategy, population: Sequence[PopulationCase], n: int, rng_seed: str,
    context: DrawContext,
) -> list[Drawn]:
    """The strategy's draw, checked: a faulty plugin fails loudly instead of giving a team
    manager a case outside their population or the same case twice."""
    if n <= 0 or not population:
        return []
    picked = strategy.draw(population, n, rng_seed, context)
    check_drawn(strategy, picked, population, n)
    return picked


def draw_sample(
    strategy: SamplingStrategy,
    reaudits: Sequence[PopulationCase],
    others: Sequence[PopulationCase],
    n: int,
    rng_seed: str,
    context: DrawContext,
    *,
    closed: Sequence[PopulationCase] = (),
    closed_n: int = 0,
) -> list[Drawn]:
    """Re-audits first (oldest grade first, at most ``n``), then the strategy fills the rest;
    then, beyond ``n``, a dip sample of ``closed_n`` cases closed last month.

    The closed dip has its own seed, so adding it never changes the open draw.
    """
    first = sorted(reaudits, key=lambda c: (c.last_graded_on, c.key))[:n]
    drawn = [Drawn(case.key, reaudit_reason(case), Pool.REAUDIT, case.last_audit_key)
             for case in first]
    taken = {d.case_key for d in drawn}
    rest = [case for case in others if case.key not in taken]
    drawn += [Drawn(d.case_key, d.reason, Pool.OPEN)
              for d in draw_from(strategy, rest, n - len(drawn), rng_seed, context)]
    taken = {d.case_key for d in drawn}
    by_key = {case.key: case for case in closed}
    dip = [case for case in closed if case.key not in taken]
    drawn += [Drawn(d.case_key, closed_reason(by_key[d.case_key], d.reason), Pool.CLOSED)
              for d in draw_from(strategy, dip, closed_n, f"{rng_seed}|closed", context)]
    return drawn


def draw_unallocated(
    strategy: SamplingStrategy, population: Sequence[PopulationCase], n: int, rng_seed: str,
    context: DrawContext,
) -> list[Drawn]:
    """A service manager's sample of open cases that no worker holds."""
    return [Drawn(d.case_key, f"unallocated: {d.reason}", Pool.UNALLOCATED)
            for d in draw_from(strategy, population, n, f"{rng_seed}|unallocated", context)]


def check_drawn(
    strategy: SamplingStrategy, picked: list[Drawn], population: Sequence[PopulationCase], n: int
) -> None:
    keys = [d.case_key for d in picked]
    allowed = {case.key for case in population}
    name = f"sampling strategy {strategy.id!r}"
    if len(keys) != len(set(keys)):
        raise StrategyError(f"{name} drew the same case twice")
    if not set(keys) <= allowed:
        raise StrategyError(f"{name} drew a case that is not in the eligible population")
    if len(keys) != min(n, len(population)):
        raise StrategyError(
            f"{name} drew {len(keys)} cases; expected {min(n, len(population))}"
        )
    if any(not d.reason for d in picked):
        raise StrategyError(f"{name} drew a case without a reason")

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

from audit_service.domain.evidence import CaseFacts


@dataclass(frozen=True, slots=True)
class PopulationCase:
    """A case as sampling sees it: an opaque key, where it sits, its facts and audit history.

    ``last_audited_on`` is the latest date the case was drawn into a round or had an
    audit started; ``inadequate_on`` is the date of the latest submitted audit when
    that audit graded the case Inadequate, otherwise None.
    """

    key: str
    team_id: int | None
    service_id: int | None
    facts: CaseFacts
    is_open: bool = True
    last_audited_on: dt.date | None = None
    inadequate_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Drawn:
    """A case drawn into a sample and the reason, in words a supervisor can check."""

    case_key: str
    reason: str


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


def reaudit_reason(case: PopulationCase) -> str:
    return f"re-audit: graded Inadequate on {case.inadequate_on:%d/%m/%Y}"


def draw_sample(
    strategy: SamplingStrategy,
    reaudits: Sequence[PopulationCase],
    others: Sequence[PopulationCase],
    n: int,
    rng_seed: str,
    context: DrawContext,
) -> list[Drawn]:
    """Re-audits first (oldest grade first, at most ``n``), then the strategy fills the rest.

    The strategy's answer is checked, so a faulty plugin fails loudly instead of
    giving a supervisor a case outside their population or the same case twice.
    """
    first = sorted(reaudits, key=lambda c: (c.inadequate_on, c.key))[:n]
    drawn = [Drawn(case.key, reaudit_reason(case)) for case in first]
    wanted = n - len(drawn)
    if wanted > 0 and others:
        taken = {d.case_key for d in drawn}
        rest = [case for case in others if case.key not in taken]
        picked = strategy.draw(rest, wanted, rng_seed, context)
        check_drawn(strategy, picked, rest, wanted)
        drawn += picked
    return drawn


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

"""How a criterion is rated: the contract every criterion type meets.

The built-in ``scale`` type rates a criterion on the rubric's own scale.
Other types (yes/no, met/partly met/not met) come from plugins: they subclass
``CriterionType`` and are passed to validation and scoring in a mapping
``{type_id: instance}``. Scoring only ever asks a type for a number on the
rubric's scale, so the bands and limiting rules work the same for every type.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from audit_service.domain.rubrics.model import SCALE_TYPE, Scale


@dataclass(frozen=True)
class RatingOption:
    """One answer an auditor can give, as stored (``value``) and as shown (``label``)."""

    value: str
    label: str


class CriterionType(ABC):
    """Base class for criterion types.

    Subclasses set ``id`` and ``label`` and implement ``options`` and ``score``.
    ``options`` must be ordered best first, and ``score`` must not rise as you
    go down that list: limiting rules and the monotonicity guarantee rely on it.
    """

    id: str = ""
    label: str = ""

    @abstractmethod
    def options(self, scale: Scale) -> tuple[RatingOption, ...]:
        """The answers allowed, best first."""

    @abstractmethod
    def score(self, rating: str, scale: Scale) -> Decimal:
        """The rating as a number between the scale's lowest and highest score."""

    def validate(self, rating: str, scale: Scale) -> str | None:
        """Say in plain words why ``rating`` is not an allowed answer, or return None."""
        allowed = [option.value for option in self.options(scale)]
        if rating in allowed:
            return None
        return f"{rating!r} is not one of the allowed ratings: {', '.join(allowed)}"


class ScaleCriterionType(CriterionType):
    """Rate on the rubric's scale: the rating is a level id and scores that level's score."""

    id = SCALE_TYPE
    label = "Rating scale"

    def options(self, scale: Scale) -> tuple[RatingOption, ...]:
        return tuple(RatingOption(level.id, level.label) for level in scale.levels)

    def score(self, rating: str, scale: Scale) -> Decimal:
        return Decimal(scale.level(rating).score)


BUILTIN_CRITERION_TYPES: Mapping[str, CriterionType] = {SCALE_TYPE: ScaleCriterionType()}


def known_types(criterion_types: Mapping[str, CriterionType] | None) -> Mapping[str, CriterionType]:
    """The types to use: those given (from the plugin registry), else the built-ins."""
    return BUILTIN_CRITERION_TYPES if criterion_types is None else criterion_types

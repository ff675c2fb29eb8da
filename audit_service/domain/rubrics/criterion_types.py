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
from fractions import Fraction

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
    #: False for a judgement that only limiting rules read ("Is the child safe now?"):
    #: it never moves a mean, so a reassuring answer cannot lift a weak file.
    scored: bool = True

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


class FixedOptionsCriterionType(CriterionType):
    """Answers that are not the scale's levels but sit at fixed points along it.

    Each option has a position from 1 (best: the scale's top score) to 0 (worst:
    its bottom score), so a yes/no criterion weighs the same on any scale.
    """

    positions: tuple[tuple[RatingOption, Fraction], ...] = ()

    def options(self, scale: Scale) -> tuple[RatingOption, ...]:
        return tuple(option for option, _ in self.positions)

    def score(self, rating: str, scale: Scale) -> Decimal:
        for option, position in self.positions:
            if option.value == rating:
                value = scale.min_score + (scale.max_score - scale.min_score) * position
                return Decimal(value.numerator) / Decimal(value.denominator)
        raise KeyError(rating)


class YesNoCriterionType(FixedOptionsCriterionType):
    """A question with a plain answer ("Is there a chronology on file?"): yes scores top."""

    id = "yes_no"
    label = "Yes or no"
    positions = (
        (RatingOption("yes", "Yes"), Fraction(1)),
        (RatingOption("no", "No"), Fraction(0)),
    )


class MetCriterionType(FixedOptionsCriterionType):
    """A standard that is met, partly met or not met; partly met sits midway."""

    id = "met"
    label = "Met, partly met or not met"
    positions = (
        (RatingOption("met", "Met"), Fraction(1)),
        (RatingOption("partly_met", "Partly met"), Fraction(1, 2)),
        (RatingOption("not_met", "Not met"), Fraction(0)),
    )


class SafetyCriterionType(FixedOptionsCriterionType):
    """The auditor's own judgement of the child's safety today: yes, not sure or no.

    Not scored: a "yes" must never raise a weak file's grade, and a "no" must make the
    audit Inadequate whatever the file's other ratings, which only a limiting rule on
    the overall grade can guarantee. The positions order the answers for rules.
    """

    id = "safety"
    label = "Yes, not sure or no (a safety judgement, not scored)"
    scored = False
    positions = (
        (RatingOption("yes", "Yes"), Fraction(1)),
        (RatingOption("not_sure", "Not sure"), Fraction(1, 2)),
        (RatingOption("no", "No"), Fraction(0)),
    )


BUILTIN_CRITERION_TYPES: Mapping[str, CriterionType] = {
    criterion_type.id: criterion_type
    for criterion_type in (
        ScaleCriterionType(), YesNoCriterionType(), MetCriterionType(), SafetyCriterionType()
    )
}


def known_types(criterion_types: Mapping[str, CriterionType] | None) -> Mapping[str, CriterionType]:
    """The types to use: those given (from the plugin registry), else the built-ins."""
    return BUILTIN_CRITERION_TYPES if criterion_types is None else criterion_types

"""Turn an auditor's ratings into a grade, with the reasons shown beside it.

Pure functions, no storage: the same rubric version and ratings always give
the same result, so an old audit can be re-scored and explained at any time.

Domain (one rubric) score
    Each rated criterion scores its criterion type's number on the rubric's
    scale (for the ``scale`` type: the level's score). The domain score is the
    weighted mean over rated criteria, computed exactly and rounded half-up to
    two decimal places; criteria rated not applicable drop out of both the sum
    and the weights. The score falls in exactly one grade band, which gives the
    banded grade. Then every ``domain`` limiting rule whose criterion was given
    one of its ``when`` ratings caps the grade at its level: the grade is the
    lowest of the banded grade and the triggered caps. A cap never raises a
    grade. If every criterion is not applicable the domain is "not graded".

Overall grade (one audit, several domains): see ``overall_grade``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from audit_service.domain.rubrics.criterion_types import CriterionType, known_types
from audit_service.domain.rubrics.model import (
    DEFAULT_GRADE_BANDS,
    DEFAULT_SCALE,
    DOMAIN,
    OVERALL,
    GradeBand,
    Level,
    Rubric,
    Scale,
)

NOT_GRADED_ALL_NA = "Not graded: every criterion was rated not applicable."
NOT_GRADED_NO_DOMAINS = "Not graded: no domain of this audit could be graded."


@dataclass(frozen=True)
class Rating:
    """A criterion's rating (a rating value such as ``good``) or N/A with its reason."""

    value: str | None = None
    na_reason: str | None = None

    @classmethod
    def of(cls, value: str) -> Rating:
        return cls(value=value)

    @classmethod
    def not_applicable(cls, reason: str) -> Rating:
        return cls(na_reason=reason)

    @property
    def is_na(self) -> bool:
        return self.value is None


class ScoringError(ValueError):
    """The ratings cannot be scored against this rubric; ``problems`` says why."""

    def __init__(self, rubric_id: str, problems: list[str]) -> None:
        self.rubric_id = rubric_id
        self.problems = problems
        super().__init__(f"{rubric_id}: " + "; ".join(problems))


@dataclass(frozen=True)
class CriterionScore:
    criterion_id: str
    rating: Rating
    weight: Decimal
    score: Decimal | None  # None when not applicable

    @property
    def weighted(self) -> Decimal | None:
        return None if self.score is None else self.score * self.weight


@dataclass(frozen=True)
class Cap:
    """A limiting rule that fired: ``level`` is the most the grade may be."""

    rule_id: str
    criterion_id: str
    level: Level
    applies_to: str
    explanation: str


@dataclass(frozen=True)
class RubricResult:
    """One domain's result. ``grade`` is None when the domain is not graded."""

    rubric_id: str
    domain: str
    scale: Scale
    criterion_scores: tuple[CriterionScore, ...]
    score: Decimal | None
    band: GradeBand | None
    banded_grade: Level | None
    grade: Level | None
    domain_caps: tuple[Cap, ...]
    overall_caps: tuple[Cap, ...]
    explanations: tuple[str, ...]

    @property
    def graded(self) -> bool:
        return self.grade is not None


@dataclass(frozen=True)
class OverallResult:
    """The audit's grade on the default scale; ``grade`` is None when nothing was graded."""

    score: Decimal | None
    banded_grade: Level | None
    grade: Level | None
    domain_results: tuple[RubricResult, ...]
    explanations: tuple[str, ...]

    @property
    def graded(self) -> bool:
        return self.grade is not None


def as_rating(value: Rating | str) -> Rating:
    return value if isinstance(value, Rating) else Rating.of(value)


def round_score(value: Fraction) -> Decimal:
    """Round half-up to two decimal places, exactly (no binary floating point)."""
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(hundredths) / 100


def band_for(score: Decimal, bands: Sequence[GradeBand]) -> GradeBand:
    for band in bands:
        if band.contains(score):
            return band
    raise ValueError(f"no grade band contains the score {score}")


def lowest(levels: Sequence[Level]) -> Level:
    """The worst of several levels (lowest score); the first wins a tie."""
    return min(levels, key=lambda level: level.score)


def _check_ratings(
    rubric: Rubric, ratings: Mapping[str, Rating], types: Mapping[str, CriterionType]
) -> list[str]:
    problems = []
    criterion_ids = {criterion.id for criterion in rubric.criteria}
    problems.extend(
        f"{criterion_id!r} is not a criterion of this rubric"
        for criterion_id in ratings
        if criterion_id not in criterion_ids
    )
    for criterion in rubric.criteria:
        rating = ratings.get(criterion.id)
        if rating is None:
            problems.append(f"{criterion.id!r} has not been rated")
        elif rating.is_na:
            if not criterion.na_allowed:
                problems.append(f"{criterion.id!r} cannot be rated not applicable")
            elif not (rating.na_reason or "").strip():
                problems.append(f"{criterion.id!r} is rated not applicable without a reason")
        elif criterion.type not in types:
            problems.append(f"{criterion.id!r} has the unknown criterion type {criterion.type!r}")
        else:
            message = types[criterion.type].validate(rating.value or "", rubric.scale)
            if message:
                problems.append(f"{criterion.id!r}: {message}")
    return problems


def score_rubric(
    rubric: Rubric,
    ratings: Mapping[str, Rating | str],
    criterion_types: Mapping[str, CriterionType] | None = None,
) -> RubricResult:
    """Grade one domain. Every criterion needs a rating or N/A with a reason.

    Raises ``ScoringError`` listing every missing, unknown or invalid rating.
    """
    types = known_types(criterion_types)
    given = {criterion_id: as_rating(value) for criterion_id, value in ratings.items()}
    problems = _check_ratings(rubric, given, types)
    if problems:
        raise ScoringError(rubric.id, problems)

    scale = rubric.scale
    criterion_scores = []
    for criterion in rubric.criteria:
        rating = given[criterion.id]
        score = None
        if not rating.is_na:
            score = Decimal(types[criterion.type].score(rating.value or "", scale))
            if not scale.min_score <= score <= scale.max_score:
                raise ScoringError(
                    rubric.id,
                    [
                        f"criterion type {criterion.type!r} scored {criterion.id!r} {score}, "
                        f"outside the scale ({scale.min_score} to {scale.max_score})"
                    ],
                )
        criterion_scores.append(CriterionScore(criterion.id, rating, criterion.weight, score))

    fired = [
        rule
        for rule in rubric.limiting_rules
        if not given[rule.criterion].is_na and given[rule.criterion].value in rule.when
    ]
    overall_caps = tuple(
        Cap(rule.id, rule.criterion, DEFAULT_SCALE.level(rule.cap), OVERALL, rule.explanation)
        for rule in fired
        if rule.applies_to == OVERALL
    )
    domain_caps = tuple(
        Cap(rule.id, rule.criterion, scale.level(rule.cap), DOMAIN, rule.explanation)
        for rule in fired
        if rule.applies_to == DOMAIN
    )

    rated = [item for item in criterion_scores if item.score is not None]
    if not rated:
        return RubricResult(
            rubric.id, rubric.domain, scale, tuple(criterion_scores), None, None, None, None,
            domain_caps, overall_caps, (NOT_GRADED_ALL_NA,),
        )  # fmt: skip

    total = sum((Fraction(item.weighted) for item in rated), Fraction(0))
    weights = sum((Fraction(item.weight) for item in rated), Fraction(0))
    score = round_score(total / weights)
    band = band_for(score, rubric.grade_bands)
    banded = scale.level(band.grade)
    grade = lowest([banded, *(cap.level for cap in domain_caps)])
    explanations = tuple(
        f"{cap.explanation}: grade capped at {cap.level.label}"
        for cap in domain_caps
        if cap.level.score < banded.score
    )
    return RubricResult(
        rubric.id, rubric.domain, scale, tuple(criterion_scores), score, band, banded, grade,
        domain_caps, overall_caps, explanations,
    )  # fmt: skip


def on_default_scale(score: Decimal | int, scale: Scale) -> Fraction:
    """Map a score on any scale linearly onto the default scale's range (1 to 4)."""
    low, high = Fraction(scale.min_score), Fraction(scale.max_score)
    target_low, target_high = Fraction(DEFAULT_SCALE.min_score), Fraction(DEFAULT_SCALE.max_score)
    return target_low + (Fraction(score) - low) * (target_high - target_low) / (high - low)


def default_grade_of(result: RubricResult) -> Level:
    """A domain's (capped) grade expressed as a default-scale grade."""
    assert result.grade is not None
    position = round_score(on_default_scale(result.grade.score, result.scale))
    return DEFAULT_SCALE.level(band_for(position, DEFAULT_GRADE_BANDS).grade)


def overall_grade(
    results: Sequence[RubricResult], weights: Mapping[str, Decimal | int] | None = None
) -> OverallResult:
    """Combine an audit's domain results into one grade on the default scale.

    The rule, chosen so that it is explainable and can never reward weak practice:

    1. Domains that were not graded (everything N/A) are left out. If none is
       left, the audit is not graded.
    2. Each domain score is mapped onto the default 1-4 range (a no-op for
       rubrics on the default scale), and the overall score is their weighted
       mean (``weights`` by rubric id, default 1 each), rounded half-up to two
       decimal places, graded through the default bands.
    3. Limiting judgement: the overall grade is never more than one grade above
       the weakest domain grade (after that domain's own caps). Strong work in
       one domain cannot hide inadequate practice in another.
    4. Every ``overall`` limiting rule that fired in any domain caps the grade.

    Raising any rating can only raise or keep each step, so the overall grade
    is monotonic; steps 3 and 4 only ever lower it.
    """
    graded = [result for result in results if result.graded]
    if not graded:
        return OverallResult(None, None, None, tuple(results), (NOT_GRADED_NO_DOMAINS,))
    weight_of = {} if weights is None else dict(weights)
    problems = [
        f"weight for {rubric_id!r} must be greater than 0 (got {weight})"
        for rubric_id, weight in weight_of.items()
        if weight <= 0
    ]
    if problems:
        raise ScoringError("overall", problems)

    total = Fraction(0)
    total_weight = Fraction(0)
    for result in graded:
        assert result.score is not None
        weight = Fraction(Decimal(weight_of.get(result.rubric_id, 1)))
        total += weight * on_default_scale(result.score, result.scale)
        total_weight += weight
    score = round_score(total / total_weight)
    banded = DEFAULT_SCALE.level(band_for(score, DEFAULT_GRADE_BANDS).grade)

    grade = banded
    explanations = []
    weakest = min(graded, key=lambda result: default_grade_of(result).score)
    weakest_grade = default_grade_of(weakest)
    ceiling_index = max(DEFAULT_SCALE.levels.index(weakest_grade) - 1, 0)
    ceiling = DEFAULT_SCALE.levels[ceiling_index]
    if ceiling.score < grade.score:
        grade = ceiling
        explanations.append(
            f"{weakest.domain} is graded {weakest_grade.label}: overall grade capped at "
            f"{ceiling.label} (never more than one grade above the weakest domain)"
        )
    for result in graded:
        for cap in result.overall_caps:
            if cap.level.score < banded.score:
                explanations.append(f"{cap.explanation}: overall grade capped at {cap.level.label}")
            grade = lowest([grade, cap.level])
    return OverallResult(score, banded, grade, tuple(results), tuple(explanations))

"""Turn an auditor's ratings into a grade, with the reasons shown beside it.

Pure functions, no storage: the same rubric version, ratings and case type always
give the same result, so an old audit can be re-scored and explained at any time.

Domain (one rubric) score
    Each rated criterion scores its criterion type's number on the rubric's
    scale (for the ``scale`` type: the level's score). The domain's mean is the
    weighted mean over rated, scored criteria, computed exactly and rounded
    half-up to two decimal places; criteria rated not applicable drop out of both
    the sum and the weights, and unscored criteria (a safety judgement) never
    count. The mean falls in exactly one grade band, which gives the banded grade;
    a mean exactly half-way between two levels takes the lower one (the bands say
    so, and the validator insists). Then every ``domain`` limiting rule that fired
    for the case's type caps the grade: the grade is the lowest of the banded
    grade and the caps. A cap never raises a grade. The score shown beside a
    capped grade is held at the top of that grade's band, so no number on a page
    reads as a better grade than the one given. If no scored criterion was rated
    the domain is "not graded", but its rules still fire.

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
    LimitingRule,
    Rubric,
    Scale,
)
from audit_service.domain.vocabulary import CaseType

NOT_GRADED_ALL_NA = "Not graded: every criterion was rated not applicable."
NOT_GRADED_UNSCORED = "Not graded: this section records a judgement that limits the grade."
NOT_GRADED_NO_DOMAINS = "Not graded: no domain of this audit could be graded."
WEAKEST_DOMAIN = "weakest_domain"


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
    score: Decimal | None  # None when not applicable or not scored
    scored: bool = True

    @property
    def weighted(self) -> Decimal | None:
        return None if self.score is None else self.score * self.weight


@dataclass(frozen=True)
class Cap:
    """A limiting rule that fired: ``level`` is the most the grade may be."""

    rule_id: str
    criteria: tuple[str, ...]
    level: Level
    applies_to: str
    explanation: str
    alert: bool = False

    @property
    def criterion_id(self) -> str:
        return self.criteria[0]


@dataclass(frozen=True)
class Finding:
    """A limit on a grade, shown beside it whether or not it lowered it.

    ``lowered`` is True when the limit is below what the scores alone gave: the
    reader then knows the grade would have been better without it.
    """

    rule_id: str
    domain: str
    applies_to: str
    cap: Level
    explanation: str
    lowered: bool
    alert: bool = False

    @property
    def sentence(self) -> str:
        grade = "overall grade" if self.applies_to == OVERALL else "grade"
        text = f"{self.explanation}: {grade} capped at {self.cap.label}"
        return text if self.lowered else f"{text} (the scores alone gave no more)"


@dataclass(frozen=True)
class RubricResult:
    """One domain's result. ``grade`` is None when the domain is not graded.

    ``score`` is the score shown (held within a capped grade); ``mean_score`` is the
    weighted mean before any cap.
    """

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
    mean_score: Decimal | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def graded(self) -> bool:
        return self.grade is not None


@dataclass(frozen=True)
class OverallJudgement:
    """The auditor's own overall grade where it differs from the calculated one, and why."""

    grade: str
    reason: str


@dataclass(frozen=True)
class OverallResult:
    """The audit's grade on the default scale; ``grade`` is None when nothing was graded.

    ``calculated_grade`` is what the rules give; ``grade`` is the final grade, the
    auditor's judgement when one was recorded. ``score`` is the score shown (held
    within the final grade, or None when a judgement lifted the grade above what the
    mean supports); ``mean_score`` is the weighted mean of the domains' scores.
    ``ceiling`` is the best grade a judgement may give.
    """

    score: Decimal | None
    banded_grade: Level | None
    grade: Level | None
    domain_results: tuple[RubricResult, ...]
    explanations: tuple[str, ...]
    mean_score: Decimal | None = None
    calculated_grade: Level | None = None
    findings: tuple[Finding, ...] = ()
    judgement: OverallJudgement | None = None
    ceiling: Level | None = None

    @property
    def graded(self) -> bool:
        return self.grade is not None

    @property
    def judged(self) -> bool:
        """True when the auditor's judgement differs from the calculated grade."""
        return (self.judgement is not None and self.calculated_grade is not None
                and self.judgement.grade != self.calculated_grade.id)


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


def reads_as(score: Decimal | float | str | None, grade: str, bands: Sequence[GradeBand],
             scale: Scale) -> bool:
    """Whether ``score`` falls in a band that gives ``grade``: a score may be shown beside
    a grade (an agreed grade, a capped one) only when it does."""
    if score is None or not scale.has_level(grade):
        return False
    rounded = round_score(Fraction(Decimal(str(score))))
    return any(band.grade == grade and band.contains(rounded) for band in bands)


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


def rule_fires(
    rule: LimitingRule, ratings: Mapping[str, Rating], case_type: CaseType | str | None
) -> bool:
    """Whether ``rule`` fires for these ratings (criteria not yet rated never match).

    ``case_type`` None means the type is unknown: every rule is then in force, the
    cautious reading for a rule that only ever lowers a grade.
    """
    if not rule.covers(case_type):
        return False
    matched = 0
    for criterion_id in rule.watched:
        rating = ratings.get(criterion_id)
        if rating is not None and not rating.is_na and rating.value in rule.when:
            matched += 1
    return matched >= rule.needed


def fired_rules(
    rubric: Rubric, ratings: Mapping[str, Rating | str], case_type: CaseType | str | None
) -> list[LimitingRule]:
    """The rubric's rules these (possibly partial) ratings fire, in the rubric's order.

    Used on drafts as well as at submission: an ``alert`` rule must act as soon as the
    rating is saved.
    """
    given = {criterion_id: as_rating(value) for criterion_id, value in ratings.items()}
    return [rule for rule in rubric.limiting_rules if rule_fires(rule, given, case_type)]


def _cap(rule: LimitingRule, level: Level) -> Cap:
    return Cap(rule.id, rule.watched, level, rule.applies_to, rule.explanation, rule.alert)


def score_rubric(
    rubric: Rubric,
    ratings: Mapping[str, Rating | str],
    criterion_types: Mapping[str, CriterionType] | None = None,
    *,
    case_type: CaseType | str | None = None,
) -> RubricResult:
    """Grade one domain. Every criterion needs a rating or N/A with a reason.

    ``case_type`` decides which case-type conditioned rules are in force (None: all).
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
        kind = types[criterion.type]
        score = None
        if not rating.is_na and kind.scored:
            score = Decimal(kind.score(rating.value or "", scale))
            if not scale.min_score <= score <= scale.max_score:
                raise ScoringError(
                    rubric.id,
                    [
                        f"criterion type {criterion.type!r} scored {criterion.id!r} {score}, "
                        f"outside the scale ({scale.min_score} to {scale.max_score})"
                    ],
                )
        criterion_scores.append(
            CriterionScore(criterion.id, rating, criterion.weight, score, kind.scored)
        )

    fired = fired_rules(rubric, given, case_type)
    overall_caps = tuple(
        _cap(rule, DEFAULT_SCALE.level(rule.cap)) for rule in fired if rule.applies_to == OVERALL
    )
    domain_caps = tuple(
        _cap(rule, scale.level(rule.cap)) for rule in fired if rule.applies_to == DOMAIN
    )

    rated = [item for item in criterion_scores if item.score is not None]
    if not rated:
        unscored = not any(item.scored for item in criterion_scores)
        return RubricResult(
            rubric.id, rubric.domain, scale, tuple(criterion_scores), None, None, None, None,
            domain_caps, overall_caps,
            (NOT_GRADED_UNSCORED if unscored else NOT_GRADED_ALL_NA,),
        )  # fmt: skip

    total = sum((Fraction(item.weighted) for item in rated), Fraction(0))
    weights = sum((Fraction(item.weight) for item in rated), Fraction(0))
    mean = round_score(total / weights)
    band = band_for(mean, rubric.grade_bands)
    banded = scale.level(band.grade)
    grade = lowest([banded, *(cap.level for cap in domain_caps)])
    shown = mean
    if grade.score < banded.score:
        shown = min(mean, rubric.top_score_of(grade))
    findings = tuple(
        Finding(cap.rule_id, rubric.domain, DOMAIN, cap.level, cap.explanation,
                cap.level.score < banded.score, cap.alert)
        for cap in domain_caps
    )
    return RubricResult(
        rubric.id, rubric.domain, scale, tuple(criterion_scores), shown, band, banded, grade,
        domain_caps, overall_caps, tuple(f.sentence for f in findings), mean, findings,
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


def top_default_score(level: Level) -> Decimal:
    """The highest overall score that earns ``level`` (or worse) on the default bands."""
    return max(band.max for band in DEFAULT_GRADE_BANDS
               if DEFAULT_SCALE.level(band.grade).score <= level.score)


def judgement_ceiling(results: Sequence[RubricResult]) -> Level | None:
    """The best overall grade an auditor's judgement may give: no better than the best
    graded domain, and never above a cap from an ``overall`` rule, which records a fact
    about the child (not seen, not safe) that no judgement can outweigh."""
    graded = [result for result in results if result.graded]
    if not graded:
        return None
    best = max((default_grade_of(result) for result in graded), key=lambda level: level.score)
    caps = [cap.level for result in results for cap in result.overall_caps]
    return lowest([best, *caps])


def judgement_problems(
    results: Sequence[RubricResult], judgement: OverallJudgement | None
) -> list[str]:
    """Why ``judgement`` cannot stand, in words for the auditor; empty when it can."""
    if judgement is None:
        return []
    problems = []
    if not DEFAULT_SCALE.has_level(judgement.grade):
        return [f"{judgement.grade!r} is not an overall grade "
                f"(choose from {', '.join(DEFAULT_SCALE.ids)})"]
    if not judgement.reason.strip():
        problems.append("give the reason for your overall judgement")
    ceiling = judgement_ceiling(results)
    if ceiling is None:
        problems.append("no domain could be graded, so there is no grade to differ from")
    elif DEFAULT_SCALE.level(judgement.grade).score > ceiling.score:
        problems.append(_ceiling_reason(results, ceiling))
    return problems


def _ceiling_reason(results: Sequence[RubricResult], ceiling: Level) -> str:
    binding = [cap for result in results for cap in result.overall_caps
               if cap.level.score == ceiling.score]
    if binding:
        return (f"the overall grade cannot be above {ceiling.label}: "
                f"{binding[0].explanation.rstrip('.')}")
    return f"the overall grade cannot be above {ceiling.label}, the best domain grade"


def overall_grade(
    results: Sequence[RubricResult],
    weights: Mapping[str, Decimal | int] | None = None,
    judgement: OverallJudgement | None = None,
) -> OverallResult:
    """Combine an audit's domain results into one grade on the default scale.

    The rule, chosen so that it is explainable and can never hide a failing child:

    1. Domains that were not graded (everything N/A, or only unscored judgements) are
       left out of the mean. If none is left, the audit is not graded.
    2. Each domain's shown score is mapped onto the default 1-4 range (a no-op for
       rubrics on the default scale), and the overall mean is their weighted mean
       (``weights`` by rubric id, default 1 each), rounded half-up to two decimal
       places, graded through the default bands (half-way takes the lower grade).
    3. The weakest domain: the overall grade is never above the lowest domain grade.
       One weak domain is not averaged away by two sound ones.
    4. Every ``overall`` rule that fired in any domain, graded or not, caps the grade.
       Each fired rule is a finding, whether or not it lowered the grade.
    5. The auditor may record a different overall judgement with a reason. It may be
       lower than the calculated grade, or higher up to ``judgement_ceiling``: never
       above a rule's cap, never above the best domain. It is recorded as a finding.

    Without a judgement, raising any rating can only raise or keep each step, so the
    overall grade (and the shown score) is monotonic; steps 3 and 4 only ever lower it.
    The shown score is the mean held within the final grade's band, or None when a
    judgement gives a better grade than the mean supports.
    """
    caps = [(result.domain, cap) for result in results for cap in result.overall_caps]
    graded = [result for result in results if result.graded]
    if not graded:
        findings = tuple(
            Finding(cap.rule_id, domain, OVERALL, cap.level, cap.explanation, True, cap.alert)
            for domain, cap in caps
        )
        return OverallResult(None, None, None, tuple(results),
                             (NOT_GRADED_NO_DOMAINS, *(f.sentence for f in findings)),
                             findings=findings)
    weight_of = {} if weights is None else dict(weights)
    problems = [
        f"weight for {rubric_id!r} must be greater than 0 (got {weight})"
        for rubric_id, weight in weight_of.items()
        if weight <= 0
    ]
    problems += judgement_problems(results, judgement)
    if problems:
        raise ScoringError("overall", problems)

    total = Fraction(0)
    total_weight = Fraction(0)
    for result in graded:
        assert result.score is not None
        weight = Fraction(Decimal(weight_of.get(result.rubric_id, 1)))
        total += weight * on_default_scale(result.score, result.scale)
        total_weight += weight
    mean = round_score(total / total_weight)
    banded = DEFAULT_SCALE.level(band_for(mean, DEFAULT_GRADE_BANDS).grade)

    findings = []
    weakest = min(graded, key=lambda result: default_grade_of(result).score)
    weakest_grade = default_grade_of(weakest)
    if weakest_grade.score < banded.score:
        findings.append(Finding(
            WEAKEST_DOMAIN, weakest.domain, OVERALL, weakest_grade,
            f"{weakest.domain} is graded {weakest_grade.label} "
            "(the overall grade is never above the weakest domain)", True))
    for domain, cap in caps:
        findings.append(Finding(cap.rule_id, domain, OVERALL, cap.level, cap.explanation,
                                cap.level.score < banded.score, cap.alert))
    calculated = lowest([banded, weakest_grade, *(cap.level for _, cap in caps)])
    explanations = [finding.sentence for finding in findings]
    grade = calculated
    if judgement is not None and judgement.grade != calculated.id:
        grade = DEFAULT_SCALE.level(judgement.grade)
        direction = "above" if grade.score > calculated.score else "below"
        explanations.append(
            f"The auditor's overall judgement is {grade.label}, {direction} the calculated "
            f"grade of {calculated.label}: {judgement.reason.strip()}")
    shown: Decimal | None = mean
    if grade.score < banded.score:
        shown = min(mean, top_default_score(grade))
    elif grade.score > banded.score:
        shown = None
    return OverallResult(
        shown, banded, grade, tuple(results), tuple(explanations), mean, calculated,
        tuple(findings), judgement, judgement_ceiling(results),
    )

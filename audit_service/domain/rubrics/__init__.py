"""Rubrics: the file format, its two-layer validation, and the scoring engine.

Public API (import from here):

- ``load_rubric_file(path)``, ``load_rubrics(paths)``, ``parse_rubric_document(mapping)``
  return ``Rubric`` values or raise ``RubricValidationError`` (``.errors``: ``RubricError``).
- ``validate_paths(paths)`` returns every ``RubricError`` under files and folders.
- ``score_rubric(rubric, ratings)`` -> ``RubricResult``; ``overall_grade(results)`` ->
  ``OverallResult``. Ratings map criterion id to a rating value or ``Rating.not_applicable``.
- ``CriterionType`` is the base class plugins subclass to add criterion types.
"""

from audit_service.domain.rubrics.criterion_types import (
    BUILTIN_CRITERION_TYPES,
    CriterionType,
    FixedOptionsCriterionType,
    MetCriterionType,
    RatingOption,
    SafetyCriterionType,
    ScaleCriterionType,
    YesNoCriterionType,
)
from audit_service.domain.rubrics.loading import (
    RubricValidationError,
    check_paths,
    load_rubric_file,
    load_rubrics,
    parse_rubric_document,
    validate_paths,
)
from audit_service.domain.rubrics.model import (
    DEFAULT_GRADE_BANDS,
    DEFAULT_SCALE,
    Criterion,
    GradeBand,
    Level,
    LimitingRule,
    Rubric,
    Scale,
)
from audit_service.domain.rubrics.scoring import (
    Cap,
    CriterionScore,
    Finding,
    OverallJudgement,
    OverallResult,
    Rating,
    RubricResult,
    ScoringError,
    overall_grade,
    score_rubric,
)
from audit_service.domain.rubrics.validation import RubricError, check_document

__all__ = [
    "BUILTIN_CRITERION_TYPES",
    "DEFAULT_GRADE_BANDS",
    "DEFAULT_SCALE",
    "Cap",
    "Criterion",
    "CriterionScore",
    "CriterionType",
    "Finding",
    "FixedOptionsCriterionType",
    "GradeBand",
    "Level",
    "LimitingRule",
    "MetCriterionType",
    "OverallJudgement",
    "OverallResult",
    "Rating",
    "RatingOption",
    "Rubric",
    "RubricError",
    "RubricResult",
    "RubricValidationError",
    "SafetyCriterionType",
    "Scale",
    "ScaleCriterionType",
    "ScoringError",
    "YesNoCriterionType",
    "check_document",
    "check_paths",
    "load_rubric_file",
    "load_rubrics",
    "overall_grade",
    "parse_rubric_document",
    "score_rubric",
    "validate_paths",
]

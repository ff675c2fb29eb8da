"""Score a complete audit and describe the result in a form that can be stored and shown.

The stored explanation is plain JSON (ids, labels, scores as strings, the
limiting-rule sentences), so a submitted audit's result page never needs to
re-score, and an API client reads the same words the page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from audit_service.domain.audits.answers import Answer, CriterionKey
from audit_service.domain.rubrics import (
    CriterionType,
    Level,
    OverallResult,
    Rating,
    Rubric,
    RubricResult,
    overall_grade,
    score_rubric,
)


@dataclass(frozen=True)
class AuditScore:
    domains: tuple[RubricResult, ...]
    overall: OverallResult


def score_audit(
    rubrics: Mapping[str, Rubric],
    answers: Mapping[CriterionKey, Answer],
    criterion_types: Mapping[str, CriterionType],
) -> AuditScore:
    """Grade each domain and the audit. Raises ``ScoringError`` if an answer is missing.

    Check ``submit_problems`` first: it says the same in terms of form fields.
    """
    results = []
    for rubric in rubrics.values():
        ratings: dict[str, Rating] = {}
        for criterion in rubric.criteria:
            rating = answers.get(CriterionKey(rubric.id, criterion.id), Answer()).as_rating()
            if rating is not None:
                ratings[criterion.id] = rating
        results.append(score_rubric(rubric, ratings, criterion_types))
    return AuditScore(tuple(results), overall_grade(results))


def _score(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _level(level: Level | None) -> dict[str, Any] | None:
    return None if level is None else {"id": level.id, "label": level.label}


def domain_explanation(result: RubricResult) -> dict[str, Any]:
    return {
        "rubric_id": result.rubric_id,
        "domain": result.domain,
        "score": _score(result.score),
        "banded_grade": _level(result.banded_grade),
        "grade": _level(result.grade),
        "explanations": list(result.explanations),
        "caps": [
            {"rule": cap.rule_id, "criterion": cap.criterion_id, "applies_to": cap.applies_to,
             "cap": cap.level.id, "explanation": cap.explanation}
            for cap in (*result.domain_caps, *result.overall_caps)
        ],
        "criteria": [
            {"criterion_id": item.criterion_id,
             "rating": None if item.rating.is_na else item.rating.value,
             "not_applicable": item.rating.is_na,
             "score": _score(item.score)}
            for item in result.criterion_scores
        ],
    }


def explain(score: AuditScore) -> dict[str, Any]:
    """The whole result as JSON-ready data: overall grade first, then each domain."""
    overall = score.overall
    return {
        "overall": {
            "score": _score(overall.score),
            "banded_grade": _level(overall.banded_grade),
            "grade": _level(overall.grade),
            "explanations": list(overall.explanations),
        },
        "domains": [domain_explanation(result) for result in score.domains],
    }

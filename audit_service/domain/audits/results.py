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
    OverallJudgement,
    OverallResult,
    Rating,
    Rubric,
    RubricResult,
    overall_grade,
    score_rubric,
)
from audit_service.domain.rubrics.scoring import Finding, fired_rules
from audit_service.domain.vocabulary import CaseType


@dataclass(frozen=True)
class AuditScore:
    domains: tuple[RubricResult, ...]
    overall: OverallResult
    case_type: CaseType | None = None


def ratings_of(rubric: Rubric, answers: Mapping[CriterionKey, Answer]) -> dict[str, Rating]:
    """The scoring engine's view of one rubric's answers (unanswered criteria left out)."""
    ratings: dict[str, Rating] = {}
    for criterion in rubric.criteria:
        rating = answers.get(CriterionKey(rubric.id, criterion.id), Answer()).as_rating()
        if rating is not None:
            ratings[criterion.id] = rating
    return ratings


def domain_results(
    rubrics: Mapping[str, Rubric],
    answers: Mapping[CriterionKey, Answer],
    criterion_types: Mapping[str, CriterionType],
    *,
    case_type: CaseType | str | None = None,
) -> list[RubricResult]:
    """Grade each domain. Raises ``ScoringError`` if an answer is missing."""
    return [
        score_rubric(rubric, ratings_of(rubric, answers), criterion_types, case_type=case_type)
        for rubric in rubrics.values()
    ]


def score_audit(
    rubrics: Mapping[str, Rubric],
    answers: Mapping[CriterionKey, Answer],
    criterion_types: Mapping[str, CriterionType],
    *,
    case_type: CaseType | str | None = None,
    judgement: OverallJudgement | None = None,
) -> AuditScore:
    """Grade each domain and the audit. Raises ``ScoringError`` if an answer is missing
    or the judgement cannot stand.

    Check ``submit_problems`` first: it says the same in terms of form fields.
    """
    results = domain_results(rubrics, answers, criterion_types, case_type=case_type)
    kind = CaseType(case_type) if case_type else None
    return AuditScore(tuple(results), overall_grade(results, judgement=judgement), kind)


@dataclass(frozen=True)
class Alert:
    """A rule that asks for someone to act now, fired by a (possibly draft) answer."""

    rubric_id: str
    rule_id: str
    explanation: str


def alerts(
    rubrics: Mapping[str, Rubric],
    answers: Mapping[CriterionKey, Answer],
    case_type: CaseType | str | None,
) -> list[Alert]:
    """The ``alert`` rules that the answers given so far fire: checked on every draft save,
    so "the child is not safe" reaches a manager the moment it is recorded."""
    found = []
    for rubric in rubrics.values():
        for rule in fired_rules(rubric, ratings_of(rubric, answers), case_type):
            if rule.alert:
                found.append(Alert(rubric.id, rule.id, rule.explanation))
    return found


def _score(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _level(level: Level | None) -> dict[str, Any] | None:
    return None if level is None else {"id": level.id, "label": level.label}


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule_id,
        "domain": finding.domain,
        "applies_to": finding.applies_to,
        "cap": _level(finding.cap),
        "explanation": finding.explanation,
        "lowered": finding.lowered,
        "alert": finding.alert,
        "sentence": finding.sentence,
    }


def domain_explanation(result: RubricResult) -> dict[str, Any]:
    return {
        "rubric_id": result.rubric_id,
        "domain": result.domain,
        "score": _score(result.score),
        "mean_score": _score(result.mean_score),
        "banded_grade": _level(result.banded_grade),
        "grade": _level(result.grade),
        "explanations": list(result.explanations),
        "findings": [_finding(finding) for finding in result.findings],
        "caps": [
            {"rule": cap.rule_id, "criterion": cap.criterion_id, "criteria": list(cap.criteria),
             "applies_to": cap.applies_to, "cap": cap.level.id, "explanation": cap.explanation,
             "alert": cap.alert}
            for cap in (*result.domain_caps, *result.overall_caps)
        ],
        "criteria": [
            {"criterion_id": item.criterion_id,
             "rating": None if item.rating.is_na else item.rating.value,
             "not_applicable": item.rating.is_na,
             "scored": item.scored,
             "score": _score(item.score)}
            for item in result.criterion_scores
        ],
    }


def explain(score: AuditScore) -> dict[str, Any]:
    """The whole result as JSON-ready data: overall grade first, then each domain."""
    overall = score.overall
    judgement = overall.judgement
    return {
        "case_type": str(score.case_type) if score.case_type else None,
        "overall": {
            "score": _score(overall.score),
            "mean_score": _score(overall.mean_score),
            "banded_grade": _level(overall.banded_grade),
            "calculated_grade": _level(overall.calculated_grade),
            "grade": _level(overall.grade),
            "ceiling": _level(overall.ceiling),
            "explanations": list(overall.explanations),
            "findings": [_finding(finding) for finding in overall.findings],
            "judgement": None if not overall.judged or judgement is None else {
                "grade": _level(overall.grade), "reason": judgement.reason.strip(),
            },
        },
        "domains": [domain_explanation(result) for result in score.domains],
    }

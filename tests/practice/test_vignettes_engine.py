"""Every vignette through the real engine and the shipped rubrics: the grade a principal social
worker would give, and exactly the limiting rules that explain it."""

from __future__ import annotations

import pytest

from audit_service.domain.audits import Answer, CriterionKey, score_audit
from audit_service.domain.rubrics import BUILTIN_CRITERION_TYPES, load_rubrics
from audit_service.resources import rubrics_dir
from tests.practice.vignettes import VIGNETTES, Vignette

TYPES = BUILTIN_CRITERION_TYPES
RUBRICS = load_rubrics([rubrics_dir()], TYPES)


def answers_for(vignette: Vignette, rubrics) -> dict[CriterionKey, Answer]:
    return {
        CriterionKey(rubric.id, criterion.id): Answer(
            rating=vignette.rating(rubric.id, criterion.id, TYPES[criterion.type].scored),
            evidence="From the vignette")
        for rubric in rubrics.values() for criterion in rubric.criteria
    }


def applying(vignette: Vignette) -> dict:
    return {r.id: r for r in RUBRICS if r.applies_to_case_type(vignette.case_type)}


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.id)
def test_the_engine_grades_each_vignette_as_a_principal_social_worker_would(
    vignette: Vignette,
) -> None:
    rubrics = applying(vignette)
    for key in vignette.ratings:  # a vignette only rates criteria its case type is audited on
        rubric_id, criterion_id = key.split(".")
        assert criterion_id in [c.id for c in rubrics[rubric_id].criteria], key
    score = score_audit(rubrics, answers_for(vignette, rubrics), TYPES,
                        case_type=vignette.case_type)
    assert score.overall.grade.id == vignette.grade
    fired = {cap.rule_id for result in score.domains
             for cap in (*result.domain_caps, *result.overall_caps)}
    assert fired == set(vignette.rules)
    sentences = " ".join(score.overall.explanations)
    for result in score.domains:
        sentences += " ".join(result.explanations)
    rule_text = {rule.id: rule.explanation for r in rubrics.values() for rule in r.limiting_rules}
    for rule_id in vignette.rules:  # every rule that fired is shown in words
        assert rule_text[rule_id] in sentences


def test_the_vignettes_include_sound_files_and_every_grade() -> None:
    grades = {v.grade for v in VIGNETTES}
    assert grades == {"outstanding", "good", "requires_improvement", "inadequate"}
    assert {v.case_type for v in VIGNETTES if v.grade in ("good", "outstanding")} == {
        "child_in_need", "child_protection", "looked_after", "care_leaver", "open_assessment"}

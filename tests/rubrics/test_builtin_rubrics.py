"""The three rubrics shipped in ``rubrics/`` are valid and carry PRODUCT.md section 4."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_service.domain.rubrics import (
    DEFAULT_SCALE,
    Rubric,
    load_rubric_file,
    parse_rubric_document,
    validate_paths,
)
from audit_service.domain.vocabulary import CaseType

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"

# Criterion counts per domain in PRODUCT.md section 4.
EXPECTED = {
    "management_oversight": ("Management oversight", 6),
    "voice_of_the_child": ("Voice of the child", 7),
    "reappraisal_of_past_decisions": ("Reappraisal of past decisions", 6),
}


def _load(rubric_id: str) -> Rubric:
    return load_rubric_file(RUBRICS / f"{rubric_id}.yaml")


def test_the_rubrics_folder_validates() -> None:
    assert validate_paths([RUBRICS]) == []
    assert {path.stem for path in RUBRICS.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("rubric_id", sorted(EXPECTED))
def test_rubric_matches_the_product_brief(rubric_id: str) -> None:
    rubric = _load(rubric_id)
    title, count = EXPECTED[rubric_id]
    assert rubric.id == rubric_id
    assert rubric.title == title
    assert len(rubric.criteria) == count
    assert rubric.scale == DEFAULT_SCALE
    assert set(rubric.case_types) == set(CaseType)


@pytest.mark.parametrize("rubric_id", sorted(EXPECTED))
def test_every_criterion_says_what_good_and_inadequate_look_like(rubric_id: str) -> None:
    for criterion in _load(rubric_id).criteria:
        assert criterion.guidance, criterion.id
        assert criterion.level_descriptors.keys() >= {"good", "inadequate"}, criterion.id
        assert criterion.weight > 0


@pytest.mark.parametrize("rubric_id", sorted(EXPECTED))
def test_rubric_has_a_limiting_rule(rubric_id: str) -> None:
    assert _load(rubric_id).limiting_rules


def test_seen_alone_caps_voice_of_the_child() -> None:
    [rule] = [
        rule
        for rule in _load("voice_of_the_child").limiting_rules
        if rule.criterion == "seen_alone"
    ]
    assert (rule.when, rule.cap, rule.applies_to) == (
        ("inadequate",),
        "requires_improvement",
        "domain",
    )


@pytest.mark.parametrize("rubric_id", sorted(EXPECTED))
def test_export_imports_identically(rubric_id: str) -> None:
    rubric = _load(rubric_id)
    assert parse_rubric_document(rubric.to_document()) == rubric

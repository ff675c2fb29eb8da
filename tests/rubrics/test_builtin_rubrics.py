"""The rubrics shipped in ``rubrics/`` are valid, cover the whole caseload and say what every
grade looks like; the rules that protect a failing child are where the vignettes need them."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_service.domain.rubrics import (
    BUILTIN_CRITERION_TYPES,
    DEFAULT_SCALE,
    Rubric,
    load_rubric_file,
    parse_rubric_document,
    validate_paths,
)
from audit_service.domain.vocabulary import CaseType

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"

CHILDREN = {CaseType.CHILD_IN_NEED, CaseType.CHILD_PROTECTION, CaseType.LOOKED_AFTER,
            CaseType.OPEN_ASSESSMENT}
EVERYONE = set(CaseType)

# id: (title, criteria, case types). The first three carry PRODUCT.md section 4.
EXPECTED = {
    "safety_now": ("Is the child or young person safe now?", 1, EVERYONE),
    "management_oversight": ("Management oversight", 6, EVERYONE),
    "voice_of_the_child": ("Voice of the child", 7, CHILDREN),
    "reappraisal_of_past_decisions": ("Reappraisal of past decisions", 6, CHILDREN),
    "assessment_and_planning": ("Assessment and planning", 6, CHILDREN),
    "children_in_care": ("Children in care", 7, {CaseType.LOOKED_AFTER}),
    "care_leavers": ("Care leavers", 7, {CaseType.CARE_LEAVER}),
}


def _load(rubric_id: str) -> Rubric:
    return load_rubric_file(RUBRICS / f"{rubric_id}.yaml")


def test_the_rubrics_folder_validates() -> None:
    assert validate_paths([RUBRICS]) == []
    assert {path.stem for path in RUBRICS.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("rubric_id", sorted(EXPECTED))
def test_rubric_is_scoped_to_the_cases_it_fits(rubric_id: str) -> None:
    rubric = _load(rubric_id)
    title, count, case_types = EXPECTED[rubric_id]
    assert (rubric.id, rubric.title, len(rubric.criteria)) == (rubric_id, title, count)
    assert rubric.scale == DEFAULT_SCALE
    assert set(rubric.case_types) == case_types


@pytest.mark.parametrize("case_type", list(CaseType))
def test_every_case_type_has_the_safety_gate_and_at_least_three_graded_domains(
    case_type: CaseType,
) -> None:
    applying = [_load(r) for r in EXPECTED if case_type in EXPECTED[r][2]]
    assert "safety_now" in [r.id for r in applying]
    assert len(applying) - 1 >= 2
    if case_type is CaseType.CARE_LEAVER:
        # Adults: the child-focused domains stay out, the young person's own rubric comes in.
        assert {r.id for r in applying} == {"safety_now", "management_oversight", "care_leavers"}


@pytest.mark.parametrize("rubric_id", sorted(EXPECTED))
def test_every_criterion_describes_every_grade(rubric_id: str) -> None:
    """Moderators calibrate Outstanding and Requires improvement too, not only the ends."""
    rubric = _load(rubric_id)
    for criterion in rubric.criteria:
        assert criterion.guidance, criterion.id
        assert criterion.weight > 0
        options = {o.value for o in BUILTIN_CRITERION_TYPES[criterion.type].options(rubric.scale)}
        assert set(criterion.level_descriptors) == options, criterion.id
        assert all(len(text.split()) >= 8 for text in criterion.level_descriptors.values())


def test_care_leavers_are_young_people_not_children() -> None:
    document = str(_load("care_leavers").to_document()).lower()
    assert "young person" in document
    for shared in ("child or young person", "child's or young person's"):  # the default scale
        document = document.replace(shared, "")
    assert "child" not in document.replace("children's services", "")


@pytest.mark.parametrize("rubric_id", sorted(EXPECTED))
def test_rubric_has_a_limiting_rule(rubric_id: str) -> None:
    assert _load(rubric_id).limiting_rules


def _rule(rubric_id: str, rule_id: str):
    [rule] = [rule for rule in _load(rubric_id).limiting_rules if rule.id == rule_id]
    return rule


@pytest.mark.parametrize(("rubric_id", "rule_id", "watched", "cap", "case_types"), [
    ("voice_of_the_child", "not_seen_alone", ("seen_alone",), "requires_improvement", ()),
    ("voice_of_the_child", "not_seen_statutory", ("seen_within_timescales",), "inadequate",
     (CaseType.CHILD_PROTECTION, CaseType.LOOKED_AFTER)),
    ("voice_of_the_child", "not_seen_within_timescales", ("seen_within_timescales",),
     "requires_improvement", (CaseType.CHILD_IN_NEED, CaseType.OPEN_ASSESSMENT)),
    ("voice_of_the_child", "child_invisible",
     ("seen_alone", "wishes_and_feelings", "lived_experience"), "inadequate", ()),
    ("management_oversight", "unmanaged_case",
     ("supervision_reflective", "decision_rationale", "actions_followed_up"), "inadequate", ()),
    ("reappraisal_of_past_decisions", "early_view_never_retested",
     ("plans_revisited", "decisions_retested"), "inadequate", ()),
    ("safety_now", "child_not_safe", ("safe_now",), "inadequate", ()),
    ("safety_now", "safety_not_evidenced", ("safe_now",), "requires_improvement", ()),
])
def test_the_rules_that_protect_a_failing_child_limit_the_overall_grade(
    rubric_id: str, rule_id: str, watched: tuple, cap: str, case_types: tuple,
) -> None:
    rule = _rule(rubric_id, rule_id)
    assert (rule.watched, rule.cap, rule.applies_to, rule.case_types) == (
        watched, cap, "overall", case_types)


def test_only_the_safety_judgement_alerts_and_it_is_never_scored() -> None:
    alerting = [(r, rule.id) for r in EXPECTED for rule in _load(r).limiting_rules if rule.alert]
    assert alerting == [("safety_now", "child_not_safe")]
    assert _rule("safety_now", "child_not_safe").when == ("no",)
    [criterion] = _load("safety_now").criteria
    assert criterion.type == "safety"
    assert not BUILTIN_CRITERION_TYPES["safety"].scored


@pytest.mark.parametrize("rubric_id", sorted(EXPECTED))
def test_export_imports_identically(rubric_id: str) -> None:
    rubric = _load(rubric_id)
    assert parse_rubric_document(rubric.to_document()) == rubric

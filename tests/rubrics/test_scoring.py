"""The scoring engine: worked examples with exact numbers, then properties for all inputs."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_service.domain.rubrics import (
    BUILTIN_CRITERION_TYPES,
    DEFAULT_SCALE,
    CriterionType,
    Rating,
    RatingOption,
    Rubric,
    RubricResult,
    Scale,
    ScoringError,
    load_rubric_file,
    overall_grade,
    parse_rubric_document,
    score_rubric,
)

RUBRICS = Path(__file__).resolve().parents[2] / "rubrics"
VOICE = load_rubric_file(RUBRICS / "voice_of_the_child.yaml")
OVERSIGHT = load_rubric_file(RUBRICS / "management_oversight.yaml")
REAPPRAISAL = load_rubric_file(RUBRICS / "reappraisal_of_past_decisions.yaml")


def _all(rubric: Rubric, level: str, **overrides: Rating | str) -> dict[str, Rating | str]:
    ratings: dict[str, Rating | str] = {criterion.id: level for criterion in rubric.criteria}
    ratings.update(overrides)
    return ratings


# --- Worked examples -------------------------------------------------------------------


def test_all_good_is_good() -> None:
    result = score_rubric(VOICE, _all(VOICE, "good"))
    assert result.score == Decimal("3.00")
    assert result.grade == DEFAULT_SCALE.level("good")
    assert result.explanations == ()


def test_not_seen_alone_caps_voice_of_the_child() -> None:
    result = score_rubric(VOICE, _all(VOICE, "good", seen_alone="inadequate"))
    # weights 2,2,2,1,2,1,1 (11): (6 + 2 + 6 + 3 + 6 + 3 + 3) / 11 = 29/11 = 2.6363... -> 2.64
    assert result.score == Decimal("2.64")
    assert result.banded_grade == DEFAULT_SCALE.level("good")
    assert result.grade == DEFAULT_SCALE.level("requires_improvement")
    assert result.explanations == (
        "Child not seen alone and no reason recorded: grade capped at Requires improvement",
    )
    assert [cap.rule_id for cap in result.domain_caps] == ["not_seen_alone"]
    assert result.overall_caps == ()


def test_not_applicable_criterion_drops_out_of_the_weights() -> None:
    ratings = _all(
        VOICE, "outstanding", participation_and_advocacy=Rating.not_applicable("Baby, 4 months")
    )
    result = score_rubric(VOICE, ratings)
    assert result.score == Decimal("4.00")
    assert result.grade == DEFAULT_SCALE.level("outstanding")
    [na] = [item for item in result.criterion_scores if item.score is None]
    assert (na.criterion_id, na.weighted) == ("participation_and_advocacy", None)


def test_scores_round_half_up_exactly() -> None:
    rubric = parse_rubric_document(
        {
            "id": "rounding",
            "title": "Rounding",
            "domain": "Rounding",
            "case_types": ["child_in_need"],
            "criteria": [
                {"id": "a", "prompt": "A", "weight": 0.495},
                {"id": "b", "prompt": "B", "weight": 0.505},
            ],
        }
    )
    # 0.495 * 3 + 0.505 * 2 = 2.495 exactly: rounds up to 2.50, which is Good.
    result = score_rubric(rubric, {"a": "good", "b": "requires_improvement"})
    assert result.score == Decimal("2.50")
    assert result.grade == DEFAULT_SCALE.level("good")


def test_every_criterion_not_applicable_is_not_graded() -> None:
    rubric = parse_rubric_document(
        {
            "id": "all_na",
            "title": "All N/A",
            "domain": "Practice",
            "case_types": ["child_in_need"],
            "criteria": [
                {"id": "a", "prompt": "A", "na_allowed": True},
                {"id": "b", "prompt": "B", "na_allowed": True},
            ],
            "limiting_rules": [
                {"id": "r", "criterion": "a", "when": ["inadequate"], "cap": "good",
                 "explanation": "A weak"},
            ],
        }
    )  # fmt: skip
    na = Rating.not_applicable("No meetings in the period")
    result = score_rubric(rubric, {"a": na, "b": na})
    assert not result.graded
    assert (result.score, result.grade, result.domain_caps) == (None, None, ())
    assert result.explanations == ("Not graded: every criterion was rated not applicable.",)
    overall = overall_grade([result])
    assert not overall.graded
    assert overall.explanations == ("Not graded: no domain of this audit could be graded.",)


def test_overall_grade_of_the_three_built_in_domains() -> None:
    oversight = score_rubric(OVERSIGHT, _all(OVERSIGHT, "good"))
    voice = score_rubric(VOICE, _all(VOICE, "good", seen_alone="inadequate"))
    reappraisal = score_rubric(REAPPRAISAL, _all(REAPPRAISAL, "good", cumulative_harm="inadequate"))
    # weights 1,2,2,2,1,2 (10): (3 + 6 + 6 + 6 + 3 + 2) / 10 = 2.60, Good, no domain cap
    assert (reappraisal.score, reappraisal.grade.id) == (Decimal("2.60"), "good")
    result = overall_grade([oversight, voice, reappraisal])
    # (3.00 + 2.64 + 2.60) / 3 = 2.7466... -> 2.75, Good; then the overall cap.
    assert result.score == Decimal("2.75")
    assert result.banded_grade == DEFAULT_SCALE.level("good")
    assert result.grade == DEFAULT_SCALE.level("requires_improvement")
    assert result.explanations == (
        "Risk not re-analysed for cumulative harm: overall grade capped at Requires improvement",
    )


def test_overall_is_never_more_than_one_grade_above_the_weakest_domain() -> None:
    oversight = score_rubric(OVERSIGHT, _all(OVERSIGHT, "outstanding"))
    reappraisal = score_rubric(REAPPRAISAL, _all(REAPPRAISAL, "outstanding"))
    voice = score_rubric(VOICE, _all(VOICE, "inadequate"))
    result = overall_grade([oversight, voice, reappraisal])
    assert result.score == Decimal("3.00")
    assert result.banded_grade.id == "good"
    assert result.grade.id == "requires_improvement"
    assert result.explanations == (
        "Voice of the child is graded Inadequate: overall grade capped at Requires improvement "
        "(never more than one grade above the weakest domain)",
        "Child not seen within timescales and no reason recorded: overall grade capped at "
        "Requires improvement",
    )


def test_overall_weights_and_other_scales() -> None:
    plan = parse_rubric_document(
        {
            "id": "plan",
            "title": "Plan",
            "domain": "Plan",
            "case_types": ["child_in_need"],
            "scale": [
                {"id": "met", "label": "Met", "score": 3},
                {"id": "partly_met", "label": "Partly met", "score": 2},
                {"id": "not_met", "label": "Not met", "score": 1},
            ],
            "criteria": [{"id": "a", "prompt": "A"}],
            "grade_bands": [
                {"min": 1, "max": 1.66, "grade": "not_met"},
                {"min": 1.67, "max": 2.49, "grade": "partly_met"},
                {"min": 2.5, "max": 3, "grade": "met"},
            ],
        }
    )
    partly = score_rubric(plan, {"a": "partly_met"})
    good = score_rubric(OVERSIGHT, _all(OVERSIGHT, "good"))
    # partly met (2 of 1..3) sits at 2.5 on the 1..4 scale; (3 * 2.5 + 1 * 3) / 4 = 2.625 -> 2.63
    result = overall_grade([partly, good], weights={"plan": 3})
    assert result.score == Decimal("2.63")
    assert result.grade.id == "good"
    with pytest.raises(ScoringError, match="weight for 'plan' must be greater than 0"):
        overall_grade([partly], weights={"plan": 0})


def test_scoring_refuses_incomplete_or_wrong_ratings() -> None:
    ratings = _all(
        VOICE, "good", seen_alone="brilliant", lived_experience=Rating.not_applicable("x")
    )
    del ratings["methods_suit_child"]
    ratings["made_up"] = "good"
    ratings["participation_and_advocacy"] = Rating.not_applicable("  ")
    with pytest.raises(ScoringError) as raised:
        score_rubric(VOICE, ratings)
    assert raised.value.problems == [
        "'made_up' is not a criterion of this rubric",
        "'seen_alone': 'brilliant' is not one of the allowed ratings: outstanding, good, "
        "requires_improvement, inadequate",
        "'lived_experience' cannot be rated not applicable",
        "'methods_suit_child' has not been rated",
        "'participation_and_advocacy' is rated not applicable without a reason",
    ]


class YesNo(CriterionType):
    """A plugin-style type: yes scores the top of the scale, no the bottom."""

    id = "yes_no_plugin"
    label = "Yes or no"

    def options(self, scale: Scale) -> tuple[RatingOption, ...]:
        return (RatingOption("yes", "Yes"), RatingOption("no", "No"))

    def score(self, rating: str, scale: Scale) -> Decimal:
        return Decimal(scale.max_score if rating == "yes" else scale.min_score)


def test_a_plugin_criterion_type_is_validated_and_scored() -> None:
    """A type the built-ins lack ("yes_no_plugin") is unknown until passed in, then scores."""
    document = {
        "id": "with_yes_no",
        "title": "With yes/no",
        "domain": "Practice",
        "case_types": ["looked_after"],
        "criteria": [
            {"id": "plan", "prompt": "Plan", "weight": 3},
            {"id": "visited", "prompt": "Visited?", "type": "yes_no_plugin",
             "level_descriptors": {"no": "No visit in the period."}},
        ],
        "limiting_rules": [
            {"id": "no_visit", "criterion": "visited", "when": ["no"], "cap": "inadequate",
             "explanation": "No visit"},
        ],
    }  # fmt: skip
    with pytest.raises(Exception, match="'yes_no_plugin' is not a criterion type"):
        parse_rubric_document(document)
    types = {**BUILTIN_CRITERION_TYPES, "yes_no_plugin": YesNo()}
    rubric = parse_rubric_document(document, criterion_types=types)
    yes = score_rubric(rubric, {"plan": "good", "visited": "yes"}, criterion_types=types)
    assert (yes.score, yes.grade.id) == (Decimal("3.25"), "good")
    no = score_rubric(rubric, {"plan": "good", "visited": "no"}, criterion_types=types)
    assert (no.score, no.banded_grade.id, no.grade.id) == (Decimal("2.50"), "good", "inadequate")
    assert no.explanations == ("No visit: grade capped at Inadequate",)


# --- Properties --------------------------------------------------------------------------

CUSTOM_SCALE = [
    {"id": "met", "label": "Met", "score": 3},
    {"id": "partly_met", "label": "Partly met", "score": 2},
    {"id": "not_met", "label": "Not met", "score": 1},
]
CUSTOM_BANDS = [
    {"min": 1, "max": 1.49, "grade": "not_met"},
    {"min": 1.5, "max": 2.49, "grade": "partly_met"},
    {"min": 2.5, "max": 3, "grade": "met"},
]
WEIGHTS = st.sampled_from([0.25, 0.5, 1, 1.5, 2, 3, 5])


@st.composite
def rubrics(draw: st.DrawFn, rubric_id: str = "generated") -> Rubric:
    custom = draw(st.booleans())
    level_ids = [level["id"] for level in CUSTOM_SCALE] if custom else list(DEFAULT_SCALE.ids)
    count = draw(st.integers(min_value=1, max_value=6))
    criteria = [
        {"id": f"c{index}", "prompt": f"C{index}", "weight": draw(WEIGHTS),
         "na_allowed": draw(st.booleans())}
        for index in range(count)
    ]  # fmt: skip
    rules = []
    for index in range(draw(st.integers(min_value=0, max_value=3))):
        threshold = draw(st.integers(min_value=0, max_value=len(level_ids) - 1))
        applies_to = draw(st.sampled_from(["domain", "overall"]))
        caps = list(DEFAULT_SCALE.ids) if applies_to == "overall" else level_ids
        rules.append(
            {
                "id": f"r{index}",
                "criterion": f"c{draw(st.integers(min_value=0, max_value=count - 1))}",
                "when": level_ids[threshold:],
                "cap": draw(st.sampled_from(caps)),
                "applies_to": applies_to,
                "explanation": f"Rule {index}",
            }
        )
    document: dict[str, Any] = {
        "id": rubric_id,
        "title": "Generated",
        "domain": f"Domain {rubric_id}",
        "case_types": ["child_in_need"],
        "criteria": criteria,
        "limiting_rules": rules,
    }
    if custom:
        document |= {"scale": CUSTOM_SCALE, "grade_bands": CUSTOM_BANDS}
    return parse_rubric_document(document)


@st.composite
def rated_rubrics(
    draw: st.DrawFn, rubric_id: str = "generated"
) -> tuple[Rubric, dict[str, Rating]]:
    rubric = draw(rubrics(rubric_id))
    ratings = {}
    for criterion in rubric.criteria:
        if criterion.na_allowed and draw(st.booleans()):
            ratings[criterion.id] = Rating.not_applicable(draw(st.sampled_from(["Baby", "None"])))
        else:
            ratings[criterion.id] = Rating.of(draw(st.sampled_from(rubric.scale.ids)))
    return rubric, ratings


def _rank(result: RubricResult) -> int:
    assert result.grade is not None
    return result.grade.score


def _without(rubric: Rubric, criterion_id: str) -> Rubric:
    return dataclasses.replace(
        rubric,
        criteria=tuple(c for c in rubric.criteria if c.id != criterion_id),
        limiting_rules=tuple(r for r in rubric.limiting_rules if r.criterion != criterion_id),
    )


@given(rated_rubrics(), st.data())
def test_not_applicable_criteria_drop_out(
    rated: tuple[Rubric, dict[str, Rating]], data: Any
) -> None:
    rubric, ratings = rated
    dropped = data.draw(st.sampled_from([criterion.id for criterion in rubric.criteria]))
    rubric = dataclasses.replace(
        rubric,
        criteria=tuple(
            dataclasses.replace(c, na_allowed=True) if c.id == dropped else c
            for c in rubric.criteria
        ),
    )
    results = [
        score_rubric(rubric, {**ratings, dropped: Rating.not_applicable(reason)})
        for reason in ("Not relevant", "Child too young")
    ]
    assert results[0].score == results[1].score
    if len(rubric.criteria) == 1:
        assert not results[0].graded
        return
    reduced = score_rubric(
        _without(rubric, dropped), {k: v for k, v in ratings.items() if k != dropped}
    )
    for result in results:
        assert (result.score, result.grade, result.explanations) == (
            reduced.score,
            reduced.grade,
            reduced.explanations,
        )
        assert result.overall_caps == reduced.overall_caps


@given(rated_rubrics(), st.data())
def test_raising_a_rating_never_lowers_the_grade(
    rated: tuple[Rubric, dict[str, Rating]], data: Any
) -> None:
    rubric, ratings = rated
    raisable = [
        criterion_id
        for criterion_id, rating in ratings.items()
        if not rating.is_na and rating.value != rubric.scale.best.id
    ]
    if not raisable:
        return
    criterion_id = data.draw(st.sampled_from(raisable))
    ids = list(rubric.scale.ids)
    better = data.draw(st.sampled_from(ids[: ids.index(ratings[criterion_id].value)]))
    before = score_rubric(rubric, ratings)
    after = score_rubric(rubric, {**ratings, criterion_id: Rating.of(better)})
    assert after.score >= before.score
    assert after.banded_grade.score >= before.banded_grade.score
    assert _rank(after) >= _rank(before)


@given(st.lists(rated_rubrics(), min_size=1, max_size=3), st.data())
def test_raising_a_rating_never_lowers_the_overall_grade(
    domains: list[tuple[Rubric, dict[str, Rating]]], data: Any
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(domains) - 1))
    rubric, ratings = domains[index]
    raisable = [k for k, v in ratings.items() if not v.is_na and v.value != rubric.scale.best.id]
    if not raisable:
        return
    criterion_id = data.draw(st.sampled_from(raisable))
    better = rubric.scale.best.id
    before = overall_grade([score_rubric(r, ratings) for r, ratings in domains])
    raised = [*domains]
    raised[index] = (rubric, {**ratings, criterion_id: Rating.of(better)})
    after = overall_grade([score_rubric(r, ratings) for r, ratings in raised])
    assert before.graded and after.graded
    assert after.score >= before.score
    assert after.grade.score >= before.grade.score


@given(st.lists(rated_rubrics(), min_size=1, max_size=3))
def test_caps_only_ever_lower_grades(domains: list[tuple[Rubric, dict[str, Rating]]]) -> None:
    with_rules = [score_rubric(rubric, ratings) for rubric, ratings in domains]
    without_rules = [
        score_rubric(dataclasses.replace(rubric, limiting_rules=()), ratings)
        for rubric, ratings in domains
    ]
    for capped, free in zip(with_rules, without_rules, strict=True):
        assert capped.score == free.score
        if capped.graded:
            assert capped.grade.score <= free.grade.score == capped.banded_grade.score
            assert bool(capped.explanations) == (capped.grade != capped.banded_grade)
    capped_overall, free_overall = overall_grade(with_rules), overall_grade(without_rules)
    if capped_overall.graded:
        assert capped_overall.grade.score <= capped_overall.banded_grade.score
        assert capped_overall.grade.score <= free_overall.grade.score


@settings(max_examples=50)
@given(st.lists(rated_rubrics(), min_size=1, max_size=3))
def test_scoring_is_deterministic(domains: list[tuple[Rubric, dict[str, Rating]]]) -> None:
    first = [score_rubric(rubric, ratings) for rubric, ratings in domains]
    again = [score_rubric(rubric, dict(reversed(ratings.items()))) for rubric, ratings in domains]
    assert first == again
    assert overall_grade(first) == overall_grade(again)

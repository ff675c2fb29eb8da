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
    DEFAULT_GRADE_BANDS,
    DEFAULT_SCALE,
    CriterionType,
    OverallJudgement,
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


def test_not_seen_alone_caps_the_overall_grade_not_only_the_domain() -> None:
    result = score_rubric(VOICE, _all(VOICE, "good", seen_alone="inadequate"))
    # weights 2,2,2,1,2,1,1 (11): (6 + 2 + 6 + 3 + 6 + 3 + 3) / 11 = 29/11 = 2.6363... -> 2.64
    assert (result.score, result.mean_score) == (Decimal("2.64"), Decimal("2.64"))
    assert result.grade == DEFAULT_SCALE.level("good")
    assert result.domain_caps == ()
    assert [cap.rule_id for cap in result.overall_caps] == ["not_seen_alone"]
    overall = overall_grade([result, score_rubric(OVERSIGHT, _all(OVERSIGHT, "good"))])
    assert overall.grade.id == "requires_improvement"
    assert overall.explanations == (
        "Child not seen alone and no reason recorded: overall grade capped at Requires "
        "improvement",
    )


def test_not_applicable_criterion_drops_out_of_the_weights() -> None:
    ratings = _all(
        VOICE, "outstanding", participation_and_advocacy=Rating.not_applicable("Baby, 4 months")
    )
    result = score_rubric(VOICE, ratings)
    assert result.score == Decimal("4.00")
    assert result.grade == DEFAULT_SCALE.level("outstanding")
    [na] = [item for item in result.criterion_scores if item.score is None]
    assert (na.criterion_id, na.weighted) == ("participation_and_advocacy", None)


def _two(weight_a: float, weight_b: float) -> Rubric:
    return parse_rubric_document({
        "id": "halfway", "title": "Half-way", "domain": "Half-way",
        "case_types": ["child_in_need"],
        "criteria": [{"id": "a", "prompt": "A", "weight": weight_a},
                     {"id": "b", "prompt": "B", "weight": weight_b}],
    })


def test_scores_round_half_up_exactly_and_half_way_takes_the_lower_grade() -> None:
    # 0.495 * 3 + 0.505 * 2 = 2.495 exactly: rounds up to 2.50, half-way: Requires improvement.
    result = score_rubric(_two(0.495, 0.505), {"a": "good", "b": "requires_improvement"})
    assert (result.score, result.grade.id) == (Decimal("2.50"), "requires_improvement")


@pytest.mark.parametrize(("better", "worse", "grade"), [
    ("outstanding", "good", "good"),
    ("good", "requires_improvement", "requires_improvement"),
    ("requires_improvement", "inadequate", "inadequate"),
])
def test_a_score_exactly_between_two_grades_takes_the_lower_one(
    better: str, worse: str, grade: str,
) -> None:
    result = score_rubric(_two(1, 1), {"a": better, "b": worse})
    assert result.grade.id == grade
    overall = overall_grade([result])
    assert (overall.mean_score, overall.grade.id) == (result.score, grade)


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


def test_overall_grade_of_the_three_original_domains() -> None:
    oversight = score_rubric(OVERSIGHT, _all(OVERSIGHT, "good"))
    voice = score_rubric(VOICE, _all(VOICE, "good", seen_alone="inadequate"))
    reappraisal = score_rubric(REAPPRAISAL, _all(REAPPRAISAL, "good", cumulative_harm="inadequate"))
    # weights 1,2,2,2,1,2 (10): (3 + 6 + 6 + 6 + 3 + 2) / 10 = 2.60, Good, no domain cap
    assert (reappraisal.score, reappraisal.grade.id) == (Decimal("2.60"), "good")
    result = overall_grade([oversight, voice, reappraisal])
    # (3.00 + 2.64 + 2.60) / 3 = 2.7466... -> 2.75, Good; then the overall caps. The score
    # shown is held at the top of Requires improvement, so it never reads as Good.
    assert result.mean_score == Decimal("2.75")
    assert result.banded_grade == DEFAULT_SCALE.level("good")
    assert result.grade == DEFAULT_SCALE.level("requires_improvement")
    assert result.score == Decimal("2.50")
    assert result.explanations == (
        "Child not seen alone and no reason recorded: overall grade capped at Requires "
        "improvement",
        "Risk not re-analysed for cumulative harm: overall grade capped at Requires improvement",
    )


def test_the_overall_grade_is_never_above_the_weakest_domain() -> None:
    """One weak domain is never averaged away by two sound ones."""
    oversight = score_rubric(OVERSIGHT, _all(OVERSIGHT, "good"))
    reappraisal = score_rubric(REAPPRAISAL, _all(REAPPRAISAL, "good"))
    # Weak oversight without any rule firing: Requires improvement on its mean alone.
    weak = score_rubric(OVERSIGHT, _all(OVERSIGHT, "requires_improvement"))
    result = overall_grade([weak, oversight, reappraisal])
    # (2 + 3 + 3) / 3 = 2.67, Good on the mean, but the weakest domain is Requires improvement.
    assert (result.mean_score, result.banded_grade.id) == (Decimal("2.67"), "good")
    assert result.grade.id == "requires_improvement"
    assert result.score == Decimal("2.50")
    assert result.explanations == (
        "Management oversight is graded Requires improvement (the overall grade is never above "
        "the weakest domain): overall grade capped at Requires improvement",
    )


def test_rules_conditioned_on_case_type_fire_only_for_those_cases() -> None:
    voice = _all(VOICE, "good", seen_within_timescales="inadequate")
    others = [score_rubric(OVERSIGHT, _all(OVERSIGHT, "good"))]
    grades = {}
    for case_type in ("child_protection", "looked_after", "child_in_need", "open_assessment"):
        result = score_rubric(VOICE, voice, case_type=case_type)
        grades[case_type] = overall_grade([result, *others]).grade.id
    assert grades == {"child_protection": "inadequate", "looked_after": "inadequate",
                      "child_in_need": "requires_improvement",
                      "open_assessment": "requires_improvement"}
    # With the case type unknown every rule is in force: the cautious reading.
    assert overall_grade([score_rubric(VOICE, voice), *others]).grade.id == "inadequate"


def test_a_combination_fires_only_when_enough_of_its_criteria_match() -> None:
    one = score_rubric(VOICE, _all(VOICE, "good", wishes_and_feelings="inadequate"),
                       case_type="child_in_need")
    assert "child_invisible" not in [cap.rule_id for cap in one.overall_caps]
    two = score_rubric(VOICE, _all(VOICE, "good", wishes_and_feelings="inadequate",
                                   lived_experience="inadequate"), case_type="child_in_need")
    assert "child_invisible" in [cap.rule_id for cap in two.overall_caps]
    [cap] = [cap for cap in two.overall_caps if cap.rule_id == "child_invisible"]
    assert cap.criteria == ("seen_alone", "wishes_and_feelings", "lived_experience")


def test_every_rule_that_fired_is_a_finding_even_when_it_lowered_nothing() -> None:
    voice = score_rubric(VOICE, _all(VOICE, "requires_improvement", seen_alone="inadequate"),
                         case_type="child_in_need")
    result = overall_grade([voice])
    assert result.grade.id == "requires_improvement"
    [finding] = result.findings
    assert (finding.rule_id, finding.lowered) == ("not_seen_alone", False)
    assert result.explanations == (
        "Child not seen alone and no reason recorded: overall grade capped at Requires "
        "improvement (the scores alone gave no more)",
    )


SAFETY = load_rubric_file(RUBRICS / "safety_now.yaml")


def test_the_safety_judgement_is_never_scored_but_limits_the_overall_grade() -> None:
    oversight = score_rubric(OVERSIGHT, _all(OVERSIGHT, "outstanding"))
    grades = {}
    for answer in ("yes", "not_sure", "no"):
        safety = score_rubric(SAFETY, {"safe_now": answer})
        assert not safety.graded
        assert safety.explanations == (
            "Not graded: this section records a judgement that limits the grade.",)
        result = overall_grade([safety, oversight])
        assert result.mean_score == Decimal("4.00")  # the answer never moves the mean
        grades[answer] = result.grade.id
    assert grades == {"yes": "outstanding", "not_sure": "requires_improvement",
                      "no": "inadequate"}
    no = score_rubric(SAFETY, {"safe_now": "no"})
    assert [(cap.rule_id, cap.alert) for cap in no.overall_caps] == [
        ("child_not_safe", True), ("safety_not_evidenced", False)]


def test_the_auditor_may_record_a_different_judgement_within_the_rules() -> None:
    good = score_rubric(OVERSIGHT, _all(OVERSIGHT, "good"))
    weak = score_rubric(REAPPRAISAL, _all(REAPPRAISAL, "requires_improvement"))
    calculated = overall_grade([good, weak])
    assert calculated.grade.id == "requires_improvement"
    assert calculated.ceiling.id == "good"  # no better than the best domain
    lifted = overall_grade([good, weak], judgement=OverallJudgement(
        "good", "The reappraisal gaps are historic; this month's work re-tested them."))
    assert (lifted.grade.id, lifted.calculated_grade.id, lifted.judged) == (
        "good", "requires_improvement", True)
    # (3.00 + 2.00) / 2 = 2.50: the mean does not support Good, so no score is shown.
    assert (lifted.mean_score, lifted.score) == (Decimal("2.50"), None)
    assert lifted.explanations[-1] == (
        "The auditor's overall judgement is Good, above the calculated grade of Requires "
        "improvement: The reappraisal gaps are historic; this month's work re-tested them.")
    lowered = overall_grade([good, good], judgement=OverallJudgement("inadequate", "Unsafe."))
    assert (lowered.grade.id, lowered.score) == ("inadequate", Decimal("1.50"))
    with pytest.raises(ScoringError, match="cannot be above Good, the best domain grade"):
        overall_grade([good, weak], judgement=OverallJudgement("outstanding", "Exceptional."))
    with pytest.raises(ScoringError, match="give the reason for your overall judgement"):
        overall_grade([good, weak], judgement=OverallJudgement("good", "  "))


def test_no_judgement_can_lift_the_grade_above_a_rule_about_the_child() -> None:
    good = score_rubric(OVERSIGHT, _all(OVERSIGHT, "outstanding"))
    unsafe = score_rubric(SAFETY, {"safe_now": "no"})
    assert overall_grade([good, unsafe]).ceiling.id == "inadequate"
    with pytest.raises(ScoringError) as raised:
        overall_grade([good, unsafe], judgement=OverallJudgement("good", "Mother is engaging."))
    assert raised.value.problems == [
        "the overall grade cannot be above Inadequate: The auditor judged the child or young "
        "person not safe now"]


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
                {"min": 1.67, "max": 2.50, "grade": "partly_met"},
                {"min": 2.51, "max": 3, "grade": "met"},
            ],
        }
    )
    partly = score_rubric(plan, {"a": "partly_met"})
    good = score_rubric(OVERSIGHT, _all(OVERSIGHT, "good"))
    # partly met (2 of 1..3) sits at 2.5 on the 1..4 scale, half-way: Requires improvement.
    # (3 * 2.5 + 1 * 3) / 4 = 2.625 -> 2.63, Good on the mean, held at the weakest domain.
    result = overall_grade([partly, good], weights={"plan": 3})
    assert (result.mean_score, result.grade.id, result.score) == (
        Decimal("2.63"), "requires_improvement", Decimal("2.50"))
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
    assert (no.mean_score, no.banded_grade.id, no.grade.id) == (
        Decimal("2.50"), "requires_improvement", "inadequate")
    assert no.score == Decimal("1.50")  # held at the top of Inadequate
    assert no.explanations == ("No visit: grade capped at Inadequate",)


# --- Properties --------------------------------------------------------------------------

CUSTOM_SCALE = [
    {"id": "met", "label": "Met", "score": 3},
    {"id": "partly_met", "label": "Partly met", "score": 2},
    {"id": "not_met", "label": "Not met", "score": 1},
]
CUSTOM_BANDS = [
    {"min": 1, "max": 1.5, "grade": "not_met"},
    {"min": 1.51, "max": 2.5, "grade": "partly_met"},
    {"min": 2.51, "max": 3, "grade": "met"},
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
        rule = {
            "id": f"r{index}",
            "when": level_ids[threshold:],
            "cap": draw(st.sampled_from(caps)),
            "applies_to": applies_to,
            "explanation": f"Rule {index}",
        }
        if count >= 2 and draw(st.booleans()):
            watched = draw(st.lists(st.integers(0, count - 1), min_size=2, max_size=count,
                                    unique=True))
            rule |= {"kind": "combination", "criteria": [f"c{i}" for i in watched],
                     "at_least": draw(st.integers(1, len(watched)))}
        else:
            rule["criterion"] = f"c{draw(st.integers(min_value=0, max_value=count - 1))}"
        if draw(st.booleans()):
            rule["case_types"] = ["child_protection"]
        rules.append(rule)
    document: dict[str, Any] = {
        "id": rubric_id,
        "title": "Generated",
        "domain": f"Domain {rubric_id}",
        "case_types": ["child_in_need", "child_protection"],
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
    """The rubric without a criterion, as N/A treats it: a rating rule on it is gone, and a
    combination watches the rest (and is gone when too few are left to reach its count)."""
    rules = []
    for rule in rubric.limiting_rules:
        if criterion_id not in rule.watched:
            rules.append(rule)
        elif rule.kind == "combination":
            rest = tuple(c for c in rule.criteria if c != criterion_id)
            if len(rest) >= rule.needed:
                rules.append(dataclasses.replace(rule, criteria=rest, at_least=rule.needed))
    return dataclasses.replace(
        rubric,
        criteria=tuple(c for c in rubric.criteria if c.id != criterion_id),
        limiting_rules=tuple(rules),
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
        assert [(c.rule_id, c.level) for c in result.overall_caps] == [
            (c.rule_id, c.level) for c in reduced.overall_caps]


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
        assert capped.mean_score == free.mean_score
        if capped.graded:
            assert capped.grade.score <= free.grade.score == capped.banded_grade.score
            lowered = any(finding.lowered for finding in capped.findings)
            assert lowered == (capped.grade != capped.banded_grade)
            assert len(capped.explanations) == len(capped.domain_caps)
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


@given(st.lists(rated_rubrics(), min_size=1, max_size=3),
       st.sampled_from([None, "child_in_need", "child_protection"]))
def test_a_score_shown_beside_a_grade_always_reads_as_that_grade(
    domains: list[tuple[Rubric, dict[str, Rating]]], case_type: str | None,
) -> None:
    results = [score_rubric(r, ratings, case_type=case_type) for r, ratings in domains]
    for (rubric, _), result in zip(domains, results, strict=True):
        if result.graded:
            assert result.score <= result.mean_score
            assert rubric.scale.level(
                next(b for b in rubric.grade_bands if b.contains(result.score)).grade
            ).score <= result.grade.score
    overall = overall_grade(results)
    if overall.graded:
        band = next(b for b in DEFAULT_GRADE_BANDS if b.contains(overall.score))
        assert band.grade == overall.grade.id
        assert overall.score <= overall.mean_score


@given(st.lists(rated_rubrics(), min_size=1, max_size=3),
       st.sampled_from(list(DEFAULT_SCALE.ids)))
def test_no_domain_below_a_grade_sits_under_it_and_no_judgement_passes_a_cap(
    domains: list[tuple[Rubric, dict[str, Rating]]], judged: str,
) -> None:
    results = [score_rubric(r, ratings) for r, ratings in domains]
    overall = overall_grade(results)
    if not overall.graded:
        return
    from audit_service.domain.rubrics.scoring import default_grade_of

    for result in results:
        if result.graded:
            assert overall.grade.score <= default_grade_of(result).score
    caps = [cap.level.score for result in results for cap in result.overall_caps]
    assert all(overall.grade.score <= cap for cap in caps)
    judgement = OverallJudgement(judged, "My professional judgement.")
    try:
        with_judgement = overall_grade(results, judgement=judgement)
    except ScoringError:
        assert DEFAULT_SCALE.level(judged).score > overall.ceiling.score
        return
    assert with_judgement.grade.id == judged
    assert all(with_judgement.grade.score <= cap for cap in caps)
    if with_judgement.score is not None:
        band = next(b for b in DEFAULT_GRADE_BANDS if b.contains(with_judgement.score))
        assert band.grade == judged

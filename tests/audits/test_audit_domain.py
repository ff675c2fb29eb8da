"""The pure audit domain: form parsing, draft and submit checks, scoring, conflicts and merges."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.audits import (
    Answer,
    CriterionKey,
    answers_from_form,
    differences,
    draft_problems,
    explain,
    field_id,
    merge,
    score_audit,
    submit_problems,
)
from audit_service.domain.rubrics import BUILTIN_CRITERION_TYPES, load_rubrics
from audit_service.resources import rubrics_dir

TYPES = BUILTIN_CRITERION_TYPES
RUBRICS = {r.id: r for r in load_rubrics([rubrics_dir()], TYPES)}
KEYS = [CriterionKey(r.id, c.id) for r in RUBRICS.values() for c in r.criteria]


def _all(rating: str = "good", evidence: str = "seen", safe: str = "yes"
         ) -> dict[CriterionKey, Answer]:
    """Every criterion rated ``rating``; the unscored safety judgement answered ``safe``."""
    return {key: Answer(rating=rating if TYPES[_criterion(key).type].scored else safe,
                        evidence=evidence) for key in KEYS}


def _criterion(key: CriterionKey):
    return RUBRICS[key.rubric_id].criterion(key.criterion_id)


def test_form_fields_become_answers():
    key = KEYS[0]
    form = {field_id("rating", key): "good", field_id("evidence", key): " a\r\nb ",
            field_id("na", key): "yes", field_id("na-reason", key): "why", "junk": "x"}
    answers = answers_from_form(form, KEYS)
    assert answers[key] == Answer(rating="good", not_applicable=True, na_reason="why",
                                  evidence="a\nb")
    assert all(answers[k].is_empty for k in KEYS[1:])


@given(st.dictionaries(st.text(max_size=40), st.one_of(st.text(max_size=50), st.none(),
                                                       st.integers())))
def test_any_form_data_parses_and_checks_without_crashing(form):
    answers = answers_from_form(form, KEYS)
    assert set(answers) == set(KEYS)
    draft_problems(RUBRICS, answers, TYPES)
    submit_problems(RUBRICS, answers, TYPES)


def test_submit_lists_what_is_missing_in_form_order():
    errors = submit_problems(RUBRICS, {}, TYPES)
    assert errors[0].field == field_id("rating", KEYS[0])
    assert len(errors) >= len(KEYS)
    assert submit_problems(RUBRICS, _all(), TYPES) == []


def test_not_applicable_needs_a_reason_and_permission():
    allowed = next(k for k in KEYS if RUBRICS[k.rubric_id].criterion(k.criterion_id).na_allowed)
    refused = next(k for k in KEYS
                   if not RUBRICS[k.rubric_id].criterion(k.criterion_id).na_allowed)
    answers = {**_all(), allowed: Answer(not_applicable=True),
               refused: Answer(not_applicable=True, na_reason="r")}
    fields = {e.field for e in submit_problems(RUBRICS, answers, TYPES)}
    assert field_id("na-reason", allowed) in fields
    assert field_id("na", refused) in fields
    answers[allowed] = Answer(not_applicable=True, na_reason="No meeting this period")
    answers[refused] = Answer(rating="good", evidence="e")
    assert submit_problems(RUBRICS, answers, TYPES) == []


def test_unknown_ratings_and_criteria_are_draft_errors():
    errors = draft_problems(RUBRICS, {KEYS[0]: Answer(rating="superb"),
                                      CriterionKey("nope", "x"): Answer()}, TYPES)
    assert {e.field for e in errors} == {field_id("rating", KEYS[0]), "nope.x"}


def test_scoring_stores_level_ids_and_explains_caps():
    explanation = explain(score_audit(RUBRICS, _all("good"), TYPES))
    assert explanation["overall"]["grade"]["id"] == "good"
    assert {d["rubric_id"] for d in explanation["domains"]} == set(RUBRICS)
    rubric = next(r for r in RUBRICS.values() if r.limiting_rules)
    rule = rubric.limiting_rules[0]
    answers = {**_all("outstanding"), CriterionKey(rubric.id, rule.criterion):
               Answer(rating=rule.when[0], evidence="e")}
    explained = explain(score_audit(RUBRICS, answers, TYPES))
    lines = [line for d in explained["domains"] for line in d["explanations"]]
    lines += explained["overall"]["explanations"]
    assert any(rule.explanation in line for line in lines)


def test_differences_and_merge_per_field():
    k1, k2 = KEYS[0], KEYS[1]
    saved = {k1: Answer(rating="good", evidence="saved 1"), k2: Answer(evidence="saved 2")}
    yours = {k1: Answer(rating="inadequate", evidence="saved 1"), k2: Answer(evidence="mine 2")}
    diffs = differences(yours, saved, KEYS)
    assert [(d.key, d.part) for d in diffs] == [(k1, "rating"), (k2, "evidence")]
    merged = merge(yours, saved, {diffs[0].field: "saved"}, KEYS)
    assert merged[k1] == Answer(rating="good", evidence="saved 1")
    assert merged[k2] == Answer(evidence="mine 2")
    assert merge(yours, saved, {}, KEYS, default="saved")[k2] == saved[k2]


answer_st = st.builds(Answer, rating=st.sampled_from([None, "good", "inadequate"]),
                      not_applicable=st.booleans(), na_reason=st.sampled_from(["", "r"]),
                      evidence=st.sampled_from(["", "a", "b"]))
answers_st = st.dictionaries(st.sampled_from(KEYS[:6]), answer_st, max_size=6)


@given(answers_st, answers_st)
def test_merging_all_yours_gives_yours_and_all_saved_gives_saved(yours, saved):
    everything = {k: yours.get(k, Answer()) for k in KEYS}
    assert merge(yours, saved, {}, KEYS, default="yours") == everything
    assert merge(yours, saved, {}, KEYS, default="saved") == {k: saved.get(k, Answer())
                                                              for k in KEYS}
    assert differences(yours, yours, KEYS) == []

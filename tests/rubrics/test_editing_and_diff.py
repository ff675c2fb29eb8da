"""The editor's pure pieces: error paths to fields, form values, list moves, and diffs."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.rubrics import check_document, parse_rubric_document
from audit_service.domain.rubrics import editing as ed
from audit_service.domain.rubrics.diff import diff_documents, summary, word_diff
from audit_service.domain.rubrics.editing import Location, locate


def _valid() -> dict:
    document = ed.blank_document("record_keeping", "Record keeping", "Records")
    document["case_types"] = ["child_in_need"]
    document["criteria"] = [
        {"id": "chronology", "prompt": "Is there a chronology?", "weight": 2},
        {"id": "recording", "prompt": "Is recording timely?"},
    ]
    return document


@pytest.mark.parametrize(("path", "expected"), [
    ("", Location("details", None, "title")),
    ("title", Location("details", None, "title")),
    ("case_types[1]", Location("details", None, "case_types")),
    ("scale[2].score", Location("scale", None, "level-2-score")),
    ("criteria", Location("criteria", None, "add-criterion")),
    ("criteria[3].weight", Location("criterion", 3, "weight")),
    ("criteria[0].level_descriptors.good", Location("criterion", 0, "descriptor-good")),
    ("grade_bands[1]", Location("bands", None, "band-1-min")),
    ("grade_bands[1].grade", Location("bands", None, "band-1-grade")),
    ("limiting_rules[2].when[0]", Location("rule", 2, "when")),
    ("limiting_rules[2].cap", Location("rule", 2, "cap")),
])
def test_error_paths_map_to_their_page_and_field(path, expected):
    assert locate(path) == expected


def test_every_validator_error_for_a_bad_draft_has_a_location():
    document = _valid()
    document["criteria"][1]["weight"] = "two"
    document["criteria"].append({"id": "chronology", "prompt": ""})
    _, errors = check_document(document, "draft")
    places = {(locate(e.path).section, locate(e.path).index, locate(e.path).field_id)
              for e in errors}
    assert ("criterion", 1, "weight") in places
    assert ("criterion", 2, "prompt") in places
    # Meaning is checked once the structure is sound.
    document = _valid()
    document["grade_bands"][0]["grade"] = "excellent"
    _, errors = check_document(document, "draft")
    assert [locate(e.path) for e in errors] == [Location("bands", None, "band-0-grade")]


def test_a_blank_document_needs_case_types_and_criteria_and_nothing_else():
    _, errors = check_document(ed.blank_document("a_rubric", "A", "B"), "draft")
    assert sorted(e.path for e in errors) == ["case_types", "criteria"]
    assert parse_rubric_document(_valid()).id == "record_keeping"


@pytest.mark.parametrize(("typed", "expected"), [
    ("2", 2), (" 1.5 ", 1.5), ("", None), ("two", "two"), ("nan", "nan"), ("1e400", 1e400),
    ("-1", -1),
])
def test_numbers_are_read_as_yaml_would_and_anything_else_is_kept(typed, expected):
    assert ed.number(typed) == expected


def test_form_rows_drop_blank_rows_and_keep_order():
    form = {"level-0-id": "high", "level-0-label": "High", "level-0-score": "2",
            "level-1-id": "", "level-1-label": "", "level-1-score": "",
            "level-10-id": "low", "level-10-label": "Low", "level-10-score": "1"}
    assert [row["id"] for row in ed.scale_from_form(form)] == ["high", "low"]
    assert ed.scale_from_form(form)[0]["score"] == 2


def test_criterion_from_form():
    criterion = ed.criterion_from_form(
        {"id": " seen ", "prompt": "Seen?\r\nAlone?", "weight": "", "type": "",
         "evidence_required": "yes", "descriptor-good": "Weekly", "descriptor-odd": "x"},
        ["outstanding", "good"])
    assert criterion == {"id": "seen", "prompt": "Seen?\nAlone?", "guidance": "", "weight": 1,
                         "evidence_required": True, "na_allowed": False, "type": "scale",
                         "level_descriptors": {"good": "Weekly"}}


@given(st.lists(st.integers(), max_size=8), st.integers(-2, 9), st.sampled_from([-1, 1]))
def test_move_is_a_permutation_that_moves_one_step(items, index, offset):
    moved = ed.move(items, index, offset)
    assert sorted(moved) == sorted(items)
    if 0 <= index < len(items) and 0 <= index + offset < len(items):
        assert moved[index + offset] == items[index]
        assert ed.move(moved, index + offset, -offset) == items
    else:
        assert moved == items


# --- diff ---------------------------------------------------------------------------------

_text = st.text(alphabet="abc \n", max_size=80)


@given(st.fixed_dictionaries({"title": _text, "weight": st.integers(1, 5), "prompt": _text}))
def test_a_document_has_no_differences_from_itself(changes):
    document = _valid()
    document["title"] = changes["title"]
    document["criteria"][0]["weight"] = changes["weight"]
    document["criteria"][0]["prompt"] = changes["prompt"]
    assert diff_documents(document, copy.deepcopy(document)) == []


def test_diff_names_each_change_with_old_and_new_values():
    old = _valid()
    new = copy.deepcopy(old)
    new["criteria"][0]["weight"] = 3
    new["criteria"].reverse()
    new["criteria"].append({"id": "storage", "prompt": "Stored safely?"})
    del new["criteria"][0]  # 'recording' removed
    new["criteria"][0]["guidance"] = "A long piece of guidance that explains " * 3
    new["limiting_rules"] = [{"id": "cap", "criterion": "chronology", "when": ["inadequate"],
                              "cap": "good", "explanation": "x"}]
    lines = [c.describe() for c in diff_documents(old, new)]
    assert "criterion 'recording' removed" in lines
    assert "criterion 'storage' added" in lines
    assert "criterion 'chronology': weight changed from 2 to 3" in lines
    assert "limiting rule 'cap' added" in lines
    guidance = next(c for c in diff_documents(old, new) if c.field == "guidance")
    assert guidance.words and guidance.words[0].op == "added"
    assert summary([]) .startswith("No differences")


def test_a_reorder_is_reported_as_a_move():
    old = _valid()
    new = copy.deepcopy(old)
    new["criteria"].reverse()
    lines = [c.describe() for c in diff_documents(old, new)]
    assert "criterion 'recording' moved from position 2 to 1" in lines


def test_word_diff_marks_removed_and_added_words():
    pieces = word_diff("the child was seen", "the child was not seen alone")
    assert [(p.op, p.text) for p in pieces] == [
        ("same", "the child was"), ("added", "not"), ("same", "seen"), ("added", "alone")]

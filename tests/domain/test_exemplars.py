"""The child-identifier check on shared excerpts."""

from __future__ import annotations

import pytest

from audit_service.domain.moderation.exemplars import candidate_tokens, identifier_problems


@pytest.mark.parametrize(("text", "kind"), [
    ("Seen on 3/4/2019 at home", "date"),
    ("Born 2019-04-03", "date"),
    ("born on 3rd April 2019", "date"),
    ("Visit on April 3, 2019", "date"),
    ("Lives near M1 1AE", "postcode"),
    ("lives near sw1a1aa", "postcode"),
    ("Case ref-42 was reviewed", "child_id"),
])
def test_identifiers_are_refused(text, kind):
    problems = identifier_problems(text, "REF-42", [])
    assert kind in {p.kind for p in problems}, problems


def test_a_child_id_found_in_the_database_is_refused_and_named():
    [problem] = identifier_problems("Seen with C123 at school", None, ["C123"])
    assert problem.kind == "child_id" and "C123" in problem.message


def test_safe_practice_text_passes():
    text = "The worker saw the child alone at every visit in March and recorded their words."
    assert identifier_problems(text, "REF-42", []) == []


def test_empty_and_long_excerpts_are_refused():
    assert identifier_problems("   ", None, [])[0].message == "Enter the excerpt to share"
    assert identifier_problems("a" * 2001, None, [])[0].kind == "length"


def test_candidate_tokens_split_on_inner_punctuation():
    assert {"C123", "ab/C123", "ab"} <= candidate_tokens("ref ab/C123.")

"""Social Work England numbers are compared without regard to case or spaces, and anything
else is refused with what a number looks like."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.social_work_england import (
    SweNumberError,
    looks_like_swe_number,
    swe_number,
)


@pytest.mark.parametrize(("typed", "stored"), [
    ("SW123456", "SW123456"), ("sw 123 456", "SW123456"), ("  SW1\t", "SW1"),
    ("Oz2054309383", "OZ2054309383"),  # the workforce census samples' shape
    ("", None), ("   ", None), (None, None),
])
def test_a_number_is_stored_in_capitals_without_spaces(typed, stored):
    assert swe_number(typed) == stored


@pytest.mark.parametrize("typed", ["123456", "S123456", "SWE123456", "SW", "SW12345678901234",
                                   "SW-123456", "jo@example.org"])
def test_anything_else_is_refused_with_an_example(typed):
    with pytest.raises(SweNumberError, match="like SW123456"):
        swe_number(typed)
    assert not looks_like_swe_number(typed)


@given(st.from_regex(r"[A-Za-z]{2} ?[0-9]{1,12}", fullmatch=True))
def test_every_well_formed_number_round_trips(text):
    stored = swe_number(text)
    assert looks_like_swe_number(text) and swe_number(stored) == stored
    assert stored == text.replace(" ", "").upper()

"""A JSON body nested past any the API takes is refused as malformed, never a server error."""

from __future__ import annotations

import pytest

from audit_service.api.json_bodies import MAX_DEPTH, _too_deep
from audit_service.domain.vocabulary import Role


def test_a_body_nested_a_thousand_deep_is_400(api_as) -> None:
    api = api_as(Role.QUALITY_LEAD)
    deep = "[" * 1000 + "]" * 1000
    response = api.post("/api/v1/moderation/draw", data=deep, content_type="application/json")
    assert response.status_code == 400
    assert response.json["message"] == f"the JSON body is nested more than {MAX_DEPTH} levels deep"


@pytest.mark.parametrize(("text", "deep"), [
    ("[" * MAX_DEPTH + "]" * MAX_DEPTH, False),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
    ('{"a": "' + "[" * 500 + '"}', False),  # brackets inside a string do not nest
    ('["\\"' + "[" * 100 + '"]', False),  # nor after an escaped quote
    (b"[" * 100 + b"]" * 100, True),  # bytes, as a request body arrives
])
def test_depth_is_counted_outside_strings(text, deep) -> None:
    assert _too_deep(text) is deep

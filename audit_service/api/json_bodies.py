"""Request bodies as JSON, with a bound on nesting.

Python's JSON parser recurses once per level, so a body nested a thousand deep ends in a
``RecursionError``: not a ``ValueError``, so it was answered with a 500 (by Flask and by
webargs, which parses bodies itself). No body the API accepts nests more than a few
levels; anything past ``MAX_DEPTH`` is refused as malformed (400) before either parses it.
"""

from __future__ import annotations

from flask import request
from flask_smorest import abort

MAX_DEPTH = 64


def _too_deep(text: str | bytes) -> bool:
    opened = text.count(b"[" if isinstance(text, bytes) else "[") + text.count(
        b"{" if isinstance(text, bytes) else "{")
    if opened <= MAX_DEPTH:
        return False  # every body the API takes, at the cost of two byte counts
    depth = 0
    in_string = escaped = False
    for char in text.decode("utf-8", "replace") if isinstance(text, bytes) else text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def refuse_deep_json() -> None:
    """Before every API request with a JSON body."""
    if request.path.startswith("/api/") and request.is_json \
            and _too_deep(request.get_data(cache=True)):
        abort(400, message=f"the JSON body is nested more than {MAX_DEPTH} levels deep")

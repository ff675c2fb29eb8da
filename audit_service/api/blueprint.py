"""The API's Blueprint: flask-smorest's, with unknown arguments refused in every location.

webargs ignores unknown query and file parameters by default; we want a typo
such as ``?fromat=`` to be a 422 that names it, so the schemas' own
``unknown = RAISE`` applies everywhere.

It also documents the refusals that follow from an operation's shape rather
than from its view, so no view can forget them: a path with an object id can
answer 404, and a request body that is not JSON (or not a valid form) is 400
before any schema sees it. And path ids the database cannot look up (an integer
past its range, text with a NUL) match no route, so they are a 404 too.
"""

from __future__ import annotations

import re
from typing import Any

from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter

from audit_service.api.schemas import INT_MAX

BODY_LOCATIONS = frozenset({"json", "form", "json_or_form", "files"})
_REFUSALS = "audit_service_refusals"
DATABASE_ID = "database_id"
PATH_TEXT = "path_text"
_TEXT_PARAMETER = re.compile(r"<(?:string:)?(\w+)>")


class DatabaseId(IntegerConverter):
    """``<int:...>`` in an API path: an id past the database's integer range is no object
    (404), not an overflow in the database driver (500). Documented with its maximum.

    Such an id becomes 0, an id the database never issues, rather than failing to convert:
    Werkzeug answers a failed conversion with 405 when another rule on the same path takes
    another method (``GET`` and ``PATCH /users/<id>``), and 405 would wrongly say the
    method is the problem.
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(url_map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= INT_MAX else 0


class PathText(UnicodeConverter):
    """A text segment of an API path (``<public_id>``) that holds no NUL: PostgreSQL cannot
    compare text with one, so such an id is no object (404) rather than a driver error."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = dict.fromkeys(FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = StrictParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_refusals_doc)
        self.record_once(lambda state: state.app.url_map.converters.update(
            {DATABASE_ID: DatabaseId, PATH_TEXT: PathText}))

    def route(self, rule: str, **options: Any):
        rule = _TEXT_PARAMETER.sub(rf"<{PATH_TEXT}:\1>", rule.replace("<int:", f"<{DATABASE_ID}:"))
        register = super().route(rule, **options)

        def decorator(func):
            doc = getattr(func, "_apidoc", {})
            parameters = doc.get("arguments", {}).get("parameters", [])
            refusals = {}
            if "<" in rule:
                refusals[404] = "NOT_FOUND"
            if any(p.get("in") in BODY_LOCATIONS for p in parameters):
                refusals[400] = "BAD_REQUEST"
            func._apidoc = {**doc, _REFUSALS: refusals}
            return register(func)

        return decorator

    @staticmethod
    def _prepare_refusals_doc(doc: dict, doc_info: dict, **kwargs: Any) -> dict:
        """Add the refusals noted by ``route``; a view's own doc of the same code wins."""
        responses = doc.setdefault("responses", {})
        for code, response in doc_info.get(_REFUSALS, {}).items():
            responses.setdefault(code, response)
        return doc

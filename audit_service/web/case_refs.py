"""A trail entry for every page and API answer that shows children's case references.

Opening one audit was already recorded (``audit.viewed``); lists were not, though a round, a
population or a moderation list shows dozens of children's ids at once. Pages show a case
reference only through the ``child_ref`` filter, which counts them; the API's answers are read
for a ``child_id`` field. One ``cases.shown`` entry per response names who, which page and how
many references, never the references themselves.
"""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_login import current_user

from audit_service.services.platform import audit_trail

API_FIELD = b'"child_id":'


def child_ref(value: object) -> object:
    """Show a case reference, and count it for this response's trail entry."""
    g.child_refs_shown = g.get("child_refs_shown", 0) + 1
    return value


def _shown(response: Response) -> int:
    if request.path.startswith("/api/"):
        if response.mimetype != "application/json" or response.direct_passthrough:
            return 0
        return response.get_data().count(API_FIELD)
    return g.get("child_refs_shown", 0)


def _record(response: Response) -> Response:
    if response.status_code != 200 or request.method not in ("GET", "POST"):
        return response
    shown = _shown(response)
    if not shown:
        return response
    actor = g.get("api_user") or (current_user.record if current_user.is_authenticated
                                  else None)
    if actor is None:
        return response
    audit_trail.record("cases.shown", actor=actor, object_type="page",
                       object_id=request.endpoint or request.path,
                       after={"path": request.path, "method": request.method,
                              "references": shown,
                              "via": "api" if request.path.startswith("/api/") else "web"},
                       remote_addr=request.remote_addr)
    return response


def init_app(app: Flask) -> None:
    app.add_template_filter(child_ref, "child_ref")
    app.after_request(_record)

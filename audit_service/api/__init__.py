"""The JSON API under ``/api/v1/``, documented at ``/api/openapi.json`` (flask-smorest).

API clients authenticate with bearer tokens only, never with the browser
session, so the API is exempt from CSRF checks.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from audit_service import __version__
from audit_service.api.auth import SECURITY_SCHEME
from audit_service.api.errors import refusal
from audit_service.web.errors import JSON_ERROR_HANDLER, JSON_REFUSAL_HANDLER


def _blueprints() -> list:
    """Every API blueprint. Add a new area's blueprint here."""
    from audit_service.api import (
        accounts,
        audit_trail,
        audits,
        imports,
        inbox,
        learning,
        me,
        moderation,
        oversight,
        plugins,
        policies,
        rounds,
        rubric_editor,
        rubrics,
        staff,
        summaries,
        thematic,
    )

    return [me.bp, imports.bp, plugins.bp, rubrics.bp, inbox.bp, rounds.bp, policies.bp,
            audit_trail.bp, audits.bp, summaries.bp, moderation.bp, learning.bp,
            *rubric_editor.blueprints(), thematic.bp, oversight.bp, accounts.bp,
            staff.bp]


def init_app(app: Flask) -> Api:
    """One ``Api`` per app, so test apps never share registration state."""
    from audit_service.api import docs
    from audit_service.api.json_bodies import refuse_deep_json

    app.before_request(refuse_deep_json)

    app.config.setdefault("API_TITLE", "audit-service")
    app.config.setdefault("API_VERSION", __version__)
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Case file audits for children's social care. Authenticate with "
                "`Authorization: Bearer <token>`; issue tokens with `audit-service tokens create`."
            }
        },
    )
    api = Api(app)
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `audit-service tokens create --user NAME`",
        },
    )
    blueprints = _blueprints()
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)

    csrf = app.extensions.get("csrf")
    if csrf is not None:
        for blueprint in blueprints:
            csrf.exempt(blueprint)
    # The browser error pages hand /api/ paths back to flask-smorest's JSON errors.
    app.extensions[JSON_ERROR_HANDLER] = api.handle_http_exception
    app.extensions[JSON_REFUSAL_HANDLER] = refusal
    return api

"""The JSON API under ``/api/v1/``, documented at ``/api/openapi.json`` (flask-smorest)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from audit_service import __version__


def init_app(app: Flask) -> Api:
    """One ``Api`` per app, so test apps never share registration state."""
    app.config.setdefault("API_TITLE", "audit-service")
    app.config.setdefault("API_VERSION", __version__)
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = Api(app)
    return api

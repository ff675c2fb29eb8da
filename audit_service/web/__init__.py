"""The browser-facing app: GOV.UK Frontend pages, one blueprint per journey."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from audit_service.web import health

    app.register_blueprint(health.bp)

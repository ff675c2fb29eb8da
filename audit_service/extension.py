"""Per-app state that is not Flask's: the registries of everything the plugins installed."""

from __future__ import annotations

from flask import Flask, current_app

from audit_service.notifications.base import NotifierSettings
from audit_service.plugins.installed import Registries, build_registries

KEY = "audit_service"


def init_app(app: Flask) -> Registries:
    """Load the plugins once per app and validate every registry at start-up."""
    found = build_registries(app.config.get("PLUGINS", ()),
                             NotifierSettings.from_config(app.config))
    app.extensions[KEY] = found
    return found


def registries() -> Registries:
    """The current app's registries (inside an app context)."""
    return current_app.extensions[KEY]

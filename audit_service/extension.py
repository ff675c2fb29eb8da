"""Per-app state that is not Flask's: the plugin manager and the registries built from it."""

from __future__ import annotations

from flask import Flask, current_app

from audit_service.exports.registry import ExporterRegistry
from audit_service.importers.registry import ImporterRegistry
from audit_service.notifications.base import NotifierSettings
from audit_service.notifications.registry import NotifierRegistry
from audit_service.plugins.catalogue import Catalogue
from audit_service.plugins.manager import build_plugin_manager
from audit_service.plugins.sampling_registry import SamplingStrategyRegistry

KEY = "audit_service"


class ServiceExtension:
    """Loads plugins once per app and validates every registry at start-up."""

    def __init__(self, app: Flask):
        self.plugin_manager = build_plugin_manager(
            app.config.get("PLUGINS", ()), app.config.get("FIRST_PARTY_PLUGINS_DIR")
        )
        self.importers = ImporterRegistry.from_plugins(self.plugin_manager)
        self.catalogue = Catalogue.from_plugins(self.plugin_manager)
        self.sampling_strategies = SamplingStrategyRegistry.from_plugins(self.plugin_manager)
        self.notifiers = NotifierRegistry.from_plugins(
            self.plugin_manager, NotifierSettings.from_config(app.config)
        )
        self.exporters = ExporterRegistry.from_plugins(self.plugin_manager)
        app.extensions[KEY] = self


def service() -> ServiceExtension:
    """The current app's extension (inside an app context)."""
    return current_app.extensions[KEY]

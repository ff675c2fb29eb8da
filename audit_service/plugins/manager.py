"""Build the plugin manager: built-ins, entry points and the ``AUDIT_PLUGINS`` allow-list.

Registries are validated here, at start-up, so a broken plugin is refused with
its name in the error instead of failing later in a user's request.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass

import pluggy

from audit_service import __version__
from audit_service.plugins import hookspecs
from audit_service.plugins.markers import PROJECT

ENTRY_POINT_GROUP = "audit_service"

# Built-in features are plugins too; they load first and cannot be disabled.
BUILTIN_PLUGINS: tuple[str, ...] = ("audit_service.importers.builtin",)


class PluginError(RuntimeError):
    """A plugin could not be loaded or registered something invalid."""


def build_plugin_manager(allow: Iterable[str] = ()) -> pluggy.PluginManager:
    """Load built-ins, installed entry points and the modules named in ``allow``."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for name in allow:
        if pm.has_plugin(name):
            continue
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise PluginError(f"AUDIT_PLUGINS names {name!r}, which cannot be imported: {exc}") from exc
        pm.register(module, name=name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {exc.plugin_name!r}: {exc}") from exc
    return pm


def plugin_name(pm: pluggy.PluginManager, impl_plugin: object) -> str:
    return pm.get_name(impl_plugin) or repr(impl_plugin)


@dataclass(frozen=True)
class PluginInfo:
    """What ``audit-service plugins`` and ``GET /api/v1/plugins`` show for one plugin."""

    name: str
    version: str
    source: str
    hooks: tuple[str, ...]


def describe_plugins(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Every registered plugin with its version, where it came from and the hooks it implements."""
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    infos = []
    for plugin in pm.get_plugins():
        name = pm.get_name(plugin) or repr(plugin)
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))
        dist = dists.get(id(plugin))
        if dist is not None:
            version, source = dist.version, f"entry point ({dist.project_name})"
        elif name in BUILTIN_PLUGINS or name.startswith("audit_service."):
            version, source = __version__, "built-in"
        else:
            version, source = str(getattr(plugin, "__version__", "unknown")), "AUDIT_PLUGINS"
        infos.append(PluginInfo(name, version, source, hooks))
    return sorted(infos, key=lambda info: (info.source != "built-in", info.name))

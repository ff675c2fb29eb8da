"""Build the plugin manager: the defaults, entry points and the ``AUDIT_PLUGINS`` allow-list.

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

# Built-in features are plugins too, all in the repository's plugins/ folder (the package
# audit_service.default_plugins), listed here once; they load first and cannot be disabled.
DEFAULT_PLUGINS: tuple[str, ...] = tuple(
    f"audit_service.default_plugins.{name}" for name in (
        "default_importers", "default_rubrics", "default_notifiers", "default_exporters",
        "evidence_prompts", "sampling_strategies",
    )
)


class PluginError(RuntimeError):
    """A plugin could not be loaded or registered something invalid."""


def build_plugin_manager(allow: Iterable[str] = ()) -> pluggy.PluginManager:
    """Load, in order: the default plugins, installed entry points (group ``audit_service``)
    and the modules named in ``allow`` (``AUDIT_PLUGINS``)."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        _register(pm, importlib.import_module(name), name)
    try:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    except Exception as exc:
        raise PluginError(f"an installed plugin (entry point group {ENTRY_POINT_GROUP!r}) "
                          f"failed to load: {exc}") from exc
    for name in allow:
        if pm.has_plugin(name):
            continue
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise PluginError(
                f"AUDIT_PLUGINS names {name!r}, which cannot be imported: {exc}"
            ) from exc
        _register(pm, module, name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {pm.get_name(exc.plugin)!r}: {exc}") from exc
    return pm


def _register(pm: pluggy.PluginManager, module: object, name: str) -> None:
    try:
        pm.register(module, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {name!r}: {exc}") from exc


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
        elif name in DEFAULT_PLUGINS:
            version, source = str(getattr(plugin, "__version__", __version__)), "built-in"
        else:
            version, source = str(getattr(plugin, "__version__", "unknown")), "AUDIT_PLUGINS"
        infos.append(PluginInfo(name, version, source, hooks))
    return sorted(infos, key=lambda info: (info.source != "built-in", info.name))

"""Build the plugin manager: built-ins, entry points and the ``AUDIT_PLUGINS`` allow-list.

Registries are validated here, at start-up, so a broken plugin is refused with
its name in the error instead of failing later in a user's request.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pluggy

from audit_service import __version__
from audit_service.plugins import hookspecs
from audit_service.plugins.markers import PROJECT
from audit_service.plugins.paths import first_party_plugins_dir

ENTRY_POINT_GROUP = "audit_service"

# Built-in features are plugins too; they load first and cannot be disabled.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "audit_service.importers.builtin",
    "audit_service.plugins.builtin_rubrics",
    "audit_service.notifications.builtin",
    "audit_service.exports.builtin",
)


class PluginError(RuntimeError):
    """A plugin could not be loaded or registered something invalid."""


def build_plugin_manager(
    allow: Iterable[str] = (), first_party_dir: Path | None = None
) -> pluggy.PluginManager:
    """Load, in order: built-ins, first-party plugins in ``plugins/``, installed entry
    points (group ``audit_service``) and the modules named in ``allow`` (``AUDIT_PLUGINS``)."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        _register(pm, importlib.import_module(name), name)
    for name in load_first_party(first_party_dir or first_party_plugins_dir()):
        try:
            module = importlib.import_module(name)
        except Exception as exc:
            raise PluginError(f"first-party plugin {name!r} failed to import: {exc}") from exc
        _register(pm, module, name)
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


def load_first_party(directory: Path) -> list[str]:
    """Make each package in ``directory`` importable; return their module names.

    First-party plugins ship with the project (``plugins/<name>/__init__.py``), each
    with its own tests, and load by default like datasette's ``--plugins-dir``.
    """
    if not directory.is_dir():
        return []
    names = sorted(
        child.name
        for child in directory.iterdir()
        if (child / "__init__.py").is_file() and child.name.isidentifier()
    )
    if names and str(directory) not in sys.path:
        sys.path.append(str(directory))
    return names


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
        elif name in BUILTIN_PLUGINS:
            version, source = __version__, "built-in"
        elif _is_first_party(plugin):
            version = str(getattr(plugin, "__version__", __version__))
            source = "first-party (plugins/)"
        else:
            version, source = str(getattr(plugin, "__version__", "unknown")), "AUDIT_PLUGINS"
        infos.append(PluginInfo(name, version, source, hooks))
    return sorted(infos, key=lambda info: (info.source != "built-in", info.name))


def _is_first_party(plugin: object) -> bool:
    path = getattr(plugin, "__file__", None)
    return bool(path) and Path(path).resolve().is_relative_to(first_party_plugins_dir())

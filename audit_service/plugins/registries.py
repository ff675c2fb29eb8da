"""Collect what plugins register through a hook, and refuse bad registrations at start-up.

Every registry follows the same rules: each item is of the declared base class,
has a non-empty ``id`` and ``label`` (and any other declared attributes), and
no two items share an id. Errors name the plugin that registered the item.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pluggy

from audit_service.plugins.manager import PluginError, plugin_name


@dataclass(frozen=True)
class Registration:
    """One item a plugin registered, and which plugin it came from."""

    id: str
    item: Any
    plugin: str


def collect(
    pm: pluggy.PluginManager,
    hook_name: str,
    *,
    kind: str,
    base: type,
    as_class: bool,
    required: Iterable[str] = ("id", "label"),
) -> dict[str, Registration]:
    """Gather every plugin's results for ``hook_name`` into ``{id: Registration}``.

    ``as_class`` says whether plugins register classes (importers) or instances
    (criterion types, evidence providers).
    """
    found: dict[str, Registration] = {}
    hook = getattr(pm.hook, hook_name)
    for impl in hook.get_hookimpls():
        owner = plugin_name(pm, impl.plugin)
        try:
            items = impl.function() or []
        except Exception as exc:
            raise PluginError(f"plugin {owner!r} failed in {hook_name}(): {exc}") from exc
        for item in items:
            _check(item, owner, kind=kind, base=base, as_class=as_class, required=required)
            if item.id in found:
                raise PluginError(
                    f"plugin {owner!r} registers {kind} id {item.id!r}, "
                    f"already registered by plugin {found[item.id].plugin!r}"
                )
            found[item.id] = Registration(item.id, item, owner)
    return found


def _check(item: Any, owner: str, *, kind: str, base: type, as_class: bool,
           required: Iterable[str]) -> None:
    base_name = f"{base.__module__}.{base.__qualname__}"
    if as_class:
        if not (inspect.isclass(item) and issubclass(item, base)):
            raise PluginError(
                f"plugin {owner!r} registers {item!r} as a {kind}, "
                f"but it is not a subclass of {base_name}"
            )
        if inspect.isabstract(item):
            missing = ", ".join(sorted(item.__abstractmethods__))
            raise PluginError(
                f"plugin {owner!r}: {kind} {item.__name__} does not implement {missing}"
            )
        name = item.__name__
    else:
        if not isinstance(item, base):
            raise PluginError(
                f"plugin {owner!r} registers {item!r} as a {kind}, "
                f"but it is not an instance of a subclass of {base_name}"
            )
        name = type(item).__name__
    for attr in required:
        if not getattr(item, attr, None):
            raise PluginError(f"plugin {owner!r}: {kind} {name} has no {attr!r}")

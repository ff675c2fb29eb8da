"""Collect what plugins register through a hook, and refuse bad registrations at start-up.

Every registry follows the same rules: each item is of the declared base class,
has a non-empty ``id`` and ``label`` (and any other declared attributes), and
no two items share an id. Errors name the plugin that registered the item.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

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


T = TypeVar("T")


class UnknownPlugin(LookupError):
    """Something names an importer, strategy, notifier or exporter no plugin registered."""


class Registry(Mapping[str, T], Generic[T]):
    """What plugins registered through one hook, by id, with the plugin each came from.

    A ``Mapping`` (so a registry of criterion types is what scoring takes), plus
    ``lookup``, which refuses an unknown id with a sentence naming what is installed.
    ``make`` turns a registered item into what the service uses (a class into an
    instance, say), once, at start-up.
    """

    def __init__(self, kind: str, registrations: Mapping[str, Registration],
                 make: Callable[[Any], T] = lambda item: item) -> None:
        self.kind = kind
        self._items: dict[str, T] = {item_id: make(registrations[item_id].item)
                                     for item_id in sorted(registrations)}
        self._plugins = {item_id: reg.plugin for item_id, reg in registrations.items()}

    @classmethod
    def of(cls, kind: str, items: Iterable[Any], plugin: str = "direct") -> Registry[Any]:
        """A registry of ready-made items (each with an ``id``), for a process that chooses
        exactly what is installed: a test, or a tool that delivers through one notifier."""
        return cls(kind, {item.id: Registration(item.id, item, plugin) for item in items})

    def __getitem__(self, item_id: str) -> T:
        return self._items[item_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def ids(self) -> list[str]:
        return list(self._items)

    def lookup(self, item_id: str) -> T:
        """The item registered as ``item_id``; ``UnknownPlugin`` says what is installed."""
        try:
            return self._items[item_id]
        except KeyError:
            raise UnknownPlugin(
                f"the {self.kind} {item_id!r} is not installed; installed: "
                f"{', '.join(self._items) or 'none'}"
            ) from None

    def plugin_of(self, item_id: str) -> str:
        return self._plugins[item_id]

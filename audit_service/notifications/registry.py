"""The notifiers available in this process, collected from plugins and set up once."""

from __future__ import annotations

from collections.abc import Iterator

import pluggy

from audit_service.notifications.base import Notifier, NotifierSettings
from audit_service.plugins.registries import collect


class UnknownNotifier(LookupError):
    pass


class NotifierRegistry:
    """Notifier instances by id."""

    def __init__(self, notifiers: dict[str, Notifier]):
        self._notifiers = notifiers

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager, settings: NotifierSettings) -> NotifierRegistry:
        found = collect(pm, "register_notifiers", kind="notifier", base=Notifier, as_class=True)
        return cls({nid: reg.item(settings) for nid, reg in found.items()})

    def ids(self) -> list[str]:
        return sorted(self._notifiers)

    def get(self, notifier_id: str) -> Notifier:
        try:
            return self._notifiers[notifier_id]
        except KeyError:
            known = ", ".join(self.ids())
            raise UnknownNotifier(f"no notifier {notifier_id!r}; known: {known}") from None

    def __contains__(self, notifier_id: object) -> bool:
        return notifier_id in self._notifiers

    def __iter__(self) -> Iterator[Notifier]:
        return iter(self._notifiers[nid] for nid in self.ids())

    def disabled(self) -> dict[str, str]:
        """``{id: reason}`` for every notifier that cannot deliver here."""
        return {n.id: reason for n in self if (reason := n.disabled_reason())}

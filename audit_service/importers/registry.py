"""Collect case importers from every plugin and refuse invalid ones at start-up."""

from __future__ import annotations

import inspect
from pathlib import PurePath

import pluggy

from audit_service.importers.base import CaseImporter
from audit_service.plugins.manager import PluginError, plugin_name


class UnknownImporter(LookupError):
    pass


class ImporterRegistry:
    """The importers available in this process, by id."""

    def __init__(self, importers: dict[str, type[CaseImporter]]):
        self._importers = importers

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager) -> ImporterRegistry:
        found: dict[str, type[CaseImporter]] = {}
        owners: dict[str, str] = {}
        hook = pm.hook.register_case_importers
        for impl in hook.get_hookimpls():
            owner = plugin_name(pm, impl.plugin)
            for importer in impl.function() or []:
                _check(importer, owner)
                if importer.id in found:
                    raise PluginError(
                        f"plugin {owner!r} registers case importer id {importer.id!r}, "
                        f"already registered by plugin {owners[importer.id]!r}"
                    )
                found[importer.id] = importer
                owners[importer.id] = owner
        return cls(found)

    def ids(self) -> list[str]:
        return sorted(self._importers)

    def get(self, importer_id: str) -> type[CaseImporter]:
        try:
            return self._importers[importer_id]
        except KeyError:
            known = ", ".join(self.ids())
            raise UnknownImporter(f"no importer {importer_id!r}; known: {known}") from None

    def for_filename(self, filename: str) -> type[CaseImporter]:
        """The importer for a file, chosen by its extension."""
        suffix = PurePath(filename).suffix.lower()
        for importer_id in self.ids():
            importer = self._importers[importer_id]
            if suffix in importer.extensions:
                return importer
        known = sorted({ext for imp in self._importers.values() for ext in imp.extensions})
        raise UnknownImporter(
            f"cannot tell how to read {PurePath(filename).name!r}: "
            f"expected one of {', '.join(known)} (or name a --format)"
        )


def _check(importer: object, owner: str) -> None:
    if not (inspect.isclass(importer) and issubclass(importer, CaseImporter)):
        raise PluginError(
            f"plugin {owner!r} registers {importer!r} as a case importer, "
            "but it is not a subclass of audit_service.importers.base.CaseImporter"
        )
    if inspect.isabstract(importer):
        raise PluginError(f"plugin {owner!r}: case importer {importer.__name__} does not implement read()")
    for attr in ("id", "label", "extensions"):
        if not getattr(importer, attr, None):
            raise PluginError(f"plugin {owner!r}: case importer {importer.__name__} has no {attr!r}")

"""The case importers available in this process, collected from plugins."""

from __future__ import annotations

from pathlib import PurePath

import pluggy

from audit_service.importers.base import CaseImporter
from audit_service.plugins.registries import collect


class UnknownImporter(LookupError):
    pass


class ImporterRegistry:
    """Importers by id, and the lookup of an importer for a file name."""

    def __init__(self, importers: dict[str, type[CaseImporter]]):
        self._importers = importers

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager) -> ImporterRegistry:
        found = collect(
            pm,
            "register_case_importers",
            kind="case importer",
            base=CaseImporter,
            as_class=True,
            required=("id", "label", "extensions"),
        )
        return cls({importer_id: reg.item for importer_id, reg in found.items()})

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

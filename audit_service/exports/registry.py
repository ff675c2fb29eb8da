"""The exporters available in this process, collected from plugins once per app."""

from __future__ import annotations

import pluggy

from audit_service.exports.base import Exporter
from audit_service.plugins.registries import collect


class UnknownExporter(LookupError):
    pass


class ExporterRegistry:
    def __init__(self, exporters: dict[str, Exporter]):
        self._exporters = exporters

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager) -> ExporterRegistry:
        found = collect(pm, "register_exporters", kind="exporter", base=Exporter, as_class=True,
                        required=("id", "label", "media_type", "extension"))
        return cls({eid: reg.item() for eid, reg in found.items()})

    def ids(self) -> list[str]:
        return sorted(self._exporters)

    def get(self, exporter_id: str) -> Exporter:
        try:
            return self._exporters[exporter_id]
        except KeyError:
            known = ", ".join(self.ids())
            raise UnknownExporter(
                f"no export format {exporter_id!r}; choose one of: {known}") from None

    def __contains__(self, exporter_id: object) -> bool:
        return exporter_id in self._exporters

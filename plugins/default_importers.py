"""The built-in case importers: Ofsted's Annex A (a workbook or CSV), which is the caseload,
and the statutory returns that add facts to it (the CIN census, SSDA903 tables)."""

from __future__ import annotations

from audit_service.importers.annex_a import AnnexACsvImporter, AnnexAWorkbookImporter
from audit_service.importers.returns import CinCensusImporter, Ssda903Importer
from audit_service.plugins import hookimpl


@hookimpl
def register_case_importers():
    return [AnnexAWorkbookImporter, AnnexACsvImporter, CinCensusImporter, Ssda903Importer]

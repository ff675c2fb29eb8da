"""The built-in case importers: Ofsted's Annex A, as a workbook or as CSV."""

from __future__ import annotations

from audit_service.importers.annex_a import AnnexACsvImporter, AnnexAWorkbookImporter
from audit_service.plugins import hookimpl


@hookimpl
def register_case_importers():
    return [AnnexAWorkbookImporter, AnnexACsvImporter]

"""Registers the built-in importers through the same hook third-party plugins use."""

from __future__ import annotations

from audit_service.plugins import hookimpl


@hookimpl
def register_case_importers():
    from audit_service.importers.annex_a import AnnexACsvImporter, AnnexAWorkbookImporter

    return [AnnexAWorkbookImporter, AnnexACsvImporter]

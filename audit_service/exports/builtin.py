"""Registers the built-in exporters through the same hook third-party plugins use."""

from __future__ import annotations

from audit_service.plugins import hookimpl


@hookimpl
def register_exporters():
    from audit_service.exports.formats import CsvExporter, XlsxExporter

    return [CsvExporter, XlsxExporter]

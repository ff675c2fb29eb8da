"""The built-in summary exporters: CSV and XLSX."""

from __future__ import annotations

from audit_service.exports.formats import CsvExporter, XlsxExporter
from audit_service.plugins import hookimpl


@hookimpl
def register_exporters():
    return [CsvExporter, XlsxExporter]

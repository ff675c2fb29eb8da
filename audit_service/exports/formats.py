"""CSV (UTF-8 with a byte-order mark, so Excel reads it) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font

from audit_service.exports.base import Exporter, Table, safe_text


class CsvExporter(Exporter):
    id = "csv"
    label = "CSV"
    media_type = "text/csv"
    extension = "csv"

    def write(self, table: Table, stream: BinaryIO) -> None:
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(table.column_ids)
        for row in table.rows:
            writer.writerow(["" if v is None else safe_text(v) for v in row])
        stream.write(text.getvalue().encode("utf-8-sig"))


class XlsxExporter(Exporter):
    id = "xlsx"
    label = "Excel workbook"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension = "xlsx"

    def write(self, table: Table, stream: BinaryIO) -> None:
        book = Workbook(write_only=False)
        sheet = book.active
        sheet.title = table.name[:31]
        sheet.append(table.column_ids)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([safe_text(v) for v in row])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(table.columns, start=1):
            width = max([len(column.id), *(len(str(r[index - 1] or "")) for r in table.rows)])
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width + 2, 60)
        book.properties.title = table.title
        book.save(stream)

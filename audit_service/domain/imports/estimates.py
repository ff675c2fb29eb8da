"""About how many rows a file holds, for the progress bar of an import running in the
background. Cheap by design: a count of line breaks or records, or the size each worksheet
declares, never a parse."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
#: Bytes read from the start of each worksheet to find its ``<dimension>``.
_SHEET_HEAD = 4096


def estimate_rows(data: bytes, filename: str) -> int | None:
    """Rows (or records) ``data`` holds, roughly; None when it cannot tell cheaply."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _workbook_rows(data)
    if suffix == ".xml":
        return (data.count(b"<Child>") + data.count(b"<Child ")) or None
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return max(lines - 1, 0) or None


def _workbook_rows(data: bytes) -> int | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = 0
            for name in archive.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with archive.open(name) as sheet:
                    match = _DIMENSION.search(sheet.read(_SHEET_HEAD))
                if match and match.group(1):
                    total += max(int(match.group(1)) - 1, 0)
            return total or None
    except (zipfile.BadZipFile, OSError, ValueError):
        return None

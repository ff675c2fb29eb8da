"""A caseload file uploaded in the browser or through the API, imported the same way for both.

The client names the file, so its name is made printable (a NUL cannot be stored
or shown) before it is kept or repeated back; a refusal names the file as the
person chose it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import BinaryIO

from audit_service.domain.imports.annex_a.values import printable
from audit_service.importers.base import CaseImporter
from audit_service.services.accounts.views import Account
from audit_service.services.errors import Invalid
from audit_service.services.imports.case_import import ImportFailed, import_file
from audit_service.services.imports.reports import view_of
from audit_service.services.imports.views import ImportView


class UnknownFormat(Invalid):
    """The upload names a format no installed importer reads; nothing is recorded."""


def closure_limit(percent: int, *, confirmed: bool) -> float | None:
    """The share of open cases an import may close unconfirmed; None once confirmed."""
    return None if confirmed else percent / 100


def run_import(stream: BinaryIO, filename: str | None, *, importer_id: str | None,
               uploaded_by: Account, as_of: dt.date,
               importers: Mapping[str, type[CaseImporter]],
               closure_limit: float | None) -> ImportView:
    """Import the upload; ``ImportFailed`` (an ``Invalid``) when the file cannot be read,
    ``ConfirmationNeeded`` (a ``Conflict``) when it would close too many cases unconfirmed."""
    name = printable(filename or "")
    if importer_id is not None and importer_id not in importers:
        raise UnknownFormat(
            f"unknown format {importer_id!r}; known formats: {', '.join(importers)}",
            {"format": "unknown format"},
        )
    try:
        batch = import_file(stream, name or "upload", importer_id=importer_id,
                            uploaded_by=uploaded_by, as_of=as_of, importers=importers,
                            closure_limit=closure_limit)
    except ImportFailed as exc:
        raise ImportFailed(f"{name or 'the file'} could not be imported: {exc.message}",
                           exc.batch) from exc
    return view_of(batch)

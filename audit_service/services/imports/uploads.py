"""A caseload file uploaded in the browser or through the API, imported the same way for both.

The client names the file, so its name is made printable (a NUL cannot be stored
or shown) before it is kept or repeated back; a refusal names the file as the
person chose it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import BinaryIO

from audit_service.domain.imports.annex_a.values import printable
from audit_service.importers.base import CaseImporter
from audit_service.plugins.installed import importer_for
from audit_service.plugins.registries import UnknownPlugin
from audit_service.services.accounts.views import Account
from audit_service.services.errors import Invalid
from audit_service.services.imports.background import (
    pending_size,
    queue_confirmed,
    queue_import,
)
from audit_service.services.imports.case_import import (
    HEAD_BYTES,
    ImportFailed,
    confirm_pending,
    import_file,
)
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
               closure_limit: float | None, background_bytes: int | None = None) -> ImportView:
    """Import the upload; ``ImportFailed`` (an ``Invalid``) when the file cannot be read,
    ``ConfirmationNeeded`` (a ``Conflict``) when it would close too many cases unconfirmed.

    A file of ``background_bytes`` or more is queued for the scheduler instead: the view
    returned is the queued import, whose progress its page and the API then show."""
    name = printable(filename or "")
    if importer_id is not None and importer_id not in importers:
        raise UnknownFormat(
            f"unknown format {importer_id!r}; known formats: {', '.join(importers)}",
            {"format": "unknown format"},
        )
    data = stream.read()
    if background_bytes is not None and len(data) >= background_bytes:
        try:
            importer = importer_for(importers, name or "upload", importer_id,
                                    head=data[:HEAD_BYTES])
        except UnknownPlugin as exc:
            raise UnknownFormat(f"{name or 'the file'} could not be imported: {exc}",
                                {"file": "unknown format"}) from None
        return view_of(queue_import(data, name or "upload", importer_id=importer.id,
                                    uploaded_by=uploaded_by, as_of=as_of,
                                    closure_limit=closure_limit))
    try:
        batch = import_file(io.BytesIO(data), name or "upload", importer_id=importer_id,
                            uploaded_by=uploaded_by, as_of=as_of, importers=importers,
                            closure_limit=closure_limit)
    except ImportFailed as exc:
        raise ImportFailed(f"{name or 'the file'} could not be imported: {exc.message}",
                           exc.batch) from exc
    return view_of(batch)


def confirm_upload(public_id: str, *, actor: Account,
                   importers: Mapping[str, type[CaseImporter]],
                   background_bytes: int | None = None) -> ImportView:
    """Go ahead with an import awaiting confirmation: at once, or queued for the scheduler when
    its file is ``background_bytes`` or more."""
    if background_bytes is not None and pending_size(public_id) >= background_bytes:
        return view_of(queue_confirmed(public_id, actor=actor))
    return view_of(confirm_pending(public_id, actor=actor, importers=importers))

"""The interface every case importer implements."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import BinaryIO, ClassVar

from audit_service.domain.case_records import CaseRecord, RowError
from audit_service.plugins.registries import UnknownPlugin


class CaseImporter(ABC):
    """Reads one file (or stream) of case data.

    ``read`` yields a ``CaseRecord`` for every readable row and a ``RowError``
    for every problem; it never stops at the first bad row. It must not touch
    the database: the import service decides what to create, update or close.
    """

    #: Unique, stable identifier, used by ``import-cases --format`` and the API.
    id: ClassVar[str]
    #: Human-readable name for pages and ``audit-service plugins``.
    label: ClassVar[str]
    #: Lower-case file extensions this importer reads, with the dot (".xlsx").
    extensions: ClassVar[tuple[str, ...]]
    #: True when a file is the whole open caseload, so a case missing from it is closed.
    full_caseload: ClassVar[bool] = True

    @abstractmethod
    def read(self, stream: BinaryIO, *, as_of: dt.date) -> Iterator[CaseRecord | RowError]:
        """Yield records and row errors from ``stream``. ``as_of`` dates age bands."""


def importer_for(importers: Mapping[str, type[CaseImporter]], filename: str,
                 importer_id: str | None = None) -> type[CaseImporter]:
    """The importer named ``importer_id``, else the one whose extensions fit ``filename``;
    ``UnknownPlugin`` says which ids or extensions would do."""
    if importer_id:
        if importer_id in importers:
            return importers[importer_id]
        raise UnknownPlugin(f"no importer {importer_id!r}; known: {', '.join(importers)}")
    suffix = PurePath(filename).suffix.lower()
    for importer in importers.values():
        if suffix in importer.extensions:
            return importer
    known = sorted({ext for importer in importers.values() for ext in importer.extensions})
    raise UnknownPlugin(
        f"cannot tell how to read {PurePath(filename).name!r}: "
        f"expected one of {', '.join(known)} (or name a --format)"
    )

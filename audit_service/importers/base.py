"""The interface every case importer implements."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from audit_service.domain.imports.case_records import (
    CaseEnrichment,
    CaseRecord,
    ListRead,
    RowError,
)


class CaseImporter(ABC):
    """Reads one file (or stream) of case data.

    ``read`` yields a ``CaseRecord`` for every readable row and a ``RowError``
    for every problem; it never stops at the first bad row. An importer that sets
    ``reports_lists`` also yields a ``ListRead`` for each list it read in full. It must
    not touch the database: the import service decides what to create, update or close.
    """

    #: Unique, stable identifier, used by ``import-cases --format`` and the API.
    id: ClassVar[str]
    #: Human-readable name for pages and ``audit-service plugins``.
    label: ClassVar[str]
    #: Lower-case file extensions this importer reads, with the dot (".xlsx").
    extensions: ClassVar[tuple[str, ...]]
    #: True when a file is the whole open caseload, so a case missing from it is closed.
    full_caseload: ClassVar[bool] = True
    #: True when ``read`` yields a ``ListRead`` for every list it read in full: a full import
    #: then closes missing cases only of those lists' case types. False: a full file speaks
    #: for every case type.
    reports_lists: ClassVar[bool] = False
    #: True for a statutory return that adds facts to cases the caseload already holds: ``read``
    #: yields ``CaseEnrichment`` values, and the import never creates or closes a case.
    enriches: ClassVar[bool] = False

    @classmethod
    def recognises(cls, head: bytes) -> bool:
        """Whether a file starting with ``head`` is plainly this importer's format.

        Asked only when several importers read the file's extension (an Annex A CSV and an
        SSDA903 table are both ``.csv``): the first that recognises the file reads it, else
        the first that takes the extension, whose own errors then say what is wrong.
        """
        return False

    @abstractmethod
    def read(self, stream: BinaryIO, *, as_of: dt.date
             ) -> Iterator[CaseRecord | CaseEnrichment | RowError | ListRead]:
        """Yield records and row errors from ``stream``. ``as_of`` dates age bands and ends
        the "last 12 months" a return counts over."""
